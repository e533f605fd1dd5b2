//! `X-Ms-diagnostics`, decoded for display (PROTOCOL.md §m; [MS-OCER] 2.2.1.1, the UCMA
//! "Diagnostics and error reporting" page).
//!
//! The header is `ErrorId[.sub-code] *( ";" name "=" value )`, values usually quoted strings.
//! Servers vary (capitalised names, unquoted values after a space, `;` inside quotes, several
//! entries joined by commas), so the parser is lenient and never fails: what it cannot read is
//! dropped, never guessed. avlaunch only shows what it decodes; it never branches on a code
//! (the UCWA docs advise against it).

use serde::Serialize;

/// One diagnostics entry: the server's code, source and reason, and for codes with a public
/// source (PROTOCOL.md §m "Codes a client meets most often") plain words and a next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The ErrorId, an unsigned integer.
    pub code: u64,
    /// The text after `ErrorId.` in the older `<ErrorId>.<sub-code>` form, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    /// `source`: the FQDN (or IP) of the server that produced it.
    pub source: Option<String>,
    /// `reason`: the server's human text, for troubleshooting.
    pub reason: Option<String>,
    /// What the code means, in plain words; absent for a code avlaunch does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    /// The usual next step; absent for a code avlaunch does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Further parameters (`faultcode`, `component`, …) as `(name, value)`, in order.
    #[serde(skip)]
    pub parameters: Vec<(String, String)>,
}

impl Diagnostic {
    /// The code as sent: `28029`, or `24081.3` with a sub-code.
    pub fn code_text(&self) -> String {
        match &self.sub_code {
            Some(s) => format!("{}.{s}", self.code),
            None => self.code.to_string(),
        }
    }

    /// One line for a person: `28029 Authentication type not allowed. (from server.contoso.com)
    /// — meaning; next: step`. Server text is not sanitized here: the caller's output does it.
    pub fn line(&self) -> String {
        let mut s = format!("X-Ms-diagnostics {}", self.code_text());
        if let Some(r) = &self.reason {
            s.push_str(&format!(" “{r}”"));
        }
        if let Some(src) = &self.source {
            s.push_str(&format!(" from {src}"));
        }
        for (n, v) in &self.parameters {
            s.push_str(&format!(" {n}={v}"));
        }
        if let Some(m) = &self.meaning {
            s.push_str(&format!(": {m}"));
        }
        if let Some(n) = &self.next {
            s.push_str(&format!("; next: {n}"));
        }
        s
    }

    /// Applies `f` to every string the server sent (sanitizing, scrubbing).
    pub fn map_server_text(&mut self, mut f: impl FnMut(&str) -> String) {
        for t in [&mut self.sub_code, &mut self.source, &mut self.reason]
            .into_iter()
            .flatten()
        {
            *t = f(t);
        }
        for (n, v) in &mut self.parameters {
            *n = f(n);
            *v = f(v);
        }
    }
}

/// Every `X-Ms-diagnostics` header of a response, joined with `, ` as HTTP allows
/// (RFC 9110 §5.3), for `parse`; `None` when the response carries none.
pub fn header_of(response: &super::transport::WireResponse) -> Option<String> {
    let values: Vec<&str> = response.headers_named("x-ms-diagnostics").collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Decodes every entry of one or more `X-Ms-diagnostics` values (pass each header line
/// separately or joined by commas). Entries that do not start with a number are skipped.
/// Never panics, whatever the input.
pub fn parse(header: &str) -> Vec<Diagnostic> {
    split_entries(header)
        .into_iter()
        .filter_map(|e| parse_entry(&e))
        .collect()
}

/// Splits on `,` outside quoted strings, where the next entry starts with a digit (a comma
/// inside an unquoted reason stays part of it).
fn split_entries(header: &str) -> Vec<String> {
    let mut entries = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    let chars: Vec<char> = header.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if quoted {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
        } else if c == '"' {
            quoted = true;
        } else if c == ',' {
            let rest = chars[i + 1..].iter().skip_while(|c| c.is_whitespace());
            if rest.take(1).any(|c| c.is_ascii_digit()) {
                entries.push(String::new());
                continue;
            }
        }
        if let Some(last) = entries.last_mut() {
            last.push(c);
        }
    }
    entries
}

/// Splits one entry on `;` outside quoted strings.
fn split_params(entry: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in entry.chars() {
        if quoted {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
        } else if c == '"' {
            quoted = true;
        } else if c == ';' {
            parts.push(String::new());
            continue;
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

/// A value: a quoted string (RFC 3261 quoted-string: `\x` stands for `x`) or a bare token,
/// trimmed. An unterminated quote takes the rest.
fn unquote(value: &str) -> String {
    let v = value.trim();
    let Some(inner) = v.strip_prefix('"') else {
        return v.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '"' => break,
            c => out.push(c),
        }
    }
    out
}

fn parse_entry(entry: &str) -> Option<Diagnostic> {
    let mut parts = split_params(entry).into_iter();
    let id = parts.next()?;
    let id = id.trim();
    let (num, sub) = match id.split_once('.') {
        Some((n, s)) => (n, Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        None => (id, None),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: u64 = num.parse().ok()?;
    let mut d = Diagnostic {
        code,
        sub_code: sub,
        source: None,
        reason: None,
        meaning: None,
        next: None,
        parameters: Vec::new(),
    };
    for part in parts {
        let Some((name, value)) = part.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let value = unquote(value);
        match name.to_ascii_lowercase().as_str() {
            "source" if d.source.is_none() => d.source = Some(value),
            "reason" if d.reason.is_none() => d.reason = Some(value),
            _ => d.parameters.push((name.to_string(), value)),
        }
    }
    if let Some((meaning, next)) = explain(code) {
        d.meaning = Some(meaning.to_string());
        d.next = Some(next.to_string());
    }
    Some(d)
}

/// Plain meaning and usual next step for the codes with a public source (PROTOCOL.md §m).
pub fn explain(code: u64) -> Option<(&'static str, &'static str)> {
    Some(match code {
        28020 => (
            "the token request carried no credential the server accepts (with the passive grant, the answer names the ADFS sign-in page)",
            "use a grant listed in the challenge's grant_type; for ADFS-only deployments, sign in through ms_rtc_passiveauthuri",
        ),
        28029 => (
            "this grant type is switched off on the server (unsupported_grant_type)",
            "pick a grant listed in MsRtcOAuth grant_type; if password is missing, ask the admin to allow forms-based web sign-in",
        ),
        28032 => (
            "the server did not accept the token presented when creating the application (seen after a password grant with a DOMAIN\\user name)",
            "get a fresh token from the challenge of the host being called; try the SIP address as user name; if it persists, give the source FQDN to the admin",
        ),
        28055 => (
            "the pool rejected the OAuth token; reported to come and go for a valid token",
            "request a new token for the pool host and retry once; if it repeats, it is a service-side problem",
        ),
        1003 => (
            "the account is unknown to the server",
            "check the sign-in address; admin: Get-CsUser on the SIP address",
        ),
        4005 => (
            "the user or callee is not enabled for Lync/Skype for Business, or does not exist",
            "check the address; admin: Get-CsUser … | Select-Object Enabled; if only new users get it, check the User Replicator's domain list (Set-CsUserReplicatorConfiguration)",
        ),
        1008 => (
            "a server (often the Edge) could not find the DNS SRV record for a domain",
            "check the SIP SRV records of the domain involved, and that the user is valid and enabled",
        ),
        12001 => (
            "the user's voice policy has no PSTN usage, so no phone call can be routed (matters for Call via Work)",
            "admin: Get-CsUser … | Select-Object VoicePolicy, then Get-CsVoicePolicy and add a PSTN usage tied to a voice route",
        ),
        15030 => (
            "the call was sent towards Exchange Unified Messaging (voicemail) and that failed",
            "admin: check the Exchange UM integration",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_fixture_line_decodes() {
        let fixture = include_str!("../../tests/fixtures/ucwa/x-ms-diagnostics-headers.txt");
        let mut seen = 0;
        for line in fixture.lines().filter(|l| !l.trim().is_empty()) {
            let value = line.split_once(':').unwrap().1;
            let d = parse(value);
            assert_eq!(d.len(), 1, "{line}");
            assert!(d[0].reason.is_some(), "{line}");
            assert!(d[0].source.is_some(), "{line}");
            seen += 1;
        }
        assert_eq!(seen, 10);
    }

    #[test]
    fn known_code_gets_meaning_and_next() {
        let d = &parse(
            r#"28029;source="server.contoso.com";reason="Authentication type not allowed.""#,
        )[0];
        assert_eq!(d.code, 28029);
        assert_eq!(d.source.as_deref(), Some("server.contoso.com"));
        assert_eq!(
            d.reason.as_deref(),
            Some("Authentication type not allowed.")
        );
        assert!(d
            .meaning
            .as_deref()
            .unwrap()
            .contains("unsupported_grant_type"));
        assert!(d.next.as_deref().unwrap().contains("grant_type"));
    }

    #[test]
    fn lenient_forms() {
        // reason before source, capitalised names, unquoted value after a space.
        let d = &parse(
            r#"24081;Component="RTCC/4.0";Reason="Endpoint termination";Source= applicationserver.contoso.com"#,
        )[0];
        assert_eq!(d.code, 24081);
        assert_eq!(d.reason.as_deref(), Some("Endpoint termination"));
        assert_eq!(d.source.as_deref(), Some("applicationserver.contoso.com"));
        assert_eq!(d.parameters, vec![("Component".into(), "RTCC/4.0".into())]);
        assert_eq!(d.meaning, None);
        assert_eq!(d.next, None);
        // `;` and `,` and escapes inside a quoted string; a sub-code.
        let d = &parse(r#"1003.2;reason="a; b, 5 \"c\" \\";source="x""#)[0];
        assert_eq!(d.code, 1003);
        assert_eq!(d.sub_code.as_deref(), Some("2"));
        assert_eq!(d.reason.as_deref(), Some(r#"a; b, 5 "c" \"#));
        assert_eq!(d.source.as_deref(), Some("x"));
    }

    #[test]
    fn several_entries_and_garbage() {
        let all = parse(r#"4005;reason="x", 1008;source="y";reason="z""#);
        assert_eq!(all.iter().map(|d| d.code).collect::<Vec<_>>(), [4005, 1008]);
        assert!(parse("").is_empty());
        assert!(parse("reason=\"no code\"").is_empty());
        assert!(parse("99999999999999999999999;reason=\"too big\"").is_empty());
        assert_eq!(parse("2;reason=\"unterminated").len(), 1);
        assert_eq!(
            parse("2;reason=\"unterminated")[0].reason.as_deref(),
            Some("unterminated")
        );
    }

    #[test]
    fn every_header_of_a_response_is_read() {
        let response = crate::ucwa::transport::WireResponse {
            url: url::Url::parse("https://pool.contoso.com/").unwrap(),
            status: 403,
            headers: vec![
                ("X-Ms-diagnostics".into(), "28055;reason=\"a\"".into()),
                ("content-type".into(), "text/html".into()),
                ("x-ms-diagnostics".into(), "1003;reason=\"b, c\"".into()),
            ],
            body: Vec::new(),
        };
        let all = parse(&header_of(&response).unwrap());
        assert_eq!(
            all.iter().map(|d| d.code).collect::<Vec<_>>(),
            [28055, 1003]
        );
        assert_eq!(all[1].reason.as_deref(), Some("b, c"));
        let none = crate::ucwa::transport::WireResponse {
            headers: Vec::new(),
            ..response
        };
        assert_eq!(header_of(&none), None);
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_header_like_text(s in "[0-9.;,=\" \\\\a-zA-Z]{0,120}") {
            for d in parse(&s) {
                let _ = d.line();
            }
        }

        #[test]
        fn round_trips_quoted_reason(code in 0u32..100000, reason in "[^\"\\\\]{0,40}") {
            let header = format!("{code};source=\"h.example\";reason=\"{reason}\"");
            let d = &parse(&header)[0];
            prop_assert_eq!(d.code, code as u64);
            prop_assert_eq!(d.reason.as_deref(), Some(reason.as_str()));
        }
    }
}
