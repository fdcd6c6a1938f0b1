//! Pools: several supervised workers of one actor type behind one
//! address, routed, and grown and shrunk with their load.
//!
//! A [`Pool<A>`] owns a mailbox of the worker type `A` itself, so its front
//! door is an [`ActorRef<A>`]: it takes exactly `A`'s messages, and its
//! generated client methods, `tell`, `ask`, `try_tell` and `recipient`
//! work as on one actor. The pool's task moves each entry, with its reply
//! handle, from that mailbox into a chosen worker's mailbox: an ask is
//! answered by the worker directly, with no task waiting in between and no
//! allocation per message (only a wait for room in a full worker's
//! mailbox allocates, as a tell to a full mailbox does, and a broadcast
//! copies its message).
//!
//! - [`builder`]: [`PoolBuilder`] and [`Routing`];
//! - [`autoscale`]: [`Autoscale`], the bounds and the hysteresis;
//! - [`rules`]: per-message rules (a consistent-hash key, broadcast);
//! - [`router`]: the pool's task.
//!
//! Workers are children of a [`Supervisor`](crate::Supervisor) the pool
//! spawns: its strategy, intensity and backoff, and the workers' restart
//! type, apply as to any children. A worker's reference stays valid across
//! its restarts, so messages given to a worker that is being restarted
//! wait in its mailbox.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

mod autoscale;
mod builder;
mod router;
mod rules;

pub use autoscale::Autoscale;
pub use builder::{DEFAULT_WORKER_CAPACITY, PoolBuilder, Routing};

use crate::actor::Actor;
use crate::actor_ref::ActorRef;

/// Several workers of actor `A` behind one address.
///
/// It dereferences to the pool's [`ActorRef<A>`], which dereferences in
/// turn to `A`'s generated client: `pool.tell(..)`, `pool.ask(..)` and
/// `pool.method(..)` work as on one actor. Hand out
/// [`actor_ref`](Self::actor_ref) where an `ActorRef<A>` is wanted.
///
/// The pool stops when every reference to it is gone (after its workers
/// have handled what they were given), on [`ActorRef::stop`] (what is
/// still queued in the pool's own mailbox is rejected, as for one actor),
/// or when its supervisor gives up (with the supervisor's reason). A
/// stopped pool refuses messages with the errors of a stopped actor:
/// [`TellError`](crate::TellError) with the message, and
/// [`AskError::Stopped`](crate::AskError::Stopped).
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Digester;
///
/// #[actor]
/// impl Digester {
///     #[handler]
///     fn digest(&self, input: String) -> usize {
///         input.len()
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = Pool::builder(Digester::default).workers(3).spawn().await?;
/// assert_eq!(pool.size(), 3);
/// assert_eq!(pool.digest("abc".into()).await?, 3); // answered by a worker
/// # Ok(()) }
/// ```
pub struct Pool<A: Actor> {
    front: ActorRef<A>,
    stats: Arc<Stats>,
}

/// The counts the pool's task keeps up to date.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    workers: AtomicUsize,
    starting: AtomicUsize,
    draining: AtomicUsize,
    grown: AtomicU64,
    shrunk: AtomicU64,
}

/// A snapshot of a pool's workers; see [`Pool::stats`].
///
/// # Examples
///
/// ```
/// # use typact::prelude::*;
/// # #[derive(Default)] struct Worker;
/// # #[actor] impl Worker { #[handler] fn ping(&self) {} }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = Pool::builder(Worker::default).workers(2).spawn().await?;
/// let stats = pool.stats();
/// assert_eq!((stats.workers, stats.starting, stats.draining), (2, 0, 0));
/// assert_eq!((stats.grown, stats.shrunk), (0, 0));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// Workers that get new messages.
    pub workers: usize,
    /// Workers being started.
    pub starting: usize,
    /// Retired workers finishing what they were given.
    pub draining: usize,
    /// Workers started to grow the pool (or to replace lost ones) so far.
    pub grown: u64,
    /// Workers retired so far.
    pub shrunk: u64,
}

impl<A: Actor> Pool<A> {
    /// A builder of a pool whose workers `factory` makes: it is called for
    /// every worker, and again for every restart, so each instance starts
    /// from fresh state.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use typact::prelude::*;
    /// use typact::{Autoscale, Routing, Supervisor};
    ///
    /// #[derive(Default)]
    /// struct Resizer;
    ///
    /// #[actor]
    /// impl Resizer {
    ///     #[handler]
    ///     fn resize(&self, width: u32) -> u32 {
    ///         width / 2
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = Pool::builder(Resizer::default)
    ///     .autoscale(Autoscale::new(2, 8).grow_after(Duration::from_millis(200)))
    ///     .routing(Routing::LeastLoaded)
    ///     .supervisor(Supervisor::builder().intensity(10, Duration::from_secs(1)))
    ///     .spawn()
    ///     .await?;
    /// assert_eq!(pool.resize(640).await?, 320);
    /// assert_eq!(pool.size(), 2);
    /// # Ok(()) }
    /// ```
    pub fn builder<F>(factory: F) -> PoolBuilder<A>
    where
        F: Fn() -> A + Send + Sync + 'static,
    {
        PoolBuilder::new(Arc::new(factory))
    }

    /// The pool's address, to hand out where an [`ActorRef<A>`] is wanted.
    /// It counts as a reference to the pool.
    pub fn actor_ref(&self) -> &ActorRef<A> {
        &self.front
    }

    /// How many workers get new messages now (not counting those being
    /// started or drained).
    pub fn size(&self) -> usize {
        self.stats.workers.load(Ordering::Relaxed)
    }

    /// The pool's workers, counted.
    pub fn stats(&self) -> PoolStats {
        let s = &self.stats;
        PoolStats {
            workers: s.workers.load(Ordering::Relaxed),
            starting: s.starting.load(Ordering::Relaxed),
            draining: s.draining.load(Ordering::Relaxed),
            grown: s.grown.load(Ordering::Relaxed),
            shrunk: s.shrunk.load(Ordering::Relaxed),
        }
    }
}

impl<A: Actor> Deref for Pool<A> {
    type Target = ActorRef<A>;

    fn deref(&self) -> &ActorRef<A> {
        &self.front
    }
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool {
            front: self.front.clone(),
            stats: self.stats.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("front", &self.front)
            .field("stats", &self.stats())
            .finish()
    }
}
