//! `CallRequest::validate`: every field's rule applied at once, in field order, so the
//! user sees every problem in one go; one helper per group of fields.

use std::path::PathBuf;

use super::contact::{check_to, contact_uri};
use super::media_offer::read_media_offer;
use super::phone::{check_phone_number, check_tel_callee};
use super::text::{
    check_importance, check_operation_id, check_session_context, check_subject, check_thread_id,
    non_empty,
};
use super::{CallRequest, Field, FieldError, Importance, MediaOffer, ValidCall};
use crate::ucwa::modality::{AUDIO_VIDEO, PHONE_AUDIO};

impl CallRequest {
    /// Every rule at once: either a call ready to send, or every problem found.
    pub fn validate(&self) -> Result<ValidCall, Vec<FieldError>> {
        let mut errors = Vec::new();
        let phone_number = self.phone_number(&mut errors);
        let via_phone = phone_number.is_some();
        let to = self.callee(via_phone, &mut errors);
        if via_phone {
            errors.extend(self.audio_video_only_fields());
        }
        let importance = self.text_fields(via_phone, &mut errors);
        let media_offer = self.media_offer(via_phone, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidCall {
            to,
            subject: non_empty(&self.subject).map(str::to_string),
            importance,
            thread_id: non_empty(&self.thread_id).map(str::to_string),
            session_context: non_empty(&self.session_context).map(str::to_string),
            operation_id: self.operation_id.clone(),
            media_offer,
            join_audio_muted: self.join_audio_muted,
            join_video_muted: self.join_video_muted,
            modality: if via_phone {
                &PHONE_AUDIO
            } else {
                &AUDIO_VIDEO
            },
            phone_number,
        })
    }

    /// Call via Work's own phone, as sent; `Some("")` when it was given but is wrong (still
    /// a Call via Work request: its other fields follow its rules); `None` for audio/video.
    fn phone_number(&self, errors: &mut Vec<FieldError>) -> Option<String> {
        let number = self.via_phone.as_deref()?;
        Some(match check_phone_number(number) {
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        })
    }

    /// The callee as sent: a SIP URI, or for Call via Work also a `tel:+E164` number.
    fn callee(&self, via_phone: bool, errors: &mut Vec<FieldError>) -> String {
        let to = contact_uri(&self.to);
        let tel_callee = to.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:"));
        if via_phone && tel_callee {
            return match check_tel_callee(&to) {
                Ok(tel) => tel,
                Err(e) => {
                    errors.push(e);
                    to
                }
            };
        }
        errors.extend(check_to(&to).map(|mut e| {
            if via_phone {
                e.message = e.message.replace(
                    "(expected sip:user@host)",
                    "(expected sip:user@host or tel:+E164)",
                );
            }
            e
        }));
        to
    }

    /// Call via Work: the fields given that exist only for audio/video. The server owns the
    /// media of a Call via Work call: these fields do not exist for startPhoneAudio
    /// (PROTOCOL.md §j).
    fn audio_video_only_fields(&self) -> Vec<FieldError> {
        let given_path =
            |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| !p.as_os_str().is_empty());
        [
            (
                Field::SessionContext,
                non_empty(&self.session_context).is_some(),
            ),
            (Field::MediaOffer, given_path(&self.media_offer)),
            (Field::JoinAudioMuted, self.join_audio_muted.is_some()),
            (Field::JoinVideoMuted, self.join_video_muted.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(field, _)| FieldError {
            field,
            message: "does not apply to Call via Work (--via-phone): the server rings your phone and owns the media".into(),
        })
        .collect()
    }

    /// subject, importance, threadId, sessionContext (audio/video only) and operationId, in
    /// that order; the importance read.
    fn text_fields(&self, via_phone: bool, errors: &mut Vec<FieldError>) -> Option<Importance> {
        if let Some(subject) = non_empty(&self.subject) {
            errors.extend(check_subject(subject));
        }
        let importance = non_empty(&self.importance).and_then(|value| {
            errors.extend(check_importance(value));
            Importance::parse(value)
        });
        if let Some(thread_id) = non_empty(&self.thread_id) {
            errors.extend(check_thread_id(thread_id));
        }
        if let Some(context) = non_empty(&self.session_context).filter(|_| !via_phone) {
            errors.extend(check_session_context(context));
        }
        errors.extend(check_operation_id(&self.operation_id));
        importance
    }

    /// The media offer read from its file (audio/video only; an empty path is none).
    fn media_offer(&self, via_phone: bool, errors: &mut Vec<FieldError>) -> Option<MediaOffer> {
        let path = self
            .media_offer
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty() && !via_phone)?;
        read_media_offer(path).map_err(|e| errors.push(e)).ok()
    }
}
