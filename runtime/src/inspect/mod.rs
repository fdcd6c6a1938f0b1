//! The live system: every running actor, its state and its counters,
//! read without stopping it; and the means to send it a message typed in
//! by a person. What the shell (`typact-shell`) and its web page show.
//!
//! Call [`enable`] (or `serve`, which calls it) before spawning the
//! system: from then on each spawned actor is listed, counts the
//! messages it handles and its restarts, and can keep a history of its
//! last messages ([`set_history`], off by default). Actors with a path
//! (named supervisors and their named children) are listed whenever they
//! were spawned, without counters if that was before `enable`.
//!
//! Nothing here blocks an actor. A [snapshot](snapshot) reads counters
//! and queue lengths; a [summary](summaries) is a request the actor
//! answers between two messages, as it would a message, and one that
//! does not answer in time is left out.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use typact::prelude::*;
//!
//! #[derive(Default)]
//! struct Counter {
//!     n: u64,
//! }
//!
//! #[actor(inspect)]
//! impl Counter {
//!     #[handler]
//!     fn add(&mut self, by: u64) -> u64 {
//!         self.n += by;
//!         self.n
//!     }
//!
//!     #[inspect]
//!     fn summary(&self) -> String {
//!         format!("n = {}", self.n)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! typact::inspect::enable();
//! let counter = Counter::default().builder().name("hits").spawn();
//! counter.add(2).await.unwrap();
//!
//! let me = typact::inspect::get(counter.id()).unwrap();
//! assert_eq!(me.type_name, "Counter");
//! assert_eq!(me.handled, 1);
//!
//! // A message typed in as JSON, and the actor's own summary.
//! typact::inspect::tell_json(counter.id(), "add", r#"{"by": 40}"#).unwrap();
//! let summaries = typact::inspect::summaries(&[counter.id()], Duration::from_secs(1)).await;
//! assert_eq!(summaries[0].1.as_deref(), Some("n = 42"));
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::cell::ActorId;
use crate::path::ActorPath;
use crate::protocol::Erased;
use crate::wire::{MessageInfo, WireError};

pub(crate) mod table;

/// Lists and counts every actor spawned from now on (see the
/// [module](self)). Idempotent; there is no way back, since what is
/// counted would otherwise stop making sense.
pub fn enable() {
    crate::observe::set_observed();
    table::ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether [`enable`] was called.
pub fn is_enabled() -> bool {
    table::ENABLED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Where an actor is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum ActorState {
    /// Spawned; its `#[on_start]` hook has not finished.
    Starting = 0,
    /// Handling messages, or waiting for them.
    Running = 1,
    /// Supervised, failed, and being replaced by a fresh instance.
    Restarting = 2,
    /// Told to stop (or failed for good); finishing its last work.
    Stopping = 3,
}

impl ActorState {
    pub(crate) fn from_u8(raw: u8) -> Self {
        match raw {
            0 => ActorState::Starting,
            1 => ActorState::Running,
            2 => ActorState::Restarting,
            _ => ActorState::Stopping,
        }
    }

    /// The state in lower case: `"running"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorState::Starting => "starting",
            ActorState::Running => "running",
            ActorState::Restarting => "restarting",
            ActorState::Stopping => "stopping",
        }
    }
}

impl fmt::Display for ActorState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One live actor, as [`snapshot`] sees it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ActorSnapshot {
    /// Its id.
    pub id: ActorId,
    /// Its type's name: `"Counter"`.
    pub type_name: &'static str,
    /// Its name, if it was given one.
    pub name: Option<Arc<str>>,
    /// Its place in the supervision tree, if it has one.
    pub path: Option<ActorPath>,
    /// The actor that spawned or supervises it, if known.
    pub parent: Option<ActorId>,
    /// Where it is in its life.
    pub state: ActorState,
    /// Messages waiting in its mailbox.
    pub mailbox_len: usize,
    /// Its mailbox's bound; `None` if unbounded.
    pub mailbox_capacity: Option<usize>,
    /// Messages it has handled (0 if it is not [counted](Self::counted)).
    pub handled: u64,
    /// Times it was restarted by its supervisor.
    pub restarts: u64,
    /// Tells that reached it but were never handled.
    pub dead_letters: u64,
    /// Whether it keeps counters: spawned after [`enable`].
    pub counted: bool,
    /// When it was spawned (if counted).
    pub started_at: Option<SystemTime>,
    /// How long ago it was spawned (if counted).
    pub age: Option<Duration>,
    /// The messages it takes as JSON: empty unless it was declared with
    /// `#[actor(inspect)]` or `#[actor(remote)]`.
    pub messages: &'static [MessageInfo],
    /// The capacity of its history, when the history is on.
    pub history: Option<usize>,
    /// Whether it gives a one-line summary (`#[inspect] fn summary`).
    pub has_summary: bool,
}

impl ActorSnapshot {
    /// The name shown for it: its path's last segment, its name, or
    /// `#id`.
    pub fn label(&self) -> String {
        if let Some(path) = &self.path {
            return path.name().to_owned();
        }
        match &self.name {
            Some(name) => name.to_string(),
            None => self.id.to_string(),
        }
    }
}

/// One message an actor handled, in its [history](history).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// When its handling began.
    pub at: SystemTime,
    /// Which message: `"Counter::add"`.
    pub message: &'static str,
    /// The message as JSON, for an actor declared `inspect` or `remote`.
    pub detail: Option<String>,
    /// How long the handler took.
    pub took: Duration,
    /// Whether it was an ask.
    pub ask: bool,
}

/// Why the inspector could not do what it was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InspectError {
    /// No live actor has this id or path.
    NoSuchActor(String),
    /// The message could not be made or sent.
    Wire(WireError),
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InspectError::NoSuchActor(what) => write!(f, "no live actor {what}"),
            InspectError::Wire(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for InspectError {}

impl From<WireError> for InspectError {
    fn from(err: WireError) -> Self {
        InspectError::Wire(err)
    }
}

/// Every live actor the inspector knows (see the [module](self)), in the
/// order they were spawned.
pub fn snapshot() -> Vec<ActorSnapshot> {
    table::all().iter().map(|m| snapshot_of(&**m)).collect()
}

/// The live actor `id`, if the inspector knows it.
pub fn get(id: ActorId) -> Option<ActorSnapshot> {
    table::by_id(id).map(|m| snapshot_of(&*m))
}

/// The live actor at `path` (`"/app/workers/3"`).
pub fn find(path: &str) -> Option<ActorSnapshot> {
    table::by_path(path).map(|m| snapshot_of(&*m))
}

/// The id of the actor an id (`"#12"`, `"12"`) or a path names.
pub fn resolve(what: &str) -> Option<ActorId> {
    table::resolve(what).map(|m| m.cell().id)
}

fn snapshot_of(m: &dyn Erased) -> ActorSnapshot {
    let cell = m.cell();
    let stats = cell.stats();
    let flags = cell.flags();
    let state = match stats {
        Some(s) => s.state(),
        None => ActorState::Running,
    };
    let state = if flags & (crate::cell::STOP | crate::cell::KILL) != 0 {
        ActorState::Stopping
    } else {
        state
    };
    let parent = stats
        .map(|s| s.parent())
        .filter(|&p| p != 0)
        .and_then(table::id_of)
        .or_else(|| {
            let path = cell.path()?;
            let up = path.parent()?;
            table::by_path(&up).map(|m| m.cell().id)
        });
    ActorSnapshot {
        id: cell.id,
        type_name: cell.type_name,
        name: cell.name.clone(),
        path: cell.path().cloned(),
        parent,
        state,
        mailbox_len: m.queued(),
        mailbox_capacity: m.capacity(),
        handled: stats.map_or(0, |s| s.handled()),
        restarts: stats.map_or(0, |s| s.restarts()),
        dead_letters: cell.dead_letters.load(std::sync::atomic::Ordering::Relaxed),
        counted: stats.is_some(),
        started_at: stats.map(|s| s.started_at),
        age: stats.map(|s| s.age()),
        messages: m.messages(),
        history: stats.and_then(|s| s.history_capacity()),
        has_summary: m.has_summary(),
    }
}

/// Asks each of `ids` for its one-line summary (`#[inspect] fn
/// summary(&self)`), which it gives between two messages; waits at most
/// `timeout` in all. An actor without a summary, gone, with a full
/// mailbox or too busy to answer in time gets `None`.
///
/// # Cancel safety
///
/// Cancel safe: dropping the future leaves the actors' requests to be
/// answered into the void.
pub async fn summaries(ids: &[ActorId], timeout: Duration) -> Vec<(ActorId, Option<String>)> {
    let waits: Vec<_> = ids
        .iter()
        .map(|&id| (id, table::by_id(id).and_then(|m| m.summary())))
        .collect();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut out = Vec::with_capacity(waits.len());
    for (id, wait) in waits {
        let summary = match wait {
            Some(rx) => tokio::time::timeout_at(deadline, rx)
                .await
                .ok()
                .and_then(Result::ok)
                .flatten(),
            None => None,
        };
        out.push((id, summary));
    }
    out
}

/// Switches the history of actor `id` on, keeping its last `capacity`
/// handled messages, or off with 0. `false` if the actor is not known or
/// not [counted](ActorSnapshot::counted).
pub fn set_history(id: ActorId, capacity: usize) -> bool {
    match table::by_id(id) {
        Some(m) => match m.cell().stats() {
            Some(stats) => {
                stats.set_history(capacity);
                true
            }
            None => false,
        },
        None => false,
    }
}

/// The history of actor `id`, oldest first; `None` if the actor is not
/// known or not counted, empty if its history is off.
pub fn history(id: ActorId) -> Option<Vec<HistoryEntry>> {
    table::by_id(id).and_then(|m| m.cell().stats().map(|s| s.history()))
}

fn lookup(id: ActorId) -> Result<Arc<dyn Erased>, InspectError> {
    table::by_id(id).ok_or_else(|| InspectError::NoSuchActor(id.to_string()))
}

/// Tells actor `id` the message `message` (its handler's name), given as
/// JSON. Never waits: a full mailbox is an error.
///
/// # Errors
///
/// [`InspectError::NoSuchActor`], or [`InspectError::Wire`] for an actor
/// that does not take JSON, a message it does not handle (the error lists
/// those it does), JSON that does not fit (the error names the field), a
/// full mailbox or a stopped actor. Nothing is sent then.
pub fn tell_json(id: ActorId, message: &str, json: &str) -> Result<(), InspectError> {
    lookup(id)?.tell_json(message, json.as_bytes())?;
    Ok(())
}

/// Asks actor `id` the message `message` given as JSON, and returns the
/// reply as JSON; waits at most `timeout` for it.
///
/// # Errors
///
/// As [`tell_json`], and [`InspectError::Wire`] with
/// [`WireError::Ask`] when the ask fails or times out.
///
/// # Cancel safety
///
/// Dropping the future abandons the ask; the message may still be
/// handled.
pub async fn ask_json(
    id: ActorId,
    message: &str,
    json: &str,
    timeout: Duration,
) -> Result<String, InspectError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    lookup(id)?.ask_json(
        message,
        json.as_bytes(),
        Box::new(move |r| {
            let _ = tx.send(r);
        }),
    )?;
    let reply = match tokio::time::timeout(timeout, rx).await {
        Err(_) => Err(crate::AskError::Timeout),
        Ok(Err(_)) => Err(crate::AskError::NoReply),
        Ok(Ok(r)) => r,
    };
    let bytes = reply.map_err(|e| InspectError::Wire(WireError::Ask(e)))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Stops actor `id` after its current message, as
/// [`ActorRef::stop`](crate::ActorRef::stop); `false` if not known.
pub fn stop(id: ActorId) -> bool {
    table::by_id(id).map(|m| m.cell().stop()).is_some()
}

/// Kills actor `id`, as [`ActorRef::kill`](crate::ActorRef::kill);
/// `false` if not known.
pub fn kill(id: ActorId) -> bool {
    table::by_id(id).map(|m| m.cell().kill()).is_some()
}
