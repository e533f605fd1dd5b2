//! Property tests: the XML readers never panic, and write → read holds for arbitrary inputs
//! and resources.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use avlaunch::ucwa::resource::{Input, Link, Resource, Value};
use avlaunch::ucwa::xml;
use proptest::prelude::*;

/// Text XML 1.0 can carry (no control characters, no U+FFFE or U+FFFF), any other Unicode.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\p{Cc}\u{FFFE}\u{FFFF}]{0,40}",
        // Markup-heavy text, to hit the escaping.
        "[<>&\"' ;#a-z\\]\\[!CDAT/=]{0,40}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    text()
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        text().prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.to_string())),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec((name(), inner), 0..4).prop_map(Value::Bag),
        ]
    })
}

fn link() -> impl Strategy<Value = Link> {
    (
        text(),
        text(),
        prop::option::of(text()),
        prop::option::of(any::<u32>()),
    )
        .prop_map(|(rel, href, title, revision)| Link {
            rel,
            href,
            title,
            revision,
        })
}

fn input() -> impl Strategy<Value = Input> {
    (
        prop::collection::vec((name(), value()), 0..8),
        prop::collection::vec(link(), 0..3),
    )
        .prop_map(|(properties, links)| Input { properties, links })
}

fn resource() -> impl Strategy<Value = Resource> {
    let node = (
        text(),
        prop::option::of(text()),
        prop::collection::vec(
            link().prop_filter("self is the href", |l| l.rel != "self"),
            0..3,
        ),
        prop::collection::vec(
            (
                name().prop_filter("rel is the resource's", |n| n != "rel"),
                value(),
            ),
            0..4,
        ),
    )
        .prop_map(|(rel, href, links, properties)| Resource {
            rel,
            href,
            links,
            properties,
            embedded: vec![],
        });
    node.prop_recursive(3, 12, 3, |inner| {
        (inner.clone(), prop::collection::vec(inner, 0..3)).prop_map(|(mut r, embedded)| {
            r.embedded = embedded;
            r
        })
    })
}

fn normalized(input: &Input) -> Vec<(String, Value)> {
    input
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.normalized()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn readers_never_panic_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = xml::read_resource(&body);
        let _ = xml::read_events(&body);
        let _ = xml::read_error(&body);
        let _ = xml::read_input(&body);
    }

    #[test]
    fn readers_never_panic_on_markup(body in "(<[/!?]?[a-zA-Z:]{0,12}( [a-z:]{1,6}=(\"[^\"]{0,8}\"|'x'))*/?>|[^<]{0,8}|&[a-z#0-9]{0,5};?|<!\\[CDATA\\[|\\]\\]>|<!--|-->){0,40}") {
        let _ = xml::read_resource(body.as_bytes());
        let _ = xml::read_events(body.as_bytes());
        let _ = xml::read_error(body.as_bytes());
        let _ = xml::read_input(body.as_bytes());
    }

    /// Well-formed documents of our own vocabulary, cut anywhere: never a panic.
    #[test]
    fn readers_never_panic_on_cut_documents(input in input(), cut in any::<prop::sample::Index>()) {
        let body = xml::write_input(&input);
        let cut = cut.index(body.len() + 1);
        let _ = xml::read_input(&body[..cut]);
        let _ = xml::read_resource(&body[..cut]);
    }

    /// Whatever text it is given, the writer writes XML: characters XML 1.0 cannot carry
    /// become U+FFFD, so what is written always reads back.
    #[test]
    fn the_writer_always_writes_xml(raw in "\\PC{0,20}[\u{0}-\u{1f}\u{FFFE}\u{FFFF}]{1,3}\\PC{0,20}") {
        let input = Input {
            properties: vec![(raw.clone(), Value::Text(raw.clone()))],
            links: vec![],
        };
        let back = xml::read_input(&xml::write_input(&input)).unwrap();
        let text = match &back.properties[0].1 {
            Value::Text(t) => t.clone(),
            other => panic!("{other:?}"),
        };
        prop_assert!(text.chars().all(xml::is_xml_char));
    }

    #[test]
    fn input_round_trips(input in input()) {
        let back = xml::read_input(&xml::write_input(&input)).unwrap();
        prop_assert_eq!(normalized(&back), normalized(&input));
        prop_assert_eq!(back.links, input.links);
    }

    #[test]
    fn resource_round_trips(resource in resource()) {
        let back = xml::read_resource(&xml::write_resource(&resource)).unwrap();
        prop_assert_eq!(back.normalized(), resource.normalized());
    }
}
