//! The simulator's directory: each demo contact plays one scenario (DESIGN.md's table), and
//! every person in the address book (`PEOPLE`: the demo contacts and a few colleagues) has a
//! display name, title, department, e-mail and a presence that fits what they do. Anyone
//! else does not exist.

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
    /// `sip:flaky@contoso.com`: answers, except one call in N (`flaky=N`, default 3).
    Flaky,
    /// Fails after the answer delay: `RemoteFailure` / `TemporarilyUnavailable` (the
    /// flaky contact's bad call).
    Unavailable,
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
    (
        FLAKY,
        "answers, but fails one call in three (flaky=N changes N) with RemoteFailure / TemporarilyUnavailable",
        Scenario::Flaky,
    ),
];

/// The directory as data: (contact, one-line description), in DESIGN.md's order, then the
/// flaky contact. Every list of the demo contacts comes from here: completion in the form,
/// the TUI's DEMO line, the headless banner, `avlaunch sim`'s start-up list (and a test
/// holds the README's table to it).
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

/// One person of the address book (`people/search`, `contact`, `contactPresence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Person {
    pub uri: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub department: &'static str,
    pub email: &'static str,
    /// `Availability` (PROTOCOL.md §k): `Online`, `Busy`, `DoNotDisturb`, `Away`, …
    pub availability: &'static str,
    /// A well-known activity token or free text, if any.
    pub activity: Option<&'static str>,
    /// Listed in the user's own contact list (`myContacts`).
    pub contact: bool,
}

/// The address book. `sip:nobody@contoso.com` is not in it: it does not exist.
pub const PEOPLE: &[Person] = &[
    Person {
        uri: "sip:alice@contoso.com",
        name: "Alice Fernandez",
        title: "Support Engineer",
        department: "Customer Care",
        email: "alice@contoso.com",
        availability: "Online",
        activity: None,
        contact: true,
    },
    Person {
        uri: "sip:dave@contoso.com",
        name: "Dave Okafor",
        title: "Field Technician",
        department: "Operations",
        email: "dave@contoso.com",
        availability: "Online",
        activity: None,
        contact: true,
    },
    Person {
        uri: "sip:bob@contoso.com",
        name: "Bob Lindqvist",
        title: "Sales Director",
        department: "Sales",
        email: "bob@contoso.com",
        availability: "Busy",
        activity: Some("in-a-meeting"),
        contact: true,
    },
    Person {
        uri: "sip:carol@contoso.com",
        name: "Carol Nakamura",
        title: "Architect",
        department: "Engineering",
        email: "carol@contoso.com",
        availability: "Away",
        activity: None,
        contact: true,
    },
    Person {
        uri: "sip:conflict@contoso.com",
        name: "Conflict Test (409 AlreadyExists)",
        title: "Test account",
        department: "IT",
        email: "conflict@contoso.com",
        availability: "Busy",
        activity: Some("on-the-phone"),
        contact: false,
    },
    Person {
        uri: "sip:groups@contoso.com",
        name: "Groups Test (409 TooManyGroups)",
        title: "Test account",
        department: "IT",
        email: "groups@contoso.com",
        availability: "Online",
        activity: None,
        contact: false,
    },
    Person {
        uri: "sip:unsupported@contoso.com",
        name: "Unsupported Test (409)",
        title: "Test account",
        department: "IT",
        email: "unsupported@contoso.com",
        availability: "Online",
        activity: None,
        contact: false,
    },
    Person {
        uri: "sip:gone@contoso.com",
        name: "Gone Test (410 CannotRedirect)",
        title: "Test account",
        department: "IT",
        email: "gone@contoso.com",
        availability: "Offline",
        activity: None,
        contact: false,
    },
    Person {
        uri: "sip:callback@contoso.com",
        name: "Callback Test (500 CallbackChannelError)",
        title: "Test account",
        department: "IT",
        email: "callback@contoso.com",
        availability: "DoNotDisturb",
        activity: Some("urgent-interruptions-only"),
        contact: false,
    },
    Person {
        uri: FLAKY,
        name: "Flaky Test (fails one call in N)",
        title: "Test account",
        department: "IT",
        email: "flaky@contoso.com",
        availability: "Online",
        activity: None,
        contact: false,
    },
    Person {
        uri: "sip:alex.wilber@contoso.com",
        name: "Alex Wilber",
        title: "Marketing Assistant",
        department: "Marketing",
        email: "alex.wilber@contoso.com",
        availability: "Online",
        activity: None,
        contact: true,
    },
    Person {
        uri: "sip:alexandra.dunn@contoso.com",
        name: "Alexandra Dunn",
        title: "Legal Counsel",
        department: "Legal",
        email: "alexandra.dunn@contoso.com",
        availability: "Busy",
        activity: Some("on-the-phone"),
        contact: false,
    },
    Person {
        uri: "sip:alexis.moreau@contoso.com",
        name: "Alexis Moreau",
        title: "Accountant",
        department: "Finance",
        email: "alexis.moreau@contoso.com",
        availability: "BeRightBack",
        activity: None,
        contact: false,
    },
    Person {
        uri: "sip:megan.bowen@contoso.com",
        name: "Megan Bowen",
        title: "Marketing Manager",
        department: "Marketing",
        email: "megan.bowen@contoso.com",
        availability: "Away",
        activity: Some("off-work"),
        contact: false,
    },
];

/// The person behind `uri` (compared without regard to case), if any.
pub fn person_by_uri(uri: &str) -> Option<&'static Person> {
    let uri = uri.trim();
    PEOPLE.iter().find(|p| {
        p.uri.eq_ignore_ascii_case(uri)
            || p.uri
                .strip_prefix("sip:")
                .is_some_and(|u| u.eq_ignore_ascii_case(uri))
    })
}

/// Directory search: people whose name, e-mail or URI contains `query` (any case; every
/// word of the query must match), in address-book order.
pub fn search(query: &str) -> Vec<&'static Person> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return Vec::new();
    }
    PEOPLE
        .iter()
        .filter(|p| {
            let hay = format!("{} {} {}", p.name, p.email, p.uri).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect()
}

/// The contact that fails one call in N.
pub const FLAKY: &str = "sip:flaky@contoso.com";

/// The demo phone number that never picks up: Call via Work with this as your own
/// number fails with `LocalFailure` / `PstnCallFailed`.
pub const UNANSWERED_PHONE: &str = "tel:+14255550100";

/// The scenario a contact plays. Matched without regard to case; a `tel:` number answers;
/// anyone else does not exist.
pub fn lookup(contact: &str) -> Scenario {
    let contact = contact.trim();
    if contact
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("tel:"))
    {
        // An outside number answers.
        return Scenario::Answer;
    }
    let demo = ENTRIES
        .iter()
        .find(|(uri, _, _)| uri.eq_ignore_ascii_case(contact))
        .map(|(_, _, scenario)| *scenario);
    // The other colleagues of the address book answer like alice.
    demo.or_else(|| {
        PEOPLE
            .iter()
            .any(|p| p.uri.eq_ignore_ascii_case(contact))
            .then_some(Scenario::Answer)
    })
    .unwrap_or(Scenario::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_the_design_table() {
        let names: Vec<&str> = directory().iter().map(|(c, _)| *c).collect();
        assert_eq!(names.len(), 11);
        assert_eq!(names[0], "sip:alice@contoso.com");
        // Every contact with a scenario of its own is listed, the flaky one included.
        assert!(names.contains(&FLAKY), "{names:?}");
        for p in PEOPLE {
            if lookup(p.uri) != Scenario::Answer || p.uri == "sip:alice@contoso.com" {
                assert!(names.contains(&p.uri), "{} is missing", p.uri);
            }
        }
        assert!(directory().iter().all(|(_, d)| !d.is_empty()));
    }

    #[test]
    fn every_demo_contact_but_nobody_is_in_the_address_book() {
        for (uri, _) in directory() {
            assert_eq!(
                person_by_uri(uri).is_some(),
                *uri != "sip:nobody@contoso.com",
                "{uri}"
            );
        }
        let alex: Vec<&str> = search("ALEX").iter().map(|p| p.name).collect();
        assert_eq!(alex, ["Alex Wilber", "Alexandra Dunn", "Alexis Moreau"]);
        assert_eq!(
            search("alex legal").len(),
            0,
            "every word must match one field string"
        );
        assert_eq!(search("dunn alexandra").len(), 1);
        assert!(search("  ").is_empty());
        assert_eq!(lookup("sip:megan.bowen@contoso.com"), Scenario::Answer);
        assert_eq!(lookup("SIP:flaky@contoso.com"), Scenario::Flaky);
        assert_eq!(lookup("tel:+14255550123"), Scenario::Answer);
    }

    /// The README's table of contacts is this directory, row for row (markdown backticks
    /// aside), so the documentation cannot drift from what the simulator lists.
    #[test]
    fn the_readme_lists_the_same_contacts() {
        let readme = include_str!("../../README.md");
        let rows: Vec<(String, String)> = readme
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.strip_prefix("| `sip:")?.split(" | ").collect();
                let uri = format!("sip:{}", cells.first()?.trim_end_matches('`'));
                let behaviour = cells.get(1)?.trim_end_matches(" |").replace('`', "");
                Some((uri, behaviour))
            })
            .collect();
        let directory: Vec<(String, String)> = directory()
            .iter()
            .map(|(c, d)| (c.to_string(), d.to_string()))
            .collect();
        assert_eq!(rows, directory);
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
