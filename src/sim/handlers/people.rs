//! `people/search`: directory search over the simulator's address book (PROTOCOL.md §k).
//! The other people resources are plain GETs in the route table.

use axum::http::StatusCode;
use axum::response::Response;

use crate::sim::extract::Problem;
use crate::sim::http::Ctx;
use crate::sim::resources as res;
use crate::sim::SimState;

/// The number of matches when `limit` is absent (the reference gives none).
pub const DEFAULT_LIMIT: usize = 20;

/// `GET people/search?query=TEXT[&limit=N]`: `query` 1–256 characters, `limit` 1–100.
/// Every match is an embedded `contact` (a JSON array even for one); `moreResultsAvailable`
/// says whether `limit` cut the list.
pub(crate) fn search(state: &SimState, ctx: &Ctx, id: u64) -> Response {
    let mut problems = Vec::new();
    let query = ctx.query("query").unwrap_or_default().to_string();
    let count = query.chars().count();
    if query.trim().is_empty() {
        problems.push(Problem::missing("query"));
    } else if count > 256 {
        problems.push(Problem::invalid(
            "query",
            format!("{count} characters, the limit is 256"),
        ));
    }
    let limit = match ctx.query("limit").map(|l| l.trim().parse::<usize>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            problems.push(Problem::invalid(
                "limit",
                "expected a whole number from 1 to 100".into(),
            ));
            DEFAULT_LIMIT
        }
    };
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let found = state.with_app(id, |app| {
        let self_href = format!(
            "{}/people/search?{}",
            app.base(),
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("query", &query)
                .append_pair("limit", &limit.to_string())
                .finish()
        );
        res::search(app, self_href, &query, limit)
    });
    match found {
        None => ctx.application_not_found(),
        Some(resource) => ctx.resource_listing(StatusCode::OK, &resource, &["contact"]),
    }
}

/// `myContacts` (no group) or a group's `groupContacts`: every `contact` as a list.
pub(crate) fn contacts(state: &SimState, ctx: &Ctx, id: u64, group: Option<&str>) -> Response {
    if group.is_some_and(|g| g != res::GROUP) {
        return ctx.not_found();
    }
    let list = state.with_app(id, |app| match group {
        None => res::my_contacts(app),
        Some(_) => res::group_contacts(app),
    });
    match list {
        None => ctx.application_not_found(),
        Some(resource) => ctx.resource_listing(StatusCode::OK, &resource, &["contact"]),
    }
}
