//! Per-message routing rules of a pool: a key for consistent hashing, and
//! the messages copied to every worker.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::actor::{Actor, Handler};
use crate::cell::ActorId;

type KeyOf<A> = Box<dyn Fn(&<A as Actor>::Mailbox) -> Option<u64> + Send + Sync>;
type CopyOf<A> = Box<dyn Fn(&<A as Actor>::Mailbox) -> Option<<A as Actor>::Mailbox> + Send + Sync>;

/// The rules a pool builder collected.
pub(crate) struct Rules<A: Actor> {
    keys: Vec<KeyOf<A>>,
    copies: Vec<CopyOf<A>>,
}

impl<A: Actor> Default for Rules<A> {
    fn default() -> Self {
        Rules {
            keys: Vec::new(),
            copies: Vec::new(),
        }
    }
}

impl<A: Actor> Rules<A> {
    /// Entries of `M` go by the hash of `key(&msg)`.
    pub(crate) fn add_key<M, K, F>(&mut self, key: F)
    where
        A: Handler<M>,
        M: 'static,
        K: Hash,
        F: Fn(&M) -> K + Send + Sync + 'static,
    {
        self.keys.push(Box::new(move |entry| {
            let (msg, _) = A::__peek(entry)?;
            let mut hasher = DefaultHasher::new();
            key(msg).hash(&mut hasher);
            Some(hasher.finish())
        }));
    }

    /// Tells of `M` are copied to every worker.
    pub(crate) fn add_broadcast<M>(&mut self)
    where
        A: Handler<M>,
        M: Clone + 'static,
    {
        self.copies.push(Box::new(|entry| match A::__peek(entry) {
            Some((msg, false)) => Some(A::__tell(msg.clone())),
            _ => None,
        }));
    }

    /// The routing key of an entry, if a rule gives one.
    pub(crate) fn key(&self, entry: &A::Mailbox) -> Option<u64> {
        self.keys.iter().find_map(|key| key(entry))
    }

    /// A copy of an entry to broadcast, if it is a tell of a broadcast
    /// message.
    pub(crate) fn copy(&self, entry: &A::Mailbox) -> Option<A::Mailbox> {
        self.copies.iter().find_map(|copy| copy(entry))
    }

    /// Whether any entry could be broadcast (saves a look at every entry
    /// of a pool without broadcast rules).
    pub(crate) fn broadcasts(&self) -> bool {
        !self.copies.is_empty()
    }
}

/// Rendezvous (highest random weight) hashing: the worker whose id scores
/// highest with `key`. Adding or removing a worker moves only the keys that
/// it wins or won.
pub(crate) fn rendezvous(key: u64, workers: impl Iterator<Item = ActorId>) -> Option<usize> {
    workers
        .enumerate()
        .max_by_key(|(_, id)| {
            let mut hasher = DefaultHasher::new();
            (key, id.as_u64()).hash(&mut hasher);
            hasher.finish()
        })
        .map(|(i, _)| i)
}
