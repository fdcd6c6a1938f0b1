//! [`PoolBuilder`]: the workers' factory, supervision, routing and size.

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use super::autoscale::{Autoscale, Scaler};
use super::router::{Router, WorkerSpec};
use super::rules::Rules;
use super::{Pool, Stats};
use crate::actor::{Actor, Handler};
use crate::actor_ref::{ActorRef, RawRef};
use crate::cell::Cell;
use crate::error::SpawnError;
use crate::mailbox::{self, MailboxKind};
use crate::supervision::{Restart, SupervisorBuilder};

/// The capacity of a worker's mailbox unless the builder says otherwise:
/// small, so that a backlog waits in the pool's own mailbox, where any
/// worker (a new one too) can take it, rather than behind one worker.
pub const DEFAULT_WORKER_CAPACITY: usize = 8;

/// How a pool picks the worker of a message that no rule of its own
/// routes (see [`PoolBuilder::hash_key`] and [`PoolBuilder::broadcast`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Routing {
    /// Each worker in turn: over `n` messages and `k` workers, each worker
    /// gets `n / k` or one more while they have room. When the worker in
    /// turn has a full
    /// mailbox, the next one with room takes the message; when all are
    /// full, the pool waits for room at the one in turn. The default.
    #[default]
    RoundRobin,
    /// The worker with the fewest messages waiting in its mailbox; among
    /// equals, the next in turn.
    LeastLoaded,
}

/// Configures a [`Pool`] before it is spawned. Made by [`Pool::builder`].
///
/// The defaults: 1 to 4 workers ([`Autoscale::new(1, 4)`](Autoscale::new)),
/// round robin, permanent workers under a default [`Supervisor`](crate::Supervisor)
/// (one for one, 3 restarts in 5 seconds), a mailbox of
/// [`DEFAULT_MAILBOX_CAPACITY`](crate::DEFAULT_MAILBOX_CAPACITY) for the pool and of
/// [`DEFAULT_WORKER_CAPACITY`] for each worker.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::prelude::*;
/// use typact::{Autoscale, Restart, Routing, Supervisor};
///
/// #[derive(Default)]
/// struct Fetcher;
///
/// #[actor]
/// impl Fetcher {
///     #[handler]
///     async fn fetch(&self, url: String) -> usize {
///         url.len()
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = Pool::builder(Fetcher::default)
///     .name("fetchers")
///     .autoscale(Autoscale::new(2, 16).grow_above(4.0))
///     .routing(Routing::LeastLoaded)
///     .supervisor(Supervisor::builder().intensity(10, Duration::from_secs(1)))
///     .restart(Restart::Permanent)
///     .worker_capacity(4)
///     .capacity(10_000)
///     .spawn()
///     .await?;
/// assert_eq!(pool.fetch("https://example.org".into()).await?, 19);
/// assert_eq!(pool.name(), Some("fetchers"));
/// # Ok(()) }
/// ```
#[must_use = "a pool builder does nothing until `spawn` is called"]
pub struct PoolBuilder<A: Actor> {
    pub(super) factory: Arc<dyn Fn() -> A + Send + Sync>,
    pub(super) scale: Autoscale,
    pub(super) routing: Routing,
    pub(super) rules: Rules<A>,
    pub(super) supervisor: Option<SupervisorBuilder>,
    pub(super) restart: Restart,
    pub(super) worker_capacity: usize,
    pub(super) mailbox: MailboxKind,
    pub(super) name: Option<Arc<str>>,
}

impl<A: Actor> PoolBuilder<A> {
    pub(super) fn new(factory: Arc<dyn Fn() -> A + Send + Sync>) -> Self {
        PoolBuilder {
            factory,
            scale: Autoscale::new(1, 4),
            routing: Routing::default(),
            rules: Rules::default(),
            supervisor: None,
            restart: Restart::Permanent,
            worker_capacity: DEFAULT_WORKER_CAPACITY,
            mailbox: MailboxKind::default(),
            name: None,
        }
    }

    /// Exactly `n` workers, without autoscaling.
    ///
    /// # Panics
    ///
    /// Panics if `n` is 0.
    pub fn workers(mut self, n: usize) -> Self {
        self.scale = Autoscale::fixed(n);
        self
    }

    /// Grows and shrinks between bounds with the load; see [`Autoscale`].
    pub fn autoscale(mut self, scale: Autoscale) -> Self {
        self.scale = scale;
        self
    }

    /// How messages without a rule of their own pick a worker. Default
    /// [`Routing::RoundRobin`].
    pub fn routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// Routes every message `M` by consistent hashing of `key(&msg)`: the
    /// same key goes to the same worker while the set of workers stays the
    /// same, and when a worker is added or retired only the keys it wins
    /// or won move (rendezvous hashing). Messages of one key are handled
    /// in order as long as their worker stays; a key that moves may have
    /// messages at its old and its new worker at once.
    ///
    /// Rules apply to the actors `#[actor]` generates; for an actor
    /// written by hand they match nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// struct Session {
    ///     user: u64,
    /// }
    /// impl Message for Session {
    ///     type Reply = ActorId;
    /// }
    ///
    /// struct Sessions;
    ///
    /// #[actor]
    /// impl Sessions {
    ///     #[handler(message)]
    ///     fn session(&mut self, _: Session, ctx: &mut Context<Self>) -> ActorId {
    ///         ctx.id()
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = Pool::builder(|| Sessions)
    ///     .workers(4)
    ///     .hash_key::<Session, _, _>(|s| s.user)
    ///     .spawn()
    ///     .await?;
    /// let worker = pool.ask(Session { user: 42 }).await?;
    /// assert_eq!(pool.ask(Session { user: 42 }).await?, worker);
    /// # Ok(()) }
    /// ```
    pub fn hash_key<M, K, F>(mut self, key: F) -> Self
    where
        A: Handler<M>,
        M: 'static,
        K: Hash,
        F: Fn(&M) -> K + Send + Sync + 'static,
    {
        self.rules.add_key(key);
        self
    }

    /// Copies every tell of `M` to every worker (Akka's `Broadcast`): for
    /// messages that each worker must see, such as new settings. Only
    /// tells are copied, as only one worker can answer an ask: an ask of
    /// `M` goes to one worker by the pool's [`Routing`]. The copy a
    /// worker that has stopped for good would have got is a dead letter
    /// of the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Clone)]
    /// struct Level(u8);
    /// impl Message for Level {
    ///     type Reply = ();
    /// }
    ///
    /// #[derive(Default)]
    /// struct Logger {
    ///     level: u8,
    /// }
    ///
    /// #[actor]
    /// impl Logger {
    ///     #[handler(message)]
    ///     fn set_level(&mut self, level: Level) {
    ///         self.level = level.0;
    ///     }
    ///     #[handler]
    ///     fn level(&self) -> u8 {
    ///         self.level
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = Pool::builder(Logger::default)
    ///     .workers(3)
    ///     .broadcast::<Level>()
    ///     .spawn()
    ///     .await?;
    /// pool.tell(Level(2)).await?;
    /// for _ in 0..3 {
    ///     assert_eq!(pool.level().await?, 2); // each worker in turn
    /// }
    /// # Ok(()) }
    /// ```
    pub fn broadcast<M>(mut self) -> Self
    where
        A: Handler<M>,
        M: Clone + 'static,
    {
        self.rules.add_broadcast::<M>();
        self
    }

    /// The supervisor the workers run under: its strategy, intensity,
    /// backoff and decider apply to them. The pool spawns it; if it gives
    /// up (its restart intensity is exceeded), the pool stops with its
    /// reason.
    pub fn supervisor(mut self, supervisor: SupervisorBuilder) -> Self {
        self.supervisor = Some(supervisor);
        self
    }

    /// When a worker is restarted. Default [`Restart::Permanent`]. A worker
    /// that stops for good is replaced by a fresh one while the pool has
    /// fewer than its minimum.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// The capacity of each worker's mailbox (always bounded: the pool
    /// measures its length). Default [`DEFAULT_WORKER_CAPACITY`]: a
    /// backlog then waits in the pool's mailbox, where a worker added
    /// under load can take it; a larger one saves the pool's task some
    /// waiting under a steady flood, but a burst already handed to the
    /// workers stays with them.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is zero.
    pub fn worker_capacity(mut self, capacity: usize) -> Self {
        assert!(capacity > 0, "a mailbox needs a capacity of at least 1");
        self.worker_capacity = capacity;
        self
    }

    /// A bounded mailbox of `capacity` for the pool itself: once it and
    /// the workers are full, `tell` waits and `try_tell` hands the message
    /// back, as for one actor. Default [`DEFAULT_MAILBOX_CAPACITY`](crate::DEFAULT_MAILBOX_CAPACITY).
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is zero.
    pub fn capacity(mut self, capacity: usize) -> Self {
        assert!(capacity > 0, "a mailbox needs a capacity of at least 1");
        self.mailbox = MailboxKind::Bounded(capacity);
        self
    }

    /// An unbounded mailbox for the pool itself.
    pub fn unbounded(mut self) -> Self {
        self.mailbox = MailboxKind::Unbounded;
        self
    }

    /// Names the pool (its reference shows the name) and its supervisor.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Spawns the supervisor and the pool's initial workers, waits until
    /// every one has started, and returns the pool.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a worker failed to start (see
    /// [`SupervisorBuilder::spawn`]).
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime.
    pub async fn spawn(self) -> Result<Pool<A>, SpawnError> {
        let mut sup = self
            .supervisor
            .unwrap_or_else(crate::supervision::Supervisor::builder);
        if let Some(name) = &self.name {
            sup = sup.name(format!("{name}-supervisor"));
        }
        let spec = WorkerSpec {
            factory: self.factory,
            restart: self.restart,
            capacity: self.worker_capacity,
        };
        let workers: Vec<ActorRef<A>> = (0..self.scale.initial_size())
            .map(|_| spec.declare(&sup))
            .collect();
        let sup = sup.spawn().await?;
        let cell = Cell::new(const { &A::TYPE_NAME }, self.name);
        let (tx, rx) = mailbox::channel(self.mailbox, cell.clone());
        let front = ActorRef::from_raw(RawRef::new(tx));
        let stats = Arc::new(Stats::default());
        let router = Router::new(
            cell.clone(),
            sup,
            spec,
            workers,
            self.routing,
            self.rules,
            Scaler::new(self.scale),
            stats.clone(),
        );
        let task = tokio::spawn(router.run(rx));
        cell.set_task(task.abort_handle());
        Ok(Pool { front, stats })
    }
}

impl<A: Actor> fmt::Debug for PoolBuilder<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("worker", &A::TYPE_NAME)
            .field("scale", &self.scale)
            .field("routing", &self.routing)
            .field("restart", &self.restart)
            .field("worker_capacity", &self.worker_capacity)
            .field("mailbox", &self.mailbox)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
