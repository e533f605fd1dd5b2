//! `Notice`: what the protocol layer recovered from on its own (a redirect followed, a
//! token renewed, a busy server waited for, a resync followed). Users read the text; the
//! caller gets it through the client's notice sink (`client::NoticeSink`).

use std::fmt;
use std::time::Duration;

use url::Url;

use super::action::Action;

/// A recovery the client made without failing the operation. `Display` is the text users
/// read (stdout `note:` lines, the TUI log, the JSON `notice` record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A discovery candidate got no answer (or a 404/3xx); the next one is tried.
    DiscoveryFellThrough { at: Url, error: String },
    /// The discovery root answered a 3xx within the domain, or offered a `redirect` link.
    DiscoveryRedirected { to: Url },
    /// The user resource offered a `redirect`: the user is homed on another pool.
    UserOnAnotherPool { target: Url },
    /// The token runs out soon: a new one is fetched before `action`.
    TokenExpiring { action: Action },
    /// The server answered 401 to a signed-in request: a new token is fetched, once.
    TokenRefused { action: Action },
    /// 429/503 with a `Retry-After` within the allowance: the request is sent again after
    /// `wait` (RFC 9110 §10.2.3).
    Busy {
        action: Action,
        status: u16,
        wait: Duration,
    },
    /// The events page carried a `resync` link (PROTOCOL.md, event channel).
    Resync,
    /// The events page carried only `resume`: the server reset its state after a silence.
    Resumed,
}

/// Whole seconds, rounded up: "3 s". For a server's `Retry-After` only: its unit is the
/// whole second, and an HTTP date's wait (a few milliseconds short of the next second)
/// reads as the seconds the server meant. Durations the user gave use
/// `crate::seconds::format_seconds`.
pub(crate) fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::DiscoveryFellThrough { at, error } => {
                write!(
                    f,
                    "discovery at {at} failed ({error}); trying the next address"
                )
            }
            Notice::DiscoveryRedirected { to } => write!(f, "discovery redirected to {to}"),
            Notice::UserOnAnotherPool { target } => {
                write!(f, "the user is homed on another pool: following {target}")
            }
            Notice::TokenExpiring { action } => {
                write!(f, "{action}: the token is about to expire; renewing it")
            }
            Notice::TokenRefused { action } => {
                write!(
                    f,
                    "{action}: the server refused the token (401); signing in again"
                )
            }
            Notice::Busy {
                action,
                status,
                wait,
            } => write!(
                f,
                "{action}: the server is busy ({status}); retrying after {} as it asks",
                seconds(*wait)
            ),
            Notice::Resync => f.write_str("the event channel asked for a resync; following it"),
            Notice::Resumed => {
                f.write_str("the event channel resumed after a silence; the server reset its state")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_ones_users_read() {
        let busy = Notice::Busy {
            action: Action::ReadingApplication,
            status: 503,
            wait: Duration::from_millis(2500),
        };
        assert_eq!(
            busy.to_string(),
            "reading the application: the server is busy (503); retrying after 3 s as it asks"
        );
        assert_eq!(
            Notice::Resync.to_string(),
            "the event channel asked for a resync; following it"
        );
        let to = Url::parse("https://lyncdiscover.contoso.com/").unwrap();
        assert_eq!(
            Notice::DiscoveryRedirected { to }.to_string(),
            "discovery redirected to https://lyncdiscover.contoso.com/"
        );
    }
}
