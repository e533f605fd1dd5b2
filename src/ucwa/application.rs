//! The application: created once per call run, deleted on every way out.

use url::Url;

use super::action::Action;
use super::client::Client;
use super::error::UcwaError;
use super::resource::{Input, Value};

/// What the rest of the flow needs from the application resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// The application's own href (absolute).
    pub href: String,
    /// `_links.events`, as given (it already carries `ack`).
    pub events: String,
    pub communication: Option<String>,
    /// `_embedded.communication._links.startAudioVideo`; `None` when not offered.
    pub start_audio_video: Option<String>,
    /// Every other link the application offers, by rel, first one of a rel winning: its own
    /// links, each embedded resource's self href (under the resource's rel) and its links.
    pub links: Vec<(String, String)>,
}

impl Application {
    /// The href of the link `rel` the application (or one of its embedded resources) offers.
    pub fn link(&self, rel: &str) -> Option<String> {
        self.links
            .iter()
            .find(|(r, _)| r == rel)
            .map(|(_, href)| href.clone())
    }
}

/// Every link of `resource` and of the resources embedded in it, by rel.
fn all_links(resource: &super::resource::Resource) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = resource
        .links
        .iter()
        .map(|l| (l.rel.clone(), l.href.clone()))
        .collect();
    for embedded in &resource.embedded {
        if let Some(href) = &embedded.href {
            links.push((embedded.rel.clone(), href.clone()));
        }
        links.extend(
            embedded
                .links
                .iter()
                .map(|l| (l.rel.clone(), l.href.clone())),
        );
    }
    links
}

/// The creation body, in the reference spelling.
pub fn application_input(endpoint_id: &str) -> Input {
    Input {
        properties: vec![
            ("culture".into(), Value::text("en-US")),
            ("endpointId".into(), Value::text(endpoint_id)),
            (
                "userAgent".into(),
                Value::text(concat!("avlaunch/", env!("CARGO_PKG_VERSION"))),
            ),
        ],
        links: Vec::new(),
    }
}

/// A fresh endpoint id: a random (v4) UUID, unique per application as the server wants.
pub fn fresh_endpoint_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// POSTs `applications` and reads the new application. When the embedded
/// `communication` lacks `startAudioVideo`, GETs `communication` once in case the
/// embedded copy is stale.
pub async fn create(client: &Client, applications: &Url) -> Result<Application, UcwaError> {
    let action = Action::CreatingApplication;
    let input = application_input(&fresh_endpoint_id());
    let response = client
        .post(applications.as_str(), Some(&input), action)
        .await?;
    let location = response.header("location").map(str::to_string);
    let mut self_href = location.clone();
    let result = read_created(client, &response, &mut self_href, action).await;
    if result.is_err() {
        // The server made an application we cannot use: delete it rather than leave it
        // registered until it expires.
        if let Some(href) = &self_href {
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                client.delete(href, Action::DeletingUnusableApplication),
            )
            .await;
        }
    }
    result
}

/// Reads the 201's application (or GETs its Location); `self_href` learns the
/// application's href as soon as it is known.
async fn read_created(
    client: &Client,
    response: &super::transport::WireResponse,
    self_href: &mut Option<String>,
    action: Action,
) -> Result<Application, UcwaError> {
    let protocol = |detail: &str| UcwaError::Protocol {
        action,
        detail: detail.into(),
    };
    let resource = if response.body.is_empty() {
        let location = self_href
            .clone()
            .ok_or_else(|| protocol("the server answered with neither a body nor a Location"))?;
        client.get_resource(&location, action).await?
    } else {
        client.read_resource(response, action)?
    };
    if let Some(href) = &resource.href {
        // An application claiming to live on another origin is refused here, so the
        // pool's `Location` stays the href its delete goes to.
        client.check_origin(&client.resolve(href)?, action)?;
        *self_href = Some(href.clone());
    }
    let href = self_href
        .clone()
        .ok_or_else(|| protocol("the application has no self link"))?;
    let events = resource
        .link("events")
        .ok_or_else(|| protocol("the application has no events link"))?
        .to_string();
    let communication = resource.embedded("communication");
    let communication_href = communication
        .and_then(|c| c.href.clone())
        .or_else(|| resource.link("communication").map(str::to_string));
    let mut start_audio_video = communication
        .and_then(|c| c.link("startAudioVideo"))
        .map(str::to_string);
    if start_audio_video.is_none() {
        if let Some(href) = &communication_href {
            let fresh = client
                .get_resource(href, Action::ReadingCommunication)
                .await?;
            start_audio_video = fresh.link("startAudioVideo").map(str::to_string);
        }
    }
    Ok(Application {
        href: client.resolve(&href)?.to_string(),
        events,
        communication: communication_href,
        start_audio_video,
        links: all_links(&resource),
    })
}

/// DELETEs the application. This also ends any call it still holds.
pub async fn delete(client: &Client, application: &Application) -> Result<(), UcwaError> {
    client
        .delete(&application.href, Action::DeletingApplication)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_ids_are_uuid_shaped_and_fresh() {
        let a = fresh_endpoint_id();
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, fresh_endpoint_id());
    }
}
