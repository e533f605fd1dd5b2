//! The wire log as lines of text: each exchange in full, headers and pretty-printed bodies.
//! Built once per exchange as it arrives (not per frame), so scrolling costs only the rows shown.

use std::time::SystemTime;

use crate::secret::redact_cwt;
use crate::ucwa::transport::WireRecord;

use super::ladder::{offset_text, status_text};

/// What a line is, which decides its style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// `━━ #3 POST …`.
    Title,
    /// `▶ request` / `◀ response 201 Created`.
    Section,
    Header,
    Body,
    Error,
    Blank,
}

/// Every exchange's lines, and where each exchange starts.
#[derive(Clone, Debug, Default)]
pub struct WireDoc {
    pub lines: Vec<(LineKind, String)>,
    /// Index into `lines` of each exchange's title.
    pub starts: Vec<usize>,
}

/// Columns a wrapped line's continuation rows are indented by.
pub const CONTINUATION_INDENT: usize = 4;

/// `line` cut into rows of at most `width` columns: the first row as is, the rest indented
/// by `CONTINUATION_INDENT` (the indent is not part of the returned text).
pub fn wrap_line(line: &str, width: usize) -> Vec<&str> {
    let width = width.max(CONTINUATION_INDENT + 8);
    let first = super::text::chop(line, width);
    let Some(head) = first.first().copied() else {
        return vec![line];
    };
    let mut rows = vec![head];
    let rest = &line[head.len()..];
    if !rest.is_empty() {
        rows.extend(super::text::chop(rest, width - CONTINUATION_INDENT));
    }
    rows
}

impl WireDoc {
    /// The largest first line that still fills `rows` rows of `width` columns to the end
    /// (long lines wrap), so that scrolling stops with the last line at the bottom.
    pub fn max_top(&self, width: usize, rows: usize) -> usize {
        let mut used = 0;
        for (i, (_, line)) in self.lines.iter().enumerate().rev() {
            used += wrap_line(line, width).len();
            if used > rows {
                return (i + 1).min(self.lines.len().saturating_sub(1));
            }
        }
        0
    }

    pub fn push(&mut self, record: &WireRecord, origin: SystemTime) {
        self.starts.push(self.lines.len());
        let offset = record.started.duration_since(origin).unwrap_or_default();
        let outcome = match record.status {
            Some(s) => format!("{s} {}", status_text(s)),
            None => "no response".to_string(),
        };
        self.lines.push((
            LineKind::Title,
            format!(
                "━━ #{} {} {} → {} · {} ms · {}",
                record.seq,
                record.method,
                record.url,
                outcome,
                record.elapsed.as_millis(),
                offset_text(offset)
            ),
        ));
        self.lines.push((LineKind::Section, "▶ request".into()));
        self.headers(&record.request_headers);
        self.body(record.request_body.as_deref(), &record.request_headers);
        match record.status {
            Some(_) => {
                self.lines
                    .push((LineKind::Section, format!("◀ response {outcome}")));
                self.headers(&record.response_headers);
                self.body(record.response_body.as_deref(), &record.response_headers);
            }
            None => self.lines.push((
                LineKind::Error,
                format!(
                    "✗ no response: {}",
                    redact_cwt(record.error.as_deref().unwrap_or("unknown error"))
                ),
            )),
        }
        self.lines.push((LineKind::Blank, String::new()));
    }

    fn headers(&mut self, headers: &[(String, String)]) {
        for (name, value) in headers {
            self.lines
                .push((LineKind::Header, format!("  {name}: {}", redact_cwt(value))));
        }
    }

    fn body(&mut self, body: Option<&str>, headers: &[(String, String)]) {
        let Some(body) = body.filter(|b| !b.is_empty()) else {
            return;
        };
        self.lines.push((LineKind::Blank, String::new()));
        let content_type = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        let pretty = pretty_body(&redact_cwt(body), &content_type);
        for line in pretty.lines() {
            self.lines.push((LineKind::Body, format!("  {line}")));
        }
    }
}

/// JSON pretty printed (key order kept), XML indented; anything else as it came.
pub fn pretty_body(body: &str, content_type: &str) -> String {
    let trimmed = body.trim_start();
    if content_type.contains("json") || trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            if let Ok(text) = serde_json::to_string_pretty(&value) {
                // Re-serializing turns `\u009b` escapes back into raw characters.
                return crate::sanitize::escape_json_text(&text).into_owned();
            }
        }
    }
    if content_type.contains("xml") || trimmed.starts_with('<') {
        if let Some(text) = indent_xml(body) {
            return text;
        }
    }
    body.to_string()
}

fn indent_xml(body: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(body);
    reader.config_mut().trim_text(true);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    loop {
        match reader.read_event().ok()? {
            Event::Eof => break,
            event => writer.write_event(event).ok()?,
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn json_and_xml_bodies_are_indented() {
        assert_eq!(
            pretty_body("{\"b\":1,\"a\":[2]}", "application/json"),
            "{\n  \"b\": 1,\n  \"a\": [\n    2\n  ]\n}"
        );
        let xml = pretty_body("<a><b x=\"1\">t</b><c/></a>", "application/xml");
        assert_eq!(xml, "<a>\n  <b x=\"1\">t</b>\n  <c/>\n</a>");
        assert_eq!(pretty_body("not json {", "application/json"), "not json {");
    }

    #[test]
    fn exchanges_are_laid_out_with_redacted_headers() {
        let origin = UNIX_EPOCH + Duration::from_secs(100);
        let record = WireRecord {
            seq: 4,
            started: origin + Duration::from_millis(250),
            elapsed: Duration::from_millis(9),
            method: "GET".into(),
            url: "http://h/x".into(),
            request_headers: vec![("Authorization".into(), "Bearer cwt=SECRET".into())],
            request_body: None,
            status: Some(200),
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: Some("{\"a\":1}".into()),
            error: None,
        };
        let mut doc = WireDoc::default();
        doc.push(&record, origin);
        doc.push(&record, origin);
        assert_eq!(doc.starts, [0, 10]);
        let text: Vec<&str> = doc.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(text[0], "━━ #4 GET http://h/x → 200 OK · 9 ms · +0.250s");
        assert_eq!(text[2], "  Authorization: Bearer cwt=***");
        assert_eq!(
            &text[4..9],
            [
                "  Content-Type: application/json",
                "",
                "  {",
                "    \"a\": 1",
                "  }"
            ]
        );
    }
}
