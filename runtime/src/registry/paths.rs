//! The table of paths: which live actor sits at each [`ActorPath`].
//!
//! Process-wide, as the supervision tree is: a path is claimed when its
//! actor first starts under a parent with a path, and freed by an end hook
//! on the actor's cell as it stops for good, so the table never holds a
//! stopped actor. A restart keeps the cell, and so the path.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::cell::{ActorId, Cell};
use crate::path::ActorPath;
use crate::protocol::Erased;
use crate::registry::error::{LookupError, PathError};

static PATHS: LazyLock<Mutex<HashMap<ActorPath, Arc<dyn Erased>>>> = LazyLock::new(Mutex::default);

fn table() -> MutexGuard<'static, HashMap<ActorPath, Arc<dyn Erased>>> {
    // Nothing panics while the lock is held; a poisoned table is still
    // consistent.
    PATHS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Gives the actor of `mailbox` the path `path`, unless a live actor holds
/// it. An actor that already has a path keeps it; one that has already
/// stopped gets none.
fn claim(mailbox: &Arc<dyn Erased>, path: ActorPath) -> Result<(), PathError> {
    let cell = mailbox.cell();
    if cell.path().is_some() {
        return Ok(());
    }
    let mut table = table();
    if let Some(holder) = table.get(&path) {
        let holder = holder.cell();
        if holder.id == cell.id {
            return Ok(());
        }
        return Err(PathError::Taken {
            path: path.as_str().into(),
            holder: holder.id,
            holder_name: holder.to_string(),
        });
    }
    table.insert(path.clone(), mailbox.clone());
    let freed = path.clone();
    let hook = Box::new(move |id: ActorId, _: &crate::StopReason| release(&freed, id));
    match cell.bonds().on_end(hook) {
        Ok(_) => {
            cell.set_path(path);
        }
        Err(_already_stopped) => {
            table.remove(&path);
        }
    }
    Ok(())
}

/// Frees `path` if actor `id` still holds it: the end hook of a claim.
fn release(path: &ActorPath, id: ActorId) {
    let mut table = table();
    if table.get(path).is_some_and(|holder| holder.cell().id == id) {
        table.remove(path);
    }
}

/// The name of `cell` as a segment of a path, if it has one.
fn segment(cell: &Cell) -> Result<Option<&str>, PathError> {
    match cell.name.as_deref() {
        None => Ok(None),
        Some(name) if ActorPath::is_segment(name) => Ok(Some(name)),
        Some(name) => Err(PathError::InvalidName { name: name.into() }),
    }
}

/// A root of the tree (a named supervisor spawned on its own) takes
/// `/name`. An unnamed one has no path.
pub(crate) fn assign_root(mailbox: &Arc<dyn Erased>) -> Result<(), PathError> {
    match segment(mailbox.cell())? {
        Some(name) => claim(mailbox, ActorPath::root(name)),
        None => Ok(()),
    }
}

/// A child of `parent` takes `parent's path/name`, if the parent has a
/// path and the child a name; otherwise it has no path.
pub(crate) fn assign_child(parent: &Cell, mailbox: &Arc<dyn Erased>) -> Result<(), PathError> {
    if let Some(stats) = mailbox.cell().stats() {
        stats.set_parent(parent.id.as_u64());
    }
    let Some(base) = parent.path() else {
        return Ok(());
    };
    match segment(mailbox.cell())? {
        Some(name) => claim(mailbox, base.child(name)),
        None => Ok(()),
    }
}

/// The live actor at `path`, typed.
pub(crate) fn lookup<A: Actor>(path: &str) -> Result<ActorRef<A>, LookupError> {
    let mailbox = table().get(path).cloned();
    super::typed(path, mailbox)
}

/// The live actor at `path`, whatever its type.
pub(crate) fn get(path: &str) -> Option<Arc<dyn Erased>> {
    table().get(path).cloned()
}

/// Every actor that holds a path now.
pub(crate) fn all() -> Vec<Arc<dyn Erased>> {
    table().values().cloned().collect()
}

/// How many paths are held now.
pub(crate) fn count() -> usize {
    table().len()
}
