use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;

use avlaunch::call::session::CallOptions;
use avlaunch::call::CallRequest;
use avlaunch::cli::{CallArgs, Cli, Command, ServerArgs, SimArgs};
use avlaunch::settings::{self, Prompt, Settings, Target};
use avlaunch::tui::session::{ConnectRequest, Extras, ProfileChoice, SessionInfo};
use avlaunch::{headless, logging, sim, tui};

/// Set while the terminal UI owns the screen.
static UI_RUNNING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A panic prints a short message with any token-shaped text redacted, and where the log
/// is; the terminal UI adds its own hook on top that restores the terminal first.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = avlaunch::secret::redact_cwt(&payload);
        tracing::error!("internal error{place}: {message}");
        // A panic in a spawned task is caught and reported as a failed call; under the UI,
        // printing it would scribble over the screen, so it goes to the log only.
        if tokio::task::try_id().is_some() && UI_RUNNING.load(std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        eprintln!("avlaunch: internal error{place}: {message}");
        if let Some(path) = logging::log_path() {
            eprintln!("avlaunch: the log is at {}", path.display());
        }
    }));
}

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("avlaunch: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let code = match cli.command {
        Some(Command::Call(args)) => {
            logging::init_stderr(cli.server.log_level.as_deref());
            runtime.block_on(call(cli.server, args))
        }
        Some(Command::Sim(args)) => {
            logging::init_stderr(cli.server.log_level.as_deref());
            runtime.block_on(simulator(args))
        }
        Some(Command::History(args)) => avlaunch::history::command(&args),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man) => man(),
        None => {
            logging::init_file(cli.server.log_level.as_deref());
            runtime.block_on(tui(cli.server, cli.export_dir))
        }
    };
    ExitCode::from(code)
}

/// The simulator's answer delay when it runs embedded; tests and benchmarks set 0.
fn embedded_sim_config() -> sim::SimConfig {
    let mut config = sim::SimConfig {
        // Nobody reads the embedded simulator's request log; a long session must not grow it.
        record_requests: false,
        ..Default::default()
    };
    if let Some(ms) = std::env::var("AVLAUNCH_SIM_ANSWER_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.answer_delay = Duration::from_millis(ms);
    }
    config
}

async fn call(server: ServerArgs, args: CallArgs) -> u8 {
    let request = CallRequest {
        to: args.to.clone(),
        subject: args.subject.clone(),
        importance: args.importance.clone(),
        thread_id: args.thread_id.clone(),
        session_context: args.session_context.clone(),
        operation_id: args
            .operation_id
            .clone()
            .unwrap_or_else(avlaunch::call::request::fresh_operation_id),
        media_offer: args.media_offer.clone(),
        join_audio_muted: args.audio_muted,
        join_video_muted: args.video_muted,
    };
    // Every field is checked before anything is sent, discovery included.
    let call = match request.validate() {
        Ok(call) => call,
        Err(errors) => {
            for e in &errors {
                eprintln!("avlaunch: invalid input: {e}");
            }
            eprintln!("avlaunch: nothing was sent");
            return 2;
        }
    };
    let target = match Settings::resolve(&server)
        .and_then(|s| settings::target(&s, Prompt::Terminal).map(|t| (s, t)))
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("avlaunch: {e}");
            eprintln!("avlaunch: nothing was sent");
            return 2;
        }
    };
    let (settings, target) = target;
    let options = CallOptions {
        timeout: Duration::from_secs_f64(args.timeout),
        hangup_after: args.hangup_after.map(Duration::from_secs_f64),
    };
    match target {
        Target::Deployment(connection) => {
            let history = settings.recorder(&connection, false);
            headless::run(
                call,
                connection,
                options,
                args.output,
                None,
                args.har,
                history,
            )
            .await
        }
        Target::Embedded { user, format } => {
            let handle = match sim::start(embedded_sim_config()).await {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("avlaunch: cannot start the built-in simulator: {e}");
                    return 3;
                }
            };
            let banner = headless::Banner {
                url: handle.url.to_string(),
                contacts: sim::directory()
                    .iter()
                    .map(|(c, _)| c.to_string())
                    .collect(),
            };
            let connection = settings::embedded_connection(handle.url.clone(), user, format);
            let history = settings.recorder(&connection, true);
            let code = headless::run(
                call,
                connection,
                options,
                args.output,
                Some(banner),
                args.har,
                history,
            )
            .await;
            handle.shutdown().await;
            code
        }
    }
}

async fn simulator(args: SimArgs) -> u8 {
    if !args.listen.ip().is_loopback() {
        eprintln!("avlaunch sim: --listen {}: the simulator listens on loopback only (e.g. 127.0.0.1:8080)", args.listen);
        return 2;
    }
    let faults = match args.fault.as_deref().map(sim::faults::Faults::parse) {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            eprintln!("avlaunch sim: --fault: {e}");
            return 2;
        }
        None => Default::default(),
    };
    let config = sim::SimConfig {
        listen: args.listen,
        answer_delay: Duration::from_millis(args.answer_delay_ms),
        faults,
        ..Default::default()
    };
    let handle = match sim::start(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("avlaunch sim: cannot listen on {}: {e}", args.listen);
            return 3;
        }
    };
    println!("avlaunch sim: UCWA simulator listening at {}", handle.url);
    println!("  any user, password 'demo'; contacts:");
    for (contact, behaviour) in sim::directory() {
        println!("  {contact:<30} {behaviour}");
    }
    println!(
        "  try: avlaunch call --server {} --user you@contoso.com --to sip:alice@contoso.com",
        handle.url
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    0
}

/// The session a connection made from `settings` belongs to (banner, history, exports);
/// `export_dir` is the `--export-dir` flag, which wins over the profile's.
fn session_info(
    settings: &Settings,
    connection_user: &str,
    export_dir: Option<&std::path::Path>,
) -> SessionInfo {
    SessionInfo {
        export_dir: Some(
            export_dir
                .map(std::path::Path::to_path_buf)
                .unwrap_or_else(|| settings.export_dir()),
        ),
        profile: settings.profile.clone(),
        server: settings.server.clone(),
        user: connection_user.to_string(),
        via_phone: settings.via_phone.clone(),
        history: settings.history.then(avlaunch::history::path).flatten(),
    }
}

/// Turns a target into the UI's connect future; the built-in simulator is started inside it
/// (once: a later connection to the simulator reuses it) and parked in `slot`.
fn connect_future(
    target: Target,
    info: SessionInfo,
    slot: Arc<Mutex<Option<sim::SimHandle>>>,
) -> avlaunch::tui::session::ConnectFuture {
    match target {
        Target::Deployment(connection) => Box::pin(async move {
            Ok((
                tui::Ready {
                    connection,
                    demo: None,
                },
                info,
            ))
        }),
        Target::Embedded { user, format } => Box::pin(async move {
            let running = slot
                .lock()
                .ok()
                .and_then(|s| s.as_ref().map(|h| h.url.clone()));
            let url = match running {
                Some(url) => url,
                None => {
                    let handle = sim::start(embedded_sim_config())
                        .await
                        .map_err(|e| format!("cannot start the built-in simulator: {e}"))?;
                    let url = handle.url.clone();
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(handle);
                    }
                    url
                }
            };
            let ready = tui::Ready {
                connection: settings::embedded_connection(url.clone(), user, format),
                demo: Some(tui::DemoInfo {
                    url: url.to_string(),
                    contacts: sim::directory()
                        .iter()
                        .map(|(c, d)| (c.to_string(), d.to_string()))
                        .collect(),
                }),
            };
            Ok((ready, info))
        }),
    }
}

async fn tui(server: ServerArgs, export_dir: Option<std::path::PathBuf>) -> u8 {
    let resolved = Settings::resolve(&server)
        .and_then(|s| settings::target(&s, Prompt::Terminal).map(|t| (s, t)));
    let (settings, target) = match resolved {
        Ok(t) => t,
        Err(e) => {
            eprintln!("avlaunch: {e}");
            return 2;
        }
    };
    let format = settings.format;
    // The embedded simulator starts inside the connect future, which the UI awaits only
    // after its first frame; the handle is parked here so it lives as long as the UI.
    let simulator: Arc<Mutex<Option<sim::SimHandle>>> = Arc::default();
    let user = match &target {
        Target::Embedded { user, .. } => user.clone(),
        Target::Deployment(c) => c.user.clone(),
    };
    let first = session_info(&settings, &user, export_dir.as_deref());
    let initial = connect_future(target, first.clone(), simulator.clone());
    let connect: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<tui::Ready, String>> + Send>,
    > = Box::pin(async move { initial.await.map(|(ready, _)| ready) });
    // The sign-in dialog: a profile (or none) with the server, user and password typed there.
    let connector: avlaunch::tui::session::Connector = {
        let (args, config, slot) = (server.clone(), settings.config.clone(), simulator.clone());
        let export_flag = export_dir.clone();
        Arc::new(move |request: ConnectRequest| {
            let mut args = args.clone();
            args.server = None;
            args.user = None;
            let (config, slot, export_flag) = (config.clone(), slot.clone(), export_flag.clone());
            Box::pin(async move {
                let mut s = Settings::with_profile(&args, config, request.profile.as_deref())?;
                s.server = request.server.filter(|v| !v.trim().is_empty()).or(s.server);
                s.user = request.user.filter(|v| !v.trim().is_empty()).or(s.user);
                s.password = request.password;
                // A password_command may take a while (a vault asking for a touch).
                let (s, target) = tokio::task::spawn_blocking(move || {
                    settings::target(&s, Prompt::Never).map(|t| (s, t))
                })
                .await
                .map_err(|e| format!("internal error: {e}"))??;
                let user = match &target {
                    Target::Embedded { user, .. } => user.clone(),
                    Target::Deployment(c) => c.user.clone(),
                };
                let info = session_info(&s, &user, export_flag.as_deref());
                connect_future(target, info, slot).await
            }) as avlaunch::tui::session::ConnectFuture
        })
    };
    let profiles = settings
        .config
        .as_ref()
        .map(|c| {
            c.profiles
                .iter()
                .map(|(name, p)| ProfileChoice {
                    name: name.clone(),
                    server: p.server.clone(),
                    user: p.user.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let extras = Extras {
        export_dir: first.export_dir.clone(),
        session: first,
        profiles,
        connector: Some(connector),
        history_file: avlaunch::history::path(),
    };
    let config = tui::TuiConfig {
        connect,
        options: CallOptions::default(),
        format,
    };
    UI_RUNNING.store(true, std::sync::atomic::Ordering::Relaxed);
    let result = tui::run_session(config, extras).await;
    UI_RUNNING.store(false, std::sync::atomic::Ordering::Relaxed);
    let handle = simulator.lock().ok().and_then(|mut s| s.take());
    if let Some(handle) = handle {
        handle.shutdown().await;
    }
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("avlaunch: the terminal UI failed: {e}");
            if let Some(path) = logging::log_path() {
                eprintln!("avlaunch: the log is at {}", path.display());
            }
            3
        }
    }
}

fn completions(shell: clap_complete::Shell) -> u8 {
    let profiles: Vec<String> = avlaunch::config::Config::load()
        .ok()
        .flatten()
        .map(|c| c.profiles.into_keys().collect())
        .unwrap_or_default();
    let mut cmd = avlaunch::cli::completion_command(&profiles, sim::faults::NAMES);
    clap_complete::generate(shell, &mut cmd, "avlaunch", &mut std::io::stdout());
    0
}

fn man() -> u8 {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut out = std::io::stdout().lock();
    match clap_mangen::Man::new(cmd).render(&mut out) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("avlaunch man: {e}");
            3
        }
    }
}
