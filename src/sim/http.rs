//! HTTP plumbing: the one service entry that records each request, checks its size, picks
//! the answer's format from `Accept`, and the `Ctx` every handler answers through (UCWA
//! error bodies, the 401 challenge, and the rewrites of the `foreign-link` and
//! `hostile-text` switches).

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;

use crate::sim::extract::{Problem, UcwaInput};
use crate::sim::faults::{Faults, ForeignLink, HOSTILE_TEXT};
use crate::sim::resources as res;
use crate::sim::SeenRequest;
use crate::sim::SimState;
use crate::ucwa::resource::{ErrorBody, EventsPage, Input, Resource};
use crate::ucwa::Format;
use axum::extract::{Request, State};
use axum::http::HeaderMap;

/// Bodies above this get `413 EntityTooLarge`.
pub const BODY_LIMIT: usize = 64 * 1024;

pub(crate) async fn handle(State(state): State<SimState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        None
    } else {
        axum::body::to_bytes(body, BODY_LIMIT).await.ok()
    };
    let header_text = |name| {
        headers
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let content_type = header_text(header::CONTENT_TYPE);
    let body_text = bytes
        .as_deref()
        .map(|b| redact_form(&String::from_utf8_lossy(b)))
        .unwrap_or_default();
    let seen = state.record(SeenRequest {
        method: parts.method.to_string(),
        path_and_query: parts.uri.path_and_query().map_or_else(
            || parts.uri.path().to_string(),
            |pq| pq.as_str().to_string(),
        ),
        authorization: headers.contains_key(header::AUTHORIZATION),
        content_type,
        accept: header_text(header::ACCEPT),
        body: body_text,
        status: 0,
    });
    let ctx = Ctx::new(&state, &parts.method, headers, parts.uri.query());
    let response = match bytes {
        None => ctx.error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "EntityTooLarge",
            None,
            "The request body is larger than 64 KiB.",
        ),
        Some(body) => crate::sim::routes::dispatch(&state, &ctx, parts.uri.path(), &body).await,
    };
    state.set_status(seen, response.status().as_u16());
    // The `sim` command's log; bodies stay out of it (they may hold tokens).
    tracing::info!(
        method = %parts.method,
        path = parts.uri.path(),
        status = response.status().as_u16(),
        "sim request"
    );
    response
}

/// Replaces the value of every `password` field of a form body by `***`.
pub(crate) fn redact_form(body: &str) -> String {
    body.split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            let decoded: String = url::form_urlencoded::parse(key.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect();
            if decoded.eq_ignore_ascii_case("password") {
                format!("{key}=***")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// What every answer needs to know about its request.
pub(crate) struct Ctx {
    pub(crate) method: Method,
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(String, String)>,
    /// `http://host:port` for absolute links.
    pub(crate) origin: String,
    /// The response format and the media type to label it with.
    pub(crate) format: Format,
    pub(crate) media_type: String,
    /// For the switches that rewrite what is sent (`foreign-link`, `hostile-text`).
    pub(crate) faults: Faults,
}

impl Ctx {
    pub(crate) fn new(
        state: &SimState,
        method: &Method,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Ctx {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() < 256
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            });
        let origin = host.map_or_else(|| state.origin().to_string(), |h| format!("http://{h}"));
        let (format, media_type) = negotiate(headers.get(header::ACCEPT));
        Ctx {
            method: method.clone(),
            headers: headers.clone(),
            query: url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            origin,
            format,
            media_type,
            faults: state.config().faults.clone(),
        }
    }

    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn body(&self, status: StatusCode, bytes: Vec<u8>) -> Response {
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        if let Ok(v) = HeaderValue::from_str(&format!("{}; charset=utf-8", self.media_type)) {
            response.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        response
    }

    pub(crate) fn resource(&self, status: StatusCode, resource: &Resource) -> Response {
        self.body(status, self.resource_bytes(resource))
    }

    /// A resource whose embedded `rels` are lists: in JSON each is an array even when it
    /// holds one item or none (PROTOCOL.md §g, §k).
    pub(crate) fn resource_listing(
        &self,
        status: StatusCode,
        resource: &Resource,
        rels: &[&str],
    ) -> Response {
        let bytes = self.resource_bytes(resource);
        if self.format != Format::Json {
            return self.body(status, bytes);
        }
        let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            return self.body(status, bytes);
        };
        let embedded = json.as_object_mut().map(|o| {
            o.entry("_embedded")
                .or_insert_with(|| serde_json::json!({}))
        });
        if let Some(embedded) = embedded.and_then(|e| e.as_object_mut()) {
            for rel in rels {
                let entry = embedded
                    .entry(rel.to_string())
                    .or_insert_with(|| serde_json::json!([]));
                if !entry.is_array() {
                    *entry = serde_json::Value::Array(vec![entry.take()]);
                }
            }
        }
        self.body(status, json.to_string().into_bytes())
    }

    /// A resource in the answer's format, its links moved under `foreign-link`.
    pub(crate) fn resource_bytes(&self, resource: &Resource) -> Vec<u8> {
        match &self.faults.foreign_link {
            Some(link) => {
                let mut resource = resource.clone();
                foreign_resource(&mut resource, link);
                self.format.write_resource(&resource)
            }
            None => self.format.write_resource(resource),
        }
    }

    pub(crate) fn events(&self, page: &EventsPage) -> Response {
        if self.faults.foreign_link.is_none() && !self.faults.hostile_text {
            return self.body(StatusCode::OK, self.format.write_events(page));
        }
        let mut page = page.clone();
        if let Some(link) = &self.faults.foreign_link {
            let swap = |href: &mut Option<String>, rel: &str| {
                if let Some(h) = href.as_mut().filter(|_| link.applies(rel)) {
                    *h = foreign_href(h, link);
                }
            };
            swap(&mut page.next, "next");
            swap(&mut page.resync, "resync");
            swap(&mut page.resume, "resume");
        }
        for sender in &mut page.senders {
            for event in &mut sender.events {
                if let Some(link) = &self.faults.foreign_link {
                    if link.applies(&event.link.rel) {
                        event.link.href = foreign_href(&event.link.href, link);
                    }
                    if let Some(embedded) = &mut event.embedded {
                        foreign_resource(embedded, link);
                    }
                }
                if let Some(reason) = event.reason.as_mut().filter(|_| self.faults.hostile_text) {
                    hostile(reason, self.format);
                }
            }
        }
        self.body(StatusCode::OK, self.format.write_events(&page))
    }

    pub(crate) fn error_body(&self, status: StatusCode, error: &ErrorBody) -> Response {
        if self.faults.hostile_text {
            let mut error = error.clone();
            hostile(&mut error, self.format);
            return self.body(status, self.format.write_error(&error));
        }
        self.body(status, self.format.write_error(error))
    }

    /// A `Location` value: the path, or the path on the foreign origin under
    /// `foreign-link=location@…`.
    pub(crate) fn location(&self, path: &str) -> Option<HeaderValue> {
        let value = match &self.faults.foreign_link {
            Some(link) if link.applies("location") => foreign_href(path, link),
            _ => path.to_string(),
        };
        HeaderValue::from_str(&value).ok()
    }

    pub(crate) fn error(
        &self,
        status: StatusCode,
        code: &str,
        subcode: Option<&str>,
        message: &str,
    ) -> Response {
        self.error_body(
            status,
            &ErrorBody {
                code: code.into(),
                subcode: subcode.map(Into::into),
                message: Some(message.into()),
                ..Default::default()
            },
        )
    }

    pub(crate) fn not_found(&self) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "NotFound",
            None,
            "The requested resource could not be found.",
        )
    }

    pub(crate) fn application_not_found(&self) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "NotFound",
            Some("ApplicationNotFound"),
            "The application does not exist.",
        )
    }

    pub(crate) fn method_not_allowed(&self, allowed: &[Method]) -> Response {
        let mut response = self.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            None,
            &format!("{} is not allowed on this resource.", self.method),
        );
        let allow = allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if let Ok(v) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, v);
        }
        response
    }

    pub(crate) fn invalid(&self, problems: Vec<Problem>) -> Response {
        let message = problems
            .iter()
            .map(|p| p.detail.clone())
            .collect::<Vec<_>>()
            .join("; ");
        self.error_body(
            StatusCode::BAD_REQUEST,
            &ErrorBody {
                code: "BadRequest".into(),
                subcode: Some("ParameterValidationFailure".into()),
                message: Some(message),
                parameters: problems
                    .into_iter()
                    .map(|p| (p.name.to_string(), p.reason.to_string()))
                    .collect(),
                ..Default::default()
            },
        )
    }

    /// The 401 challenge of samples/user-unauthenticated-401.http: an HTML page and two
    /// `WWW-Authenticate` headers, the `MsRtcOAuth` one in the quoted form.
    pub(crate) fn challenge(&self) -> Response {
        self.challenge_from(&self.origin)
    }

    /// The challenge of a UCWA resource (after sign-in): under `foreign-link=token@…` its
    /// token endpoint is on the foreign origin.
    pub(crate) fn ucwa_challenge(&self) -> Response {
        match &self.faults.foreign_link {
            Some(link) if link.applies("token") => self.challenge_from(&link.origin),
            _ => self.challenge(),
        }
    }

    pub(crate) fn challenge_from(&self, token_origin: &str) -> Response {
        let mut response = Response::new(Body::from(
            "<html><head><title>401 - Unauthorized</title></head>\
             <body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1>\
             </body></html>",
        ));
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        h.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "Bearer trusted_issuers=\"00000002-0000-0ff1-ce00-000000000000@contoso.com\", \
                 client_id=\"00000004-0000-0ff1-ce00-000000000000\"",
            ),
        );
        // Only the grants the token endpoint takes.
        let grants = if self.faults.no_password_grant {
            "urn:microsoft.rtc:windows"
        } else {
            "password"
        };
        let oauth = format!(
            "MsRtcOAuth href=\"{}{}\",grant_type=\"{grants}\"",
            token_origin,
            res::TOKEN
        );
        if let Ok(v) = HeaderValue::from_str(&oauth) {
            h.append(header::WWW_AUTHENTICATE, v);
        }
        response
    }

    /// Reads a UCWA input body (`UcwaInput`); a rejection is answered as a UCWA error.
    pub(crate) fn input(&self, body: &[u8]) -> Result<Input, Box<Response>> {
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        UcwaInput::parse(content_type, body, self.format)
            .map(|input| input.0)
            .map_err(|rejection| {
                Box::new(self.error_body(rejection.status, &rejection.error_body()))
            })
    }
}

/// `href` on the foreign origin (relative hrefs only; absolute ones stay).
pub(crate) fn foreign_href(href: &str, link: &ForeignLink) -> String {
    if href.starts_with('/') {
        format!("{}{href}", link.origin)
    } else {
        href.to_string()
    }
}

/// Moves every link of the configured kind (and, for `self`, the application's own href)
/// to the foreign origin, embedded resources included.
pub(crate) fn foreign_resource(resource: &mut Resource, link: &ForeignLink) {
    if link.applies("self") && resource.rel == "application" {
        if let Some(href) = &mut resource.href {
            *href = foreign_href(href, link);
        }
    }
    for l in &mut resource.links {
        if link.applies(&l.rel) {
            l.href = foreign_href(&l.href, link);
        }
    }
    for embedded in &mut resource.embedded {
        foreign_resource(embedded, link);
    }
}

/// `hostile-text`: control sequences in the message and subcode of an error or reason. In
/// XML only those XML can carry (CR, C1 controls, bidi characters; not ESC or BEL).
pub(crate) fn hostile(error: &mut ErrorBody, format: Format) {
    let keep = |text: String| match format {
        Format::Xml => text
            .chars()
            .filter(|c| crate::ucwa::xml::is_xml_char(*c))
            .collect(),
        _ => text,
    };
    let message = error.message.take().unwrap_or_default();
    error.message = Some(keep(format!("{message}{HOSTILE_TEXT}")));
    let subcode = error.subcode.take().unwrap_or_else(|| "None".into());
    error.subcode = Some(keep(format!("{subcode}\u{1b}[31m\u{9b}1m")));
}

/// The response format from `Accept`: the first entry naming JSON or XML; JSON if none.
pub(crate) fn negotiate(accept: Option<&HeaderValue>) -> (Format, String) {
    let accept = accept.and_then(|v| v.to_str().ok()).unwrap_or_default();
    accept
        .split(',')
        .find_map(|entry| {
            let format = Format::from_media_type(entry)?;
            let essence = entry.split(';').next()?.trim().to_ascii_lowercase();
            Some((format, essence))
        })
        .unwrap_or((Format::Json, "application/json".to_string()))
}

pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_form_bodies() {
        assert_eq!(
            redact_form("grant_type=password&username=a%40b&password=s3cret&x=1"),
            "grant_type=password&username=a%40b&password=***&x=1"
        );
        assert_eq!(redact_form("{\"password\":1}"), "{\"password\":1}");
    }

    #[test]
    fn accept_picks_the_first_known_format() {
        let v = HeaderValue::from_static("text/html, application/vnd.microsoft.com.ucwa+xml;q=0.9");
        assert_eq!(
            negotiate(Some(&v)),
            (
                Format::Xml,
                "application/vnd.microsoft.com.ucwa+xml".to_string()
            )
        );
        assert_eq!(negotiate(None).0, Format::Json);
    }
}
