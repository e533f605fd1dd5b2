//! The network checks: `dns` (which candidate name resolves) and `connect` (TCP to each of
//! its addresses in turn), before any TLS or HTTP.

use crate::seconds::format_seconds;
use std::net::SocketAddr;
use std::time::Instant;

use url::Url;

use super::{Verdict, Walk, STEP_TIMEOUT};
use crate::ucwa::discover;
use crate::ucwa::session::{Connection, Server};

/// The names `dns` tries: the `--server` URL, or the autodiscovery names of the user's
/// domain. `None` (the failure sent as `dns`) when there are none.
pub(super) fn candidates(walk: &mut Walk, connection: &Connection) -> Option<Vec<Url>> {
    match &connection.server {
        Server::Url(url) => Some(vec![url.clone()]),
        Server::Auto => match discover::auto_candidates(&connection.user) {
            Ok(c) => Some(c),
            Err(e) => {
                walk.send(
                    Verdict::Fail,
                    format!("{e}: give --server URL, or a sign-in name user@domain"),
                );
                None
            }
        },
    }
}

/// `dns`: the candidate names in order, until one resolves (an address is taken as it is).
pub(super) async fn dns(walk: &mut Walk, candidates: &[Url]) -> Option<(Url, Vec<SocketAddr>)> {
    let mut seen = Vec::new();
    for url in candidates {
        let Some(host) = url.host() else { continue };
        let port = url.port_or_known_default().unwrap_or(443);
        let found: Result<Vec<SocketAddr>, String> = match host {
            url::Host::Ipv4(ip) => Ok(vec![SocketAddr::from((ip, port))]),
            url::Host::Ipv6(ip) => Ok(vec![SocketAddr::from((ip, port))]),
            url::Host::Domain(name) => {
                match tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host((name, port)))
                    .await
                {
                    Ok(Ok(addrs)) => Ok(addrs.collect()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!("no answer in {}", format_seconds(STEP_TIMEOUT))),
                }
            }
        };
        let name = url.host_str().unwrap_or_default();
        match found {
            Ok(addrs) if !addrs.is_empty() => {
                let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                let how = if matches!(host, url::Host::Domain(_)) {
                    "resolved to"
                } else {
                    "is an address:"
                };
                seen.push(format!("{name} {how} {}", list.join(", ")));
                walk.send(Verdict::Pass, seen.join("; "));
                return Some((url.clone(), addrs));
            }
            Ok(_) => seen.push(format!("{name}: no address, trying the next name")),
            Err(e) => seen.push(format!("{name}: {e}, trying the next name")),
        }
    }
    let last = seen
        .pop()
        .map(|s| s.replace(", trying the next name", ""))
        .unwrap_or_default();
    seen.push(last);
    walk.send(
        Verdict::Fail,
        format!(
            "{}: no name resolved; check the DNS records (lyncdiscoverinternal.<domain> inside, lyncdiscover.<domain> outside) or give --server URL",
            seen.join("; ")
        ),
    );
    None
}

/// `connect`: TCP to each address of `url` in turn; the first stream that opens.
pub(super) async fn connect(
    walk: &mut Walk,
    url: &Url,
    addresses: &[SocketAddr],
) -> Option<tokio::net::TcpStream> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let mut failures = Vec::new();
    let mut connected = None;
    for addr in addresses {
        let t = Instant::now();
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                connected = Some((stream, *addr, t.elapsed()));
                break;
            }
            Ok(Err(e)) => failures.push(format!("{addr}: {e}")),
            Err(_) => failures.push(format!(
                "{addr}: no answer in {}",
                format_seconds(STEP_TIMEOUT)
            )),
        }
    }
    let Some((stream, addr, took)) = connected else {
        walk.send(
            Verdict::Fail,
            format!(
                "no address of {host} accepted a TCP connection on port {port} ({}): check the server is running and that no firewall blocks port {port} from here",
                failures.join("; ")
            ),
        );
        return None;
    };
    let mut detail = format!("{addr} accepted in {} ms", took.as_millis());
    if !failures.is_empty() {
        detail.push_str(&format!(" (after {})", failures.join("; ")));
    }
    walk.send(Verdict::Pass, detail);
    Some(stream)
}
