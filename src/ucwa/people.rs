//! People: directory search, contacts and their presence (PROTOCOL.md §k; UCWA 2.0
//! reference `search_ref`, `contact_ref`, `contactPresence_ref`, `Availability_ref`).
//!
//! The readers and the request builder are pure (a `Resource` in, plain data out, either wire
//! format); `search` and `presences` send them through a signed-in `Session`.

use futures_util::stream::{self, StreamExt};

use super::error::UcwaError;
use super::resource::{Resource, Value};
use super::session::Session;

/// The most characters `query` may hold (`search_ref`).
pub const QUERY_MAX_CHARS: usize = 256;
/// `limit`'s range (`search_ref`): at least one result, at most 100.
pub const LIMIT_RANGE: std::ops::RangeInclusive<u32> = 1..=100;
/// How many `contactPresence` reads run at once: a search of 100 must not open 100
/// requests to the server at the same moment.
pub const PRESENCE_CONCURRENCY: usize = 8;

/// One match of a search, or a `contact` read by GET. Every field may be missing
/// (`contact_ref`; the guide's second contact carries only `uri`, `name`, `type`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// `name`: the display name.
    pub name: Option<String>,
    /// `uri`: `sip:…`, what a call's `to` takes.
    pub uri: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub company: Option<String>,
    /// `emailAddresses`, in the order given.
    pub emails: Vec<String>,
    /// The `contact`'s own href (`self`).
    pub href: Option<String>,
    /// The `contactPresence` link, when the server offers presence for this contact.
    pub presence_href: Option<String>,
}

/// What a `search` answered: its contacts (distribution groups are left out: they cannot
/// be called) and whether `limit` cut the list (`moreResultsAvailable`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResult {
    pub contacts: Vec<Contact>,
    pub more: bool,
}

/// A contact with its presence (`None`: not offered, or the read failed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    pub contact: Contact,
    pub presence: Option<Presence>,
}

impl Person {
    /// How reachable the person is, when the server said so in a known word.
    pub fn reachability(&self) -> Option<Reachability> {
        self.presence
            .as_ref()
            .and_then(|p| p.availability.as_ref())
            .and_then(Availability::reachability)
    }
}

/// `Availability` (UCWA 2.0 reference `Availability_ref`); values the enum does not have
/// (`Inactive` on the dashboard page, say) are kept as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    Online,
    Busy,
    DoNotDisturb,
    BeRightBack,
    Away,
    IdleOnline,
    IdleBusy,
    Offline,
    Other(String),
}

/// The five ways a person can be reached, as a client shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reachability {
    Available,
    Busy,
    DoNotDisturb,
    Away,
    Offline,
}

impl Reachability {
    /// In words, as shown to the user.
    pub fn words(self) -> &'static str {
        match self {
            Reachability::Available => "Available",
            Reachability::Busy => "Busy",
            Reachability::DoNotDisturb => "Do not disturb",
            Reachability::Away => "Away",
            Reachability::Offline => "Offline",
        }
    }

    /// Whether calling should be confirmed first: nobody will answer (Offline), or the
    /// person asked not to be disturbed.
    pub fn asks_first(self) -> bool {
        matches!(self, Reachability::Offline | Reachability::DoNotDisturb)
    }
}

impl Availability {
    /// Reads the wire value (case as sent by the reference; any case accepted).
    pub fn parse(s: &str) -> Availability {
        const KNOWN: [(&str, Availability); 8] = [
            ("Online", Availability::Online),
            ("Busy", Availability::Busy),
            ("DoNotDisturb", Availability::DoNotDisturb),
            ("BeRightBack", Availability::BeRightBack),
            ("Away", Availability::Away),
            ("IdleOnline", Availability::IdleOnline),
            ("IdleBusy", Availability::IdleBusy),
            ("Offline", Availability::Offline),
        ];
        KNOWN
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s.trim()))
            .map(|(_, a)| a)
            .unwrap_or_else(|| Availability::Other(s.to_string()))
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Availability::Online => "Online",
            Availability::Busy => "Busy",
            Availability::DoNotDisturb => "DoNotDisturb",
            Availability::BeRightBack => "BeRightBack",
            Availability::Away => "Away",
            Availability::IdleOnline => "IdleOnline",
            Availability::IdleBusy => "IdleBusy",
            Availability::Offline => "Offline",
            Availability::Other(s) => s,
        }
    }

    /// How reachable this is: idle counts as away from the keyboard, except that a busy
    /// person stays busy; an unknown value is unknown (`None`).
    pub fn reachability(&self) -> Option<Reachability> {
        Some(match self {
            Availability::Online => Reachability::Available,
            Availability::Busy | Availability::IdleBusy => Reachability::Busy,
            Availability::DoNotDisturb => Reachability::DoNotDisturb,
            Availability::BeRightBack | Availability::Away | Availability::IdleOnline => {
                Reachability::Away
            }
            Availability::Offline => Reachability::Offline,
            Availability::Other(_) => return None,
        })
    }
}

/// A `contactPresence`: every property may be missing (`contactPresence_ref`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presence {
    pub availability: Option<Availability>,
    /// `activity`: a localized string or a token such as `in-a-meeting`.
    pub activity: Option<String>,
    /// `deviceType`: `PC`, `Mobile`, `DeskPhone`, `Web`, `Unknown`.
    pub device_type: Option<String>,
}

/// `<search href>?query=…&limit=…`, the value URL-encoded (it may hold `@`, `+`, spaces);
/// a query string the server put on the href is kept.
pub fn search_href(search: &str, query: &str, limit: u32) -> String {
    let pairs = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("query", query)
        .append_pair("limit", &limit.to_string())
        .finish();
    let joiner = match search.contains('?') {
        true if search.ends_with('?') || search.ends_with('&') => "",
        true => "&",
        false => "?",
    };
    format!("{search}{joiner}{pairs}")
}

fn non_empty(resource: &Resource, name: &str) -> Option<String> {
    resource.text(name).filter(|s| !s.trim().is_empty())
}

/// Reads a `contact` (embedded in a search, or GET).
pub fn read_contact(resource: &Resource) -> Contact {
    let emails = match resource.property("emailAddresses") {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| v.as_text().map(|t| t.into_owned()))
            .filter(|t| !t.trim().is_empty())
            .collect(),
        Some(v) => v
            .as_text()
            .map(|t| vec![t.into_owned()])
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Contact {
        name: non_empty(resource, "name"),
        uri: non_empty(resource, "uri"),
        title: non_empty(resource, "title"),
        department: non_empty(resource, "department"),
        company: non_empty(resource, "company"),
        emails,
        href: resource
            .href
            .clone()
            .or_else(|| resource.link("self").map(str::to_string)),
        presence_href: resource.link("contactPresence").map(str::to_string),
    }
}

/// Reads a `search` answer. A missing `_embedded`, missing or empty arrays all mean no
/// match (PROTOCOL.md §k).
pub fn read_search(resource: &Resource) -> SearchResult {
    SearchResult {
        contacts: resource
            .embedded
            .iter()
            .filter(|r| r.rel == "contact")
            .map(read_contact)
            .collect(),
        more: resource.boolean("moreResultsAvailable").unwrap_or(false),
    }
}

/// Reads a `contactPresence`.
pub fn read_presence(resource: &Resource) -> Presence {
    Presence {
        availability: non_empty(resource, "availability").map(|a| Availability::parse(&a)),
        activity: non_empty(resource, "activity"),
        device_type: non_empty(resource, "deviceType"),
    }
}

/// Why a search could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The application carries no `search` link: the deployment does not offer directory
    /// search to this user.
    #[error("directory search is not offered: this account or server gives the application no `search` link under `people`")]
    NotOffered,
    /// `403` on the search (`search_ref`).
    #[error("directory search is not allowed for this account ({0})")]
    Forbidden(UcwaError),
    /// Any other failure of the request.
    #[error("{0}")]
    Ucwa(UcwaError),
}

/// `GET search?query&limit` on `session`: the contacts found. `query` must already be
/// trimmed and within `QUERY_MAX_CHARS`, `limit` within `LIMIT_RANGE` (the caller checks
/// them: the server would answer `400 ParameterValidationFailure`).
pub async fn search(
    session: &Session,
    query: &str,
    limit: u32,
) -> Result<SearchResult, SearchError> {
    let Some(search) = session.links().search else {
        return Err(SearchError::NotOffered);
    };
    let href = search_href(&search, query, limit);
    match session
        .client()
        .get_resource(&href, "searching the directory")
        .await
    {
        Ok(resource) => Ok(read_search(&resource)),
        Err(e @ UcwaError::Http { status: 403, .. }) => Err(SearchError::Forbidden(e)),
        Err(e) => Err(SearchError::Ucwa(e)),
    }
}

/// `GET contactPresence` of one contact; `Ok(None)` when the contact has no such link.
pub async fn presence(session: &Session, contact: &Contact) -> Result<Option<Presence>, UcwaError> {
    let Some(href) = &contact.presence_href else {
        return Ok(None);
    };
    let resource = session
        .client()
        .get_resource(href, "reading a contact's presence")
        .await?;
    Ok(Some(read_presence(&resource)))
}

/// The presence of every contact, in the contacts' order, at most `PRESENCE_CONCURRENCY`
/// reads at a time.
pub async fn presences(
    session: &Session,
    contacts: &[Contact],
) -> Vec<Result<Option<Presence>, UcwaError>> {
    let mut results: Vec<(usize, Result<Option<Presence>, UcwaError>)> =
        // Owned contacts and session clones: the future stays `Send` for any caller.
        stream::iter(contacts.iter().cloned().enumerate())
            .map(|(i, c)| {
                let session = session.clone();
                async move { (i, presence(&session, &c).await) }
            })
            .buffer_unordered(PRESENCE_CONCURRENCY)
            .collect()
            .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `search`, then every match's presence (`presences`): the people found, and whether
/// more matched. A presence that cannot be read is left unknown and handed to `failed`.
pub async fn search_with_presence(
    session: &Session,
    query: &str,
    limit: u32,
    failed: impl Fn(&Contact, UcwaError),
) -> Result<(Vec<Person>, bool), SearchError> {
    let found = search(session, query, limit).await?;
    let presences = presences(session, &found.contacts).await;
    let people = found
        .contacts
        .into_iter()
        .zip(presences)
        .map(|(contact, presence)| {
            let presence = presence.unwrap_or_else(|e| {
                failed(&contact, e);
                None
            });
            Person { contact, presence }
        })
        .collect();
    Ok((people, found.more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::{json, xml};

    const SEARCH_JSON: &[u8] = include_bytes!("../../tests/fixtures/ucwa/search-response.json");
    const SEARCH_XML: &[u8] = include_bytes!("../../tests/fixtures/ucwa/search-response.xml");
    const SEARCH_GUIDE: &[u8] =
        include_bytes!("../../tests/fixtures/ucwa/search-response-guide.json");
    const CONTACT_JSON: &[u8] = include_bytes!("../../tests/fixtures/ucwa/contact.json");
    const PRESENCE_JSON: &[u8] = include_bytes!("../../tests/fixtures/ucwa/contactPresence.json");
    const PRESENCE_XML: &[u8] = include_bytes!("../../tests/fixtures/ucwa/contactPresence.xml");

    fn alex_doe() -> Contact {
        Contact {
            name: Some("Alex Doe".into()),
            uri: Some("sip:alex@contoso.com".into()),
            title: Some("Engineer 2".into()),
            department: Some("Engineering".into()),
            company: Some("Contoso Corp.".into()),
            emails: vec!["Alex.Doe@contoso.com".into()],
            href: Some("/ucwa/v1/applications/192/people/282".into()),
            presence_href: Some("/ucwa/v1/applications/192/people/282/contactPresence".into()),
        }
    }

    #[test]
    fn both_formats_of_the_reference_search_read_alike_and_groups_are_left_out() {
        let from_json = read_search(&json::read_resource(SEARCH_JSON).unwrap());
        let from_xml = read_search(&xml::read_resource(SEARCH_XML).unwrap());
        assert_eq!(
            from_json,
            SearchResult {
                contacts: vec![alex_doe()],
                more: false
            }
        );
        assert_eq!(from_xml, from_json);
    }

    #[test]
    fn the_guide_search_reads_its_escaped_text_and_its_other_paths() {
        let found = read_search(&json::read_resource(SEARCH_GUIDE).unwrap());
        let sara = &found.contacts[0];
        assert_eq!(sara.name.as_deref(), Some("Sara Davis"));
        assert_eq!(sara.department.as_deref(), Some("Sales & Marketing"));
        assert_eq!(
            sara.presence_href.as_deref(),
            Some("/ucwa/oauth/v1/applications/101/people/sarad@contoso.com/presence")
        );
    }

    #[test]
    fn a_contact_by_get_reads_like_a_match() {
        assert_eq!(
            read_contact(&json::read_resource(CONTACT_JSON).unwrap()),
            alex_doe()
        );
    }

    #[test]
    fn no_match_in_any_shape_is_an_empty_list() {
        for body in [
            r#"{"rel":"search","moreResultsAvailable":false}"#,
            r#"{"rel":"search","_embedded":{}}"#,
            r#"{"rel":"search","_embedded":{"contact":[]}}"#,
        ] {
            let found = read_search(&json::read_resource(body.as_bytes()).unwrap());
            assert!(found.contacts.is_empty() && !found.more, "{body}");
        }
        let more = br#"{"rel":"search","moreResultsAvailable":true,"_embedded":{"contact":{"rel":"contact","uri":"sip:a@b"}}}"#;
        let found = read_search(&json::read_resource(more).unwrap());
        assert!(found.more);
        assert_eq!(found.contacts[0].uri.as_deref(), Some("sip:a@b"));
        assert_eq!(found.contacts[0].name, None);
    }

    #[test]
    fn presence_reads_in_both_formats() {
        let json = read_presence(&json::read_resource(PRESENCE_JSON).unwrap());
        assert_eq!(json.availability, Some(Availability::DoNotDisturb));
        assert_eq!(json.activity.as_deref(), Some("in-a-conference"));
        assert_eq!(json.device_type.as_deref(), Some("PC"));
        let xml = read_presence(&xml::read_resource(PRESENCE_XML).unwrap());
        assert_eq!(xml.availability, Some(Availability::IdleOnline));
        assert_eq!(xml.device_type.as_deref(), Some("Mobile"));
        let bare = read_presence(&json::read_resource(br#"{"rel":"contactPresence"}"#).unwrap());
        assert_eq!(bare, Presence::default());
    }

    #[test]
    fn every_availability_maps_to_one_of_five_marks_and_unknown_ones_are_kept() {
        use Reachability::*;
        for (wire, mark) in [
            ("Online", Some(Available)),
            ("Busy", Some(Busy)),
            ("IdleBusy", Some(Busy)),
            ("DoNotDisturb", Some(DoNotDisturb)),
            ("BeRightBack", Some(Away)),
            ("Away", Some(Away)),
            ("IdleOnline", Some(Away)),
            ("offline", Some(Offline)),
            ("Inactive", None),
        ] {
            let a = Availability::parse(wire);
            assert_eq!(a.reachability(), mark, "{wire}");
            if mark.is_none() {
                assert_eq!(a.as_str(), wire);
            }
        }
        assert!(Offline.asks_first() && DoNotDisturb.asks_first());
        assert!(!Available.asks_first() && !Busy.asks_first() && !Away.asks_first());
    }

    #[tokio::test]
    async fn at_most_eight_presence_reads_run_at_once_and_answers_keep_their_order() {
        use crate::secret::Token;
        use crate::ucwa::client::{Client, Credentials};
        use crate::ucwa::transport::{Exchange, Transport, WireRequest};
        use crate::ucwa::Format;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (n, m) = (now.clone(), most.clone());
        let exchange: Exchange = Arc::new(move |request: WireRequest| {
            let (n, m) = (n.clone(), m.clone());
            Box::pin(async move {
                let json = vec![("Content-Type".to_string(), "application/json".to_string())];
                if request.method.as_str() == "POST" {
                    let app = r#"{"rel":"application","_links":{"self":{"href":"/ucwa/oauth/v1/applications/1"},"events":{"href":"/ucwa/oauth/v1/applications/1/events?ack=1"}}}"#;
                    return Ok((201, json, app.as_bytes().to_vec()));
                }
                let running = n.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(running, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                n.fetch_sub(1, Ordering::SeqCst);
                // The contact's number, in its availability, to check the order.
                let i = request
                    .url
                    .path()
                    .split('/')
                    .nth(7)
                    .unwrap_or_default()
                    .to_string();
                let body = format!(r#"{{"rel":"contactPresence","availability":"X{i}"}}"#);
                Ok((200, json, body.into_bytes()))
            })
        });
        let transport = Transport::with_exchange(Arc::new(|_| {}), exchange).unwrap();
        let credentials = Credentials {
            user: "a@contoso.com".into(),
            password: None,
            token: Some(Token::new("cwt=AAEB")),
        };
        let client = Client::with_transport(Format::Json, credentials, transport, Arc::new(|_| {}));
        let applications =
            url::Url::parse("https://pool.contoso.com/ucwa/oauth/v1/applications").unwrap();
        client.set_base(applications.clone());
        let session = Session::create(Arc::new(client), applications)
            .await
            .unwrap();
        let contacts: Vec<Contact> = (0..20)
            .map(|i| Contact {
                presence_href: Some(format!(
                    "/ucwa/oauth/v1/applications/1/people/{i}/contactPresence"
                )),
                ..Default::default()
            })
            .collect();
        let read = presences(&session, &contacts).await;
        assert_eq!(most.load(Ordering::SeqCst), PRESENCE_CONCURRENCY);
        for (i, presence) in read.into_iter().enumerate() {
            let availability = presence.unwrap().unwrap().availability.unwrap();
            assert_eq!(availability.as_str(), format!("X{i}"));
        }
    }

    #[test]
    fn the_query_is_url_encoded_and_a_server_query_string_is_kept() {
        assert_eq!(
            search_href("/p/search", "a+b c@d&e", 10),
            "/p/search?query=a%2Bb+c%40d%26e&limit=10"
        );
        assert_eq!(
            search_href("/p/search?x=1", "ä", 3),
            "/p/search?x=1&query=%C3%A4&limit=3"
        );
    }
}
