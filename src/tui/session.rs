//! What the UI knows about where its calls go, beyond one connection: the profile in use, the
//! profiles it can switch to, how to connect again with other settings (the sign-in dialog),
//! where history is recorded and exports written. No HTTP here: `Connector` is handed in by the
//! binary, which knows the config file and the simulator.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use crate::secret::Password;

use super::Ready;

/// Where calls go now: shown in the banner, used to record history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionInfo {
    /// The config file's profile in use, if any.
    pub profile: Option<String>,
    /// The discovery URL or `auto`; `None` = the built-in simulator.
    pub server: Option<String>,
    /// The sign-in name.
    pub user: String,
    /// The profile's Call via Work number, carried for the banner.
    pub via_phone: Option<String>,
    /// The history file calls are recorded in; `None` = not recorded.
    pub history: Option<PathBuf>,
    /// Where F5 writes for this session (`--export-dir`, else the profile's, else the
    /// default); `None` keeps the one before.
    pub export_dir: Option<PathBuf>,
}

/// A profile the UI can switch to, with the values its dialog pre-fills.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileChoice {
    pub name: String,
    pub server: Option<String>,
    pub user: Option<String>,
}

/// Connect again: a profile (or none), and the server, user and password as the sign-in dialog
/// holds them (`None` = the profile's, or the environment's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectRequest {
    pub profile: Option<String>,
    pub server: Option<String>,
    pub user: Option<String>,
    pub password: Option<Password>,
}

/// What a connection attempt resolves to.
pub type ConnectFuture = Pin<Box<dyn Future<Output = Result<(Ready, SessionInfo), String>> + Send>>;

/// Builds a connection from a request; the binary supplies it.
pub type Connector = Arc<dyn Fn(ConnectRequest) -> ConnectFuture + Send + Sync>;

/// The settings the UI runs with beyond `TuiConfig`; `Default` is a UI with no config file,
/// no history file and exports to the current directory.
#[derive(Clone, Default)]
pub struct Extras {
    /// The first connection's session.
    pub session: SessionInfo,
    /// The config file's profiles, in order.
    pub profiles: Vec<ProfileChoice>,
    /// `None`: the sign-in dialog cannot connect again.
    pub connector: Option<Connector>,
    /// Where F5 writes; `None` = the current directory.
    pub export_dir: Option<PathBuf>,
    /// The history file shown in the history pane (read after the first frame), whether or
    /// not new calls are recorded in it.
    pub history_file: Option<PathBuf>,
}
