//! The HTTP side: one handler that records the request, checks what UCWA would check
//! (size, Authorization, method, content type, field limits) and answers in the format the
//! `Accept` header asks for. Every UCWA error is a UCWA error body, never an axum default.
//!
//! Paths are matched here rather than with axum routes so that an unknown path is a UCWA
//! `404 NotFound` and a known path with the wrong method a UCWA `405`, both in the
//! client's format, and so that matching ignores case as IIS does.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;

use crate::sim::faults::{OneShot, SimStep};
use crate::sim::handlers::{
    application, auth, communication, conversation, discovery, events, me, people,
};
use crate::sim::http::{empty, Ctx};
use crate::sim::resources as res;
use crate::sim::state::{App, InvitationState, Wake};
use crate::sim::SimState;
use crate::ucwa::modality::{self, Modality};
use crate::ucwa::resource::Resource;

pub fn router(state: SimState) -> axum::Router {
    axum::Router::new()
        .fallback(crate::sim::http::handle)
        .with_state(state)
}

/// `APPLICATIONS` as lowercase segments.
const APP_PREFIX: [&str; 4] = ["ucwa", "oauth", "v1", "applications"];

/// A request target, matched without regard to case.
#[derive(Debug, PartialEq)]
enum Route {
    /// `GET /`.
    Discovery,
    /// The root path itself.
    Root,
    /// `/redirect-root`: a root whose only link is `redirect`.
    RedirectRoot,
    /// `/redirect-pool`: where `user-redirect` sends the user; names the home pool's user.
    RedirectPool,
    XFrame,
    User,
    Token,
    Applications,
    App(u64, AppRoute),
    Unknown,
}

#[derive(Debug, PartialEq)]
pub(crate) enum AppRoute {
    Application,
    Events,
    Communication,
    /// `startAudioVideo`, `startPhoneAudio`.
    Start(Modality),
    Me,
    MakeMeAvailable,
    ReportMyActivity,
    /// `me/presence` and `me/note`: GET, and POST to set.
    Presence,
    Note,
    People,
    Search,
    MyContacts,
    MyGroups,
    Group(String),
    GroupContacts(String),
    /// `people/<contact>`.
    Contact(String),
    ContactPresence(String),
    Conversations,
    Participants(String),
    /// `conversations/<c>/participants/<p>`.
    Participant(String, String),
    /// `…/participants/<p>/participantAudio` or `participantVideo`.
    ParticipantMedia(String, String, &'static str),
    /// `…/<invitation>/audioVideoNegotiation`.
    Negotiation(Modality, String),
    /// `communication/audioVideoInvitations/<id>` and the like.
    Invitation(Modality, String),
    Cancel(Modality, String),
    Conversation(String),
    /// `conversations/<c>/audioVideo` and the like.
    Modality(Modality, String),
    /// `conversations/<c>/audioVideo/stopAudioVideo` and the like.
    Stop(Modality, String),
    /// `conversations/<c>/phoneAudio/holdPhoneAudio`.
    Hold(Modality, String),
    /// `conversations/<c>/phoneAudio/resumePhoneAudio`.
    Resume(Modality, String),
    Unknown,
}

/// The calling modalities the simulator serves.
pub(crate) const SERVED: [Modality; 2] = modality::ALL;

/// The served modality whose name (start link, invitation collection, resource) is `seg`,
/// compared without regard to case.
fn served(seg: &str, name: impl Fn(&Modality) -> String) -> Option<Modality> {
    SERVED
        .into_iter()
        .find(|m| name(m).eq_ignore_ascii_case(seg))
}

impl Route {
    fn parse(path: &str) -> Route {
        let lower = path.to_ascii_lowercase();
        let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        let app_prefix = APP_PREFIX;
        match segs.as_slice() {
            [] => Route::Discovery,
            ["redirect-root"] => Route::RedirectRoot,
            ["redirect-pool"] => Route::RedirectPool,
            ["pool2", "autodiscover", "autodiscoverservice.svc", "root", "oauth", "user"] => {
                Route::User
            }
            ["autodiscover", "autodiscoverservice.svc", "root"] => Route::Root,
            ["autodiscover", "autodiscoverservice.svc", "root", "oauth", "user"] => Route::User,
            ["autodiscover", "xframe", "xframe.html"] => Route::XFrame,
            ["webticket", "oauthtoken"] => Route::Token,
            s if s == app_prefix.as_slice() => Route::Applications,
            s if s.len() > app_prefix.len() && s[..app_prefix.len()] == app_prefix[..] => {
                let rest = &s[app_prefix.len()..];
                match rest[0].parse::<u64>() {
                    Ok(id) => Route::App(id, AppRoute::parse(&rest[1..])),
                    Err(_) => Route::Unknown,
                }
            }
            _ => Route::Unknown,
        }
    }

    /// The step a `stall` fault can hold.
    fn step(&self, method: &Method) -> Option<SimStep> {
        Some(match self {
            Route::Discovery | Route::Root | Route::RedirectRoot => SimStep::Root,
            Route::User | Route::RedirectPool => SimStep::User,
            Route::Token => SimStep::Token,
            Route::Applications => SimStep::Application,
            Route::App(_, AppRoute::Events) => SimStep::Events,
            Route::App(_, AppRoute::Start(_)) => SimStep::StartAudioVideo,
            Route::App(_, AppRoute::Cancel(..)) => SimStep::Cancel,
            Route::App(_, AppRoute::Stop(..)) => SimStep::HangUp,
            Route::App(_, AppRoute::Conversation(_)) if method == Method::DELETE => SimStep::HangUp,
            Route::App(_, AppRoute::Application) if method == Method::DELETE => SimStep::Delete,
            _ => return None,
        })
    }
}

impl AppRoute {
    fn parse(rest: &[&str]) -> AppRoute {
        let id = |s: &str| s.to_string();
        let start = |seg: &str| served(seg, |m| m.start.to_string());
        let invitations = |seg: &str| served(seg, |m| format!("{}s", m.invitation));
        let resource = |seg: &str| served(seg, |m| m.resource.to_string());
        let stop = |m: Modality, seg: &str| m.stop.eq_ignore_ascii_case(seg);
        match rest {
            [] => AppRoute::Application,
            ["events"] => AppRoute::Events,
            ["communication"] => AppRoute::Communication,
            ["me"] => AppRoute::Me,
            ["me", "makemeavailable"] => AppRoute::MakeMeAvailable,
            ["reportmyactivity"] => AppRoute::ReportMyActivity,
            ["me", "presence"] => AppRoute::Presence,
            ["me", "note"] => AppRoute::Note,
            ["people", rest @ ..] => AppRoute::people(rest),
            ["communication", "conversations"] => AppRoute::Conversations,
            ["communication", "conversations", c] => AppRoute::Conversation(id(c)),
            ["communication", "conversations", c, "participants"] => AppRoute::Participants(id(c)),
            ["communication", "conversations", c, "participants", p] => {
                AppRoute::Participant(id(c), id(p))
            }
            ["communication", "conversations", c, "participants", p, media] => {
                match ["participantAudio", "participantVideo"]
                    .into_iter()
                    .find(|m| m.eq_ignore_ascii_case(media))
                {
                    Some(m) => AppRoute::ParticipantMedia(id(c), id(p), m),
                    None => AppRoute::Unknown,
                }
            }
            ["communication", kind, inv, "audiovideonegotiation"] => invitations(kind)
                .filter(|m| *m == modality::AUDIO_VIDEO)
                .map_or(AppRoute::Unknown, |m| AppRoute::Negotiation(m, id(inv))),
            ["communication", s] => start(s).map_or(AppRoute::Unknown, AppRoute::Start),
            ["communication", kind, inv] => {
                invitations(kind).map_or(AppRoute::Unknown, |m| AppRoute::Invitation(m, id(inv)))
            }
            ["communication", kind, inv, "cancel"] => {
                invitations(kind).map_or(AppRoute::Unknown, |m| AppRoute::Cancel(m, id(inv)))
            }
            ["communication", "conversations", c, r] => {
                resource(r).map_or(AppRoute::Unknown, |m| AppRoute::Modality(m, id(c)))
            }
            ["communication", "conversations", c, r, s] => match resource(r) {
                Some(m) if stop(m, s) => AppRoute::Stop(m, id(c)),
                Some(m) if m.hold.is_some_and(|h| h.eq_ignore_ascii_case(s)) => {
                    AppRoute::Hold(m, id(c))
                }
                Some(m) if m.resume.is_some_and(|r| r.eq_ignore_ascii_case(s)) => {
                    AppRoute::Resume(m, id(c))
                }
                _ => AppRoute::Unknown,
            },
            _ => AppRoute::Unknown,
        }
    }

    fn people(rest: &[&str]) -> AppRoute {
        let id = |s: &str| s.to_string();
        match rest {
            [] => AppRoute::People,
            ["search"] => AppRoute::Search,
            ["contacts"] => AppRoute::MyContacts,
            ["groups"] => AppRoute::MyGroups,
            ["groups", g] => AppRoute::Group(id(g)),
            ["groups", g, "contacts"] => AppRoute::GroupContacts(id(g)),
            [c] => AppRoute::Contact(id(c)),
            [c, "presence"] => AppRoute::ContactPresence(id(c)),
            _ => AppRoute::Unknown,
        }
    }

    fn methods(&self) -> &'static [Method] {
        match self {
            AppRoute::Application | AppRoute::Conversation(_) => &[Method::GET, Method::DELETE],
            AppRoute::Presence | AppRoute::Note => &[Method::GET, Method::POST],
            AppRoute::MakeMeAvailable | AppRoute::ReportMyActivity => &[Method::POST],
            AppRoute::Start(_)
            | AppRoute::Cancel(..)
            | AppRoute::Stop(..)
            | AppRoute::Hold(..)
            | AppRoute::Resume(..) => &[Method::POST],
            _ => &[Method::GET],
        }
    }
}

pub(crate) async fn dispatch(state: &SimState, ctx: &Ctx, path: &str, body: &Bytes) -> Response {
    let route = Route::parse(path);
    let faults = &state.config().faults;
    if let Some(delay) = faults.slow {
        state.sleep(delay).await;
    }
    if let Some(delay) = route.step(&ctx.method).and_then(|s| faults.stall_for(s)) {
        state.sleep(delay).await;
    }
    let get_only = |answer: &dyn Fn() -> Response| {
        if ctx.method == Method::GET {
            answer()
        } else {
            ctx.method_not_allowed(&[Method::GET])
        }
    };
    match route {
        Route::Discovery => get_only(&|| {
            let redirect = faults.redirect_loop || (state.fire(OneShot::RedirectRoot));
            discovery::root_answer(ctx, redirect)
        }),
        Route::Root => get_only(&|| discovery::root_answer(ctx, faults.redirect_loop)),
        Route::RedirectRoot => get_only(&|| discovery::root_answer(ctx, true)),
        Route::XFrame => get_only(&|| {
            let mut r = Response::new(Body::from("<html><body></body></html>"));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            r
        }),
        Route::User => get_only(&|| match auth::authorize(state, ctx, false) {
            Some(_) if state.fire(OneShot::UserRedirect) => {
                ctx.resource(StatusCode::OK, &res::user_redirect(&ctx.origin))
            }
            Some(_) => ctx.resource(StatusCode::OK, &res::user(&ctx.origin)),
            None => ctx.challenge(),
        }),
        Route::RedirectPool => get_only(&|| match auth::authorize(state, ctx, false) {
            Some(_) => ctx.resource(StatusCode::OK, &res::redirect_pool(&ctx.origin)),
            None => ctx.challenge(),
        }),
        Route::Token => auth::token(state, ctx, body),
        Route::Applications => {
            let Some(user) = auth::authorize(state, ctx, true) else {
                return ctx.ucwa_challenge();
            };
            if ctx.method != Method::POST {
                return ctx.method_not_allowed(&[Method::POST]);
            }
            application::create_application(state, ctx, &user, body)
        }
        Route::App(id, sub) => {
            if auth::authorize(state, ctx, true).is_none() {
                return ctx.ucwa_challenge();
            }
            if !state.lock().apps.contains_key(&id) {
                return ctx.application_not_found();
            }
            if sub == AppRoute::Unknown {
                return ctx.not_found();
            }
            if !sub.methods().contains(&ctx.method) {
                return ctx.method_not_allowed(sub.methods());
            }
            app_route(state, ctx, id, sub, body).await
        }
        Route::Unknown => ctx.not_found(),
    }
}

async fn app_route(state: &SimState, ctx: &Ctx, id: u64, route: AppRoute, body: &[u8]) -> Response {
    let faults = &state.config().faults;
    let offered = faults.offered();
    let withheld = |mut r: Resource| {
        faults.withhold(&mut r);
        Some(r)
    };
    let show = |f: &dyn Fn(&App) -> Option<Resource>| show(state, ctx, id, f);
    match route {
        AppRoute::Application if ctx.method == Method::DELETE => {
            let mut inner = state.lock();
            if let Some(mut app) = inner.apps.remove(&id) {
                app.channel.release(Wake::Gone);
            }
            empty(StatusCode::NO_CONTENT)
        }
        AppRoute::Application => show(&|app| withheld(res::application(app, offered))),
        AppRoute::Communication => show(&|app| Some(res::communication(app, offered))),
        AppRoute::Events => events::events(state, ctx, id).await,
        AppRoute::Me => show(&|app| Some(res::me(app))),
        AppRoute::MakeMeAvailable => me::make_me_available(state, ctx, id, body),
        AppRoute::ReportMyActivity => me::report_my_activity(state, ctx, id),
        AppRoute::Presence | AppRoute::Note => me::presence_or_note(state, ctx, id, &route, body),
        AppRoute::People => show(&|app| withheld(res::people(app))),
        AppRoute::Search if faults.no_search => ctx.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            None,
            "Directory search is not allowed for this user.",
        ),
        AppRoute::Search => people::search(state, ctx, id),
        AppRoute::MyContacts => people::contacts(state, ctx, id, None),
        AppRoute::MyGroups => show(&|app| Some(res::my_groups(app))),
        AppRoute::Group(g) => show(&|app| (g == res::GROUP).then(|| res::group(app))),
        AppRoute::GroupContacts(g) => people::contacts(state, ctx, id, Some(&g)),
        AppRoute::Contact(c) => show(&|app| Some(res::contact(app, res::person_by_segment(&c)?))),
        AppRoute::ContactPresence(c) => {
            show(&|app| Some(res::contact_presence(app, res::person_by_segment(&c)?)))
        }
        AppRoute::Start(m) if m == modality::PHONE_AUDIO => {
            communication::start_phone_audio(state, ctx, id, body)
        }
        AppRoute::Start(_) => communication::start_audio_video(state, ctx, id, body),
        AppRoute::Invitation(_, inv) => show(&|app| Some(res::invitation(app, app.call(&inv)?))),
        AppRoute::Cancel(_, inv) => communication::cancel(state, ctx, id, &inv),
        AppRoute::Negotiation(_, inv) => show(&|app| {
            let call = app.call(&inv)?;
            (call.media_offer.is_some() && call.state == InvitationState::Connected)
                .then(|| res::negotiation(app, call))
        }),
        AppRoute::Conversation(c) if ctx.method == Method::DELETE => {
            conversation::end_conversation(state, ctx, id, &c)
        }
        AppRoute::Stop(m, c) => conversation::stop(state, ctx, id, m, &c, body),
        AppRoute::Hold(m, c) => conversation::hold(state, ctx, id, m, &c, true),
        AppRoute::Resume(m, c) => conversation::hold(state, ctx, id, m, &c, false),
        AppRoute::Conversations
        | AppRoute::Conversation(_)
        | AppRoute::Modality(..)
        | AppRoute::Participants(_)
        | AppRoute::Participant(..)
        | AppRoute::ParticipantMedia(..) => conversation::show(state, ctx, id, route),
        AppRoute::Unknown => ctx.not_found(),
    }
}

/// `200` with what `f` finds in application `id`; `404` if it finds nothing.
pub(crate) fn show(
    state: &SimState,
    ctx: &Ctx,
    id: u64,
    f: &dyn Fn(&App) -> Option<Resource>,
) -> Response {
    match state.with_app(id, |app| f(app)) {
        None => ctx.application_not_found(),
        Some(None) => ctx.not_found(),
        Some(Some(resource)) => ctx.resource(StatusCode::OK, &resource),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_without_regard_to_case() {
        assert_eq!(Route::parse("/"), Route::Discovery);
        assert_eq!(Route::parse("/webticket/OAuthToken"), Route::Token);
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/"),
            Route::Applications
        );
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/101/communication/startAudioVideo"),
            Route::App(101, AppRoute::Start(modality::AUDIO_VIDEO))
        );
        assert_eq!(
            Route::parse(
                "/ucwa/oauth/v1/applications/7/communication/audioVideoInvitations/AB/cancel"
            ),
            Route::App(7, AppRoute::Cancel(modality::AUDIO_VIDEO, "ab".into()))
        );
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/x/events"),
            Route::Unknown
        );
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/7/batch"),
            Route::App(7, AppRoute::Unknown)
        );
        assert_eq!(Route::parse("/nowhere"), Route::Unknown);
    }
}
