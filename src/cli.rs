//! The command line: clap types only.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};

#[derive(Debug, Parser)]
#[command(
    name = "avlaunch",
    version,
    about = "Start Skype for Business audio/video calls through UCWA and follow them to the end.",
    long_about = "Start Skype for Business audio/video calls through UCWA and follow them to the end.\n\n\
        With no command, opens the terminal UI. With no --server, runs against the built-in \
        UCWA simulator (any user, password 'demo').",
    after_help = "Environment:\n  AVLAUNCH_PASSWORD  the sign-in password (else asked for on the terminal; never a flag)\n  \
        AVLAUNCH_TOKEN     a ready bearer token (cwt=...), which skips the token request\n  \
        AVLAUNCH_PROFILE   the profile to use, like --profile\n  \
        RUST_LOG           log filter, like --log-level\n\n\
        Settings: profiles in $XDG_CONFIG_HOME/avlaunch/config.toml (default ~/.config/avlaunch/config.toml); \
        history in $XDG_DATA_HOME/avlaunch/history.jsonl (default ~/.local/share/avlaunch/history.jsonl).\n\n\
        Logs: the terminal UI logs to $XDG_STATE_HOME/avlaunch/avlaunch.log (default ~/.local/state/avlaunch/avlaunch.log); \
        'call' and 'sim' log to stderr."
)]
pub struct Cli {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Where the terminal UI's exports (ladder text, HAR) go; default the profile's
    /// export_dir, else $XDG_DATA_HOME/avlaunch/exports (~/.local/share/avlaunch/exports).
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub export_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options shared by every command. A flag wins over the environment, which wins over the
/// profile.
#[derive(Debug, Clone, Default, Args)]
pub struct ServerArgs {
    /// A profile of the config file (server, user, format, password command, …).
    #[arg(long, global = true, value_name = "NAME", env = "AVLAUNCH_PROFILE")]
    pub profile: Option<String>,
    /// Discovery URL of a deployment (https://lyncdiscover.contoso.com), or 'auto' to discover
    /// from the sign-in name's domain. Absent: the built-in simulator. http:// only for loopback.
    #[arg(long, global = true, value_name = "URL", value_hint = ValueHint::Url)]
    pub server: Option<String>,
    /// Sign-in name (user@contoso.com).
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// Wire format of every request and response [default: json, or the profile's].
    #[arg(long, global = true, value_enum)]
    pub format: Option<WireFormat>,
    /// An extra trusted CA certificate (PEM), for a deployment with a private CA.
    #[arg(long, global = true, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca_cert: Option<PathBuf>,
    /// Do not record calls in the history file.
    #[arg(long, global = true)]
    pub no_history: bool,
    /// Log level or filter (error, warn, info, debug, trace); RUST_LOG also works.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WireFormat {
    Json,
    Xml,
}

// Parsed once per run: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Place one call headless and follow it to its end (for scripts and smoke tests).
    Call(CallArgs),
    /// Search the directory (name, e-mail, SIP URI or phone) and show each match's presence.
    Who(WhoArgs),
    /// Run the built-in UCWA simulator on 127.0.0.1.
    Sim(SimArgs),
    /// Connectivity report for a deployment: one verdict per hop, no call placed.
    Doctor(DoctorArgs),
    /// Past calls, newest first (from the history file).
    History(HistoryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output: avlaunch(1), or with COMMAND that
    /// command's page (avlaunch-call(1), …), which the main page refers to.
    Man {
        /// The command whose page to print (call, who, doctor, sim, history, completions).
        command: Option<String>,
    },
}

/// `avlaunch doctor`: the checks walk the deployment the way a call would and stop short of
/// calling.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// text (one line per check), json (one JSON object per check, then a summary) or
    /// nagios (one plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Also write a JUnit XML report to FILE: one testcase per check.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct WhoArgs {
    /// What to look for: part of a name, an e-mail address, a SIP URI or a phone number
    /// (1–256 characters after trimming).
    #[arg(value_name = "TEXT")]
    pub text: String,
    /// The most matches to list (1–100).
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// text: one row per contact; json: one JSON object per contact, then a summary.
    #[arg(long, value_enum, default_value_t = ListOutput::Text)]
    pub output: ListOutput,
}

/// The outputs of a listing command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListOutput {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Option<HistoryAction>,
    /// How many calls to list, newest first; 0 lists all.
    #[arg(long, value_name = "N", default_value_t = 20, global = true)]
    pub limit: usize,
    /// text, or json: the recorded lines, one JSON object per line, newest first.
    #[arg(long, value_enum, default_value_t = Output::Text, global = true)]
    pub output: Output,
}

#[derive(Debug, Clone, Subcommand)]
pub enum HistoryAction {
    /// One call in full: N counts from 1, the newest, as in the list.
    Show {
        #[arg(value_name = "N")]
        n: usize,
    },
}

#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// The contact to call: sip:user@host (user@host is read as sip:user@host); with
    /// --via-phone also a number, tel:+E164.
    #[arg(long, value_name = "SIP_URI")]
    pub to: String,
    /// Call via Work: the server rings your own phone NUMBER first, then the contact, and
    /// joins the two (startPhoneAudio). NUMBER: + and 2-20 digits, or 2-20 digits for an
    /// extension; spaces, dots, dashes and parentheses are ignored. Not with --media-offer,
    /// --session-context, --audio-muted, --video-muted.
    #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
    pub via_phone: Option<String>,
    /// The conversation's subject (at most 250 characters).
    #[arg(long, value_name = "TEXT")]
    pub subject: Option<String>,
    /// Normal, Urgent or Emergency; absent = not sent.
    #[arg(long, value_name = "Normal|Urgent|Emergency")]
    pub importance: Option<String>,
    /// joinAudioMuted; absent = not sent.
    #[arg(long, value_name = "true|false")]
    pub audio_muted: Option<bool>,
    /// joinVideoMuted; absent = not sent.
    #[arg(long, value_name = "true|false")]
    pub video_muted: Option<bool>,
    /// The conversation's thread id, to continue an existing conversation.
    #[arg(long, value_name = "ID")]
    pub thread_id: Option<String>,
    /// Session context (at most 50 characters).
    #[arg(long, value_name = "TEXT")]
    pub session_context: Option<String>,
    /// Operation id (at most 50 characters); default a fresh random 32-hex id.
    #[arg(long, value_name = "ID")]
    pub operation_id: Option<String>,
    /// An SDP offer file, sent as a data:application/sdp;base64 link.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub media_offer: Option<PathBuf>,
    /// Cancel the invitation if it is not connected by then (set-up included); more than 0,
    /// at most 86400.
    #[arg(
        long,
        value_name = "SECS",
        default_value = "60",
        allow_negative_numbers = true
    )]
    pub timeout: String,
    /// Once connected, hang up after SECS (0 to 86400); absent = stay until the far end hangs
    /// up or Ctrl-C.
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub hangup_after: Option<String>,
    /// text; json: one JSON object per line, the last line a summary; nagios: one Nagios
    /// plugin line and the plugin exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// With --output nagios: WARNING when the set-up (sign-in to connected) takes longer than
    /// SECS (more than 0, at most 86400).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub warn: Option<String>,
    /// With --output nagios: CRITICAL when the set-up takes longer than SECS (more than 0, at
    /// most 86400; not below --warn).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub crit: Option<String>,
    /// Write the far end's media answer (the SDP of the audioVideoNegotiation event) to
    /// FILE; with --media-offer.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub save_answer: Option<PathBuf>,
    /// Write every request and response of the call to FILE as HAR 1.2 (redacted).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub har: Option<PathBuf>,
    /// Print only the outcome line (with --output json, only the summary).
    #[arg(short, long)]
    pub quiet: bool,
    /// Place N calls (1-10000) one after another on one signed-in application; each call's
    /// summary, then a stats line.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub repeat: Option<String>,
    /// Seconds between the calls of --repeat (default 0).
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub interval: Option<String>,
    /// Also write a JUnit XML report to FILE: one testcase per call.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
    /// One Nagios plugin line (`AVLAUNCH OK - … | setup=…s;WARN;CRIT;0;TIMEOUT`).
    Nagios,
}

#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Address to listen on (loopback only).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// How long the demo contacts take to answer, in milliseconds (at most 600000).
    #[arg(long, value_name = "N", default_value_t = 1500, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(..=600_000))]
    pub answer_delay_ms: u64,
    /// Fault switches, comma separated (see the README's simulator section).
    #[arg(long, value_name = "LIST")]
    pub fault: Option<String>,
}

/// The command definition completion scripts are generated from: the parser's, with the
/// names that can be known now offered as values: the config file's profiles for
/// `--profile`, the simulator's fault switches for `sim --fault`. (Static scripts: regenerate
/// after adding a profile.)
pub fn completion_command(profiles: &[String], faults: &[&'static str]) -> clap::Command {
    let mut cmd = Cli::command();
    if !profiles.is_empty() {
        let names: Vec<clap::builder::PossibleValue> = profiles
            .iter()
            .map(|p| clap::builder::PossibleValue::new(clap::builder::Str::from(p.clone())))
            .collect();
        cmd = cmd.mut_arg("profile", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(names))
        });
    }
    // `stall=STEP:MS` is offered as `stall=`, `status-503-retry-after[=SECS]` by its name.
    let faults: Vec<clap::builder::PossibleValue> = faults
        .iter()
        .map(|f| match (f.find("[="), f.find('=')) {
            (Some(i), _) => &f[..i],
            (None, Some(i)) => &f[..=i],
            (None, None) => f,
        })
        .map(clap::builder::PossibleValue::new)
        .collect();
    cmd.mut_subcommand("sim", |sim| {
        sim.mut_arg("fault", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(faults))
                .value_delimiter(',')
        })
    })
}
