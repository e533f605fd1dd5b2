//! `POST applications`, the application and its `DELETE`.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::sim::extract::{required, text_field};
use crate::sim::faults::OneShot;
use crate::sim::http::Ctx;
use crate::sim::ids::{hex_id, uuid_like};
use crate::sim::resources as res;
use crate::sim::state::{App, APPLICATIONS};
use crate::sim::SimState;
pub(crate) fn create_application(state: &SimState, ctx: &Ctx, user: &str, body: &[u8]) -> Response {
    let faults = &state.config().faults;
    if state.fire(OneShot::Proxy502Html) {
        let mut r = Response::new(Body::from(
            "<html><head><title>502 Bad Gateway</title></head>\
             <body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response \
             from an upstream server.</p></body></html>",
        ));
        *r.status_mut() = StatusCode::BAD_GATEWAY;
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        return r;
    }
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let culture = required(&input, "culture", Some(100), &mut problems);
    let endpoint_id = required(&input, "endpointId", Some(100), &mut problems);
    let user_agent = required(&input, "userAgent", Some(100), &mut problems);
    let instance_id = text_field(&input, "instanceId", Some(100), &mut problems);
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let mut inner = state.lock();
    let id = inner.next_app;
    inner.next_app += 1;
    let app = App {
        id,
        user: user.to_string(),
        culture,
        user_agent,
        endpoint_id,
        instance_id,
        telemetry_id: hex_id(),
        put_guid: uuid_like(),
        channel: Default::default(),
        calls: Vec::new(),
        next_conversation: 1,
        available: None,
    };
    let mut resource = res::application(&app, faults.offered());
    faults.withhold(&mut resource);
    inner.apps.insert(id, app);
    if inner.fire(faults, OneShot::ExpireTokenOnce) {
        inner.expire_armed = true;
    }
    let truncate = inner.fire(faults, OneShot::TruncatedBody);
    drop(inner);
    let mut bytes = ctx.resource_bytes(&resource);
    if truncate {
        bytes.truncate(bytes.len() / 2);
    }
    let mut response = ctx.body(StatusCode::CREATED, bytes);
    if let Some(v) = ctx.location(&format!("{}/{id}", APPLICATIONS)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}
