//! Fault switches: ways the simulator misbehaves on purpose, so the client's recovery paths
//! can be exercised by tests and shown by `avlaunch sim --fault …`.
//!
//! Every switch is off by default. One-shot switches fire on the first request they apply
//! to and then the simulator behaves normally again.

use std::fmt;

use crate::ucwa::modality::{self, Modality};
use std::time::Duration;

/// A request the `stall` switch can delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimStep {
    /// `GET /` and the root path.
    Root,
    /// The `user` resource, with or without a token.
    User,
    /// `POST /WebTicket/oauthtoken`.
    Token,
    /// `POST applications`.
    Application,
    /// Every event-channel GET.
    Events,
    /// `POST startAudioVideo` and `POST startPhoneAudio`.
    StartAudioVideo,
    /// `POST …/cancel`.
    Cancel,
    /// `POST …/stopAudioVideo`, `…/stopPhoneAudio` and `DELETE` of a conversation.
    HangUp,
    /// `DELETE` of the application.
    Delete,
}

impl SimStep {
    pub const ALL: [SimStep; 9] = [
        SimStep::Root,
        SimStep::User,
        SimStep::Token,
        SimStep::Application,
        SimStep::Events,
        SimStep::StartAudioVideo,
        SimStep::Cancel,
        SimStep::HangUp,
        SimStep::Delete,
    ];

    /// The name used in `stall=STEP:MS`.
    pub fn name(self) -> &'static str {
        match self {
            SimStep::Root => "root",
            SimStep::User => "user",
            SimStep::Token => "token",
            SimStep::Application => "application",
            SimStep::Events => "events",
            SimStep::StartAudioVideo => "start-audio-video",
            SimStep::Cancel => "cancel",
            SimStep::HangUp => "hang-up",
            SimStep::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<SimStep> {
        let s = s.trim().replace('_', "-").to_ascii_lowercase();
        SimStep::ALL.into_iter().find(|step| step.name() == s)
    }
}

/// A switch that fires once: on the first request it applies to, then never again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OneShot {
    RedirectRoot,
    UserRedirect,
    Proxy502Html,
    ExpireTokenOnce,
    TruncatedBody,
    /// `foreign-link=redirect@…`: the first event-channel GET answers `307`.
    ForeignRedirect,
    EventsGone,
    ResumeOnce,
    ResyncOnce,
    ReorderEvents,
    DuplicateEvents,
    /// `echo-secrets`: the first `startAudioVideo` quotes the bearer token.
    EchoToken,
    Status503RetryDate,
    Status503RetryAfter,
}

/// Delay every answer to one kind of request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stall {
    pub step: SimStep,
    pub delay: Duration,
}

/// The fault switches. `Faults::default()` is a well-behaved server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// `expire-token-once`: the first UCWA request after an application is created gets
    /// `401` with the challenge, and every token issued so far is forgotten. The client
    /// must fetch a new token and retry.
    pub expire_token_once: bool,
    /// `redirect-root`: the first `GET /` answers a root whose only link is `redirect`,
    /// pointing at the real root.
    pub redirect_root: bool,
    /// `redirect-loop`: every root answers with a `redirect` to the root itself.
    pub redirect_loop: bool,
    /// `user-redirect`: the first authenticated `user` answers with only a `redirect` link
    /// (the user is homed on another pool); the redirect resource names that pool's `user`.
    pub user_redirect: bool,
    /// `no-calling`: `communication` offers neither `startAudioVideo` nor
    /// `startPhoneAudio`, and a POST to either is refused with `403 Forbidden`.
    pub no_calling: bool,
    /// `no-av-link`: `communication` offers no `startAudioVideo` link (like the guide's
    /// sample), and a POST to the usual path is refused with `403 Forbidden`.
    pub no_av_link: bool,
    /// `no-search`: `people` offers no `search` link (directory search not offered to this
    /// user), and a GET of the usual path is refused with `403 Forbidden`.
    pub no_search: bool,
    /// `stall=STEP:MS`: hold every answer to STEP for MS milliseconds.
    pub stall: Option<Stall>,
    /// `status-503-retry-after[=SECS]`: the first `startAudioVideo` gets
    /// `503 ServiceUnavailable` with `Retry-After: SECS` (default 1).
    pub status_503_retry_after: Option<u32>,
    /// `proxy-502-html`: the first `POST applications` gets `502` with an HTML page, as
    /// from a reverse proxy, not UCWA.
    pub proxy_502_html: bool,
    /// `truncated-body`: the first application (`201`) is sent cut in half.
    pub truncated_body: bool,
    /// `events-gone`: the first event-channel GET finds the application ended by the
    /// server (`404 ApplicationNotFound`); the application is really gone.
    pub events_gone: bool,
    /// `resync-once`: the first event-channel GET with `ack` above 1 is answered with only
    /// a `resync` link, back to the first unacknowledged batch.
    pub resync_once: bool,
    /// `resume-once`: the first event-channel GET with `ack` above 1 is answered with only
    /// a `resume` link, as after a long silence: the client must treat its calls as ended.
    pub resume_once: bool,
    /// `duplicate-events`: the first batch with events is delivered twice: the P-GET after
    /// it gets the same page again (same `self`), as a retried request would.
    pub duplicate_events: bool,
    /// `reorder-events`: the batch that completes the invitation is delivered back to
    /// front (its senders and their events reversed).
    pub reorder_events: bool,
    /// `unknown-events`: every page with events also carries an event type and sender no
    /// client knows, and embedded resources carry extra properties.
    pub unknown_events: bool,
    /// `foreign-link=KIND[+KIND…]@ORIGIN`: hand out some kinds of href on another origin (a hostile
    /// or misconfigured pool). KIND is a link rel (`next`, `resync`, `resume`, `events`,
    /// `cancel`, `conversation`, `stopAudioVideo`, `startAudioVideo`, …, any case), `self`
    /// (the application's own href), `location` (every `201`'s `Location`), `redirect`
    /// (the first event-channel GET answers `307` to ORIGIN, same path) or `token` (a 401
    /// on a UCWA resource names a token endpoint on ORIGIN).
    pub foreign_link: Option<ForeignLink>,
    /// `token-expires-in=SECS`: tokens are issued with this `expires_in` (default 28800).
    pub token_expires_in: Option<u64>,
    /// `echo-secrets`: the server quotes secrets back: a wrong password is quoted in the
    /// token endpoint's error (`error` and `X-Ms-diagnostics`), and the first
    /// `startAudioVideo` is refused with `403` whose message and `X-Ms-diagnostics` quote the
    /// bearer token (without its `cwt=` prefix, so only its value gives it away).
    pub echo_secrets: bool,
    /// `token-diagnostics[=CODE]` (default 28020): the token endpoint refuses every grant with `400` and an
    /// `X-Ms-diagnostics: CODE;source=…;reason=…` header (the published reason for 28020 and
    /// 28029, whose OAuth `error` is `invalid_grant` / `unsupported_grant_type`; a generic one
    /// for any other code), as PROTOCOL.md §m shows for token failures.
    pub token_diagnostics: Option<u32>,
    /// `hostile-text`: every event `reason` and error message carries terminal control
    /// sequences (clear screen, an OSC 52 clipboard write, a carriage return, a bidi
    /// override), and the reason's subcode a colour escape.
    pub hostile_text: bool,
    /// `cut-held-events=MS`: every P-GET still held after MS ms is cut (the connection is
    /// dropped mid-answer), as a proxy or load balancer with an idle timeout does. Nothing
    /// is lost: the same `ack` gets the events later.
    pub cut_held_events: Option<Duration>,
    /// `empty-events`: P-GETs are never held: with nothing to deliver, each is answered at
    /// once with an empty page.
    pub empty_events: bool,
    /// `no-password-grant`: the 401 challenge offers only `urn:microsoft.rtc:windows`
    /// (integrated Windows sign-in), and the token endpoint refuses the password grant
    /// with `unsupported_grant_type` and `X-Ms-diagnostics: 28029`.
    pub no_password_grant: bool,
    /// `events-silent`: event-channel GETs are never answered (held until the
    /// application is deleted or the simulator stops), whatever their `timeout`.
    pub events_silent: bool,
    /// `slow=MS`: every answer is delayed by MS milliseconds.
    pub slow: Option<Duration>,
    /// `flaky=N`: `sip:flaky@contoso.com` fails one call in N (the first, then every Nth
    /// after it) with `RemoteFailure` / `TemporarilyUnavailable`; default 3.
    pub flaky: Option<u32>,
    /// `status-503-retry-date[=SECS]`: the first `startAudioVideo` gets `503` with
    /// `Retry-After` as an HTTP date SECS seconds ahead (default 1), RFC 9110 §10.2.3.
    pub status_503_retry_date: Option<u32>,
}

/// Where `foreign-link` sends some kinds of href.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignLink {
    /// Link rels, `self`, `location` or `redirect`, lower case, joined by `+`.
    pub kind: String,
    /// `http://host:port`, no trailing slash.
    pub origin: String,
}

impl ForeignLink {
    /// Whether `kind` (a link rel or one of the special kinds) is moved.
    pub fn applies(&self, kind: &str) -> bool {
        self.kind.split('+').any(|k| k.eq_ignore_ascii_case(kind))
    }
}

/// What `hostile-text` appends to server messages: ESC [2J, OSC 52 (set the clipboard), a
/// carriage return, and a right-to-left override with an isolate.
pub const HOSTILE_TEXT: &str =
    " \u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7}\rDECLINED-OVERWRITE \u{202e}lanigiro\u{2066}x\u{9b}31m";

/// The CLI names, for help texts and error messages.
pub const NAMES: &[&str] = &[
    "expire-token-once",
    "redirect-root",
    "redirect-loop",
    "user-redirect",
    "no-av-link",
    "no-calling",
    "no-search",
    "stall=STEP:MS",
    "status-503-retry-after[=SECS]",
    "proxy-502-html",
    "truncated-body",
    "events-gone",
    "resync-once",
    "resume-once",
    "duplicate-events",
    "reorder-events",
    "unknown-events",
    "foreign-link=KIND@ORIGIN",
    "token-expires-in=SECS",
    "echo-secrets",
    "token-diagnostics[=CODE]",
    "hostile-text",
    "cut-held-events=MS",
    "empty-events",
    "status-503-retry-date[=SECS]",
    "no-password-grant",
    "events-silent",
    "slow=MS",
    "flaky=N",
];

/// `token-diagnostics[=CODE]`: the OAuth `error` and the `X-Ms-diagnostics` reason the token
/// endpoint answers with (reasons as published, PROTOCOL.md §m).
pub fn token_diagnostics(code: u32) -> (&'static str, &'static str) {
    match code {
        28020 => ("invalid_grant", "No valid security token."),
        28029 => ("unsupported_grant_type", "Authentication type not allowed."),
        _ => ("invalid_grant", "The simulator refuses this sign-in."),
    }
}

impl Faults {
    /// Removes the links this configuration withholds (`no-search`: `search`) from
    /// `resource` and everything embedded in it.
    pub fn withhold(&self, resource: &mut crate::ucwa::resource::Resource) {
        if self.no_search {
            resource.links.retain(|l| l.rel != "search");
            for embedded in &mut resource.embedded {
                self.withhold(embedded);
            }
        }
    }

    /// The calling modalities `communication` offers: both; only Call via Work under
    /// `no-av-link`; none under `no-calling`.
    pub fn offered(&self) -> &'static [Modality] {
        if self.no_calling {
            &[]
        } else if self.no_av_link {
            &[modality::PHONE_AUDIO]
        } else {
            &modality::ALL
        }
    }

    /// The field behind a switch that takes no value.
    fn flag(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "expire-token-once" => &mut self.expire_token_once,
            "redirect-root" => &mut self.redirect_root,
            "redirect-loop" => &mut self.redirect_loop,
            "user-redirect" => &mut self.user_redirect,
            "no-av-link" => &mut self.no_av_link,
            "no-calling" => &mut self.no_calling,
            "no-search" => &mut self.no_search,
            "proxy-502-html" => &mut self.proxy_502_html,
            "truncated-body" => &mut self.truncated_body,
            "events-gone" => &mut self.events_gone,
            "resync-once" => &mut self.resync_once,
            "resume-once" => &mut self.resume_once,
            "duplicate-events" => &mut self.duplicate_events,
            "reorder-events" => &mut self.reorder_events,
            "unknown-events" => &mut self.unknown_events,
            "echo-secrets" => &mut self.echo_secrets,
            "hostile-text" => &mut self.hostile_text,
            "empty-events" => &mut self.empty_events,
            "no-password-grant" => &mut self.no_password_grant,
            "events-silent" => &mut self.events_silent,
            _ => return None,
        })
    }

    /// Whether the switch behind a one-shot fault is on.
    pub fn armed(&self, shot: OneShot) -> bool {
        match shot {
            OneShot::RedirectRoot => self.redirect_root,
            OneShot::UserRedirect => self.user_redirect,
            OneShot::Proxy502Html => self.proxy_502_html,
            OneShot::ExpireTokenOnce => self.expire_token_once,
            OneShot::TruncatedBody => self.truncated_body,
            OneShot::ForeignRedirect => self
                .foreign_link
                .as_ref()
                .is_some_and(|l| l.applies("redirect")),
            OneShot::EventsGone => self.events_gone,
            OneShot::ResumeOnce => self.resume_once,
            OneShot::ResyncOnce => self.resync_once,
            OneShot::ReorderEvents => self.reorder_events,
            OneShot::DuplicateEvents => self.duplicate_events,
            OneShot::EchoToken => self.echo_secrets,
            OneShot::Status503RetryDate => self.status_503_retry_date.is_some(),
            OneShot::Status503RetryAfter => self.status_503_retry_after.is_some(),
        }
    }

    /// Reads a comma-separated list such as `expire-token-once,stall=events:500`.
    /// Underscores may stand for dashes; blanks around items are ignored. Every unknown
    /// item is reported at once.
    pub fn parse(list: &str) -> Result<Faults, String> {
        let mut faults = Faults::default();
        let mut problems = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let normalized = item.replace('_', "-").to_ascii_lowercase();
            let (name, arg) = match normalized.split_once('=') {
                Some((n, a)) => (n.trim().to_string(), Some(a.trim().to_string())),
                None => (normalized.clone(), None),
            };
            if let Some(slot) = faults.flag(&name) {
                match arg {
                    Some(_) => problems.push(format!("fault '{item}': '{name}' takes no value")),
                    None => *slot = true,
                }
                continue;
            }
            problems.extend(faults.set_valued(item, &name, arg.as_deref()).err());
        }
        if problems.is_empty() {
            Ok(faults)
        } else {
            Err(problems.join("; "))
        }
    }

    /// Sets the fault `name` that takes a value (`arg`, after `=`; some have a default);
    /// `Err` names what `item`, as typed, should have been.
    fn set_valued(&mut self, item: &str, name: &str, arg: Option<&str>) -> Result<(), String> {
        match name {
            "token-diagnostics" => match arg.map(str::parse::<u32>) {
                None => self.token_diagnostics = Some(28020),
                Some(Ok(n)) => self.token_diagnostics = Some(n),
                Some(Err(_)) => return Err(format!(
                    "fault '{item}': expected token-diagnostics[=CODE]"
                )),
            },
            "token-expires-in" => match arg.map(str::parse::<u64>) {
                Some(Ok(n)) => self.token_expires_in = Some(n),
                _ => return Err(format!(
                    "fault '{item}': expected token-expires-in=SECS"
                )),
            },
            "foreign-link" => match arg.and_then(|a| a.split_once('@')) {
                Some((kind, origin)) if !kind.is_empty() && origin.contains("://") => {
                    self.foreign_link = Some(ForeignLink {
                        kind: kind.trim().to_string(),
                        origin: origin.trim().trim_end_matches('/').to_string(),
                    })
                }
                _ => return Err(format!(
                    "fault '{item}': expected foreign-link=KIND@ORIGIN (e.g. next@http://127.0.0.1:9)"
                )),
            },
            "slow" => match arg.map(str::parse::<u64>) {
                Some(Ok(ms)) if ms > 0 => self.slow = Some(Duration::from_millis(ms)),
                _ => return Err(format!(
                    "fault '{item}': expected slow=MS with MS a number of milliseconds above 0"
                )),
            },
            "flaky" => match arg.map(str::parse::<u32>) {
                Some(Ok(n)) if n > 0 => self.flaky = Some(n),
                _ => return Err(format!(
                    "fault '{item}': expected flaky=N with N a whole number above 0"
                )),
            },
            "cut-held-events" => match arg.map(str::parse::<u64>) {
                Some(Ok(ms)) if ms > 0 => {
                    self.cut_held_events = Some(Duration::from_millis(ms))
                }
                _ => return Err(format!(
                    "fault '{item}': expected cut-held-events=MS with MS a number of milliseconds above 0"
                )),
            },
            "status-503-retry-date" => match arg {
                None => self.status_503_retry_date = Some(1),
                Some(secs) => match secs.parse::<u32>() {
                    Ok(n) => self.status_503_retry_date = Some(n),
                    Err(_) => return Err(format!(
                        "fault '{item}': '{secs}' is not a number of seconds"
                    )),
                },
            },
            "status-503-retry-after" | "status-503" => match arg {
                None => self.status_503_retry_after = Some(1),
                Some(secs) => match secs.parse::<u32>() {
                    Ok(n) => self.status_503_retry_after = Some(n),
                    Err(_) => return Err(format!(
                        "fault '{item}': '{secs}' is not a number of seconds"
                    )),
                },
            },
            "stall" => match arg.and_then(parse_stall) {
                Some(stall) => self.stall = Some(stall),
                None => return Err(format!(
                    "fault '{item}': expected stall=STEP:MS with STEP one of {}",
                    SimStep::ALL.map(SimStep::name).join(", ")
                )),
            },
            _ => return Err(format!(
                "fault '{item}' is unknown (known: {})",
                NAMES.join(", ")
            )),
        }
        Ok(())
    }

    /// How long to hold an answer to `step`.
    pub fn stall_for(&self, step: SimStep) -> Option<Duration> {
        self.stall
            .filter(|s| s.step == step && !s.delay.is_zero())
            .map(|s| s.delay)
    }
}

fn parse_stall(arg: &str) -> Option<Stall> {
    let (step, ms) = arg.split_once(':')?;
    Some(Stall {
        step: SimStep::parse(step)?,
        delay: Duration::from_millis(ms.trim().parse().ok()?),
    })
}

/// The same comma list `parse` reads, so a configuration can be shown and passed on.
impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = Vec::new();
        for (on, name) in [
            (self.expire_token_once, "expire-token-once"),
            (self.redirect_root, "redirect-root"),
            (self.redirect_loop, "redirect-loop"),
            (self.user_redirect, "user-redirect"),
            (self.no_av_link, "no-av-link"),
            (self.no_calling, "no-calling"),
            (self.no_search, "no-search"),
            (self.proxy_502_html, "proxy-502-html"),
            (self.truncated_body, "truncated-body"),
            (self.events_gone, "events-gone"),
            (self.resync_once, "resync-once"),
            (self.resume_once, "resume-once"),
            (self.duplicate_events, "duplicate-events"),
            (self.reorder_events, "reorder-events"),
            (self.unknown_events, "unknown-events"),
            (self.echo_secrets, "echo-secrets"),
            (self.hostile_text, "hostile-text"),
            (self.empty_events, "empty-events"),
            (self.no_password_grant, "no-password-grant"),
            (self.events_silent, "events-silent"),
        ] {
            if on {
                items.push(name.to_string());
            }
        }
        if let Some(secs) = self.status_503_retry_after {
            items.push(format!("status-503-retry-after={secs}"));
        }
        if let Some(code) = self.token_diagnostics {
            items.push(format!("token-diagnostics={code}"));
        }
        if let Some(secs) = self.token_expires_in {
            items.push(format!("token-expires-in={secs}"));
        }
        if let Some(link) = &self.foreign_link {
            items.push(format!("foreign-link={}@{}", link.kind, link.origin));
        }
        if let Some(secs) = self.status_503_retry_date {
            items.push(format!("status-503-retry-date={secs}"));
        }
        if let Some(cut) = self.cut_held_events {
            items.push(format!("cut-held-events={}", cut.as_millis()));
        }
        if let Some(slow) = self.slow {
            items.push(format!("slow={}", slow.as_millis()));
        }
        if let Some(n) = self.flaky {
            items.push(format!("flaky={n}"));
        }
        if let Some(stall) = self.stall {
            items.push(format!(
                "stall={}:{}",
                stall.step.name(),
                stall.delay.as_millis()
            ));
        }
        f.write_str(&items.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_switch_and_round_trips() {
        let list = "expire-token-once,redirect-root,redirect-loop,no-av-link,no-calling,no-search,proxy-502-html,\
                    truncated-body,events-gone,resync-once,duplicate-events,unknown-events,\
                    status-503-retry-after=7,stall=start-audio-video:250,echo-secrets,\
                    hostile-text,token-expires-in=0,foreign-link=stopAudioVideo@http://127.0.0.1:9/,\
                    cut-held-events=1000,empty-events,status-503-retry-date=3,\
                    no-password-grant,token-diagnostics,events-silent,slow=40,flaky=2";
        let faults = Faults::parse(list).unwrap();
        assert!(faults.expire_token_once && faults.redirect_root && faults.redirect_loop);
        assert!(faults.no_av_link && faults.proxy_502_html && faults.truncated_body);
        assert!(faults.no_calling && faults.no_search);
        assert!(faults.events_gone && faults.resync_once && faults.duplicate_events);
        assert!(faults.unknown_events && faults.echo_secrets && faults.hostile_text);
        assert_eq!(faults.token_expires_in, Some(0));
        assert_eq!(
            faults.foreign_link,
            Some(ForeignLink {
                kind: "stopaudiovideo".into(),
                origin: "http://127.0.0.1:9".into()
            })
        );
        assert_eq!(faults.status_503_retry_after, Some(7));
        assert_eq!(faults.status_503_retry_date, Some(3));
        assert_eq!(faults.cut_held_events, Some(Duration::from_millis(1000)));
        assert!(
            faults.no_password_grant
                && faults.token_diagnostics == Some(28020)
                && faults.events_silent
        );
        assert_eq!(faults.slow, Some(Duration::from_millis(40)));
        assert_eq!(faults.flaky, Some(2));
        assert!(faults.empty_events);
        assert_eq!(
            faults.stall_for(SimStep::StartAudioVideo),
            Some(Duration::from_millis(250))
        );
        assert_eq!(faults.stall_for(SimStep::Events), None);
        assert_eq!(Faults::parse(&faults.to_string()).unwrap(), faults);
    }

    #[test]
    fn accepts_underscores_blanks_and_an_empty_list() {
        let faults = Faults::parse(" expire_token_once , ,STATUS-503 ").unwrap();
        assert!(faults.expire_token_once);
        assert_eq!(faults.status_503_retry_after, Some(1));
        assert_eq!(Faults::parse("").unwrap(), Faults::default());
    }

    #[test]
    fn reports_every_bad_item() {
        let err = Faults::parse("frobnicate,stall=nowhere:5,redirect-root=1").unwrap_err();
        assert!(err.contains("'frobnicate' is unknown"), "{err}");
        assert!(err.contains("stall=STEP:MS"), "{err}");
        assert!(err.contains("takes no value"), "{err}");
    }
}
