//! The only user of reqwest: sends one request, records a redacted `WireRecord`.

use std::time::{Duration, SystemTime};

/// One HTTP exchange as the wire log shows it. Secrets are already redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireRecord {
    /// Order of the exchange within the call, from 1.
    pub seq: u64,
    pub started: SystemTime,
    /// Time from sending to the whole response (or the error).
    pub elapsed: Duration,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// `None` when no response came (transport error).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    /// The transport error, if the request got no response.
    pub error: Option<String>,
}
