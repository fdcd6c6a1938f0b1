//! [`Context`]: what a handler can do besides changing its actor's state.
//!
//! Besides the API, this module keeps an actor's books: the children it
//! spawned and the timers (watches included) it set, so that they end with
//! it. Each entry takes itself out when it ends (a timer's task when it
//! fires or is cancelled, a child's cell when the child stops), so the
//! books hold what is live and no call ever scans them.

mod books;
mod timers;
mod watch;

use std::cmp::Reverse;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::actor::Actor;
use crate::actor_ref::{ActorRef, RawRef};
use crate::builder::ActorBuilder;
use crate::cell::{ActorId, Cell};
use crate::error::StopReason;
use crate::mailbox::ActorTx;

pub(crate) use books::{Books, Ticket};
pub use timers::TimerHandle;
pub use watch::{Terminated, Watched};

/// An actor's view of itself, passed to handlers that ask for it with a
/// `ctx: &mut Context<Self>` parameter, and to the lifecycle hooks.
///
/// Through it a handler reaches its own reference, stops its actor, spawns
/// children and sets timers. Children and timers end with the actor: when it
/// stops, it stops its children (and waits for them) before its `#[on_stop]`
/// hook runs, and cancels its pending timers.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Heartbeat {
///     beats: u32,
/// }
///
/// #[actor]
/// impl Heartbeat {
///     #[on_start]
///     fn start(&mut self, ctx: &mut Context<Self>) {
///         ctx.send_interval(Duration::from_millis(10), || Beat);
///     }
///
///     #[handler]
///     fn beat(&mut self, ctx: &mut Context<Self>) {
///         self.beats += 1;
///         if self.beats == 3 {
///             ctx.stop();
///         }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let hb = Heartbeat::default().spawn();
/// assert!(hb.wait_for_stop().await.is_normal());
/// # }
pub struct Context<A: Actor> {
    pub(crate) tx: ActorTx<A>,
    /// Children and timers, allocated with the first of them: most actors
    /// have none, and every byte here is a byte of every idle actor.
    books: Option<Arc<Books>>,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(tx: ActorTx<A>) -> Self {
        Context { tx, books: None }
    }

    fn books(&mut self) -> &Arc<Books> {
        self.books.get_or_insert_with(Arc::default)
    }

    /// This actor's cell (the mailbox's sender knows it).
    #[inline]
    pub(crate) fn cell(&self) -> &Arc<Cell> {
        self.tx.cell()
    }

    /// This actor's path in the supervision tree, if it has one (see
    /// [`ActorPath`](crate::ActorPath)); set before its first hook runs.
    pub fn path(&self) -> Option<&crate::ActorPath> {
        self.cell().path()
    }

    /// A reference to this actor.
    ///
    /// Holding it keeps the actor from stopping by itself; an actor that
    /// stores its own reference in its state stops only when asked to.
    pub fn myself(&mut self) -> ActorRef<A> {
        ActorRef::from_raw(RawRef::new(self.tx.clone()))
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.cell().id
    }

    /// The timeout of the asks this actor makes from its handlers and hooks
    /// (see [`DEFAULT_ASK_TIMEOUT`](crate::DEFAULT_ASK_TIMEOUT)); `None` if
    /// they have none.
    pub fn ask_timeout(&self) -> Option<Duration> {
        self.cell().ask_timeout()
    }

    /// Sets the timeout of the asks this actor makes from its handlers and
    /// hooks, from the next one on; `None` for none. An ask's own
    /// [`Ask::timeout`](crate::Ask::timeout) still wins. It stays across
    /// restarts.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Front;
    ///
    /// #[actor]
    /// impl Front {
    ///     #[on_start]
    ///     fn start(&mut self, ctx: &mut Context<Self>) {
    ///         ctx.set_ask_timeout(Duration::from_millis(500));
    ///     }
    ///
    ///     #[handler]
    ///     fn timeout(&self, ctx: &mut Context<Self>) -> Option<Duration> {
    ///         ctx.ask_timeout()
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let front = Front.spawn();
    /// assert_eq!(front.timeout().await.unwrap(), Some(Duration::from_millis(500)));
    /// # }
    /// ```
    pub fn set_ask_timeout(&mut self, timeout: impl Into<Option<Duration>>) {
        self.cell().set_ask_timeout(timeout.into());
    }

    /// Stops this actor once the current handler returns. Messages still
    /// queued are not handled (their asks fail, their tells become dead
    /// letters).
    pub fn stop(&self) {
        self.cell().stop();
    }

    /// Spawns a child actor with the default mailbox. The child is stopped,
    /// and waited for, when this actor stops.
    ///
    /// Costs the same whatever the number of children: a child is entered
    /// in this actor's books, and takes itself out when it stops.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// #[derive(Default)] struct Worker;
    /// #[actor] impl Worker { #[handler] fn work(&self) -> u32 { 1 } }
    ///
    /// #[derive(Default)] struct Boss { worker: Option<ActorRef<Worker>> }
    /// #[actor] impl Boss {
    ///     #[on_start]
    ///     fn hire(&mut self, ctx: &mut Context<Self>) {
    ///         self.worker = Some(ctx.spawn(Worker));
    ///     }
    ///     #[handler]
    ///     fn staff(&self) -> ActorRef<Worker> { self.worker.clone().unwrap() }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), AskError> {
    /// let boss = Boss::default().spawn();
    /// let worker = boss.staff().await?;
    /// boss.stop();
    /// boss.wait_for_stop().await;
    /// assert!(!worker.is_alive());
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn spawn<C: Actor>(&mut self, child: C) -> ActorRef<C> {
        self.spawn_with(ActorBuilder::new(child))
    }

    /// Spawns a child actor configured by a builder, e.g.
    /// `ctx.spawn_with(Child::default().builder().name("child"))`.
    ///
    /// A named child of an actor with a path takes the path below it
    /// (`/app/worker/child`, see [`ActorPath`](crate::ActorPath)). If a
    /// live actor holds that path already, or the name cannot be a path
    /// segment, the child is still spawned, without a path, and a warning
    /// names the path and its holder.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn spawn_with<C: Actor>(&mut self, builder: ActorBuilder<C>) -> ActorRef<C> {
        let child = builder.under(self.cell()).spawn();
        let cell = child.cell();
        let books = self.books();
        books.lock().children.insert(cell.id, cell.clone());
        // Entered first, then told where it is entered: a child that has
        // stopped in between has missed the chance to take itself out.
        if !cell.bonds().set_parent(Arc::downgrade(books)) {
            books.disown(cell.id);
        }
        child
    }

    /// Stops this actor once the current handler returns, as a failure with
    /// `error` as its reason ([`StopReason::Failed`]): "let it crash"
    /// without a panic. A supervisor treats it like any failure.
    pub fn fail(&self, error: impl Into<crate::BoxError>) {
        self.cell()
            .fail(StopReason::Failed(Arc::from(error.into())));
    }

    /// Whether the actor never had children, timers, watches or tasks.
    #[inline]
    pub(crate) fn has_no_books(&self) -> bool {
        self.books.is_none()
    }

    /// Stops every child (in reverse order of spawning) and waits for each.
    pub(crate) async fn stop_children(&mut self) {
        let Some(books) = &self.books else {
            return;
        };
        let mut children: Vec<Arc<Cell>> = books.lock().children.values().cloned().collect();
        // Ids grow with each spawn: newest first.
        children.sort_unstable_by_key(|child| Reverse(child.id));
        for child in &children {
            child.stop();
        }
        for child in children {
            child.wait_for_stop().await;
        }
    }

    /// Cancels every timer and watch of the current instance; watch
    /// messages already queued are taken back with them.
    pub(crate) fn cancel_tasks(&mut self) {
        if let Some(books) = &self.books {
            for task in books.remove_where(|_| true) {
                task.abort();
            }
            let tracked = std::mem::take(&mut books.lock().tracked);
            for task in tracked {
                task.abort();
            }
        }
    }

    /// How many children and timers (watches included) this actor's books
    /// hold. For tests of the bookkeeping; not public API.
    #[doc(hidden)]
    pub fn __books(&self) -> (usize, usize) {
        self.books.as_ref().map_or((0, 0), |books| {
            let books = books.lock();
            (
                books.children.len(),
                books.timers.len() + books.tracked.len(),
            )
        })
    }
}

impl<A: Actor> Drop for Context<A> {
    fn drop(&mut self) {
        // Reached with children or timers left only when the actor was
        // killed or its runtime shut down: nothing can be awaited here.
        if let Some(books) = &self.books {
            let children: Vec<Arc<Cell>> = books.lock().children.values().cloned().collect();
            for child in children {
                child.stop();
            }
        }
        self.cancel_tasks();
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (children, timers) = self.__books();
        f.debug_struct("Context")
            .field("actor", &format_args!("{}", self.cell()))
            .field("children", &children)
            .field("timers", &timers)
            .finish()
    }
}
