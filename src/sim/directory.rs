//! The simulator's directory: each contact plays one scenario (DESIGN.md's table, nothing
//! more). Any other contact does not exist.

/// What a contact does when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// Answers after the answer delay and stays until hung up.
    Answer,
    /// Answers, then hangs up after `hangup_after`.
    AnswerThenHangUp,
    /// Declines: `RemoteFailure` / `Declined`.
    Decline,
    /// Never answers: `Timeout` / `Timeout` after `ring_timeout`, unless cancelled first.
    NoAnswer,
    /// Does not exist: `NotFound` / `DestinationNotFound`.
    NotFound,
    /// The POST itself is refused with this status, code and subcode.
    Refuse(Refusal),
}

/// A synchronous error for `startAudioVideo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub subcode: Option<&'static str>,
    pub message: &'static str,
}

const ENTRIES: &[(&str, &str, Scenario)] = &[
    (
        "sip:alice@contoso.com",
        "answers after the answer delay and stays until you hang up",
        Scenario::Answer,
    ),
    (
        "sip:dave@contoso.com",
        "answers, then hangs up after a few seconds",
        Scenario::AnswerThenHangUp,
    ),
    ("sip:bob@contoso.com", "declines", Scenario::Decline),
    (
        "sip:carol@contoso.com",
        "never answers (the invitation times out)",
        Scenario::NoAnswer,
    ),
    (
        "sip:nobody@contoso.com",
        "does not exist",
        Scenario::NotFound,
    ),
    (
        "sip:conflict@contoso.com",
        "409 Conflict / AlreadyExists",
        Scenario::Refuse(Refusal {
            status: 409,
            code: "Conflict",
            subcode: Some("AlreadyExists"),
            message: "The requested resource already exists. Please wait and try again.",
        }),
    ),
    (
        "sip:groups@contoso.com",
        "409 Conflict / TooManyGroups",
        Scenario::Refuse(Refusal {
            status: 409,
            code: "Conflict",
            subcode: Some("TooManyGroups"),
            message: "There are too many groups.",
        }),
    ),
    (
        "sip:unsupported@contoso.com",
        "409 Conflict / None",
        Scenario::Refuse(Refusal {
            status: 409,
            code: "Conflict",
            subcode: None,
            message: "The service, resource or API is not supported.",
        }),
    ),
    (
        "sip:gone@contoso.com",
        "410 Gone / CannotRedirect",
        Scenario::Refuse(Refusal {
            status: 410,
            code: "Gone",
            subcode: Some("CannotRedirect"),
            message: "The request cannot be redirected: no backup pool is configured.",
        }),
    ),
    (
        "sip:callback@contoso.com",
        "500 ServiceFailure / CallbackChannelError",
        Scenario::Refuse(Refusal {
            status: 500,
            code: "ServiceFailure",
            subcode: Some("CallbackChannelError"),
            message: "The server cannot deliver events to the application's event channel.",
        }),
    ),
];

/// The directory as data: (contact, one-line description), in DESIGN.md's order, for
/// completion in the form and the DEMO banner.
pub fn directory() -> &'static [(&'static str, &'static str)] {
    const LIST: [(&str, &str); ENTRIES.len()] = {
        let mut out = [("", ""); ENTRIES.len()];
        let mut i = 0;
        while i < ENTRIES.len() {
            out[i] = (ENTRIES[i].0, ENTRIES[i].1);
            i += 1;
        }
        out
    };
    &LIST
}

/// The scenario a contact plays. Matched without regard to case; anyone else does not
/// exist.
pub fn lookup(contact: &str) -> Scenario {
    let contact = contact.trim();
    ENTRIES
        .iter()
        .find(|(uri, _, _)| uri.eq_ignore_ascii_case(contact))
        .map_or(Scenario::NotFound, |(_, _, scenario)| *scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_the_design_table() {
        let names: Vec<&str> = directory().iter().map(|(c, _)| *c).collect();
        assert_eq!(names.len(), 10);
        assert_eq!(names[0], "sip:alice@contoso.com");
        assert!(directory().iter().all(|(_, d)| !d.is_empty()));
    }

    #[test]
    fn lookup_ignores_case_and_unknowns_do_not_exist() {
        assert_eq!(lookup("SIP:Alice@Contoso.com"), Scenario::Answer);
        assert_eq!(lookup("sip:dave@contoso.com"), Scenario::AnswerThenHangUp);
        assert_eq!(lookup("sip:zed@contoso.com"), Scenario::NotFound);
        assert_eq!(lookup("alice"), Scenario::NotFound);
        match lookup("sip:gone@contoso.com") {
            Scenario::Refuse(r) => assert_eq!((r.status, r.subcode), (410, Some("CannotRedirect"))),
            other => panic!("{other:?}"),
        }
    }
}
