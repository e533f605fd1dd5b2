use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;

use avlaunch::call::session::CallOptions;
use avlaunch::call::CallRequest;
use avlaunch::cli::{CallArgs, Cli, Command, ServerArgs, SimArgs};
use avlaunch::settings::{self, Target};
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
        avlaunch::errln!("avlaunch: internal error{place}: {message}");
        if let Some(path) = logging::log_path() {
            avlaunch::errln!("avlaunch: the log is at {}", path.display());
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
            avlaunch::errln!("avlaunch: cannot start the async runtime: {e}");
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
        None => {
            logging::init_file(cli.server.log_level.as_deref());
            runtime.block_on(tui(cli.server))
        }
    };
    ExitCode::from(code)
}

/// The simulator's answer delay when it runs embedded; tests and benchmarks set 0.
fn embedded_sim_config() -> sim::SimConfig {
    let mut config = sim::SimConfig::default();
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
                avlaunch::errln!("avlaunch: invalid input: {e}");
            }
            avlaunch::errln!("avlaunch: nothing was sent");
            return 2;
        }
    };
    let target = match settings::target(&server) {
        Ok(t) => t,
        Err(e) => {
            avlaunch::errln!("avlaunch: {e}");
            avlaunch::errln!("avlaunch: nothing was sent");
            return 2;
        }
    };
    let options = CallOptions {
        timeout: Duration::from_secs_f64(args.timeout),
        hangup_after: args.hangup_after.map(Duration::from_secs_f64),
    };
    match target {
        Target::Deployment(connection) => {
            headless::run(call, connection, options, args.output, None, args.har).await
        }
        Target::Embedded { user, format } => {
            let handle = match sim::start(embedded_sim_config()).await {
                Ok(h) => h,
                Err(e) => {
                    avlaunch::errln!("avlaunch: cannot start the built-in simulator: {e}");
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
            let code = headless::run(
                call,
                connection,
                options,
                args.output,
                Some(banner),
                args.har,
            )
            .await;
            handle.shutdown().await;
            code
        }
    }
}

async fn simulator(args: SimArgs) -> u8 {
    if !args.listen.ip().is_loopback() {
        avlaunch::errln!("avlaunch sim: --listen {}: the simulator listens on loopback only (e.g. 127.0.0.1:8080)", args.listen);
        return 2;
    }
    let faults = match args.fault.as_deref().map(sim::faults::Faults::parse) {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            avlaunch::errln!("avlaunch sim: --fault: {e}");
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
            avlaunch::errln!("avlaunch sim: cannot listen on {}: {e}", args.listen);
            return 3;
        }
    };
    avlaunch::outln!("avlaunch sim: UCWA simulator listening at {}", handle.url);
    avlaunch::outln!("  any user, password 'demo'; contacts:");
    for (contact, behaviour) in sim::directory() {
        avlaunch::outln!("  {contact:<30} {behaviour}");
    }
    avlaunch::outln!(
        "  try: avlaunch call --server {} --user you@contoso.com --to sip:alice@contoso.com",
        handle.url
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    0
}

async fn tui(server: ServerArgs) -> u8 {
    let target = match settings::target(&server) {
        Ok(t) => t,
        Err(e) => {
            avlaunch::errln!("avlaunch: {e}");
            return 2;
        }
    };
    let format = settings::format(&server);
    // The embedded simulator starts inside the connect future, which the UI awaits only
    // after its first frame; the handle is parked here so it lives as long as the UI.
    let simulator: Arc<Mutex<Option<sim::SimHandle>>> = Arc::default();
    let connect: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<tui::Ready, String>> + Send>,
    > = match target {
        Target::Deployment(connection) => Box::pin(async move {
            Ok(tui::Ready {
                connection,
                demo: None,
            })
        }),
        Target::Embedded { user, format } => {
            let slot = simulator.clone();
            Box::pin(async move {
                let handle = sim::start(embedded_sim_config())
                    .await
                    .map_err(|e| format!("cannot start the built-in simulator: {e}"))?;
                let ready = tui::Ready {
                    connection: settings::embedded_connection(handle.url.clone(), user, format),
                    demo: Some(tui::DemoInfo {
                        url: handle.url.to_string(),
                        contacts: sim::directory()
                            .iter()
                            .map(|(c, d)| (c.to_string(), d.to_string()))
                            .collect(),
                    }),
                };
                if let Ok(mut s) = slot.lock() {
                    *s = Some(handle);
                }
                Ok(ready)
            })
        }
    };
    let config = tui::TuiConfig {
        connect,
        options: CallOptions::default(),
        format,
    };
    UI_RUNNING.store(true, std::sync::atomic::Ordering::Relaxed);
    let result = tui::run(config).await;
    UI_RUNNING.store(false, std::sync::atomic::Ordering::Relaxed);
    let handle = simulator.lock().ok().and_then(|mut s| s.take());
    if let Some(handle) = handle {
        handle.shutdown().await;
    }
    match result {
        Ok(()) => 0,
        Err(e) => {
            avlaunch::errln!("avlaunch: the terminal UI failed: {e}");
            if let Some(path) = logging::log_path() {
                avlaunch::errln!("avlaunch: the log is at {}", path.display());
            }
            3
        }
    }
}
