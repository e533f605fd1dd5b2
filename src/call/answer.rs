//! What the far end answered to a media offer: the `audioVideoNegotiation` event's
//! `mediaAnswer` (a `data:` URI holding SDP, or Lync's multipart/alternative of SDP parts),
//! summarised against the offer: codecs offered and answered per media line, ICE candidate
//! types, relay addresses. Sources: UCWA `audioVideoNegotiation_ref` (PROTOCOL.md §f),
//! RFC 4566 (SDP: `m=`, `a=rtpmap`), RFC 8445 §5.1 / RFC 5245 §15.1 (`a=candidate`).

use base64::Engine;
use serde::Serialize;

/// One media line (`m=audio`, `m=video`) and its codecs by encoding name, in SDP order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MediaCodecs {
    /// `audio`, `video`, …
    pub media: String,
    /// Codecs of this media in the offer (empty when no offer was sent).
    pub offered: Vec<String>,
    /// Codecs of this media in the answer.
    pub answered: Vec<String>,
}

/// The answer in short.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MediaAnswer {
    pub media: Vec<MediaCodecs>,
    /// ICE candidate types the answer carries (`host`, `srflx`, `prflx`, `relay`), once each.
    pub candidate_types: Vec<String>,
    /// `address:port` of each relay candidate (a TURN / media relay server).
    pub relays: Vec<String>,
}

impl MediaAnswer {
    /// One line for people: `audio PCMU of PCMU, G722 · video H264 · candidates host, relay · relay 192.0.2.1:3478`.
    pub fn line(&self) -> String {
        let mut parts: Vec<String> = self
            .media
            .iter()
            .map(|m| {
                let answered = if m.answered.is_empty() {
                    "refused".to_string()
                } else {
                    m.answered.join(", ")
                };
                if m.offered.is_empty() {
                    format!("{} {answered}", m.media)
                } else {
                    format!("{} {answered} (offered {})", m.media, m.offered.join(", "))
                }
            })
            .collect();
        if self.candidate_types.is_empty() {
            parts.push("no ICE candidates".into());
        } else {
            parts.push(format!("candidates {}", self.candidate_types.join(", ")));
        }
        if !self.relays.is_empty() {
            parts.push(format!("relay {}", self.relays.join(", ")));
        }
        parts.join(" · ")
    }
}

/// The text of a `data:` URI (RFC 2397): base64 or percent-encoded. `None` if it is not one.
pub fn decode_data_uri(href: &str) -> Option<String> {
    let href = href.trim();
    if !href.get(..5)?.eq_ignore_ascii_case("data:") {
        return None;
    }
    let (meta, data) = href[5..].split_once(',')?;
    let base64 = meta
        .split(';')
        .any(|p| p.trim().eq_ignore_ascii_case("base64"));
    let bytes = if base64 {
        let cleaned: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(&cleaned)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&cleaned))
            .ok()?
    } else {
        percent_decode(data)
    };
    String::from_utf8(bytes).ok()
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%')
            .then(|| b.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    out
}

/// Codecs per media line of an SDP text (every part of a multipart body counts; a media
/// seen twice keeps its first codecs). Static payload types without `a=rtpmap` get their
/// RFC 3551 names.
fn codecs(sdp: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for line in sdp.lines().map(str::trim) {
        if let Some(m) = line.strip_prefix("m=") {
            let mut words = m.split_whitespace();
            let media = words.next().unwrap_or_default().to_string();
            let payloads: Vec<String> = words.skip(2).map(str::to_string).collect();
            out.push((media, payloads, Vec::new()));
        } else if let Some(map) = line.strip_prefix("a=rtpmap:") {
            if let (Some(last), Some((pt, name))) = (out.last_mut(), map.split_once(' ')) {
                let name = name.split('/').next().unwrap_or_default().to_string();
                if last.1.iter().any(|p| p == pt) && !last.2.contains(&name) {
                    last.2.push(name);
                }
            }
        }
    }
    let mut result: Vec<(String, Vec<String>)> = Vec::new();
    for (media, payloads, mut names) in out {
        for pt in &payloads {
            let fixed = match pt.as_str() {
                "0" => "PCMU",
                "8" => "PCMA",
                "9" => "G722",
                "18" => "G729",
                _ => continue,
            };
            if !names.iter().any(|n| n.eq_ignore_ascii_case(fixed)) {
                names.push(fixed.to_string());
            }
        }
        if !result.iter().any(|(m, _)| *m == media) {
            result.push((media, names));
        }
    }
    result
}

/// Summarises `answer` (SDP text) against `offer` (the SDP sent, if any).
pub fn summarise(answer: &str, offer: Option<&str>) -> MediaAnswer {
    let offered = offer.map(codecs).unwrap_or_default();
    let media = codecs(answer)
        .into_iter()
        .map(|(media, answered)| MediaCodecs {
            offered: offered
                .iter()
                .find(|(m, _)| *m == media)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            media,
            answered,
        })
        .collect();
    let mut candidate_types = Vec::new();
    let mut relays = Vec::new();
    for line in answer.lines().map(str::trim) {
        // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
        let Some(c) = line.strip_prefix("a=candidate:") else {
            continue;
        };
        let words: Vec<&str> = c.split_whitespace().collect();
        let Some(kind) = words
            .iter()
            .position(|w| *w == "typ")
            .and_then(|i| words.get(i + 1))
        else {
            continue;
        };
        if !candidate_types.iter().any(|t: &String| t == kind) {
            candidate_types.push(kind.to_string());
        }
        if *kind == "relay" {
            if let (Some(addr), Some(port)) = (words.get(4), words.get(5)) {
                let relay = format!("{addr}:{port}");
                if !relays.contains(&relay) {
                    relays.push(relay);
                }
            }
        }
    }
    MediaAnswer {
        media,
        candidate_types,
        relays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\nm=audio 5000 RTP/AVP 114 9 0 101\r\na=rtpmap:114 x-msrta/16000\r\na=rtpmap:101 telephone-event/8000\r\nm=video 5002 RTP/AVP 122\r\na=rtpmap:122 X-H264UC/90000\r\n";
    const ANSWER: &str = "v=0\r\nm=audio 3478 RTP/AVP 0 101\r\na=candidate:1 1 UDP 2130706431 10.0.0.9 50010 typ host\r\na=candidate:2 1 UDP 16648703 192.0.2.10 3478 typ relay raddr 10.0.0.9 rport 50010\r\na=rtpmap:101 telephone-event/8000\r\nm=video 0 RTP/AVP 122\r\n";

    #[test]
    fn codecs_candidates_and_relays_are_summarised() {
        let a = summarise(ANSWER, Some(OFFER));
        assert_eq!(a.media[0].media, "audio");
        assert_eq!(
            a.media[0].offered,
            ["x-msrta", "telephone-event", "G722", "PCMU"]
        );
        assert_eq!(a.media[0].answered, ["telephone-event", "PCMU"]);
        assert_eq!(a.media[1].offered, ["X-H264UC"]);
        assert!(a.media[1].answered.is_empty());
        assert_eq!(a.candidate_types, ["host", "relay"]);
        assert_eq!(a.relays, ["192.0.2.10:3478"]);
        assert_eq!(
            a.line(),
            "audio telephone-event, PCMU (offered x-msrta, telephone-event, G722, PCMU) · video refused (offered X-H264UC) · candidates host, relay · relay 192.0.2.10:3478"
        );
    }

    #[test]
    fn data_uris_decode_in_both_forms() {
        let uri = format!(
            "data:application/sdp;base64,{}",
            base64::engine::general_purpose::STANDARD.encode("v=0\r\n")
        );
        assert_eq!(decode_data_uri(&uri).as_deref(), Some("v=0\r\n"));
        assert_eq!(
            decode_data_uri("data:application/sdp,v%3D0%0D%0A").as_deref(),
            Some("v=0\r\n")
        );
        assert_eq!(decode_data_uri("https://x/y"), None);
    }
}
