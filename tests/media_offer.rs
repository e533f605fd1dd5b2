//! Media offers as real clients write them: Lync and Skype for Business send a
//! `multipart/alternative` body with two SDP parts. It reaches the server intact; any other
//! file is refused, naming what it looks like.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::*;

const BOUNDARY: &str = "9BCE36B8-2C70-44CA-AAA6-A5B6E7F7D4C2";

/// The body of a Lync 2013 INVITE to a UCWA-era pool: the ICE offer, then the
/// `ms-proxy-2007fallback` one, both `application/sdp`, CRLF line ends.
fn lync_2013_body() -> String {
    let sdp = |version: u32, port: u32, ice: bool| {
        let mut s = format!(
            "v=0\r\no=- 0 {version} IN IP4 192.168.10.21\r\ns=session\r\nc=IN IP4 192.168.10.21\r\nb=CT:99980\r\nt=0 0\r\n\
             m=audio {port} RTP/AVP 117 104 114 9 112 111 0 103 8 116 115 97 13 118 101\r\n"
        );
        if ice {
            s.push_str(
                "a=x-ssrc-range:1594048512-1594048512\r\na=ice-ufrag:hSck\r\na=ice-pwd:0Lsk2sB0ZwlyQ6YRxhNJjs0S\r\n\
                 a=candidate:1 1 UDP 2130706431 192.168.10.21 25336 typ host \r\n\
                 a=candidate:1 2 UDP 2130705918 192.168.10.21 25337 typ host \r\n",
            );
        }
        s.push_str(
            "a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:4L3wSJWqh2nbzi1UnCmn0q2LSzdUI8bcSapLbHV+|2^31|1\r\n\
             a=rtcp:25337\r\na=label:main-audio\r\na=rtpmap:117 G722/8000/2\r\na=rtpmap:104 SILK/16000\r\n\
             a=rtpmap:114 x-msrta/16000\r\na=fmtp:114 bitrate=29000\r\na=rtpmap:9 G722/8000\r\n\
             a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
             a=fmtp:101 0-16\r\na=rtcp-fb:* x-message app send:dsh recv:dsh\r\na=rtcp-rsize\r\na=ptime:20\r\n",
        );
        s
    };
    format!(
        "--{b}\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\n\
         Content-Disposition: session; handling=optional; ms-proxy-2007fallback\r\n\r\n{}\r\n\
         --{b}\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\n\
         Content-Disposition: session; handling=optional\r\n\r\n{}\r\n--{b}--\r\n",
        sdp(1, 25336, false),
        sdp(0, 25336, true),
        b = BOUNDARY
    )
}

struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("avlaunch-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lync_two_part_offer_reaches_the_server_intact() {
    let dir = TempDir::new("offer");
    let body = lync_2013_body();
    // As saved from the INVITE: with its Content-Type line, and the body alone.
    let with_header = dir.0.join("with-header.txt");
    std::fs::write(
        &with_header,
        format!("Content-Type: multipart/alternative;boundary={BOUNDARY}\r\n\r\n{body}"),
    )
    .unwrap();
    let bare = dir.0.join("bare.txt");
    std::fs::write(&bare, &body).unwrap();
    for (file, format) in [(&with_header, "json"), (&bare, "xml")] {
        let sim = start_sim(fast_config()).await;
        let out = output(call_command(
            &sim,
            "sip:alice@contoso.com",
            &[
                "--media-offer",
                file.to_str().unwrap(),
                "--format",
                format,
                "--hangup-after",
                "0",
            ],
        ))
        .await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{format}: {stdout}\n{stderr}");
        let post = sim
            .requests()
            .into_iter()
            .find(|r| r.method == "POST" && r.path_and_query.ends_with("/startAudioVideo"))
            .expect("the POST was seen");
        let reader =
            avlaunch::ucwa::Format::from_media_type(post.content_type.as_deref().unwrap()).unwrap();
        let input = reader.read_input(post.body.as_bytes()).unwrap();
        let href = input.link("mediaOffer").expect("mediaOffer link");
        let prefix = format!("data:multipart/alternative;boundary={BOUNDARY};base64,");
        let encoded = href
            .strip_prefix(prefix.as_str())
            .unwrap_or_else(|| panic!("{format}: {href}"));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), body, "{format}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_no_offer_is_named_for_what_it_is() {
    let dir = TempDir::new("not-offer");
    let sim = start_sim(fast_config()).await;
    let lync = lync_2013_body();
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "page.html",
            b"<!DOCTYPE html>\n<html><body>Sign in</body></html>\n",
            "it looks like an HTML page",
        ),
        (
            "offer.json",
            b"{\"mediaOffer\": \"v=0\"}",
            "it looks like JSON",
        ),
        (
            "ca.pem",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "it looks like a PEM file",
        ),
        ("empty.sdp", b"", "it looks like an empty file"),
        (
            "cut.txt",
            &lync.as_bytes()[..900],
            "the multipart body is not closed",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = output(call_command(
            &sim,
            "sip:alice@contoso.com",
            &["--media-offer", path.to_str().unwrap()],
        ))
        .await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
    assert!(sim.requests().is_empty(), "nothing was sent");
}
