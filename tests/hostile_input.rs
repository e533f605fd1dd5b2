//! Property tests: no input makes validation, the challenge parser or the JSON readers
//! panic, and valid input round-trips.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use avlaunch::call::CallRequest;
use avlaunch::ucwa::auth::parse_challenge;
use avlaunch::ucwa::{json, Format};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validation_never_panics(to in ".*", subject in proptest::option::of(".*"), importance in proptest::option::of(".*"),
                               context in proptest::option::of(".*"), opid in ".*", thread in proptest::option::of(".*")) {
        let request = CallRequest {
            to, subject, importance, session_context: context, operation_id: opid, thread_id: thread,
            ..Default::default()
        };
        let _ = request.validate();
    }

    #[test]
    fn valid_requests_pass_and_keep_their_values(user in "[a-z][a-z0-9._-]{0,20}", host in "[a-z][a-z0-9-]{0,10}\\.[a-z]{2,6}",
                                                 subject in "[^\\p{Cc}]{0,250}", context in "[^\\p{Cc}]{0,50}") {
        let mut request = CallRequest::to(format!("sip:{user}@{host}"));
        request.subject = Some(subject.clone());
        request.session_context = Some(context.clone());
        let call = request.validate().unwrap();
        prop_assert_eq!(call.subject.unwrap_or_default(), subject);
        prop_assert_eq!(call.session_context.unwrap_or_default(), context);
    }

    #[test]
    fn over_the_limit_is_always_refused(extra in 1usize..100) {
        let mut request = CallRequest::to("sip:alice@contoso.com");
        request.subject = Some("é".repeat(250 + extra));
        let errors = request.validate().unwrap_err();
        prop_assert_eq!(errors.len(), 1);
        let expected = format!("subject: {} characters, the limit is 250", 250 + extra);
        prop_assert_eq!(errors[0].to_string(), expected);
    }

    #[test]
    fn the_challenge_parser_never_panics(values in proptest::collection::vec(".*", 0..4)) {
        let _ = parse_challenge(values.iter().map(String::as_str));
    }

    #[test]
    fn a_well_formed_challenge_round_trips(host in "[a-z]{1,12}\\.[a-z]{2,5}", grants in proptest::collection::vec("[a-z:._]{1,20}", 1..4), quoted in any::<bool>()) {
        let href = format!("https://{host}/WebTicket/oauthtoken");
        let href_part = if quoted { format!("\"{href}\"") } else { href.clone() };
        let header = format!("MsRtcOAuth href={href_part},grant_type=\"{}\"", grants.join(","));
        let challenge = parse_challenge([header.as_str()]);
        prop_assert_eq!(challenge.token_url, Some(href));
        prop_assert_eq!(challenge.grant_types, grants);
    }

    #[test]
    fn the_json_readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = json::read_resource(&bytes);
        let _ = json::read_events(&bytes);
        let _ = json::read_error(&bytes);
        let _ = json::read_input(&bytes);
    }

    #[test]
    fn the_json_readers_never_panic_on_json_shaped_text(text in r#"[\{\}\[\]":,a-z_ 0-9]{0,200}"#) {
        let _ = Format::Json.read_resource(text.as_bytes());
        let _ = Format::Json.read_events(text.as_bytes());
    }
}
