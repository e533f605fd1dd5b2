//! HAR 1.2 export of a call's wire log: every HTTP exchange as an entry that browsers'
//! network panels and HAR viewers open. Used by the TUI's export key and `avlaunch call --har`.
//!
//! Records are redacted when made; headers and bodies still pass through `redact_cwt` here, so
//! a token can never reach a file that is meant to be shared.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::secret::redact_cwt;
use crate::ucwa::transport::WireRecord;

/// The HAR document for `records`, in order. `creator_version` is avlaunch's version.
pub fn to_har(records: &[WireRecord], creator_version: &str) -> Value {
    // HAR lists entries in the order requests started (HAR 1.2 §entries), not as they ended.
    let mut ordered: Vec<&WireRecord> = records.iter().collect();
    ordered.sort_by_key(|r| (r.started, r.seq));
    let entries: Vec<Value> = ordered.into_iter().map(entry).collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "avlaunch", "version": creator_version },
            "entries": entries,
        }
    })
}

/// Writes `to_har(records)` to `path`, pretty printed.
pub fn write_har(path: &Path, records: &[WireRecord]) -> std::io::Result<()> {
    let har = to_har(records, env!("CARGO_PKG_VERSION"));
    let mut text = serde_json::to_string_pretty(&har).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}

fn entry(record: &WireRecord) -> Value {
    let wait = millis(record.elapsed);
    let request_body = record.request_body.as_deref().map(redact_cwt);
    let response_body = record.response_body.as_deref().map(redact_cwt);
    let mut request = json!({
        "method": record.method,
        "url": record.url,
        "httpVersion": "HTTP/1.1",
        "headers": headers(&record.request_headers),
        "queryString": query_string(&record.url),
        "cookies": [],
        "headersSize": -1,
        "bodySize": request_body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(text) = request_body {
        request["postData"] = json!({
            "mimeType": header(&record.request_headers, "content-type").unwrap_or(""),
            "text": text,
        });
    }
    let status = record.status.unwrap_or(0);
    let mut entry = json!({
        "startedDateTime": iso8601(record.started),
        "time": wait,
        "request": request,
        "response": {
            "status": status,
            "statusText": status_text(status),
            "httpVersion": if record.status.is_some() { "HTTP/1.1" } else { "" },
            "headers": headers(&record.response_headers),
            "cookies": [],
            "content": {
                "size": response_body.as_ref().map_or(0, |b| b.len()),
                "mimeType": header(&record.response_headers, "content-type").unwrap_or("x-unknown"),
                "text": response_body.unwrap_or_default(),
            },
            "redirectURL": header(&record.response_headers, "location").unwrap_or(""),
            "headersSize": -1,
            "bodySize": record.response_body.as_ref().map_or(-1, |b| b.len() as i64),
        },
        "cache": {},
        "timings": { "send": 0.0, "wait": wait, "receive": 0.0 },
        "comment": format!("exchange #{}", record.seq),
    });
    // HAR has no field for "no response"; custom fields start with an underscore.
    if let Some(error) = &record.error {
        entry["_error"] = Value::String(redact_cwt(error));
    }
    entry
}

fn headers(list: &[(String, String)]) -> Vec<Value> {
    list.iter()
        .map(|(name, value)| json!({ "name": name, "value": redact_cwt(value) }))
        .collect()
}

fn header<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query_string(url: &str) -> Vec<Value> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| json!({ "name": name, "value": redact_cwt(&value) }))
                .collect()
        })
        .unwrap_or_default()
}

fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// The UTC calendar fields of `t`: (year, month, day, hour, minute, second, millisecond).
pub(crate) fn utc_fields(t: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil: exact for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem / 60 % 60) as u32,
        (rem % 60) as u32,
        since.subsec_millis(),
    )
}

/// `2024-05-01T09:30:00.123Z`.
pub fn iso8601(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, ms) = utc_fields(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> WireRecord {
        WireRecord {
            seq: 1,
            started: UNIX_EPOCH + Duration::from_millis(1_714_555_800_123),
            elapsed: Duration::from_micros(12_345),
            method: "POST".into(),
            url: "http://127.0.0.1:4000/ucwa/oauth/v1/applications?ack=2&x=y".into(),
            request_headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Authorization".into(), "Bearer cwt=AAAsecret".into()),
            ],
            request_body: Some("{\"userAgent\":\"avlaunch\"}".into()),
            status: Some(201),
            response_headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Location".into(), "/ucwa/oauth/v1/applications/1".into()),
            ],
            response_body: Some("{}".into()),
            error: None,
        }
    }

    #[test]
    fn entries_are_in_the_order_requests_started() {
        let mut poll = record();
        poll.seq = 2;
        poll.elapsed = Duration::from_secs(5);
        let mut later = record();
        later.seq = 3;
        later.started += Duration::from_millis(10);
        // Recorded as they ended: the quick request first, the long poll last.
        let har = to_har(&[later, poll], "0");
        let seqs: Vec<&str> = har["log"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["startedDateTime"].as_str().unwrap())
            .collect();
        assert!(seqs[0] < seqs[1], "{seqs:?}");
    }

    #[test]
    fn iso8601_is_utc_with_milliseconds() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso8601(UNIX_EPOCH + Duration::from_millis(1_714_555_800_123)),
            "2024-05-01T09:30:00.123Z"
        );
        assert_eq!(
            iso8601(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn entries_have_every_required_har_field() {
        let har = to_har(&[record()], "9.9.9");
        let log = &har["log"];
        assert_eq!(log["version"], "1.2");
        assert_eq!(log["creator"]["name"], "avlaunch");
        assert_eq!(log["creator"]["version"], "9.9.9");
        let e = &log["entries"][0];
        assert_eq!(e["startedDateTime"], "2024-05-01T09:30:00.123Z");
        assert_eq!(e["time"], 12.345);
        let req = &e["request"];
        for key in [
            "method",
            "url",
            "httpVersion",
            "headers",
            "queryString",
            "cookies",
            "headersSize",
            "bodySize",
        ] {
            assert!(!req[key].is_null(), "request.{key}");
        }
        assert_eq!(req["queryString"][0], json!({"name": "ack", "value": "2"}));
        assert_eq!(req["postData"]["mimeType"], "application/json");
        assert_eq!(req["headers"][1]["value"], "Bearer cwt=***");
        let resp = &e["response"];
        assert_eq!(resp["status"], 201);
        assert_eq!(resp["statusText"], "Created");
        assert_eq!(resp["content"]["text"], "{}");
        assert_eq!(resp["content"]["size"], 2);
        assert_eq!(resp["redirectURL"], "/ucwa/oauth/v1/applications/1");
        for key in ["cookies", "headersSize", "bodySize", "httpVersion"] {
            assert!(!resp[key].is_null(), "response.{key}");
        }
        assert_eq!(e["timings"]["wait"], 12.345);
        assert!(e["cache"].is_object());
    }

    #[test]
    fn a_request_without_response_keeps_its_error() {
        let mut r = record();
        r.status = None;
        r.response_headers.clear();
        r.response_body = None;
        r.request_body = None;
        r.error = Some("connection refused".into());
        let har = to_har(&[r], "1");
        let e = &har["log"]["entries"][0];
        assert_eq!(e["response"]["status"], 0);
        assert_eq!(e["_error"], "connection refused");
        assert!(e["request"].get("postData").is_none());
        assert_eq!(e["response"]["content"]["mimeType"], "x-unknown");
    }

    #[test]
    fn write_har_writes_parseable_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("call.har");
        write_har(&path, &[record()]).unwrap();
        let back: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(back["log"]["entries"].as_array().unwrap().len(), 1);
    }
}
