//! Reading and validating UCWA request bodies: the `UcwaInput` extractor, whose rejection is
//! a UCWA error body (never axum's plain-text default), and the property checks
//! (`required`, `text_field`) that build a `ParameterValidationFailure`.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::ucwa::resource::{ErrorBody, Input, Value};
use crate::ucwa::Format;

/// One invalid input property.
pub(crate) struct Problem {
    pub(crate) name: &'static str,
    pub(crate) reason: &'static str,
    pub(crate) detail: String,
}

impl Problem {
    pub(crate) fn missing(name: &'static str) -> Problem {
        Problem {
            name,
            reason: "Missing",
            detail: format!("{name}: required"),
        }
    }

    pub(crate) fn invalid(name: &'static str, detail: String) -> Problem {
        Problem {
            name,
            reason: "Invalid",
            detail: format!("{name}: {detail}"),
        }
    }
}

/// A text property: absent or null is `None`; numbers count as text (XML has only text).
pub(crate) fn text_field(
    input: &Input,
    name: &'static str,
    limit: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let text = match input.property(name)? {
        Value::Null => return None,
        Value::Text(s) | Value::Number(s) => s.clone(),
        _ => {
            problems.push(Problem::invalid(name, "expected a string".into()));
            return None;
        }
    };
    let count = text.chars().count();
    match limit {
        Some(limit) if count > limit => {
            problems.push(Problem::invalid(
                name,
                format!("{count} characters, the limit is {limit}"),
            ));
            None
        }
        _ => Some(text),
    }
}

pub(crate) fn required(
    input: &Input,
    name: &'static str,
    limit: Option<usize>,
    problems: &mut Vec<Problem>,
) -> String {
    let before = problems.len();
    match text_field(input, name, limit, problems) {
        Some(s) if !s.trim().is_empty() => s,
        _ => {
            if problems.len() == before {
                problems.push(Problem::missing(name));
            }
            String::new()
        }
    }
}

/// A UCWA input body, read in the format its `Content-Type` names (JSON or XML). An empty
/// body is an empty input.
///
/// Usable as an axum extractor; the simulator's own route table, which matches paths
/// without regard to case, reads the body first and calls [`UcwaInput::parse`].
#[derive(Clone, Debug, Default)]
pub(crate) struct UcwaInput(pub(crate) Input);

/// Why a body could not be read: answered as a UCWA error body in the client's format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InputRejection {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) subcode: Option<&'static str>,
    pub(crate) message: String,
    /// The answer's format (from `Accept`).
    pub(crate) format: Format,
}

impl UcwaInput {
    /// Reads `body` as the `content_type` says; `answer` is the response format, for the
    /// rejection.
    pub(crate) fn parse(
        content_type: Option<&str>,
        body: &[u8],
        answer: Format,
    ) -> Result<UcwaInput, InputRejection> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(UcwaInput::default());
        }
        let Some(format) = content_type.and_then(Format::from_media_type) else {
            return Err(InputRejection {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "UnsupportedMediaType",
                subcode: None,
                message: format!(
                    "The content type '{}' is not supported: send application/json or application/xml.",
                    content_type.unwrap_or("(none)")
                ),
                format: answer,
            });
        };
        format
            .read_input(body)
            .map(UcwaInput)
            .map_err(|e| InputRejection {
                status: StatusCode::BAD_REQUEST,
                code: "BadRequest",
                subcode: Some("DeserializationFailure"),
                message: format!("The body is not valid {}: {e}", format.name()),
                format: answer,
            })
    }
}

impl InputRejection {
    pub(crate) fn error_body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.into(),
            subcode: self.subcode.map(Into::into),
            message: Some(self.message.clone()),
            ..Default::default()
        }
    }
}

impl axum::response::IntoResponse for InputRejection {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.format.write_error(&self.error_body())));
        *response.status_mut() = self.status;
        if let Ok(v) = HeaderValue::from_str(&format!("{}; charset=utf-8", self.format.accept())) {
            response.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        response
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for UcwaInput {
    type Rejection = InputRejection;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let answer = crate::sim::http::negotiate(request.headers().get(header::ACCEPT)).0;
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| InputRejection {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "EntityTooLarge",
                subcode: None,
                message: "The request body could not be read.".into(),
                format: answer,
            })?;
        UcwaInput::parse(content_type.as_deref(), &body, answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::FromRequest;

    #[tokio::test]
    async fn the_extractor_rejects_with_a_ucwa_error_in_the_asked_format() {
        let request = axum::http::Request::builder()
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::ACCEPT, "application/vnd.microsoft.com.ucwa+xml")
            .body(Body::from("hello"))
            .unwrap();
        let rejection = UcwaInput::from_request(request, &()).await.unwrap_err();
        assert_eq!(rejection.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(rejection.format, Format::Xml);
        let response = axum::response::IntoResponse::into_response(rejection);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let error = Format::Xml.read_error(&body).unwrap();
        assert_eq!(error.code, "UnsupportedMediaType");

        let request = axum::http::Request::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"to":"sip:alice@contoso.com"}"#))
            .unwrap();
        let UcwaInput(input) = UcwaInput::from_request(request, &()).await.unwrap();
        assert!(input.property("to").is_some());
    }
}
