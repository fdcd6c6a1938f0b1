//! TEMPORARY stand-in for the lead's `typact::inspect` (SEAM.md section 3),
//! with the same signatures, so that the server compiles and can be tried
//! before the seam lands. It lists only the actors that hold a path.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crate::cell::ActorId;
use crate::path::ActorPath;
use crate::wire::{MessageInfo, WireError};

mod serve;

pub use serve::{ENV_SOCKET, Endpoint, PROTOCOL, Server, serve};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Lists and counts actors from now on.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether [`enable`] was called.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// An actor's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActorState {
    /// Starting.
    Starting,
    /// Running.
    Running,
    /// Restarting.
    Restarting,
    /// Stopping.
    Stopping,
}

impl ActorState {
    /// Lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorState::Starting => "starting",
            ActorState::Running => "running",
            ActorState::Restarting => "restarting",
            ActorState::Stopping => "stopping",
        }
    }
}

/// One actor, seen at one moment.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ActorSnapshot {
    /// Id.
    pub id: ActorId,
    /// Type.
    pub type_name: &'static str,
    /// Name.
    pub name: Option<Arc<str>>,
    /// Path.
    pub path: Option<ActorPath>,
    /// Parent.
    pub parent: Option<ActorId>,
    /// State.
    pub state: ActorState,
    /// Queued.
    pub mailbox_len: usize,
    /// Capacity.
    pub mailbox_capacity: Option<usize>,
    /// Handled.
    pub handled: u64,
    /// Restarts.
    pub restarts: u64,
    /// Dead letters.
    pub dead_letters: u64,
    /// Counted.
    pub counted: bool,
    /// Start.
    pub started_at: Option<SystemTime>,
    /// Age.
    pub age: Option<Duration>,
    /// Messages.
    pub messages: &'static [MessageInfo],
    /// History capacity.
    pub history: Option<usize>,
    /// Has a summary.
    pub has_summary: bool,
}

/// Every live actor.
pub fn snapshot() -> Vec<ActorSnapshot> {
    let live = crate::registry::paths::live();
    let by_path: std::collections::HashMap<String, ActorId> = live
        .iter()
        .filter_map(|m| Some((m.cell().path()?.as_str().to_owned(), m.cell().id)))
        .collect();
    live.iter()
        .map(|m| {
            let cell = m.cell();
            let path = cell.path().cloned();
            ActorSnapshot {
                id: cell.id,
                type_name: cell.type_name,
                name: cell.name.clone(),
                parent: path
                    .as_ref()
                    .and_then(|p| p.parent())
                    .and_then(|p| by_path.get(&p).copied()),
                path,
                state: ActorState::Running,
                mailbox_len: 0,
                mailbox_capacity: None,
                handled: 0,
                restarts: 0,
                dead_letters: 0,
                counted: false,
                started_at: None,
                age: None,
                messages: &[],
                history: None,
                has_summary: false,
            }
        })
        .collect()
}

/// One actor.
pub fn get(id: ActorId) -> Option<ActorSnapshot> {
    snapshot().into_iter().find(|s| s.id == id)
}

/// The actor at `path`.
pub fn find(path: &str) -> Option<ActorSnapshot> {
    snapshot()
        .into_iter()
        .find(|s| s.path.as_ref().is_some_and(|p| p == path))
}

/// Summaries.
pub async fn summaries(ids: &[ActorId], _timeout: Duration) -> Vec<(ActorId, Option<String>)> {
    ids.iter().map(|id| (*id, None)).collect()
}

/// One handled message.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// When.
    pub at: SystemTime,
    /// Which.
    pub message: &'static str,
    /// Its JSON.
    pub detail: Option<String>,
    /// How long.
    pub took: Duration,
    /// Whether an ask.
    pub ask: bool,
}

/// Switches history.
pub fn set_history(id: ActorId, _capacity: usize) -> bool {
    get(id).is_some()
}

/// History.
pub fn history(_id: ActorId) -> Option<Vec<HistoryEntry>> {
    None
}

/// Why the inspector could not do something.
#[derive(Debug)]
#[non_exhaustive]
pub enum InspectError {
    /// No such actor.
    NoSuchActor(String),
    /// Wire.
    Wire(WireError),
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InspectError::NoSuchActor(id) => write!(f, "no live actor {id}"),
            InspectError::Wire(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for InspectError {}

/// Tell.
pub fn tell_json(id: ActorId, _message: &str, _json: &str) -> Result<(), InspectError> {
    match get(id) {
        None => Err(InspectError::NoSuchActor(id.to_string())),
        Some(s) => Err(InspectError::Wire(WireError::NotWire {
            actor: s.type_name,
        })),
    }
}

/// Ask.
pub async fn ask_json(
    id: ActorId,
    message: &str,
    json: &str,
    _timeout: Duration,
) -> Result<String, InspectError> {
    tell_json(id, message, json).map(|()| String::new())
}

/// Stop.
pub fn stop(id: ActorId) -> bool {
    with_cell(id, |c| c.stop())
}

/// Kill.
pub fn kill(id: ActorId) -> bool {
    with_cell(id, |c| c.kill())
}

fn with_cell(id: ActorId, f: impl FnOnce(&crate::cell::Cell)) -> bool {
    let live = crate::registry::paths::live();
    match live.iter().find(|m| m.cell().id == id) {
        Some(m) => {
            f(m.cell());
            true
        }
        None => false,
    }
}
