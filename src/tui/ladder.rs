//! The call as a sequence diagram, client on the left, server on the right: one row per
//! request, per response and per event, in time order, like sngrep draws a SIP dialog.
//! Pure: the TUI's ladder pane and the text export (`ladder_text`) draw the same rows.

use std::time::{Duration, SystemTime};

use crate::call::{EventNote, OperationStatus};
use crate::ucwa::transport::WireRecord;

/// Which way a row's arrow points, and how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// Client to server: method and path.
    Request,
    /// Server to client: status and time.
    Response,
    /// The request got no answer (transport error).
    NoResponse,
    /// Server to client on the event channel.
    Event,
}

/// One row of the diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LadderRow {
    /// Since the first request or event of the call.
    pub offset: Duration,
    pub kind: RowKind,
    pub label: String,
    /// The exchange this row belongs to (an index into the records), for jumping to the wire log.
    pub record: Option<usize>,
    /// The event this row draws (an index into the events).
    pub event: Option<usize>,
    /// A 4xx/5xx, a transport error or a failed event: drawn as an error.
    pub failed: bool,
}

/// Every row for `records` and `events`, in time order; a request sorts at its start, its
/// response at its end, so a long poll that spans other exchanges is drawn as it happened.
pub fn ladder_rows(records: &[WireRecord], events: &[EventNote]) -> Vec<LadderRow> {
    let origin = records
        .iter()
        .map(|r| r.started)
        .chain(events.iter().map(|e| e.at))
        .min()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let since = |t: SystemTime| t.duration_since(origin).unwrap_or_default();
    // (time, tie-break, row): a response sorts before the events it carried.
    let mut rows: Vec<(Duration, u8, LadderRow)> =
        Vec::with_capacity(records.len() * 2 + events.len());
    for (index, r) in records.iter().enumerate() {
        rows.push((
            since(r.started),
            0,
            LadderRow {
                offset: since(r.started),
                kind: RowKind::Request,
                label: format!("{} {}", r.method, path_of(&r.url)),
                record: Some(index),
                event: None,
                failed: false,
            },
        ));
        let end = since(r.started + r.elapsed);
        let ms = r.elapsed.as_millis();
        let row = match r.status {
            Some(status) => LadderRow {
                offset: end,
                kind: RowKind::Response,
                label: format!("{status} {} · {ms} ms", status_text(status)),
                record: Some(index),
                event: None,
                failed: status >= 400,
            },
            None => LadderRow {
                offset: end,
                kind: RowKind::NoResponse,
                label: format!(
                    "no response: {} · {ms} ms",
                    r.error.as_deref().unwrap_or("unknown error")
                ),
                record: Some(index),
                event: None,
                // Given up on purpose when the call ended (the parked long poll): no fault.
                failed: r.error.as_deref() != Some(crate::ucwa::transport::ABANDONED),
            },
        };
        rows.push((end, 1, row));
    }
    for (index, e) in events.iter().enumerate() {
        rows.push((
            since(e.at),
            2,
            LadderRow {
                offset: since(e.at),
                kind: RowKind::Event,
                label: format!("event {}", event_summary(e)),
                record: None,
                event: Some(index),
                failed: e.status == Some(OperationStatus::Failure),
            },
        ));
    }
    rows.sort_by_key(|(t, tie, _)| (*t, *tie));
    let mut rows: Vec<LadderRow> = rows.into_iter().map(|(_, _, row)| row).collect();
    // A response that does not follow its own request (a long poll answered after other
    // exchanges) names the request it answers.
    let mut previous: Option<(RowKind, Option<usize>)> = None;
    for row in &mut rows {
        if row.kind == RowKind::Event {
            continue;
        }
        let answers = matches!(row.kind, RowKind::Response | RowKind::NoResponse);
        if answers && previous != Some((RowKind::Request, row.record)) {
            if let Some(r) = row.record.and_then(|i| records.get(i)) {
                let path = path_of(&r.url);
                let last = path.rsplit('/').next().unwrap_or(&path);
                row.label = format!("{} · for {} …/{last}", row.label, r.method);
            }
        }
        previous = Some((row.kind, row.record));
    }
    rows
}

/// `communication · audioVideoInvitation completed Failure (Declined/None: …)`.
pub fn event_summary(e: &EventNote) -> String {
    let mut s = format!("{} · {} {}", e.sender, e.rel, e.kind);
    if let Some(state) = &e.state {
        s.push_str(&format!(" [{state}]"));
    }
    if let Some(status) = &e.status {
        s.push(' ');
        s.push_str(status.as_str());
    }
    if let Some(reason) = &e.reason {
        s.push_str(&format!(" ({}", reason.code));
        if let Some(sub) = &reason.subcode {
            s.push_str(&format!("/{sub}"));
        }
        if let Some(m) = &reason.message {
            s.push_str(&format!(": {m}"));
        }
        s.push(')');
    }
    s
}

/// The path and query of `url`, or `url` itself when it does not parse.
pub fn path_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// The reason phrase of an HTTP status, or "" when unknown.
pub fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `+1.234s`.
pub fn offset_text(d: Duration) -> String {
    format!("+{}.{:03}s", d.as_secs(), d.subsec_millis())
}

/// The arrow between the two lifelines, exactly `width` characters wide.
pub fn arrow(kind: RowKind, label: &str, width: usize) -> String {
    let parts = arrow_parts(kind, label, width);
    let mut s = String::with_capacity(width * 3);
    s.push_str(&parts.head);
    s.extend(std::iter::repeat_n(parts.fill, parts.fill_count));
    s.push_str(parts.tail);
    s
}

/// An arrow as drawn: `head` (left end and label), then `fill_count` times `fill`, then
/// `tail`. The ladder pane writes the fill cell by cell, which is much cheaper than
/// segmenting a long string of box-drawing characters on every frame.
pub struct ArrowParts {
    pub head: String,
    pub fill: char,
    pub fill_count: usize,
    pub tail: &'static str,
}

pub fn arrow_parts(kind: RowKind, label: &str, width: usize) -> ArrowParts {
    let (left, fill, right) = match kind {
        RowKind::Request => ("─", '─', "▶"),
        RowKind::Response => ("◀", '─', "─"),
        RowKind::NoResponse => ("✗", '─', "─"),
        RowKind::Event => ("◀", '┄', "┄"),
    };
    if width < 8 {
        let mut s: String = std::iter::repeat_n(fill, width.saturating_sub(1)).collect();
        s.insert_str(0, if right == "▶" { "" } else { left });
        if right == "▶" {
            s.push('▶');
        }
        return ArrowParts {
            head: s.chars().take(width).collect(),
            fill,
            fill_count: 0,
            tail: "",
        };
    }
    // left head, two fill, space, label, space, fill…, right head
    let room = width - 6;
    let label = truncate(label, room);
    let used = 1 + 2 + 1 + super::text::width(&label) + 1 + 1;
    let mut head = String::with_capacity(label.len() + 12);
    head.push_str(left);
    head.push(fill);
    head.push(fill);
    head.push(' ');
    head.push_str(&label);
    head.push(' ');
    ArrowParts {
        head,
        fill,
        fill_count: width - used,
        tail: right,
    }
}

/// At most `max` columns of the terminal, ending in `…` when cut (see `text::truncate`).
pub fn truncate(s: &str, max: usize) -> String {
    super::text::truncate(s, max)
}

const TEXT_ARROW_WIDTH: usize = 76;

/// The whole diagram as plain text, for `avlaunch-<time>-ladder.txt` and for scripts.
pub fn ladder_text(records: &[WireRecord], events: &[EventNote]) -> String {
    let rows = ladder_rows(records, events);
    let mut out = String::with_capacity((rows.len() + 2) * (TEXT_ARROW_WIDTH + 24));
    out.push_str(&format!(
        "{:>10}  {:<w$}{}\n",
        "",
        "client",
        "server",
        w = TEXT_ARROW_WIDTH - 4
    ));
    for row in &rows {
        out.push_str(&format!(
            "{:>10}  │{}│{}\n",
            offset_text(row.offset),
            arrow(row.kind, &row.label, TEXT_ARROW_WIDTH),
            if row.failed { " !" } else { "" }
        ));
    }
    if rows.is_empty() {
        out.push_str("            (no requests yet)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_000_000 + ms)
    }

    fn rec(
        seq: u64,
        start: u64,
        took: u64,
        method: &str,
        path: &str,
        status: Option<u16>,
    ) -> WireRecord {
        WireRecord {
            seq,
            started: at(start),
            elapsed: Duration::from_millis(took),
            method: method.into(),
            url: format!("http://127.0.0.1:4000{path}"),
            request_headers: vec![],
            request_body: None,
            status,
            response_headers: vec![],
            response_body: None,
            error: status.is_none().then(|| "connection reset".to_string()),
        }
    }

    fn event(ms: u64, kind: &str, status: Option<&str>) -> EventNote {
        EventNote {
            at: at(ms),
            sender: "communication".into(),
            kind: crate::call::EventKind::parse(kind),
            rel: "audioVideoInvitation".into(),
            href: "/inv/1".into(),
            state: None,
            status: status.map(OperationStatus::parse),
            reason: None,
        }
    }

    #[test]
    fn rows_follow_time_with_long_polls_spanning_other_exchanges() {
        let records = [
            rec(1, 0, 10, "POST", "/apps", Some(201)),
            rec(3, 30, 5, "POST", "/apps/1/startAudioVideo", Some(201)),
            rec(2, 20, 100, "GET", "/apps/1/events?ack=1", Some(200)),
        ];
        let events = [event(120, "started", None)];
        let rows = ladder_rows(&records, &events);
        let labels: Vec<_> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "POST /apps",
                "201 Created · 10 ms",
                "GET /apps/1/events?ack=1",
                "POST /apps/1/startAudioVideo",
                "201 Created · 5 ms",
                "200 OK · 100 ms · for GET …/events?ack=1",
                "event communication · audioVideoInvitation started",
            ]
        );
        assert_eq!(rows[5].offset, Duration::from_millis(120));
        assert_eq!(rows[5].record, Some(2));
    }

    #[test]
    fn arrows_fill_their_width() {
        for kind in [
            RowKind::Request,
            RowKind::Response,
            RowKind::Event,
            RowKind::NoResponse,
        ] {
            for width in [3, 8, 20, 76] {
                assert_eq!(
                    arrow(kind, "GET /a/very/long/path/indeed", width)
                        .chars()
                        .count(),
                    width
                );
            }
        }
        assert_eq!(arrow(RowKind::Request, "GET /x", 14), "─── GET /x ──▶");
        assert_eq!(arrow(RowKind::Response, "200", 12), "◀── 200 ────");
    }

    #[test]
    fn text_marks_failures() {
        let records = [
            rec(1, 0, 3, "POST", "/inv", Some(409)),
            rec(2, 5, 1, "GET", "/x", None),
        ];
        let text = ladder_text(&records, &[event(9, "completed", Some("Failure"))]);
        assert!(text.contains("409 Conflict · 3 ms"), "{text}");
        assert!(text.contains("no response: connection reset"), "{text}");
        assert_eq!(text.matches(" !\n").count(), 3, "{text}");
        assert!(ladder_text(&[], &[]).contains("no requests yet"));
    }
}
