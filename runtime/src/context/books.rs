//! An actor's books: the children it spawned and the timers and watches
//! it set, each of which takes itself out as it ends.

use crate::cell::{ActorId, Cell};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use tokio::task::AbortHandle;

/// An actor's books: its children and its timers and watches. Shared with
/// the timers' tasks (through their [`Ticket`]s) and with the children's
/// cells (through their bonds), which take themselves out as they end.
#[derive(Default)]
pub(crate) struct Books {
    pub(super) inner: Mutex<Entries>,
}

#[derive(Default)]
pub(super) struct Entries {
    /// The key of the next timer; never reused, so a stale key finds
    /// nothing.
    pub(super) next: u64,
    pub(super) timers: HashMap<u64, Timer>,
    /// Tasks kept through `Context::track`, swept when the list doubles.
    pub(super) tracked: Vec<AbortHandle>,
    pub(super) sweep_at: usize,
    pub(super) children: HashMap<ActorId, Arc<Cell>>,
}

/// A live timer or watch. A watch whose message is queued stays here,
/// without a task, until the message is handled or taken back.
pub(super) struct Timer {
    /// `None` until the task is spawned, and after a watch has sent.
    pub(super) task: Option<AbortHandle>,
    /// The actor a watch is watching.
    pub(super) watching: Option<ActorId>,
}

impl Books {
    pub(super) fn lock(&self) -> MutexGuard<'_, Entries> {
        // Nothing panics while the lock is held, but a poisoned one is
        // still consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enters a timer whose task is about to be spawned.
    pub(super) fn open(books: &Arc<Books>, watching: Option<ActorId>) -> Ticket {
        let mut entries = books.lock();
        let key = entries.next;
        entries.next += 1;
        entries.timers.insert(
            key,
            Timer {
                task: None,
                watching,
            },
        );
        Ticket {
            books: Arc::downgrade(books),
            key,
        }
    }

    /// Records the task of timer `key`, unless it has already ended.
    pub(super) fn started(&self, key: u64, task: AbortHandle) {
        if let Some(timer) = self.lock().timers.get_mut(&key) {
            timer.task = Some(task);
        }
    }

    /// Takes timer `key` out; whether it was still in.
    pub(super) fn close(&self, key: u64) -> bool {
        let mut entries = self.lock();
        let found = entries.timers.remove(&key).is_some();
        shrink_if_sparse(&mut entries.timers);
        found
    }

    /// Takes out the timers `which` selects; returns their tasks, to be
    /// aborted once the lock is released.
    pub(super) fn remove_where(&self, mut which: impl FnMut(&Timer) -> bool) -> Vec<AbortHandle> {
        let mut entries = self.lock();
        let mut tasks = Vec::new();
        entries.timers.retain(|_, timer| {
            if which(timer) {
                tasks.extend(timer.task.take());
                false
            } else {
                true
            }
        });
        shrink_if_sparse(&mut entries.timers);
        tasks
    }

    /// Takes a child that has stopped out of the books.
    pub(crate) fn disown(&self, child: ActorId) {
        let mut entries = self.lock();
        entries.children.remove(&child);
        shrink_if_sparse(&mut entries.children);
    }
}

/// Gives back the memory of a map that has emptied after a peak: when it
/// holds fewer than an eighth of what it has room for, down to twice what
/// it holds. The factor between the two keeps it O(1) amortised.
pub(super) fn shrink_if_sparse<K: Eq + Hash, V>(map: &mut HashMap<K, V>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 8 {
        map.shrink_to(2 * map.len());
    }
}

/// A timer's place in its actor's books, held by its task (and, once a
/// watch has sent its message, by the message). Dropping it takes the
/// timer out.
pub(crate) struct Ticket {
    pub(super) books: Weak<Books>,
    pub(super) key: u64,
}

impl Ticket {
    /// Takes the timer out; whether it was still in (not cancelled).
    pub(super) fn close(&self) -> bool {
        self.books
            .upgrade()
            .is_some_and(|books| books.close(self.key))
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.close();
    }
}
