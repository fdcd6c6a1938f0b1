//! What ties an actor to others beyond its own loop, acted on when it
//! stops for good: its links, the books of the parent that spawned it, and
//! the hooks of what lists it (registry entries, topic subscriptions).
//!
//! They live with the cell's stop state, so that a link or a child costs a
//! map entry rather than a task waiting for the stop.

use std::collections::HashMap;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::cell::{ActorId, Cell};
use crate::context::Books;
use crate::error::StopReason;

/// An actor's links and its parent's books. See [`Bonds::ended`].
#[derive(Default)]
pub(crate) struct Bonds {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Set once the actor has stopped for good: later links act at once.
    ended: Option<StopReason>,
    /// The actors linked to this one, by id, so that linking a pair again
    /// adds nothing. Boxed, and only once there is a link: every child
    /// spawned with `Context::spawn` has bonds (for `parent`), few links,
    /// and an empty map inline would be 48 bytes of each.
    #[allow(
        clippy::box_collection,
        reason = "a boxed map is one pointer where the map itself is six"
    )]
    links: Option<Box<HashMap<ActorId, Weak<Cell>>>>,
    /// The books of the actor that spawned this one with `Context::spawn`.
    parent: Option<Weak<Books>>,
    /// Called once when the actor stops for good, keyed so that a hook can
    /// be taken back: registry entries, topic subscriptions.
    hooks: Vec<(u64, EndHook)>,
}

/// Code run once, with the reason, when an actor stops for good. It runs on
/// the thread that ends the actor, with no lock of the actor held; it must
/// not block.
pub(crate) type EndHook = Box<dyn FnOnce(ActorId, &StopReason) + Send>;

/// A key of a hook added with [`Bonds::on_end`], to take it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct HookKey(u64);

impl Bonds {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while the lock is held, but a poisoned one is
        // still consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Links `peer` to this actor (idempotent). If this actor has already
    /// stopped for good, links nothing and returns why it stopped.
    pub(crate) fn link(&self, peer: &Arc<Cell>) -> Result<(), StopReason> {
        let mut inner = self.lock();
        if let Some(reason) = &inner.ended {
            return Err(reason.clone());
        }
        inner
            .links
            .get_or_insert_with(Box::default)
            .insert(peer.id, Arc::downgrade(peer));
        Ok(())
    }

    /// Forgets the link to `peer`, if any.
    pub(crate) fn unlink(&self, peer: ActorId) {
        let mut inner = self.lock();
        if let Some(links) = &mut inner.links {
            links.remove(&peer);
            if links.is_empty() {
                inner.links = None;
            }
        }
    }

    /// Adds `hook`, to run once when this actor stops for good. If it
    /// already has, gives the hook back with the reason, without running it.
    pub(crate) fn on_end(&self, hook: EndHook) -> Result<HookKey, (EndHook, StopReason)> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut inner = self.lock();
        if let Some(reason) = &inner.ended {
            return Err((hook, reason.clone()));
        }
        let key = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        inner.hooks.push((key, hook));
        Ok(HookKey(key))
    }

    /// Takes back a hook added with [`Bonds::on_end`], if it has not run;
    /// returns whether it was there.
    pub(crate) fn remove_hook(&self, key: HookKey) -> bool {
        let mut inner = self.lock();
        let before = inner.hooks.len();
        inner.hooks.retain(|(k, _)| *k != key.0);
        if inner.hooks.is_empty() {
            inner.hooks = Vec::new();
        }
        inner.hooks.len() != before
    }

    /// Records the parent's books, where this actor is entered as a child;
    /// `false` if it has already stopped for good (the parent then takes
    /// it out itself).
    pub(crate) fn set_parent(&self, books: Weak<Books>) -> bool {
        let mut inner = self.lock();
        if inner.ended.is_some() {
            return false;
        }
        inner.parent = Some(books);
        true
    }

    /// The actor `me` has stopped for good with `reason`: it leaves its
    /// parent's books, and each linked actor forgets it and, if `reason`
    /// is a failure, stops with [`StopReason::Linked`]. Called once, by
    /// `Cell::finish`, with no other lock held.
    pub(crate) fn ended(&self, me: &Cell, reason: &StopReason) {
        let (links, parent, hooks) = {
            let mut inner = self.lock();
            inner.ended = Some(reason.clone());
            (
                mem::take(&mut inner.links),
                inner.parent.take(),
                mem::take(&mut inner.hooks),
            )
        };
        for (_, hook) in hooks {
            // A hook is the framework's own code (registry, topics); a
            // panic in it must not stop the rest of the actor's end.
            let run = std::panic::AssertUnwindSafe(|| hook(me.id, reason));
            let _ = std::panic::catch_unwind(run);
        }
        if let Some(books) = parent.and_then(|books| books.upgrade()) {
            books.disown(me.id);
        }
        let peers = links.into_iter().flat_map(|links| links.into_values());
        for peer in peers.filter_map(|peer| peer.upgrade()) {
            peer.bonds().unlink(me.id);
            if reason.is_failure() {
                peer.fail(StopReason::Linked { peer: me.id });
            }
        }
    }
}
