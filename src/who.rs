//! `avlaunch who TEXT`: directory search with each match's presence (DESIGN.md "Next";
//! PROTOCOL.md §k). Signs in, creates an application, GETs `search`, reads every match's
//! `contactPresence` (at most `people::PRESENCE_CONCURRENCY` at a time), prints, and deletes
//! the application on every way out (a signal included).
//!
//! Exit codes: 0 at least one match, 1 none, 2 invalid input, 3 a server or network error
//! (search not offered or not allowed included), 130 interrupted.

use std::io::Write;

use serde_json::json;
use unicode_width::UnicodeWidthStr;

use crate::cli::{ListOutput, Output, ServerArgs, WhoArgs};
use crate::headless::Signals;
use crate::input::{self, Problem};
use crate::sanitize::{escape_json_text, sanitize};
use crate::settings::{self, Prompt, Settings, Target};
use crate::ucwa::people::{self, Contact, Presence, Reachability};
use crate::ucwa::session::{self, Connection, Session};
use crate::ucwa::{discover, UcwaError};

/// The exit code of an interrupted search (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The query as sent: `text` trimmed, 1–`people::QUERY_MAX_CHARS` characters.
pub fn query(text: &str) -> Result<&str, Problem> {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if count == 0 {
        return Err(Problem::new(
            "TEXT",
            "is empty: give part of a name, an e-mail address, a SIP URI or a phone number",
        ));
    }
    if count > people::QUERY_MAX_CHARS {
        return Err(Problem::new(
            "TEXT",
            format!(
                "is {count} characters long; at most {} are allowed",
                people::QUERY_MAX_CHARS
            ),
        ));
    }
    Ok(trimmed)
}

/// One match with its presence.
pub use crate::ucwa::people::Person as Match;

/// What a search ended with.
enum Ended {
    Found { matches: Vec<Match>, more: bool },
    Failed(String),
    Interrupted,
}

/// The whole command: checks the input, resolves the target (starting the built-in
/// simulator, configured by `sim_config`, when there is no server), searches, prints;
/// returns the exit code.
pub async fn command(
    server: &ServerArgs,
    args: &WhoArgs,
    sim_config: Result<crate::sim::SimConfig, Problem>,
) -> u8 {
    let report_as = match args.output {
        ListOutput::Text => Output::Text,
        ListOutput::Json => Output::Json,
    };
    let mut problems = input::server_options(server);
    let query = query(&args.text).map_err(|p| problems.push(p)).ok();
    let sim_config = match server.server.is_none() {
        true => sim_config.map_err(|p| problems.push(p)).ok(),
        false => None,
    };
    let Some(query) = query.filter(|_| problems.is_empty()) else {
        return invalid(&problems, args.output, report_as);
    };
    let (settings, target) = match Settings::resolve(server)
        .and_then(|s| settings::target(&s, Prompt::Terminal).map(|t| (s, t)))
    {
        Ok(t) => t,
        Err(e) => return invalid(&[Problem::from_text(&e)], args.output, report_as),
    };
    let _ = settings;
    match target {
        Target::Deployment(connection) => run(query, args.limit, args.output, connection).await,
        Target::Embedded { user, format } => {
            let handle = match crate::sim::start(sim_config.unwrap_or_default()).await {
                Ok(h) => h,
                Err(e) => {
                    let message = format!("cannot start the built-in simulator: {e}");
                    return finish(args.output, Ended::Failed(message));
                }
            };
            if args.output == ListOutput::Text {
                crate::errln!(
                    "avlaunch: no --server given: searching the built-in simulator at {}",
                    handle.url
                );
            }
            let connection = settings::embedded_connection(handle.url.clone(), user, format);
            let code = run(query, args.limit, args.output, connection).await;
            handle.shutdown().await;
            code
        }
    }
}

/// Invalid input: the problems on stderr, and with JSON a summary line (exit 2).
fn invalid(problems: &[Problem], output: ListOutput, report_as: Output) -> u8 {
    if output == ListOutput::Text {
        return input::report(problems, report_as, None);
    }
    for p in problems {
        crate::errln!("avlaunch: invalid input: {p}");
    }
    print_json(&invalid_summary(problems));
    2
}

/// The summary line of a search refused before anything was sent (exit 2):
/// `error.kind` is `InvalidInput`, `error.message` names each problem.
pub fn invalid_summary(problems: &[Problem]) -> serde_json::Value {
    let message = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    summary(0, false, 2, Some(("InvalidInput", &message)))
}

/// Signs in on `connection`, searches, prints; returns the exit code.
pub async fn run(query: &str, limit: u32, output: ListOutput, connection: Connection) -> u8 {
    let mut signals = Signals::new();
    let notice: crate::ucwa::client::NoticeSink = std::sync::Arc::new(|notice| {
        tracing::info!("{}", sanitize(&notice.to_string()));
    });
    let client = match session::new_client(&connection, std::sync::Arc::new(|_| {}), notice) {
        Ok(c) => c,
        Err(e) => return finish(output, Ended::Failed(e.to_string())),
    };
    // Staged, so a signal can stop each step. A search needs no event channel: a few GETs
    // keep the application alive, and not parking one saves a round trip.
    let open = async {
        let user = session::discover(&client, &connection).await?;
        let applications = discover::sign_in(&client, user).await?;
        Session::create(client.clone(), applications).await
    };
    let session = tokio::select! {
        s = open => match s {
            Ok(s) => s,
            Err(e) => return finish(output, Ended::Failed(e.to_string())),
        },
        _ = signals.next() => return finish(output, Ended::Interrupted),
    };
    let ended = tokio::select! {
        r = search(&session, query, limit) => r,
        _ = signals.next() => Ended::Interrupted,
    };
    // The application is deleted on every way out; a second signal stops waiting for it.
    tokio::select! {
        closed = session.close() => if let Err(e) = closed {
            let why = e.map(|e| e.to_string()).unwrap_or_else(|| "no answer in time".into());
            crate::errln!("avlaunch: warning: the application could not be deleted: {}", sanitize(&why));
        },
        _ = signals.next() => {}
    }
    finish(output, ended)
}

/// The search and every match's presence.
async fn search(session: &Session, query: &str, limit: u32) -> Ended {
    let warn = |_: &Contact, e: UcwaError| {
        crate::errln!("avlaunch: warning: {}", sanitize(&e.to_string()));
    };
    match people::search_with_presence(session, query, limit, warn).await {
        Ok((matches, more)) => Ended::Found { matches, more },
        Err(e) => Ended::Failed(e.to_string()),
    }
}

fn summary(
    count: usize,
    more: bool,
    exit_code: u8,
    error: Option<(&str, &str)>,
) -> serde_json::Value {
    let mut line = json!({"type": "summary", "count": count, "more": more, "exit_code": exit_code});
    if let Some((kind, message)) = error {
        line["error"] = json!({"kind": kind, "message": message});
    }
    line
}

fn print_json(value: &serde_json::Value) {
    let text = value.to_string();
    crate::outln!("{}", escape_json_text(&text));
}

/// Prints the outcome the way `output` promises; returns the exit code.
fn finish(output: ListOutput, ended: Ended) -> u8 {
    match ended {
        Ended::Found { matches, more } => {
            let code = if matches.is_empty() { 1 } else { 0 };
            match output {
                ListOutput::Json => {
                    for m in &matches {
                        print_json(&contact_line(m));
                    }
                    print_json(&summary(matches.len(), more, code, None));
                }
                ListOutput::Text => {
                    let mut out = std::io::stdout().lock();
                    for row in text_rows(&matches, crate::headless::colour_wanted()) {
                        let _ = writeln!(out, "{row}");
                    }
                    let _ = out.flush();
                    drop(out);
                    match (matches.len(), more) {
                        (0, _) => crate::errln!("avlaunch: nobody matches"),
                        (n, true) => crate::errln!(
                            "avlaunch: {n} shown; more match (raise --limit or narrow the search)"
                        ),
                        _ => {}
                    }
                }
            }
            code
        }
        Ended::Failed(message) => {
            let message = sanitize(&message).into_owned();
            crate::errln!("avlaunch: {message}");
            if output == ListOutput::Json {
                print_json(&summary(0, false, 3, Some(("Server", &message))));
            }
            3
        }
        Ended::Interrupted => {
            crate::errln!("avlaunch: interrupted: the application was deleted");
            if output == ListOutput::Json {
                print_json(&summary(
                    0,
                    false,
                    EXIT_INTERRUPTED,
                    Some(("Interrupted", "interrupted")),
                ));
            }
            EXIT_INTERRUPTED
        }
    }
}

/// `{"type":"contact",…}`: absent fields left out; `availability` as the server sent it.
pub fn contact_line(m: &Match) -> serde_json::Value {
    let mut line = serde_json::Map::new();
    line.insert("type".into(), json!("contact"));
    let c = &m.contact;
    for (key, value) in [
        ("name", c.name.as_ref()),
        ("uri", c.uri.as_ref()),
        ("title", c.title.as_ref()),
        ("department", c.department.as_ref()),
        ("email", c.emails.first()),
    ] {
        if let Some(v) = value {
            line.insert(key.into(), json!(v));
        }
    }
    if let Some(a) = m.presence.as_ref().and_then(|p| p.availability.as_ref()) {
        line.insert("availability".into(), json!(a.as_str()));
    }
    serde_json::Value::Object(line)
}

/// How a presence reads in a row: the mark's words, or the server's own value when it is
/// not one of the documented ones, or `-` when unknown.
pub fn availability_words(presence: Option<&Presence>) -> String {
    match presence.and_then(|p| p.availability.as_ref()) {
        Some(a) => match a.reachability() {
            Some(r) => r.words().to_string(),
            None => sanitize(a.as_str()).into_owned(),
        },
        None => "-".into(),
    }
}

/// The ANSI colour of a mark (green, red, purple-red, yellow, grey).
fn ansi(r: Reachability) -> &'static str {
    match r {
        Reachability::Available => "\x1b[32m",
        Reachability::Busy => "\x1b[31m",
        Reachability::DoNotDisturb => "\x1b[1;31m",
        Reachability::Away => "\x1b[33m",
        Reachability::Offline => "\x1b[90m",
    }
}

/// The text rows, columns aligned: name, SIP URI, title, department, availability. Every
/// server-written field goes through `sanitize`.
pub fn text_rows(matches: &[Match], colour: bool) -> Vec<String> {
    let cells: Vec<[String; 4]> = matches
        .iter()
        .map(|m| {
            let c = &m.contact;
            let f = |v: &Option<String>| sanitize(v.as_deref().unwrap_or("-")).into_owned();
            [f(&c.name), f(&c.uri), f(&c.title), f(&c.department)]
        })
        .collect();
    let mut widths = [0usize; 4];
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    cells
        .iter()
        .zip(matches)
        .map(|(row, m)| {
            let mut line = String::new();
            for (cell, w) in row.iter().zip(widths) {
                line.push_str(cell);
                line.push_str(&" ".repeat(w - cell.width() + 2));
            }
            let words = availability_words(m.presence.as_ref());
            let mark = m.reachability();
            match (colour, mark) {
                (true, Some(r)) => line.push_str(&format!("{}{words}\x1b[0m", ansi(r))),
                _ => line.push_str(&words),
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::people::Availability;

    fn m(name: &str, title: Option<&str>, availability: Option<&str>) -> Match {
        Match {
            contact: Contact {
                name: Some(name.into()),
                uri: Some(format!("sip:{}@contoso.com", name.to_lowercase())),
                title: title.map(Into::into),
                ..Default::default()
            },
            presence: availability.map(|a| Presence {
                availability: Some(Availability::parse(a)),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn the_query_is_trimmed_and_bounded() {
        assert_eq!(query("  alex \t").unwrap(), "alex");
        assert!(query(" \n ").is_err());
        assert!(query(&"é".repeat(256)).is_ok());
        assert!(query(&"é".repeat(257)).is_err());
        assert!(query(&format!("  {}  ", "a".repeat(256))).is_ok());
    }

    #[test]
    fn rows_align_and_show_presence_in_words_without_colour() {
        let rows = text_rows(
            &[
                m("Al", Some("CEO"), Some("Online")),
                m("Bartholomew", None, Some("DoNotDisturb")),
                m("Cy", None, None),
            ],
            false,
        );
        assert_eq!(
            rows[0],
            "Al           sip:al@contoso.com           CEO  -  Available"
        );
        assert!(rows[1].ends_with("Do not disturb"), "{}", rows[1]);
        assert!(rows[2].ends_with("  -"), "{}", rows[2]);
    }

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        let rows = text_rows(
            &[m("Eve\u{1b}[2J\u{202e}", None, Some("\u{1b}]52;c;x\u{7}"))],
            true,
        );
        assert!(!rows[0].contains("\u{1b}]") && !rows[0].contains("\u{202e}"));
        assert!(!rows[0].contains("\u{1b}[2J"));
    }

    #[test]
    fn absent_fields_are_left_out_of_the_json_line() {
        let line = contact_line(&m("Al", None, None));
        assert_eq!(
            line,
            json!({"type": "contact", "name": "Al", "uri": "sip:al@contoso.com"})
        );
        let line = contact_line(&m("Al", Some("CEO"), Some("Away")));
        assert_eq!(line["availability"], "Away");
        assert_eq!(line["title"], "CEO");
    }
}
