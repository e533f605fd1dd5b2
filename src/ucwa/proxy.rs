//! Proxy selection, as curl documents it (curl(1), "ENVIRONMENT"; `CURLOPT_NOPROXY`), with
//! one rule first: loopback (127.0.0.0/8, ::1, `localhost`, `*.localhost`) is never
//! proxied, so the built-in simulator and `--server http://127.0.0.1:…` work behind a
//! corporate proxy, and no proxy sees the password or token sent to them.
//!
//! Variables read (the lower-case spelling wins when both are set):
//! - `https_proxy` / `HTTPS_PROXY` for `https://` URLs;
//! - `http_proxy` for `http://` URLs: lower case only, as in curl (a CGI program gets the
//!   request's `Proxy:` header as `HTTP_PROXY`); plain http only ever goes to loopback here,
//!   so in practice it never applies;
//! - `all_proxy` / `ALL_PROXY` when the scheme's own variable is unset;
//! - `no_proxy` / `NO_PROXY`: comma-separated hosts that go direct. `*` alone matches every
//!   host; a name matches itself and its subdomains (`contoso.com` and `.contoso.com` both
//!   match `contoso.com` and `lync.contoso.com`, not `notcontoso.com`); an IP address
//!   matches itself, and `10.0.0.0/8` or `fd00::/8` match by prefix. Ports are ignored.
//!
//! A proxy URL without a scheme is `http://`; `http://` and `https://` proxies are
//! supported (HTTPS goes through them with CONNECT), SOCKS is not.

use std::net::IpAddr;

use url::{Host, Url};

/// The proxy variables as read once at start-up: (variable name, value), empty ones unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    https: Option<(&'static str, String)>,
    http: Option<(&'static str, String)>,
    all: Option<(&'static str, String)>,
    no_proxy: Vec<String>,
}

/// How one URL is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Direct,
    /// Through this proxy; `from` names the variable that set it.
    Proxy {
        proxy: Url,
        from: &'static str,
    },
    /// A proxy is set for this URL but cannot be used (a SOCKS or unreadable URL).
    Unusable {
        from: &'static str,
        why: String,
    },
}

impl ProxyEnv {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads through `var` (a test passes its own table).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&'static str]| {
            names.iter().find_map(|&name| {
                var(name)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .map(|v| (name, v))
            })
        };
        ProxyEnv {
            https: first(&["https_proxy", "HTTPS_PROXY"]),
            http: first(&["http_proxy"]),
            all: first(&["all_proxy", "ALL_PROXY"]),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|(_, list)| {
                    list.split(',')
                        .map(|e| e.trim().to_ascii_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Whether any proxy variable is set at all.
    pub fn is_empty(&self) -> bool {
        self.https.is_none() && self.http.is_none() && self.all.is_none()
    }

    /// How `url` is reached: direct for loopback and `NO_PROXY` hosts, else through the
    /// scheme's proxy or `ALL_PROXY`.
    pub fn route(&self, url: &Url) -> Route {
        if is_loopback(url) || self.bypassed(url) {
            return Route::Direct;
        }
        let chosen = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }
        .or(self.all.as_ref());
        let Some((from, value)) = chosen else {
            return Route::Direct;
        };
        let text = if value.contains("://") {
            value.clone()
        } else {
            format!("http://{value}")
        };
        match Url::parse(&text) {
            Ok(proxy) if matches!(proxy.scheme(), "http" | "https") && proxy.host().is_some() => {
                Route::Proxy { proxy, from }
            }
            Ok(proxy) => Route::Unusable {
                from,
                why: format!(
                    "its {}:// scheme is not supported (use an http:// or https:// proxy)",
                    proxy.scheme()
                ),
            },
            Err(e) => Route::Unusable {
                from,
                why: format!("it is not a URL ({e})"),
            },
        }
    }

    /// `NO_PROXY` matching, as curl does it.
    fn bypassed(&self, url: &Url) -> bool {
        let Some(host) = url.host() else {
            return false;
        };
        self.no_proxy.iter().any(|entry| {
            if entry == "*" {
                return true;
            }
            match &host {
                Host::Ipv4(ip) => ip_matches(IpAddr::V4(*ip), entry),
                Host::Ipv6(ip) => ip_matches(IpAddr::V6(*ip), entry),
                Host::Domain(name) => {
                    let name = name.trim_end_matches('.').to_ascii_lowercase();
                    let entry = strip_port(entry)
                        .trim_start_matches('.')
                        .trim_end_matches('.');
                    !entry.is_empty()
                        && (name == entry
                            || name
                                .strip_suffix(entry)
                                .is_some_and(|rest| rest.ends_with('.')))
                }
            }
        })
    }
}

/// `host:port` → `host` (a bare IPv6 address, with several colons, is left alone).
fn strip_port(entry: &str) -> &str {
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => entry,
    }
}

/// An IP host against a `NO_PROXY` entry: the same address, or inside `addr/bits`.
fn ip_matches(ip: IpAddr, entry: &str) -> bool {
    let entry = entry.trim_start_matches('[');
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (entry, None),
    };
    let addr = addr.trim_end_matches(']');
    let addr = addr.parse::<IpAddr>().or_else(|_| strip_port(addr).parse());
    let Ok(addr) = addr else {
        return false;
    };
    match (ip, addr) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            prefix_eq(u32::from(a).into(), u32::from(b).into(), 32, bits)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => prefix_eq(u128::from(a), u128::from(b), 128, bits),
        _ => false,
    }
}

fn prefix_eq(a: u128, b: u128, width: u32, bits: Option<u32>) -> bool {
    let bits = bits.unwrap_or(width).min(width);
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (a >> shift) == (b >> shift)
}

/// Loopback hosts: never proxied (and the only ones plain http:// may reach).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => false,
    }
}

/// A proxy URL as shown to the user: scheme, host and port, never its credentials.
pub fn display(proxy: &Url) -> String {
    match proxy.port_or_known_default() {
        Some(port) => format!(
            "{}://{}:{port}",
            proxy.scheme(),
            proxy.host_str().unwrap_or("?")
        ),
        None => format!("{}://{}", proxy.scheme(), proxy.host_str().unwrap_or("?")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_vars(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    fn route(env: &ProxyEnv, url: &str) -> Option<String> {
        match env.route(&Url::parse(url).unwrap()) {
            Route::Direct => None,
            Route::Proxy { proxy, from } => Some(format!("{from}={}", display(&proxy))),
            Route::Unusable { from, .. } => Some(format!("{from}=unusable")),
        }
    }

    const P: &str = "http://proxy.corp:3128";

    #[test]
    fn loopback_is_never_proxied() {
        let e = env(&[("HTTPS_PROXY", P), ("http_proxy", P), ("ALL_PROXY", P)]);
        for url in [
            "http://127.0.0.1:8080/",
            "https://127.8.9.10/",
            "http://[::1]:9/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost/",
            "https://LOCALHOST./",
            "http://sim.localhost:1/",
        ] {
            assert_eq!(route(&e, url), None, "{url}");
        }
        assert_eq!(
            route(&e, "https://lyncdiscover.contoso.com/"),
            Some("HTTPS_PROXY=http://proxy.corp:3128".into())
        );
    }

    #[test]
    fn variables_are_chosen_as_curl_chooses_them() {
        // Lower case wins; ALL_PROXY is the fallback; upper-case HTTP_PROXY is not read.
        let e = env(&[("https_proxy", "lower:1"), ("HTTPS_PROXY", "upper:2")]);
        assert_eq!(
            route(&e, "https://a.com/"),
            Some("https_proxy=http://lower:1".into())
        );
        let e = env(&[("ALL_PROXY", "all:3"), ("HTTP_PROXY", "ignored:4")]);
        assert_eq!(
            route(&e, "https://a.com/"),
            Some("ALL_PROXY=http://all:3".into())
        );
        assert_eq!(
            route(&e, "http://a.com/"),
            Some("ALL_PROXY=http://all:3".into())
        );
        let e = env(&[("HTTP_PROXY", "ignored:4")]);
        assert!(e.is_empty());
        assert_eq!(route(&e, "http://a.com/"), None);
        let e = env(&[("http_proxy", "h:5"), ("https_proxy", "")]);
        assert_eq!(route(&e, "https://a.com/"), None, "an empty value is unset");
        assert_eq!(
            route(&e, "http://a.com/"),
            Some("http_proxy=http://h:5".into())
        );
        let e = env(&[("HTTPS_PROXY", "socks5://s:1080")]);
        assert_eq!(
            route(&e, "https://a.com/"),
            Some("HTTPS_PROXY=unusable".into())
        );
        let e = env(&[("HTTPS_PROXY", "https://user:secret@p.corp")]);
        assert_eq!(
            route(&e, "https://a.com/"),
            Some("HTTPS_PROXY=https://p.corp:443".into())
        );
    }

    #[test]
    fn no_proxy_matches_domains_ips_and_everything() {
        let with = |list: &str| env(&[("HTTPS_PROXY", P), ("NO_PROXY", list)]);
        let direct = |list: &str, url: &str| route(&with(list), url).is_none();
        for list in [
            "contoso.com",
            ".contoso.com",
            "CONTOSO.COM.",
            " other.org , contoso.com",
            "contoso.com:443",
        ] {
            assert!(direct(list, "https://contoso.com/"), "{list}");
            assert!(direct(list, "https://lync.pool.contoso.com/"), "{list}");
            assert!(!direct(list, "https://notcontoso.com/"), "{list}");
            assert!(!direct(list, "https://contoso.com.evil.net/"), "{list}");
        }
        assert!(direct("*", "https://anything.example/"));
        assert!(
            !direct("*.contoso.com", "https://lync.contoso.com/"),
            "only a lone * is a wildcard"
        );
        assert!(direct("10.1.2.3", "https://10.1.2.3/"));
        assert!(!direct("10.1.2.3", "https://10.1.2.4/"));
        assert!(direct("10.0.0.0/8", "https://10.200.3.4/"));
        assert!(!direct("10.0.0.0/8", "https://11.0.0.1/"));
        assert!(direct("192.168.0.0/16", "https://192.168.77.1:4443/"));
        assert!(direct("fd00::/8", "https://[fd12::1]/"));
        assert!(direct("[2001:db8::1]", "https://[2001:db8::1]/"));
        assert!(
            !direct("10.0.0.0/8", "https://ten.example/"),
            "names are not IPs"
        );
        // The lower-case variable wins.
        let e = env(&[
            ("HTTPS_PROXY", P),
            ("no_proxy", "a.com"),
            ("NO_PROXY", "b.com"),
        ]);
        assert_eq!(route(&e, "https://a.com/"), None);
        assert!(route(&e, "https://b.com/").is_some());
    }
}
