use std::path::PathBuf;

use super::media_offer::{looks_like, multipart_offer};
use super::*;
use crate::ucwa::modality::{AUDIO_VIDEO, PHONE_AUDIO};

fn messages(req: &CallRequest) -> Vec<String> {
    req.validate()
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_plain_contact_is_valid() {
    let call = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
    assert_eq!(call.to, "sip:alice@contoso.com");
    let call = CallRequest::to(" alice@contoso.com ").validate().unwrap();
    assert_eq!(call.to, "sip:alice@contoso.com");
    assert_eq!(with_sip_scheme("sip:bob@x.com"), "sip:bob@x.com");
    assert_eq!(with_sip_scheme("tel:+1@x"), "tel:+1@x");
    assert_eq!(with_sip_scheme("@x.com"), "@x.com");
    assert_eq!(with_sip_scheme("a b@x.com"), "a b@x.com");
    assert_eq!(call.operation_id.len(), 32);
    assert!(call.subject.is_none() && call.importance.is_none());
}

#[test]
fn to_must_be_a_sip_uri_with_user_and_host() {
    for bad in [
        "",
        "bob",
        "@contoso.com",
        "sip:@contoso.com",
        "sip:bob@",
        "sip:bob",
        "sip:a b@c.com",
        "tel:+1555",
    ] {
        let req = CallRequest::to(bad);
        let m = messages(&req);
        assert_eq!(m.len(), 1, "{bad:?} gave {m:?}");
        assert!(m[0].starts_with("to: "), "{m:?}");
    }
    assert!(messages(&CallRequest::to("bob"))[0]
        .contains("'bob' is not a sip: URI (expected sip:user@host)"));
    assert!(
        CallRequest::to("SIP:bob@fe1.contoso.com:5061;transport=tls")
            .validate()
            .is_ok()
    );
}

fn phone(to: &str, number: &str) -> CallRequest {
    let mut req = CallRequest::to(to);
    req.via_phone = Some(number.into());
    req
}

#[test]
fn phone_numbers_are_normalised_by_their_kind() {
    for (typed, sent) in [
        ("+14255551234", "tel:+14255551234"),
        ("+1 (425) 555-1234", "tel:+14255551234"),
        ("+1.425.555.1234", "tel:+14255551234"),
        ("tel:+14255551234", "tel:+14255551234"),
        ("4255551234", "4255551234"),
        ("12", "12"),
        (" 55-12 ", "5512"),
        ("+12", "tel:+12"),
        (
            &*format!("+{}", "9".repeat(20)),
            &*format!("tel:+{}", "9".repeat(20)),
        ),
    ] {
        let call = phone("sip:alice@contoso.com", typed).validate().unwrap();
        assert_eq!(call.phone_number.as_deref(), Some(sent), "{typed}");
        assert_eq!(call.modality, &PHONE_AUDIO);
        assert_eq!(call.start_fields().phone_number, Some(sent));
    }
    assert_eq!(
        CallRequest::to("sip:alice@contoso.com")
            .validate()
            .unwrap()
            .modality,
        &AUDIO_VIDEO
    );
}

#[test]
fn each_kind_of_bad_number_is_named_with_the_limit() {
    let long = "1".repeat(21);
    let plus_long = format!("+{long}");
    for (typed, expected) in [
        ("", "required"),
        ("   ", "required"),
        ("1", "has 1 digit, at least 2"),
        ("+1", "has 1 digit, at least 2"),
        ("+", "has 0 digits, at least 2"),
        ("(-.)", "has 0 digits, at least 2"),
        (long.as_str(), "has 21 digits, the limit is 20"),
        (plus_long.as_str(), "has 21 digits, the limit is 20"),
        ("1425555ABCD", "contains 'A'"),
        ("++14255551234", "a '+' that is not at the start"),
        ("1425+5551234", "a '+' that is not at the start"),
        ("425/555", "contains '/'"),
        ("sip:bob@contoso.com", "contains 's'"),
        ("tel:", "has 0 digits"),
        ("4255\u{7}551234", "control character U+0007"),
    ] {
        let m = messages(&phone("sip:alice@contoso.com", typed));
        assert_eq!(m.len(), 1, "{typed:?}: {m:?}");
        assert!(m[0].starts_with("phoneNumber: "), "{m:?}");
        assert!(m[0].contains(expected), "{typed:?}: {m:?}");
    }
}

#[test]
fn a_call_via_work_callee_may_be_a_tel_number_and_av_fields_are_refused() {
    let call = phone("tel:+1 425 555 9876", "+14255551234")
        .validate()
        .unwrap();
    assert_eq!(call.to, "tel:+14255559876");
    for bad in [
        "tel:4255559876",
        "tel:+1",
        "tel:+1234567890123456",
        "tel:+1425x",
    ] {
        let m = messages(&phone(bad, "+14255551234"));
        assert_eq!(m.len(), 1, "{bad}: {m:?}");
        assert!(m[0].contains("is not a tel:+E164 number"), "{m:?}");
    }
    // An audio/video call still takes only sip:.
    assert!(messages(&CallRequest::to("tel:+14255559876"))[0].starts_with("to: "));
    let mut req = phone("sip:alice@contoso.com", "+14255551234");
    req.session_context = Some("ctx".into());
    req.media_offer = Some("/nonexistent.sdp".into());
    req.join_audio_muted = Some(false);
    req.join_video_muted = Some(true);
    let m = messages(&req);
    let fields: Vec<&str> = m.iter().map(|s| s.split(':').next().unwrap()).collect();
    assert_eq!(
        fields,
        [
            "sessionContext",
            "mediaOffer",
            "joinAudioMuted",
            "joinVideoMuted"
        ]
    );
    assert!(m
        .iter()
        .all(|s| s.contains("does not apply to Call via Work")));
}

#[test]
fn a_contact_written_user_at_host_is_a_sip_uri() {
    let call = CallRequest::to(" alice@contoso.com ").validate().unwrap();
    assert_eq!(call.to, "sip:alice@contoso.com");
    assert_eq!(contact_uri("sip:bob@x.com"), "sip:bob@x.com");
    assert_eq!(contact_uri("bob@x.com:5061"), "sip:bob@x.com:5061");
    assert_eq!(contact_uri("bob"), "bob");
}

#[test]
fn numbers_are_shown_grouped_where_the_plan_is_known() {
    assert_eq!(display_phone("tel:+14255550100"), "+1 425 555 0100");
    assert_eq!(display_phone("tel:+441632960961"), "+441632960961");
    assert_eq!(display_phone("5512"), "5512");
}

#[test]
fn every_problem_is_reported_at_once_with_its_limit() {
    let mut req = CallRequest::to("bob");
    req.subject = Some("x".repeat(262));
    req.importance = Some("High".into());
    req.session_context = Some("é".repeat(51));
    req.operation_id = "o".repeat(51);
    req.media_offer = Some("/nonexistent/offer.sdp".into());
    let m = messages(&req);
    assert_eq!(m.len(), 6, "{m:?}");
    assert!(m.contains(&"subject: 262 characters, the limit is 250".to_string()));
    assert!(m.contains(&"sessionContext: 51 characters, the limit is 50".to_string()));
    assert!(m.contains(&"operationId: 51 characters, the limit is 50".to_string()));
    assert!(m.contains(&"importance: 'High' is not one of Normal, Urgent, Emergency".to_string()));
    assert!(m
        .iter()
        .any(|s| s.starts_with("mediaOffer: cannot read '/nonexistent/offer.sdp'")));
}

#[test]
fn limits_count_characters_not_bytes() {
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.subject = Some("😀".repeat(250));
    req.session_context = Some("é".repeat(50));
    assert!(req.validate().is_ok());
}

#[test]
fn control_characters_are_refused() {
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.subject = Some("hello\u{7}".into());
    assert_eq!(
        messages(&req),
        ["subject: contains the control character U+0007, which cannot be sent"]
    );
}

#[test]
fn media_offer_must_be_utf8_sdp() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path();
    let good = dir.join("good.sdp");
    std::fs::write(&good, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n").unwrap();
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let binary = dir.join("bin.sdp");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.media_offer = Some(good);
    let offer = req.validate().unwrap().media_offer.unwrap();
    assert!(offer.body.starts_with("v=0"));
    assert_eq!(offer.media_type, "application/sdp");
    req.media_offer = Some(text);
    assert!(messages(&req)[0].contains("does not look like SDP: it looks like plain text"));
    req.media_offer = Some(binary);
    assert!(messages(&req)[0].contains("is not an SDP offer: it looks like binary data"));
}

#[test]
fn characters_xml_cannot_carry_are_refused_in_every_field() {
    for c in ['\u{fffe}', '\u{ffff}', '\u{1b}'] {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.subject = Some(format!("a{c}b"));
        req.thread_id = Some(format!("t{c}"));
        req.session_context = Some(format!("s{c}"));
        let m = messages(&req);
        assert_eq!(m.len(), 3, "{c:?}: {m:?}");
        assert!(
            m.iter().all(|m| m.contains(&format!("U+{:04X}", c as u32))),
            "{m:?}"
        );
    }
}

#[test]
fn to_and_thread_id_have_a_limit() {
    let mut req = CallRequest::to(format!("sip:{}@contoso.com", "a".repeat(300)));
    req.thread_id = Some("t".repeat(257));
    let m = messages(&req);
    assert!(m.iter().any(|m| m.contains("the limit is 256")), "{m:?}");
    assert_eq!(m.len(), 2, "{m:?}");
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.thread_id = Some("t".repeat(256));
    assert!(req.validate().is_ok());
}

#[test]
fn only_a_regular_file_is_read_and_never_past_the_limit() {
    for device in ["/dev/zero", "/dev/null", "/dev/stdin"] {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.media_offer = Some(device.into());
        let m = messages(&req);
        assert!(
            m[0].contains("not a regular file") || m[0].contains("cannot read"),
            "{device}: {m:?}"
        );
    }
    let guard = tempfile::tempdir().unwrap();
    let fifo = guard.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.media_offer = Some(fifo);
        // Returns at once (a FIFO with no writer would block an open()).
        assert!(messages(&req)[0].contains("not a regular file"));
    }
    let big = guard.path().join("big.sdp");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(2 * 1024 * 1024 * 1024).unwrap(); // sparse: nothing is read
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.media_offer = Some(big);
    assert!(messages(&req)[0].contains("the limit is 65536"));
}

/// The body of a Lync 2013 INVITE: two SDP parts (ICE and the 2007 fallback).
pub const LYNC_BOUNDARY: &str = "9BCE36B8-2C70-44CA-AAA6-A5B6E7F7D4C2";

fn lync_body() -> String {
    let sdp = |o: &str| {
        format!(
            "v=0\r\no=- 0 {o} IN IP4 10.0.0.5\r\ns=session\r\nc=IN IP4 10.0.0.5\r\nb=CT:99980\r\nt=0 0\r\nm=audio 50014 RTP/AVP 114 9 0 8 101\r\na=rtpmap:114 x-msrta/16000\r\na=rtpmap:101 telephone-event/8000\r\n"
        )
    };
    format!(
        "--{b}\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: session; handling=optional; ms-proxy-2007fallback\r\n\r\n{}\r\n--{b}\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: session; handling=optional\r\n\r\n{}\r\n--{b}--\r\n",
        sdp("0"),
        sdp("1"),
        b = LYNC_BOUNDARY
    )
}

#[test]
fn a_lync_multipart_offer_is_accepted_with_or_without_its_content_type_line() {
    let body = lync_body();
    let with_header =
        format!("Content-Type: multipart/alternative;boundary={LYNC_BOUNDARY}\r\n\r\n{body}");
    for text in [body.clone(), with_header] {
        let offer = multipart_offer(&text).unwrap().unwrap();
        assert_eq!(
            offer.media_type,
            format!("multipart/alternative;boundary={LYNC_BOUNDARY}")
        );
        assert_eq!(offer.body, body);
    }
}

#[test]
fn a_broken_multipart_offer_says_what_is_wrong() {
    let body = lync_body();
    let cases = [
        (
            body.replace(&format!("--{LYNC_BOUNDARY}--"), ""),
            "is not closed",
        ),
        (
            body.replacen("application/sdp", "text/html", 1),
            "part 1 of the multipart body is text/html",
        ),
        (
            body.replacen("v=0", "x=0", 2).replacen("x=0", "v=0", 1),
            "part 2 of the multipart body is not SDP",
        ),
        (
            "Content-Type: multipart/alternative\r\n\r\n--x\r\n".into(),
            "no boundary",
        ),
    ];
    for (text, expected) in cases {
        let e = multipart_offer(&text).unwrap_err();
        assert!(e.contains(expected), "{expected}: {e}");
    }
    assert_eq!(
        multipart_offer("Content-Type: text/plain\n\nhello").unwrap(),
        None
    );
}

#[test]
fn anything_else_is_named_for_what_it_looks_like() {
    for (bytes, expected) in [
        (&b""[..], "an empty file"),
        (b"  \n", "an empty file"),
        (b"<!DOCTYPE html><html>", "an HTML page"),
        (b"<?xml version=\"1.0\"?><a/>", "XML"),
        (b"{\"sdp\": 1}", "JSON"),
        (b"-----BEGIN CERTIFICATE-----\nMII", "a PEM file"),
        (
            b"INVITE sip:bob@contoso.com SIP/2.0\r\n",
            "a whole SIP message",
        ),
        (
            b"o=- 0 0 IN IP4 1.2.3.4\r\ns=x\r\n",
            "SDP lines without the leading v=0",
        ),
        (b"\x7fELF\x02\x01\x00", "binary data"),
        (b"hello", "plain text"),
    ] {
        assert!(
            looks_like(bytes).starts_with(expected),
            "{expected}: {}",
            looks_like(bytes)
        );
    }
}

#[test]
fn importance_is_read_without_regard_to_case() {
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.importance = Some("urgent".into());
    assert_eq!(req.validate().unwrap().importance, Some(Importance::Urgent));
}

#[test]
fn a_leading_tilde_is_the_home_directory() {
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return;
    };
    let home = PathBuf::from(home);
    assert_eq!(expand_home("~/offer.sdp".as_ref()), home.join("offer.sdp"));
    assert_eq!(expand_home("~".as_ref()), home);
    assert_eq!(expand_home("~bob/x".as_ref()), PathBuf::from("~bob/x"));
    assert_eq!(expand_home("/a/~/b".as_ref()), PathBuf::from("/a/~/b"));
}
