//! One handler file per UCWA resource family; `routes` picks which one answers.

pub mod application;
pub mod auth;
pub mod communication;
pub mod conversation;
pub mod discovery;
pub mod events;
pub mod me;
pub mod people;
