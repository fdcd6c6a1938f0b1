//! The counters an observed actor keeps: what the inspector reads.
//!
//! Only an actor spawned while [`inspect`](crate::inspect) is enabled (or
//! with the `metrics` feature) has them; the others pay nothing. The
//! actor's own task is the only writer of `handled` and of the history,
//! so the per-message update is a plain load and store, no atomic
//! read-modify-write.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::inspect::{ActorState, HistoryEntry};

/// The counters of one observed actor.
pub(crate) struct Stats {
    handled: AtomicU64,
    restarts: AtomicU64,
    state: AtomicU8,
    /// The parent's id, 0 for none.
    parent: AtomicU64,
    pub(crate) started_at: SystemTime,
    pub(crate) started: Instant,
    /// The mailbox's bound: 0 unbounded.
    capacity: AtomicUsize,
    /// The entries the receiver has taken into its batch, as of its last
    /// handled message.
    local_len: AtomicUsize,
    /// The history's capacity; 0 when off.
    history_cap: AtomicUsize,
    history: Mutex<VecDeque<HistoryEntry>>,
    #[cfg(feature = "metrics")]
    pub(crate) metrics: super::metrics::Handles,
}

impl Stats {
    pub(crate) fn new(type_name: &'static str, name: Option<&str>) -> Self {
        #[cfg(not(feature = "metrics"))]
        let _ = (type_name, name);
        Stats {
            handled: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            state: AtomicU8::new(ActorState::Starting as u8),
            parent: AtomicU64::new(0),
            started_at: SystemTime::now(),
            started: Instant::now(),
            capacity: AtomicUsize::new(0),
            local_len: AtomicUsize::new(0),
            history_cap: AtomicUsize::new(0),
            history: Mutex::new(VecDeque::new()),
            #[cfg(feature = "metrics")]
            metrics: super::metrics::Handles::new(type_name, name),
        }
    }

    /// One more message handled. Called by the actor's task only.
    #[inline]
    pub(crate) fn count_handled(&self) {
        let n = self.handled.load(Ordering::Relaxed);
        self.handled.store(n + 1, Ordering::Relaxed);
    }

    pub(crate) fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    pub(crate) fn count_restart(&self) {
        self.restarts.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    pub(crate) fn set_state(&self, state: ActorState) {
        self.state.store(state as u8, Ordering::Relaxed);
    }

    pub(crate) fn state(&self) -> ActorState {
        ActorState::from_u8(self.state.load(Ordering::Relaxed))
    }

    pub(crate) fn set_parent(&self, id: u64) {
        self.parent.store(id, Ordering::Relaxed);
    }

    pub(crate) fn parent(&self) -> u64 {
        self.parent.load(Ordering::Relaxed)
    }

    pub(crate) fn set_capacity(&self, kind: crate::MailboxKind) {
        let cap = match kind {
            crate::MailboxKind::Bounded(n) => n.max(1),
            crate::MailboxKind::Unbounded => 0,
        };
        self.capacity.store(cap, Ordering::Relaxed);
    }

    pub(crate) fn capacity(&self) -> Option<usize> {
        match self.capacity.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// Called by the actor's task after each observed message.
    #[inline]
    pub(crate) fn set_local_len(&self, n: usize) {
        self.local_len.store(n, Ordering::Relaxed);
    }

    pub(crate) fn local_len(&self) -> usize {
        self.local_len.load(Ordering::Relaxed)
    }

    /// Whether the history is on.
    #[inline]
    pub(crate) fn history_on(&self) -> bool {
        self.history_cap.load(Ordering::Relaxed) > 0
    }

    pub(crate) fn history_capacity(&self) -> Option<usize> {
        match self.history_cap.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// Switches the history on with room for `capacity` entries (the
    /// oldest are dropped first), or off with 0, which also empties it.
    pub(crate) fn set_history(&self, capacity: usize) {
        let mut ring = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        self.history_cap.store(capacity, Ordering::Relaxed);
        if capacity == 0 {
            *ring = VecDeque::new();
        } else {
            while ring.len() > capacity {
                ring.pop_front();
            }
        }
    }

    pub(crate) fn record(&self, entry: HistoryEntry) {
        let mut ring = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        let cap = self.history_cap.load(Ordering::Relaxed);
        if cap == 0 {
            return;
        }
        while ring.len() >= cap {
            ring.pop_front();
        }
        ring.push_back(entry);
    }

    pub(crate) fn history(&self) -> Vec<HistoryEntry> {
        let ring = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        ring.iter().cloned().collect()
    }

    pub(crate) fn age(&self) -> Duration {
        self.started.elapsed()
    }
}
