//! `avlaunch who`: the real binary against the simulator over 127.0.0.1, in both wire
//! formats; exit codes 0 (matches), 1 (none), 2 (invalid input), 3 (search not offered,
//! server unreachable); the application deleted every time.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use avlaunch::sim::{Faults, SimConfig, SimHandle};
use common::{fast_config, home_env, output, seen, start_sim, text, PASSWORD};
use serde_json::Value;

fn who(server: &str, args: &[&str]) -> Command {
    let mut cmd = common::avlaunch();
    cmd.arg("who")
        .args(args)
        .args(["--server", server, "--user", "tester@contoso.com"])
        .envs(home_env())
        .env_remove("AVLAUNCH_PROFILE")
        .env("AVLAUNCH_PASSWORD", PASSWORD)
        .env_remove("AVLAUNCH_TOKEN")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

fn lines(o: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Every application the simulator created was deleted again.
fn every_application_deleted(sim: &SimHandle) {
    let seen = seen(sim);
    let created = seen
        .iter()
        .filter(|r| r.starts_with("POST ") && r.ends_with("/applications"))
        .count();
    let deleted = seen
        .iter()
        .filter(|r| r.starts_with("DELETE ") && r.contains("/applications/"))
        .count();
    assert!(created >= 1, "{seen:#?}");
    assert_eq!(created, deleted, "{seen:#?}");
}

#[tokio::test]
async fn json_lines_in_both_formats_list_matches_with_presence_then_a_summary() {
    for format in ["json", "xml"] {
        let sim = start_sim(fast_config()).await;
        let o = output(who(
            sim.url.as_str(),
            &["alex", "--output", "json", "--format", format],
        ))
        .await;
        assert_eq!(o.status.code(), Some(0), "{format}: {:?}", text(&o));
        let lines = lines(&o);
        let (contacts, summary) = lines.split_at(lines.len() - 1);
        assert_eq!(contacts.len(), 3, "{format}: {lines:#?}");
        assert_eq!(
            contacts[0],
            serde_json::json!({"type": "contact", "name": "Alex Wilber",
                "uri": "sip:alex.wilber@contoso.com", "title": "Marketing Assistant",
                "department": "Marketing", "email": "alex.wilber@contoso.com",
                "availability": "Online"}),
            "{format}"
        );
        let availability: Vec<&str> = contacts
            .iter()
            .map(|c| c["availability"].as_str().unwrap())
            .collect();
        assert_eq!(availability, ["Online", "Busy", "BeRightBack"], "{format}");
        assert_eq!(
            summary[0],
            serde_json::json!({"type": "summary", "count": 3, "more": false, "exit_code": 0})
        );
        let seen = seen(&sim);
        assert!(
            seen.iter()
                .any(|r| r.contains("/people/search?query=alex&limit=10")),
            "{seen:#?}"
        );
        assert_eq!(
            seen.iter().filter(|r| r.ends_with("/presence")).count(),
            3,
            "{seen:#?}"
        );
        every_application_deleted(&sim);
    }
}

#[tokio::test]
async fn the_limit_is_sent_and_more_says_the_list_was_cut() {
    let sim = start_sim(fast_config()).await;
    let o = output(who(
        sim.url.as_str(),
        &["alex", "--limit", "2", "--output", "json"],
    ))
    .await;
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let lines = lines(&o);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["count"], 2);
    assert_eq!(lines[2]["more"], true);
}

#[tokio::test]
async fn text_rows_name_uri_title_department_and_availability_in_words() {
    let sim = start_sim(fast_config()).await;
    let o = output(who(sim.url.as_str(), &["  Alex  "])).await;
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    for (row, words) in rows.iter().zip(["Available", "Busy", "Away"]) {
        assert!(row.ends_with(words), "{row}");
    }
    assert!(
        rows[1].contains("Alexandra Dunn") && rows[1].contains("sip:alexandra.dunn@contoso.com")
    );
    assert!(rows[1].contains("Legal Counsel") && rows[1].contains("Legal"));
    every_application_deleted(&sim);
}

#[tokio::test]
async fn no_match_exits_1() {
    let sim = start_sim(fast_config()).await;
    let o = output(who(sim.url.as_str(), &["nobody-here", "--output", "json"])).await;
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    assert_eq!(
        lines(&o),
        [serde_json::json!({"type": "summary", "count": 0, "more": false, "exit_code": 1})]
    );
    every_application_deleted(&sim);
}

#[tokio::test]
async fn invalid_text_or_limit_exits_2_and_sends_nothing() {
    let sim = start_sim(fast_config()).await;
    let long = "x".repeat(257);
    for args in [
        vec!["   ", "--output", "json"],
        vec![long.as_str(), "--output", "json"],
        vec!["alex", "--limit", "0", "--output", "json"],
        vec!["alex", "--limit", "101", "--output", "json"],
        vec!["--output", "json"],
    ] {
        let o = output(who(sim.url.as_str(), &args)).await;
        assert_eq!(o.status.code(), Some(2), "{args:?}: {:?}", text(&o));
        let last = lines(&o).pop().unwrap();
        assert_eq!(last["exit_code"], 2, "{args:?}");
        assert_eq!(last["count"], 0, "{args:?}: {last}");
    }
    assert!(seen(&sim).is_empty(), "{:#?}", seen(&sim));
}

#[tokio::test]
async fn a_deployment_without_search_gets_a_clear_message_and_exit_3() {
    let sim = start_sim(SimConfig {
        faults: Faults::parse("no-search").unwrap(),
        ..fast_config()
    })
    .await;
    for output_kind in ["text", "json"] {
        let o = output(who(sim.url.as_str(), &["alex", "--output", output_kind])).await;
        let (stdout, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(3), "{stdout}{stderr}");
        assert!(
            stderr.contains("directory search is not offered"),
            "{stderr}"
        );
        if output_kind == "json" {
            let last = lines(&o).pop().unwrap();
            assert_eq!(last["exit_code"], 3);
            assert_eq!(last["count"], 0);
        }
    }
    assert!(!seen(&sim).iter().any(|r| r.contains("search")));
    every_application_deleted(&sim);
}

#[tokio::test]
async fn an_unreachable_server_exits_3() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = output(who(
        &format!("http://127.0.0.1:{port}/"),
        &["alex", "--output", "json"],
    ))
    .await;
    assert_eq!(o.status.code(), Some(3), "{:?}", text(&o));
    assert_eq!(lines(&o).pop().unwrap()["exit_code"], 3);
}

#[tokio::test]
async fn without_a_server_the_embedded_simulator_answers() {
    let o = output({
        let mut cmd = common::avlaunch();
        cmd.args(["who", "alex", "--output", "json"])
            .envs(home_env())
            .env_remove("AVLAUNCH_PROFILE")
            .env_remove("AVLAUNCH_PASSWORD")
            .stdin(Stdio::null());
        cmd
    })
    .await;
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert_eq!(lines(&o).pop().unwrap()["count"], 3);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_mid_search_still_deletes_the_application() {
    let sim = start_sim(SimConfig {
        faults: Faults::parse("slow=300").unwrap(),
        ..fast_config()
    })
    .await;
    let mut child = who(sim.url.as_str(), &["alex", "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen(&sim).iter().any(|r| r.contains("/people/search")) {
        assert!(std::time::Instant::now() < deadline, "{:#?}", seen(&sim));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = tokio::task::spawn_blocking(move || {
        let _ = &mut child;
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(130), "{:?}", text(&o));
    assert_eq!(lines(&o).pop().unwrap()["exit_code"], 130);
    every_application_deleted(&sim);
}

/// What `who` lists can be called as written by a person: `user@host` is `sip:user@host`.
#[tokio::test]
async fn a_bare_address_is_called_as_a_sip_uri_and_shown_so() {
    let sim = start_sim(fast_config()).await;
    let o = output(common::call_command(
        &sim,
        "alice@contoso.com",
        &["--hangup-after", "0", "--no-history"],
    ))
    .await;
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let (stdout, _) = text(&o);
    assert!(
        stdout.contains("inviting sip:alice@contoso.com"),
        "{stdout}"
    );
}
