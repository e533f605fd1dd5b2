use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use avlaunch::call::session::CallOptions;
use avlaunch::call::{CallRequest, ValidCall};
use avlaunch::cli::{CallArgs, Cli, Command, DoctorArgs, Output, ServerArgs, SimArgs};
use avlaunch::input::{self, Problem};
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
        let message =
            avlaunch::sanitize::sanitize(&avlaunch::secret::redact_cwt(&payload)).into_owned();
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
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return ExitCode::from(command_line_error(e)),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(command_line_error(e)),
    };
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
        Some(Command::Who(args)) => {
            logging::init_stderr(cli.server.log_level.as_deref());
            runtime.block_on(avlaunch::who::command(
                &cli.server,
                &args,
                embedded_sim_config(),
            ))
        }
        Some(Command::Sim(args)) => {
            logging::init_stderr(cli.server.log_level.as_deref());
            let mut problems = inapplicable_options(&matches, "sim");
            problems.extend(input::log_level(cli.server.log_level.as_deref()));
            match problems.is_empty() {
                true => runtime.block_on(simulator(args)),
                false => input::report(&problems, Output::Text, None),
            }
        }
        Some(Command::Doctor(args)) => {
            logging::init_stderr(cli.server.log_level.as_deref());
            runtime.block_on(doctor(cli.server, args))
        }
        Some(Command::History(args)) => {
            without_server_options(&matches, "history", || avlaunch::history::command(&args))
        }
        Some(Command::Completions { shell }) => {
            without_server_options(&matches, "completions", || completions(shell))
        }
        Some(Command::Man { command }) => {
            without_server_options(&matches, "man", || man(command.as_deref()))
        }
        None => {
            use std::io::IsTerminal;
            // Checked first: without a terminal there is no screen to draw or password prompt.
            if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
                avlaunch::errln!(
                    "avlaunch: the terminal UI needs a terminal (stdin and stdout are not both one); \
                     for scripts use `avlaunch call --to sip:user@host` (see avlaunch call --help)"
                );
                return ExitCode::from(2);
            }
            logging::init_file(cli.server.log_level.as_deref());
            runtime.block_on(tui(cli.server, cli.export_dir))
        }
    };
    ExitCode::from(code)
}

/// A command line clap refused (exit 2), or help and version (exit 0). With `--output json`
/// the summary line is printed too, naming the option, so a script always gets its line.
fn command_line_error(e: clap::Error) -> u8 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let _ = e.print();
    if output_asked("nagios") {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        avlaunch::outln!(
            "{}",
            avlaunch::nagios::line(
                avlaunch::nagios::Status::Unknown,
                &format!("invalid command line: {message}"),
                &[]
            )
        );
        return avlaunch::nagios::Status::Unknown.exit_code();
    }
    if output_asked("json") {
        // One option (a bad value) or several (required ones missing): each as typed.
        let flag_of = |arg: &str| arg.split([' ', '=']).next().unwrap_or_default().to_string();
        let flag = match e.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(arg)) => flag_of(arg),
            Some(ContextValue::Strings(args)) => args
                .iter()
                .map(|a| flag_of(a))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let message = match e.kind() {
            ErrorKind::MissingRequiredArgument => "required",
            _ => first.strip_prefix("error: ").unwrap_or(first),
        };
        let problem = Problem::new(flag, message);
        match subcommand_asked() {
            // `who` has its own summary line (count, more, exit_code).
            Some("who") => avlaunch::outln!("{}", avlaunch::who::invalid_summary(&[problem])),
            _ => avlaunch::outln!("{}", input::summary(&[problem], None)),
        }
    }
    2
}

/// The first command name on a command line clap could not read.
fn subcommand_asked() -> Option<&'static str> {
    const NAMES: [&str; 6] = ["call", "who", "sim", "history", "completions", "man"];
    std::env::args()
        .skip(1)
        .find_map(|a| NAMES.iter().find(|n| **n == a).copied())
}

/// `--output KIND` (or `--output=KIND`) anywhere on a command line clap could not read.
fn output_asked(kind: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| *a == format!("--output={kind}"))
        || args.windows(2).any(|w| w[0] == "--output" && w[1] == kind)
}

/// Shared options typed on the command line of a command that has no use for them:
/// `sim` (it is the server), and `history`, `completions` and `man` (they talk to no
/// server). An option from the environment (`AVLAUNCH_PROFILE`) is not refused.
fn inapplicable_options(matches: &ArgMatches, command: &str) -> Vec<Problem> {
    let sub = matches.subcommand_matches(command);
    let given = |id: &str| {
        [Some(matches), sub]
            .into_iter()
            .flatten()
            .any(|m| m.value_source(id) == Some(ValueSource::CommandLine))
    };
    // Why each option does not apply to `sim`; every other command talks to no server.
    let for_sim = [
        ("server", "--server", "the simulator is the server; point `avlaunch call --server` at it"),
        ("user", "--user", "the simulator accepts any user (password 'demo'); give --user to `avlaunch call`"),
        ("format", "--format", "the simulator answers in the format each request asks for"),
        ("ca_cert", "--ca-cert", "the simulator serves plain http on loopback"),
        ("profile", "--profile", "a profile sets what avlaunch calls, not the simulator; give it to `avlaunch call` or the UI"),
    ];
    for_sim
        .into_iter()
        .filter(|(id, _, _)| given(id))
        .map(|(_, flag, sim_why)| {
            let why = if command == "sim" {
                sim_why
            } else {
                "it talks to no server"
            };
            Problem::new(
                flag,
                format!("does not apply to `avlaunch {command}`: {why}"),
            )
        })
        .collect()
}

/// Refuses the shared options `command` has no use for (exit 2), else runs it.
fn without_server_options(matches: &ArgMatches, command: &str, run: impl FnOnce() -> u8) -> u8 {
    let problems = inapplicable_options(matches, command);
    match problems.is_empty() {
        true => run(),
        false => input::report(&problems, Output::Text, None),
    }
}

/// The embedded simulator's settings: `AVLAUNCH_SIM_ANSWER_DELAY_MS` sets the answer delay
/// (tests and benchmarks set 0); a bad value is invalid input.
fn embedded_sim_config() -> Result<sim::SimConfig, Problem> {
    let mut config = sim::SimConfig {
        // Nobody reads the embedded simulator's request log; a long session must not grow it.
        record_requests: false,
        ..Default::default()
    };
    if let Some(delay) = input::answer_delay_from_env()? {
        config.answer_delay = delay;
    }
    Ok(config)
}

/// `avlaunch call`: every field and option is checked before anything is sent, discovery
/// included, and every problem is reported at once; then one call, or `--repeat N` calls,
/// on the deployment or the built-in simulator.
async fn call(server: ServerArgs, args: CallArgs) -> u8 {
    let request = call_request(&args);
    let operation_id = Some(request.operation_id.as_str());
    let plan = match plan_call(&server, &args, &request) {
        Ok(plan) => plan,
        Err(problems) => return input::report(&problems, args.output, operation_id),
    };
    let (settings, target) = match resolve_target(&server) {
        Ok(t) => t,
        Err(e) => return input::report(&[Problem::from_text(&e)], args.output, operation_id),
    };
    let options = CallOptions {
        timeout: plan.timeout,
        // A monitoring check proves the call connects; it does not stay on the line.
        hangup_after: match args.output {
            Output::Nagios => plan.hangup_after.or(Some(Duration::ZERO)),
            _ => plan.hangup_after,
        },
    };
    if let Some(repeat) = plan.repeat {
        return call_repeat(plan.call, target, plan.sim_config, options, &args, repeat).await;
    }
    let print = headless::PrintOptions {
        save_answer: args.save_answer.clone(),
        output: args.output,
        quiet: args.quiet,
        format: settings.format,
        thresholds: plan.thresholds,
    };
    call_once(
        plan.call,
        (settings, target),
        plan.sim_config,
        options,
        print,
        args.har,
    )
    .await
}

/// The call's fields as typed on the command line (a fresh operation id unless given).
fn call_request(args: &CallArgs) -> CallRequest {
    CallRequest {
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
        via_phone: args.via_phone.clone(),
    }
}

/// An `avlaunch call` command line that passed every check.
struct CallPlan {
    call: ValidCall,
    timeout: Duration,
    hangup_after: Option<Duration>,
    thresholds: avlaunch::nagios::Thresholds,
    repeat: Option<avlaunch::repeat::Repeat>,
    /// The built-in simulator's settings, when no `--server` is given.
    sim_config: Option<sim::SimConfig>,
}

/// Every check of `avlaunch call` at once: the fields, the options that only apply with
/// others, the times and thresholds, `--repeat`, the server options and the export paths.
fn plan_call(
    server: &ServerArgs,
    args: &CallArgs,
    request: &CallRequest,
) -> Result<CallPlan, Vec<Problem>> {
    let mut problems: Vec<Problem> = Vec::new();
    let call = request
        .validate()
        .map_err(|errors| problems.extend(errors.iter().map(Problem::from)))
        .ok();
    if args.save_answer.is_some() && args.media_offer.is_none() {
        problems.push(Problem::new(
            "--save-answer",
            "applies only with --media-offer (the answer answers an offer)",
        ));
    }
    let (times, time_problems) = input::call_times(args);
    problems.extend(time_problems);
    let (thresholds, threshold_problems) = input::thresholds(args);
    problems.extend(threshold_problems);
    let (repeat, repeat_problems) = input::repeat(args);
    problems.extend(repeat_problems);
    let repeat = repeat.map(|(count, interval)| avlaunch::repeat::Repeat {
        count,
        interval,
        junit: args.junit.clone(),
    });
    if args.junit.is_some() && repeat.is_none() {
        problems.push(Problem::new(
            "--junit",
            "for a call, only applies with --repeat N (use --repeat 1 for one call)",
        ));
    }
    problems.extend(input::server_options(server));
    problems.extend(input::output_file("--har", args.har.as_deref()));
    problems.extend(input::output_file("--junit", args.junit.as_deref()));
    problems.extend(input::output_file(
        "--save-answer",
        args.save_answer.as_deref(),
    ));
    let sim_config = if server.server.is_none() {
        embedded_sim_config().map_err(|p| problems.push(p)).ok()
    } else {
        None
    };
    match (call, times, problems.is_empty()) {
        (Some(call), Some((timeout, hangup_after)), true) => Ok(CallPlan {
            call,
            timeout,
            hangup_after,
            thresholds,
            repeat,
            sim_config,
        }),
        _ => Err(problems),
    }
}

/// The settings (options, environment, profile) and the target they name; the password
/// asked on the terminal when needed.
fn resolve_target(server: &ServerArgs) -> Result<(Settings, Target), String> {
    Settings::resolve(server).and_then(|s| settings::target(&s, Prompt::Terminal).map(|t| (s, t)))
}

/// `--repeat N`: the calls on one session, on the deployment or the built-in simulator.
async fn call_repeat(
    call: ValidCall,
    target: Target,
    sim_config: Option<sim::SimConfig>,
    options: CallOptions,
    args: &CallArgs,
    repeat: avlaunch::repeat::Repeat,
) -> u8 {
    let run = |connection| {
        avlaunch::repeat::run(call, connection, options, args.output, args.quiet, repeat)
    };
    match target {
        Target::Deployment(connection) => run(connection).await,
        Target::Embedded { user, format } => {
            let handle = match sim::start(sim_config.unwrap_or_default()).await {
                Ok(h) => h,
                Err(e) => {
                    avlaunch::errln!("avlaunch: cannot start the built-in simulator: {e}");
                    return 3;
                }
            };
            let connection = settings::embedded_connection(handle.url.clone(), user, format);
            let code = run(connection).await;
            handle.shutdown().await;
            code
        }
    }
}

/// One call, printed as it goes, recorded in the history, on the deployment or the
/// built-in simulator (announced by a banner).
async fn call_once(
    call: ValidCall,
    (settings, target): (Settings, Target),
    sim_config: Option<sim::SimConfig>,
    options: CallOptions,
    print: headless::PrintOptions,
    har: Option<std::path::PathBuf>,
) -> u8 {
    match target {
        Target::Deployment(connection) => {
            let history = settings.recorder(&connection, false);
            headless::run(call, connection, options, print, None, har, history).await
        }
        Target::Embedded { user, format } => {
            let handle = match sim::start(sim_config.unwrap_or_default()).await {
                Ok(h) => h,
                Err(e) => {
                    let message = format!("cannot start the built-in simulator: {e}");
                    return headless::ended_early("Network", &message, print.output);
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
            let code =
                headless::run(call, connection, options, print, Some(banner), har, history).await;
            handle.shutdown().await;
            code
        }
    }
}

/// `avlaunch doctor`: the checks on the deployment (or the built-in simulator), printed as
/// they finish.
async fn doctor(server: ServerArgs, args: DoctorArgs) -> u8 {
    let mut problems = input::server_options(&server);
    problems.extend(input::output_file("--junit", args.junit.as_deref()));
    let sim_config = if server.server.is_none() {
        embedded_sim_config().map_err(|p| problems.push(p)).ok()
    } else {
        None
    };
    if !problems.is_empty() {
        return doctor_invalid(&problems, args.output);
    }
    let (_settings, target) = match resolve_target(&server) {
        Ok(t) => t,
        Err(e) => return doctor_invalid(&[Problem::from_text(&e)], args.output),
    };
    let (connection, handle) = match target {
        Target::Deployment(connection) => (connection, None),
        Target::Embedded { user, format } => {
            let handle = match sim::start(sim_config.unwrap_or_default()).await {
                Ok(h) => h,
                Err(e) => {
                    avlaunch::errln!("avlaunch doctor: cannot start the built-in simulator: {e}");
                    return 3;
                }
            };
            if args.output == Output::Text {
                avlaunch::outln!("avlaunch doctor: built-in simulator at {}", handle.url);
            }
            let connection = settings::embedded_connection(handle.url.clone(), user, format);
            (connection, Some(handle))
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let walk = tokio::spawn(avlaunch::doctor::run(connection, tx));
    let mut checks = Vec::new();
    while let Some(check) = rx.recv().await {
        avlaunch::doctor::output::print_check(&check, args.output);
        checks.push(check);
    }
    let _ = walk.await;
    if let Some(handle) = handle {
        handle.shutdown().await;
    }
    avlaunch::doctor::output::finish(&checks, args.output, args.junit.as_deref())
}

/// Invalid input for `doctor`: the problems, a JSON summary or a Nagios UNKNOWN line; exit 2
/// (3, UNKNOWN, for nagios).
fn doctor_invalid(problems: &[Problem], output: Output) -> u8 {
    match output {
        Output::Json => {
            for p in problems {
                avlaunch::errln!("avlaunch doctor: {p}");
            }
            let message: Vec<String> = problems.iter().map(ToString::to_string).collect();
            avlaunch::outln!(
                "{}",
                serde_json::json!({"type": "summary", "verdict": "invalid", "error": message.join("; "), "exit_code": 2})
            );
            2
        }
        other => input::report(problems, other, None),
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
                    // Checked before the UI started (`tui`), so the error cannot be new here.
                    let config = embedded_sim_config().map_err(|p| p.to_string())?;
                    let handle = sim::start(config)
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

/// The user a target signs in as.
fn target_user(target: &Target) -> String {
    match target {
        Target::Embedded { user, .. } => user.clone(),
        Target::Deployment(c) => c.user.clone(),
    }
}

/// The UI's sign-in dialog: a profile (or none) with the server, user and password typed
/// there, over the command line's other options; `export_dir` is the `--export-dir` flag.
fn sign_in_connector(
    server: &ServerArgs,
    settings: &Settings,
    slot: Arc<Mutex<Option<sim::SimHandle>>>,
    export_dir: Option<std::path::PathBuf>,
) -> avlaunch::tui::session::Connector {
    let (args, config, export_flag) = (server.clone(), settings.config.clone(), export_dir);
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
            let info = session_info(&s, &target_user(&target), export_flag.as_deref());
            connect_future(target, info, slot).await
        }) as avlaunch::tui::session::ConnectFuture
    })
}

/// The config file's profiles, for the sign-in dialog.
fn profile_choices(config: Option<&avlaunch::config::Config>) -> Vec<ProfileChoice> {
    config
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
        .unwrap_or_default()
}

async fn tui(server: ServerArgs, export_dir: Option<std::path::PathBuf>) -> u8 {
    let mut problems = input::server_options(&server);
    if server.server.is_none() {
        problems.extend(embedded_sim_config().err());
    }
    if !problems.is_empty() {
        return input::report(&problems, Output::Text, None);
    }
    let (settings, target) = match resolve_target(&server) {
        Ok(t) => t,
        Err(e) => return input::report(&[Problem::from_text(&e)], Output::Text, None),
    };
    let format = settings.format;
    // The embedded simulator starts inside the connect future, which the UI awaits only
    // after its first frame; the handle is parked here so it lives as long as the UI.
    let simulator: Arc<Mutex<Option<sim::SimHandle>>> = Arc::default();
    let first = session_info(&settings, &target_user(&target), export_dir.as_deref());
    let initial = connect_future(target, first.clone(), simulator.clone());
    let connect: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<tui::Ready, String>> + Send>,
    > = Box::pin(async move { initial.await.map(|(ready, _)| ready) });
    let connector = sign_in_connector(&server, &settings, simulator.clone(), export_dir);
    let profiles = profile_choices(settings.config.as_ref());
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
        Ok(quit) if quit.left_up.is_empty() => 0,
        // As `call` does when its hang-up is not confirmed: said, and exit 3.
        Ok(quit) => {
            for line in &quit.left_up {
                avlaunch::errln!("avlaunch: {}", avlaunch::sanitize::sanitize(line));
            }
            3
        }
        Err(e) => {
            avlaunch::errln!("avlaunch: the terminal UI failed: {e}");
            if let Some(path) = logging::log_path() {
                avlaunch::errln!("avlaunch: the log is at {}", path.display());
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
    // Into memory first: clap_complete panics on a failed write (a reader that quit).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "avlaunch", &mut script);
    match avlaunch::stdio::out_bytes(&script) {
        Ok(()) => 0,
        Err(e) => {
            avlaunch::errln!("avlaunch completions: {e}");
            3
        }
    }
}

/// `avlaunch man [COMMAND]`: the main page, or a command's (named `avlaunch-COMMAND` as the
/// main page's SEE ALSO has it).
fn man(command: Option<&str>) -> u8 {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Built, so each command carries its display name (`avlaunch-call`).
    cmd.build();
    let page_of = match command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let pages: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                let problem = Problem::new(
                    "COMMAND",
                    format!("'{name}' has no page; one of: {}", pages.join(", ")),
                );
                return input::report(&[problem], Output::Text, None);
            }
        },
    };
    let mut page = Vec::new();
    let rendered = clap_mangen::Man::new(page_of).render(&mut page);
    match rendered.and_then(|()| avlaunch::stdio::out_bytes(&page)) {
        Ok(()) => 0,
        Err(e) => {
            avlaunch::errln!("avlaunch man: {e}");
            3
        }
    }
}
