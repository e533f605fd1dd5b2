//! The address book and the user's own presence, as resources: the `people` hub, `search`,
//! `myContacts`, `myGroups`, `contact`, `contactPresence`, and `me` with `presence` and
//! `note` (PROTOCOL.md §k and §l; shapes of `samples/search-response-guide.json`,
//! `contact.json`, `contactPresence.json`, `me.json`, `presence.json`). Pure.

use super::{list, my_uri, segment, text};
use crate::sim::directory::{self, Person, PEOPLE};
use crate::sim::state::App;
use crate::ucwa::resource::{Resource, Value};

/// The one group of `myGroups`: every person marked `contact`.
pub const GROUP: &str = "demo";

/// `people`: only the links the simulator serves (no presence subscriptions: it raises no
/// presence events).
pub fn people(app: &App) -> Resource {
    let base = app.base();
    Resource::new("people", Some(format!("{base}/people")))
        .with_link("myContacts", format!("{base}/people/contacts"))
        .with_link("myGroups", format!("{base}/people/groups"))
        .with_link("search", format!("{base}/people/search"))
}

/// The href of a person's `contact`.
pub fn contact_href(app: &App, uri: &str) -> String {
    format!("{}/people/{}", app.base(), segment(uri))
}

/// The person whose `contact` path segment is `seg` (any case).
pub fn person_by_segment(seg: &str) -> Option<&'static Person> {
    PEOPLE
        .iter()
        .find(|p| segment(p.uri).eq_ignore_ascii_case(seg))
}

/// A `contact` (rel as given: `contact` in lists and for GET).
pub fn contact(app: &App, person: &Person) -> Resource {
    let href = contact_href(app, person.uri);
    Resource::new("contact", Some(href.clone()))
        .with_property("uri", text(person.uri))
        .with_property("name", text(person.name))
        .with_property("title", text(person.title))
        .with_property("department", text(person.department))
        .with_property("company", text("Contoso"))
        .with_property("emailAddresses", list(&[person.email]))
        .with_property("type", text("User"))
        .with_property("sourceNetwork", text("SameEnterprise"))
        .with_link("contactPresence", format!("{href}/presence"))
}

/// `contactPresence`: the person's fixed availability and activity.
pub fn contact_presence(app: &App, person: &Person) -> Resource {
    let href = format!("{}/presence", contact_href(app, person.uri));
    let device = if person.availability == "Offline" {
        "Unknown"
    } else {
        "PC"
    };
    let mut presence = Resource::new("contactPresence", Some(href))
        .with_property("availability", text(person.availability))
        .with_property("deviceType", text(device));
    if let Some(activity) = person.activity {
        presence = presence.with_property("activity", text(activity));
    }
    presence
}

/// `search` for `query`, at most `limit` matches; `self` as asked.
pub fn search(app: &App, self_href: String, query: &str, limit: usize) -> Resource {
    let found = directory::search(query);
    let more = found.len() > limit;
    let mut resource = Resource::new("search", Some(self_href))
        .with_property("moreResultsAvailable", Value::Bool(more));
    for person in found.into_iter().take(limit) {
        resource = resource.with_embedded(contact(app, person));
    }
    resource
}

/// `myContacts`: every person marked `contact`.
pub fn my_contacts(app: &App) -> Resource {
    contacts_of(app, "myContacts", format!("{}/people/contacts", app.base()))
}

fn contacts_of(app: &App, rel: &str, href: String) -> Resource {
    PEOPLE
        .iter()
        .filter(|p| p.contact)
        .fold(Resource::new(rel, Some(href)), |resource, person| {
            resource.with_embedded(contact(app, person))
        })
}

/// The one group, as embedded in `myGroups` and on its own.
pub fn group(app: &App) -> Resource {
    let href = format!("{}/people/groups/{GROUP}", app.base());
    Resource::new("group", Some(href.clone()))
        .with_property("id", text(GROUP))
        .with_property("name", text("Demo contacts"))
        .with_link("groupContacts", format!("{href}/contacts"))
}

/// `myGroups`: the one group.
pub fn my_groups(app: &App) -> Resource {
    Resource::new("myGroups", Some(format!("{}/people/groups", app.base())))
        .with_embedded(group(app))
}

/// `groupContacts` of the one group.
pub fn group_contacts(app: &App) -> Resource {
    let href = format!("{}/people/groups/{GROUP}/contacts", app.base());
    contacts_of(app, "groupContacts", href)
}

/// `me`: before `makeMeAvailable` its link is offered; after it, `presence`, `note` and
/// `reportMyActivity` instead (PROTOCOL.md §l, the guide's two samples).
pub fn me(app: &App) -> Resource {
    let base = app.base();
    let uri = my_uri(app);
    let known = directory::person_by_uri(&uri);
    let name = known.map_or_else(
        || {
            uri.trim_start_matches("sip:")
                .split('@')
                .next()
                .unwrap_or("demo")
                .to_string()
        },
        |p| p.name.to_string(),
    );
    let email = uri.trim_start_matches("sip:").to_string();
    let mut me = Resource::new("me", Some(format!("{base}/me")))
        .with_property("name", Value::Text(name))
        .with_property("uri", Value::Text(uri))
        .with_property("emailAddresses", list(&[email.as_str()]));
    if let Some(person) = known {
        me = me
            .with_property("title", text(person.title))
            .with_property("department", text(person.department));
    }
    if app.available.is_some() {
        me.with_link("presence", format!("{base}/me/presence"))
            .with_link("note", format!("{base}/me/note"))
            .with_link("reportMyActivity", format!("{base}/reportMyActivity"))
    } else {
        me.with_link("makeMeAvailable", format!("{base}/me/makeMeAvailable"))
    }
}

/// The user's `presence` (after `makeMeAvailable`).
pub fn presence(app: &App) -> Option<Resource> {
    let available = app.available.as_ref()?;
    Some(
        Resource::new("presence", Some(format!("{}/me/presence", app.base())))
            .with_property("availability", text(&available.availability)),
    )
}

/// The user's `note` (after `makeMeAvailable`).
pub fn note(app: &App) -> Option<Resource> {
    let available = app.available.as_ref()?;
    Some(
        Resource::new("note", Some(format!("{}/me/note", app.base())))
            .with_property("message", text(&available.note))
            .with_property("type", text("Personal")),
    )
}
