//! The table of live actors the inspector lists: those spawned while it
//! is enabled, each removed as its actor stops for good; and, beside
//! them, the actors with a path, from the table of paths.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use crate::actor::Actor;
use crate::cell::ActorId;
use crate::mailbox::ActorTx;
use crate::protocol::Erased;

pub(crate) static ENABLED: AtomicBool = AtomicBool::new(false);

/// Keyed by the id's number, so that a listing comes in spawn order.
static LIVE: LazyLock<Mutex<BTreeMap<u64, Arc<dyn Erased>>>> = LazyLock::new(Mutex::default);

fn live() -> MutexGuard<'static, BTreeMap<u64, Arc<dyn Erased>>> {
    // Nothing panics under the lock; a poisoned table is still whole.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Lists the actor of `tx`, if the inspector is enabled and its cell
/// keeps counters (it was made while enabled).
pub(crate) fn register<A: Actor>(tx: &ActorTx<A>, kind: crate::MailboxKind) {
    let Some(stats) = tx.cell().stats() else {
        return;
    };
    stats.set_capacity(kind);
    if ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        let mailbox = crate::protocol::erase::<A>(tx);
        live().insert(mailbox.cell().id.as_u64(), mailbox);
    }
}

/// Takes actor `id` off the list: it stopped for good.
pub(crate) fn remove(id: ActorId) {
    live().remove(&id.as_u64());
}

/// Every listed actor and every actor with a path, once each, in spawn
/// order; none that has stopped.
pub(crate) fn all() -> Vec<Arc<dyn Erased>> {
    let mut out: BTreeMap<u64, Arc<dyn Erased>> = live().clone();
    for m in crate::registry::paths::all() {
        out.entry(m.cell().id.as_u64()).or_insert(m);
    }
    out.into_values()
        .filter(|m| !m.cell().is_stopped())
        .collect()
}

pub(crate) fn by_id(id: ActorId) -> Option<Arc<dyn Erased>> {
    let found = live().get(&id.as_u64()).cloned();
    found
        .or_else(|| {
            crate::registry::paths::all()
                .into_iter()
                .find(|m| m.cell().id == id)
        })
        .filter(|m| !m.cell().is_stopped())
}

/// The id whose number is `raw`, if that actor is known.
pub(crate) fn id_of(raw: u64) -> Option<ActorId> {
    let found = live().get(&raw).map(|m| m.cell().id);
    found.or_else(|| {
        crate::registry::paths::all()
            .into_iter()
            .map(|m| m.cell().id)
            .find(|id| id.as_u64() == raw)
    })
}

pub(crate) fn by_path(path: &str) -> Option<Arc<dyn Erased>> {
    crate::registry::paths::get(path).filter(|m| !m.cell().is_stopped())
}

/// The actor `what` names: `#12` or `12` (an id), or a path.
pub(crate) fn resolve(what: &str) -> Option<Arc<dyn Erased>> {
    let digits = what.strip_prefix('#').unwrap_or(what);
    if let Ok(raw) = digits.parse::<u64>() {
        let id = id_of(raw)?;
        return by_id(id);
    }
    by_path(what)
}
