//! The rules of the text fields (`subject`, `threadId`, `sessionContext`, `operationId`)
//! and `importance`: lengths counted in characters, and the characters no field may carry.

use super::{
    Field, FieldError, Importance, OPERATION_ID_MAX, SESSION_CONTEXT_MAX, SUBJECT_MAX,
    THREAD_ID_MAX,
};

pub(super) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// The first character no field may carry: a control character, or one XML 1.0 cannot
/// carry (U+FFFE, U+FFFF), which a server in the XML format could not be sent.
pub(super) fn control_char(value: &str) -> Option<char> {
    value
        .chars()
        .find(|c| c.is_control() || !crate::ucwa::xml::is_xml_char(*c))
}

pub(super) fn control_char_error(field: Field, c: char) -> FieldError {
    FieldError {
        field,
        message: format!(
            "contains the {}character U+{:04X}, which cannot be sent",
            if c.is_control() { "control " } else { "" },
            c as u32
        ),
    }
}

pub(super) fn check_length(field: Field, value: &str, max: usize) -> Option<FieldError> {
    if let Some(c) = control_char(value) {
        return Some(control_char_error(field, c));
    }
    let count = value.chars().count();
    (count > max).then(|| FieldError {
        field,
        message: format!("{count} characters, the limit is {max}"),
    })
}

pub fn check_subject(value: &str) -> Option<FieldError> {
    check_length(Field::Subject, value, SUBJECT_MAX)
}

pub fn check_session_context(value: &str) -> Option<FieldError> {
    check_length(Field::SessionContext, value, SESSION_CONTEXT_MAX)
}

pub fn check_operation_id(value: &str) -> Option<FieldError> {
    // Events are matched to our call by this id: an empty one would match any invitation.
    if value.trim().is_empty() {
        return Some(FieldError {
            field: Field::OperationId,
            message: "required: events are matched to the call by it".into(),
        });
    }
    check_length(Field::OperationId, value, OPERATION_ID_MAX)
}

pub fn check_thread_id(value: &str) -> Option<FieldError> {
    check_length(Field::ThreadId, value, THREAD_ID_MAX)
}

pub fn check_importance(value: &str) -> Option<FieldError> {
    Importance::parse(value).is_none().then(|| FieldError {
        field: Field::Importance,
        message: format!("'{value}' is not one of Normal, Urgent, Emergency"),
    })
}
