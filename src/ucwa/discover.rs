//! Autodiscovery and sign-in: root → (redirect hops) → user → 401 challenge → token →
//! user again → the `applications` href. Every URL after the first comes from a link.

use std::collections::HashSet;

use reqwest::Method;
use url::Url;

use super::action::Action;
use super::client::Client;
use super::error::UcwaError;
use super::notice::Notice;

/// Most redirect hops followed, at the root and at the user resource together.
pub const MAX_HOPS: usize = 5;

/// The discovery URLs to try for `--server auto`: internal first, then external.
pub fn auto_candidates(user: &str) -> Result<Vec<Url>, UcwaError> {
    let domain = user
        .rsplit_once('@')
        .map(|(_, d)| d.trim())
        .filter(|d| !d.is_empty() && !d.contains('/'))
        .ok_or_else(|| UcwaError::Protocol {
            action: Action::DiscoveringFromSignInName,
            detail: format!("'{user}' has no domain (expected user@domain, e.g. with --user)"),
        })?;
    ["lyncdiscoverinternal", "lyncdiscover"]
        .iter()
        .map(|prefix| {
            Url::parse(&format!("https://{prefix}.{domain}/")).map_err(|e| UcwaError::Protocol {
                action: Action::DiscoveringFromSignInName,
                detail: format!("'{domain}' is not a usable domain: {e}"),
            })
        })
        .collect()
}

/// The registrable domain of the host by the Public Suffix List
/// (`lyncdiscover.contoso.com` → `contoso.com`, `lyncdiscover.contoso.co.uk` →
/// `contoso.co.uk`), or the whole host for an address or a host that is a suffix itself
/// (`localhost`).
fn domain_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !matches!(url.host(), Some(url::Host::Domain(_))) {
        return host;
    }
    let trimmed = host.trim_end_matches('.');
    match psl::domain(trimmed.as_bytes()) {
        // An unlisted suffix counts as one label (the list's default rule).
        Some(d) => String::from_utf8_lossy(d.as_bytes()).into_owned(),
        None => trimmed.to_string(),
    }
}

fn protocol(action: Action, detail: impl Into<String>) -> UcwaError {
    UcwaError::Protocol {
        action,
        detail: detail.into(),
    }
}

/// Follows the root (and its `redirect` links) to the `user` href. Candidates are tried
/// in order; an attempt that gets no answer or a 404 falls through to the next.
pub async fn find_user(client: &Client, candidates: &[Url]) -> Result<Url, UcwaError> {
    let mut last_error = None;
    for start in candidates {
        match follow_root(client, start.clone()).await {
            Ok(user) => return Ok(user),
            Err(
                e @ (UcwaError::Transport { .. }
                | UcwaError::Http {
                    status: 404 | 300..=399,
                    ..
                }),
            ) if candidates.len() > 1 => {
                client.notify(Notice::DiscoveryFellThrough {
                    at: start.clone(),
                    error: e.to_string(),
                });
                last_error = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error
        .unwrap_or_else(|| protocol(Action::DiscoveringServer, "no discovery URL to try")))
}

async fn follow_root(client: &Client, start: Url) -> Result<Url, UcwaError> {
    let action = Action::DiscoveringServer;
    let mut visited = HashSet::new();
    let mut url = start;
    loop {
        if !visited.insert(url.clone()) {
            return Err(protocol(
                action,
                format!("redirect loop: {url} was already visited"),
            ));
        }
        if visited.len() > MAX_HOPS + 1 {
            return Err(protocol(action, format!("more than {MAX_HOPS} redirects")));
        }
        let response = client
            .transport()
            .send(client.anonymous(Method::GET, url.clone()), action)
            .await?;
        // An http:// discovery URL answers with a redirect to https://: follow it as a hop.
        if (300..400).contains(&response.status) {
            let location = response.header("location").ok_or_else(|| {
                protocol(action, format!("{} without a Location", response.status))
            })?;
            let target = url
                .join(location)
                .map_err(|e| protocol(action, format!("bad Location '{location}': {e}")))?;
            // A redirect to another domain counts as a failed attempt, not a hop.
            if domain_of(&target) != domain_of(&url) {
                return Err(client.error_from(&response, action));
            }
            url = target;
            client.notify(Notice::DiscoveryRedirected { to: url.clone() });
            continue;
        }
        if !response.is_success() {
            return Err(client.error_from(&response, action));
        }
        let root = client.read_resource(&response, action)?;
        if let Some(redirect) = root.link("redirect") {
            url = url
                .join(redirect)
                .map_err(|e| protocol(action, format!("bad redirect '{redirect}': {e}")))?;
            client.notify(Notice::DiscoveryRedirected { to: url.clone() });
            continue;
        }
        let user = root.link("user").ok_or_else(|| {
            protocol(
                action,
                "the discovery answer has neither a user nor a redirect link",
            )
        })?;
        return url
            .join(user)
            .map_err(|e| protocol(action, format!("bad user link '{user}': {e}")));
    }
}

/// Signs in at the `user` href and returns the `applications` URL. Without a token the
/// first GET draws the 401 challenge; a `redirect` on the user resource (the user is
/// homed elsewhere) starts over at the new pool, which challenges again.
pub async fn sign_in(client: &Client, user: Url) -> Result<Url, UcwaError> {
    let action = Action::SigningIn;
    let mut visited = HashSet::new();
    let mut user = user;
    loop {
        if !visited.insert(user.clone()) || visited.len() > MAX_HOPS + 1 {
            return Err(protocol(
                action,
                format!("user redirects loop or exceed {MAX_HOPS} hops at {user}"),
            ));
        }
        if !client.has_grant() {
            let response = client
                .transport()
                .send(client.anonymous(Method::GET, user.clone()), action)
                .await?;
            if response.status != 401 {
                return Err(match response.is_success() {
                    true => protocol(
                        action,
                        "the user resource answered without asking for sign-in",
                    ),
                    false => client.error_from(&response, action),
                });
            }
            client.note_challenge(&response);
            client.fetch_token().await?;
        }
        let response = client
            .send(Method::GET, user.clone(), None, None, action)
            .await?;
        let resource = client.read_resource(&response, action)?;
        // A redirect wins over applications: this pool lacks part of the user's data.
        if let Some(redirect) = resource.link("redirect") {
            let target = user
                .join(redirect)
                .map_err(|e| protocol(action, format!("bad redirect '{redirect}': {e}")))?;
            client.notify(Notice::UserOnAnotherPool {
                target: target.clone(),
            });
            let response = client
                .send(Method::GET, target.clone(), None, None, action)
                .await?;
            let hop = client.read_resource(&response, action)?;
            let next = hop
                .link("user")
                .ok_or_else(|| protocol(action, "the redirect resource has no user link"))?;
            let previous_host = user.host_str().map(str::to_owned);
            user = target
                .join(next)
                .map_err(|e| protocol(action, format!("bad user link '{next}': {e}")))?;
            // A new host challenges again and needs its own token.
            if user.host_str() != previous_host.as_deref() && client.can_fetch_token() {
                client.forget_grant();
            }
            continue;
        }
        let applications = resource
            .link("applications")
            .ok_or_else(|| protocol(action, "the user resource has no applications link"))?;
        let applications = user.join(applications).map_err(|e| {
            protocol(
                action,
                format!("bad applications link '{applications}': {e}"),
            )
        })?;
        client.set_base(applications.clone());
        return Ok(applications);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_compare_by_their_registrable_domain() {
        let d = |u: &str| domain_of(&Url::parse(u).unwrap());
        assert_eq!(d("https://lyncdiscover.contoso.com/"), "contoso.com");
        assert_eq!(d("https://lyncweb.pool.contoso.com/x"), "contoso.com");
        assert_eq!(d("http://127.0.0.1:8080/"), "127.0.0.1");
        assert_ne!(
            d("https://lyncdiscover.contoso.com/"),
            d("https://evil.example.net/")
        );
        // A public suffix of two labels is not a domain of its own.
        assert_eq!(d("https://lyncdiscover.contoso.co.uk/"), "contoso.co.uk");
        assert_eq!(d("https://lyncweb.pool.contoso.co.uk/"), "contoso.co.uk");
        assert_ne!(
            d("https://lyncdiscover.contoso.co.uk/"),
            d("https://evil.co.uk/")
        );
        assert_eq!(d("https://LyncDiscover.Contoso.COM./"), "contoso.com");
        assert_eq!(
            d("https://lyncdiscover.contoso.internal/"),
            "contoso.internal"
        );
    }

    #[test]
    fn auto_discovery_tries_internal_then_external() {
        let urls = auto_candidates("lenea@contoso.com").unwrap();
        let urls: Vec<&str> = urls.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "https://lyncdiscoverinternal.contoso.com/",
                "https://lyncdiscover.contoso.com/"
            ]
        );
        assert!(auto_candidates("lenea").is_err());
        assert!(auto_candidates("lenea@").is_err());
    }
}
