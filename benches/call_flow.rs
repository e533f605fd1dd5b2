//! One whole call flow, in-process: sign-in to Connected to hang-up and application
//! delete, against the built-in simulator with a 0 ms answer delay. Prints the median
//! and the quartiles over many runs.
//!
//! Run: `cargo bench --bench call_flow`

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use avlaunch::call::session::{self, CallOptions};
use avlaunch::call::{CallRequest, EndedBy, FinalState};
use avlaunch::settings::embedded_connection;
use avlaunch::sim::{self, SimConfig};
use avlaunch::ucwa::Format;
use tokio::sync::mpsc;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    runtime.block_on(async {
        let sim = sim::start(SimConfig {
            answer_delay: Duration::ZERO,
            ..Default::default()
        })
        .await
        .unwrap();
        for format in [Format::Json, Format::Xml] {
            let mut times = Vec::with_capacity(runs);
            let mut round_trips = 0;
            for i in 0..runs + 10 {
                let call = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
                // A user per run: the simulator throttles one user's token requests as a
                // real server does (ten at once, then one per 3 s), which is not what this
                // measures.
                let user = format!("bench{i}@contoso.com");
                let connection = embedded_connection(sim.url.clone(), user, format);
                let options = CallOptions {
                    timeout: Duration::from_secs(10),
                    hangup_after: Some(Duration::ZERO),
                };
                let (tx, mut rx) = mpsc::unbounded_channel();
                let (_control_tx, control) = mpsc::unbounded_channel();
                let clock = Instant::now();
                let outcome = session::run(call, connection, options, tx, control).await;
                let elapsed = clock.elapsed();
                assert_eq!(outcome.state, FinalState::Ended(EndedBy::Local), "{outcome:?}");
                let mut exchanges = 0;
                while let Ok(u) = rx.try_recv() {
                    exchanges += matches!(u, avlaunch::call::CallUpdate::Wire(_)) as usize;
                }
                if i >= 10 {
                    times.push(elapsed);
                    round_trips = exchanges;
                }
            }
            times.sort();
            let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
            println!(
                "call_flow[{}]: {runs} runs, {round_trips} HTTP round trips each: median {:.2} ms (p25 {:.2}, p75 {:.2}, p95 {:.2})",
                format.name(),
                q(0.5),
                q(0.25),
                q(0.75),
                q(0.95)
            );
        }
        sim.shutdown().await;
    });
}
