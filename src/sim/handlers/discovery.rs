//! The discovery root and the redirects a client follows before signing in.

use axum::http::StatusCode;
use axum::response::Response;

use crate::sim::http::Ctx;
use crate::sim::resources as res;
pub(crate) fn root_answer(ctx: &Ctx, redirect: bool) -> Response {
    let resource = if redirect {
        res::redirect(format!("{}{}", ctx.origin, res::ROOT))
    } else {
        res::root(&ctx.origin)
    };
    ctx.resource(StatusCode::OK, &resource)
}
