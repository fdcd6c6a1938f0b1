//! [`Context`]: what a handler can do besides changing its actor's state.
//!
//! Besides the API, this module keeps an actor's books: the children it
//! spawned and the timers (watches included) it set, so that they end with
//! it. Each entry takes itself out when it ends (a timer's task when it
//! fires or is cancelled, a child's cell when the child stops), so the
//! books hold what is live and no call ever scans them.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::Hash;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::actor::{Actor, Handler};
use crate::actor_ref::{ActorRef, RawRef};
use crate::builder::ActorBuilder;
use crate::cell::{ActorId, Cell};
use crate::error::StopReason;
use crate::mailbox::ActorTx;

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
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn spawn_with<C: Actor>(&mut self, builder: ActorBuilder<C>) -> ActorRef<C> {
        let child = builder.spawn();
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

    /// Sends `msg` to this actor after `delay`, as a tell. Cancelled if the
    /// actor stops first, or by [`TimerHandle::cancel`].
    ///
    /// A pending timer does not keep the actor alive: an actor with no
    /// references and an empty mailbox stops, and its timers with it.
    ///
    /// Costs the same whatever the number of timers: a timer is entered in
    /// this actor's books, and leaves them when it fires or is cancelled.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn send_after<M>(&mut self, msg: M, delay: Duration) -> TimerHandle
    where
        A: Handler<M>,
        M: Send + 'static,
    {
        let tx = self.tx.clone();
        let cell = self.cell().clone();
        self.start_timer(None, move |ticket| async move {
            let _entered = ticket;
            tokio::time::sleep(delay).await;
            if tx.send(A::__tell(msg)).await.is_err() {
                cell.add_dead_letters(1);
            }
        })
    }

    /// Sends `make()` to this actor every `period`, the first time after one
    /// `period`, until the actor stops or the handle is cancelled. A tick that
    /// finds the mailbox full waits for room; missed ticks are not made up.
    ///
    /// If `make` panics, the actor fails with [`StopReason::Panicked`] and
    /// the panic's message, as if one of its handlers had panicked: the
    /// closure is the actor's code, run on its behalf, and a fault in it is
    /// the actor's fault ("let it crash"; a supervisor restarts it as for
    /// any failure). The interval ends there.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Poller;
    ///
    /// #[actor]
    /// impl Poller {
    ///     #[on_start]
    ///     fn start(&mut self, ctx: &mut Context<Self>) {
    ///         let mut polls = 0;
    ///         ctx.send_interval(Duration::from_secs(1), move || {
    ///             polls += 1;
    ///             assert!(polls < 3, "the poll source is gone");
    ///             Poll
    ///         });
    ///     }
    ///
    ///     #[handler]
    ///     fn poll(&mut self) {}
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let poller = Poller.spawn();
    /// match poller.wait_for_stop().await {
    ///     StopReason::Panicked(msg) => assert!(msg.contains("the poll source is gone")),
    ///     other => panic!("expected a panic, got {other}"),
    /// }
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics if `period` is zero, or when called outside a tokio runtime.
    pub fn send_interval<M, F>(&mut self, period: Duration, mut make: F) -> TimerHandle
    where
        A: Handler<M>,
        M: Send + 'static,
        F: FnMut() -> M + Send + 'static,
    {
        assert!(!period.is_zero(), "`send_interval` needs a non-zero period");
        let tx = self.tx.clone();
        let cell = self.cell().clone();
        self.start_timer(None, move |ticket| async move {
            let _entered = ticket;
            let start = tokio::time::Instant::now() + period;
            let mut ticks = tokio::time::interval_at(start, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let msg = match catch_unwind(AssertUnwindSafe(&mut make)) {
                    Ok(msg) => msg,
                    Err(payload) => {
                        let panic = crate::run::panic_message(payload);
                        tracing::error!(actor = %cell, panic = %panic, "actor panicked in a `send_interval` closure");
                        cell.fail(StopReason::Panicked(panic.into()));
                        break;
                    }
                };
                if tx.send(A::__tell(msg)).await.is_err() {
                    break;
                }
            }
        })
    }

    /// Runs `task` on a task of its own, owned by this actor, and sends its
    /// output to this actor as a tell, to be handled like any message:
    /// work that must not hold up the mailbox (a slow read, a request to
    /// another service) with its result coming back in order with the rest.
    ///
    /// The task ends with the actor: it is aborted when the actor stops, or
    /// when a supervisor restarts it, so it can never outlive the actor
    /// (or send its result to a newer instance). Like a timer, it does not
    /// keep the actor alive, and [`TimerHandle::cancel`] aborts it.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Loader {
    ///     loaded: Option<usize>,
    /// }
    ///
    /// #[actor]
    /// impl Loader {
    ///     #[handler]
    ///     fn load(&mut self, ctx: &mut Context<Self>) {
    ///         ctx.spawn_task(async {
    ///             tokio::task::yield_now().await; // stands for slow I/O
    ///             Loaded { bytes: 42 }
    ///         });
    ///     }
    ///
    ///     #[handler]
    ///     fn loaded(&mut self, bytes: usize) {
    ///         self.loaded = Some(bytes);
    ///     }
    ///
    ///     #[handler]
    ///     fn current(&self) -> Option<usize> {
    ///         self.loaded
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), AskError> {
    /// let loader = Loader::default().spawn();
    /// loader.load().await?;
    /// while loader.current().await?.is_none() {
    ///     tokio::task::yield_now().await;
    /// }
    /// assert_eq!(loader.current().await?, Some(42));
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime. A panic inside `task`
    /// ends that task only, and is reported by tokio as for any task.
    pub fn spawn_task<F, M>(&mut self, task: F) -> TimerHandle
    where
        A: Handler<M>,
        F: Future<Output = M> + Send + 'static,
        M: Send + 'static,
    {
        let tx = self.tx.clone();
        let cell = self.cell().clone();
        self.start_timer(None, move |ticket| async move {
            let _entered = ticket;
            let msg = task.await;
            if tx.send(A::__tell(msg)).await.is_err() {
                cell.add_dead_letters(1);
            }
        })
    }

    /// Feeds `stream` to this actor: each item becomes a tell to it, in
    /// order, and `end` follows the last item, so the actor learns that
    /// the stream is over. The stream is polled on a task of its own,
    /// owned by this actor, and waits while the mailbox is full: a fast
    /// stream runs at the actor's pace, never more than the mailbox's
    /// bound ahead.
    ///
    /// The feeder ends with the actor: it is aborted (dropping the stream)
    /// when the actor stops or a supervisor restarts it, or by
    /// [`TimerHandle::cancel`]. Like a timer, it does not keep the actor
    /// alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Summer {
    ///     sum: u64,
    ///     done: bool,
    /// }
    ///
    /// #[actor]
    /// impl Summer {
    ///     #[handler]
    ///     fn start(&mut self, ctx: &mut Context<Self>) {
    ///         let numbers = futures_util::stream::iter((1..=4).map(|n| Number { n }));
    ///         ctx.attach_stream(numbers, Finished);
    ///     }
    ///
    ///     #[handler]
    ///     fn number(&mut self, n: u64) {
    ///         self.sum += n;
    ///     }
    ///
    ///     #[handler]
    ///     fn finished(&mut self) {
    ///         self.done = true;
    ///     }
    ///
    ///     #[handler]
    ///     fn total(&self) -> Option<u64> {
    ///         self.done.then_some(self.sum)
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), AskError> {
    /// let summer = Summer::default().spawn();
    /// summer.start().await?;
    /// let total = loop {
    ///     if let Some(total) = summer.total().await? {
    ///         break total;
    ///     }
    ///     tokio::task::yield_now().await;
    /// };
    /// assert_eq!(total, 10);
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn attach_stream<S, M, E>(&mut self, stream: S, end: E) -> TimerHandle
    where
        A: Handler<M> + Handler<E>,
        S: futures_util::Stream<Item = M> + Send + 'static,
        M: Send + 'static,
        E: Send + 'static,
    {
        use futures_util::StreamExt;

        let tx = self.tx.clone();
        self.start_timer(None, move |ticket| async move {
            let _entered = ticket;
            let mut stream = std::pin::pin!(stream);
            while let Some(item) = stream.next().await {
                if tx.send(A::__tell(item)).await.is_err() {
                    return;
                }
            }
            let _ = tx.send(A::__tell(end)).await;
        })
    }

    /// Spawns the task of a timer or a watch, entered in the books under
    /// the ticket `task` is given; the task leaves them when it drops it.
    fn start_timer<F>(
        &mut self,
        watching: Option<ActorId>,
        task: impl FnOnce(Ticket) -> F,
    ) -> TimerHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let books = self.books().clone();
        let ticket = Books::open(&books, watching);
        let key = ticket.key;
        let handle = tokio::spawn(task(ticket)).abort_handle();
        books.started(key, handle.clone());
        TimerHandle {
            task: handle,
            entry: Some((Arc::downgrade(&books), key)),
        }
    }

    /// Keeps a task that must end with this actor's instance (the
    /// supervisor's backoff timers). Such a task cannot take itself out of
    /// the books; finished ones are swept whenever their list has doubled,
    /// which keeps this O(1) amortised.
    pub(crate) fn track(&mut self, handle: AbortHandle) -> TimerHandle {
        let mut books = self.books().lock();
        if books.tracked.len() >= books.sweep_at {
            books.tracked.retain(|t| !t.is_finished());
            books.sweep_at = (2 * books.tracked.len()).max(8);
        }
        books.tracked.push(handle.clone());
        TimerHandle {
            task: handle,
            entry: None,
        }
    }

    /// Stops this actor once the current handler returns, as a failure with
    /// `error` as its reason ([`StopReason::Failed`]): "let it crash"
    /// without a panic. A supervisor treats it like any failure.
    pub fn fail(&self, error: impl Into<crate::BoxError>) {
        self.cell()
            .fail(StopReason::Failed(Arc::from(error.into())));
    }

    /// Watches `other`: when it stops for good, this actor receives one
    /// [`Terminated`] message with its id and stop reason. If it has already
    /// stopped, the message comes at once. A supervised actor that is
    /// restarted has not stopped for good, so restarts send nothing.
    ///
    /// The watch ends with this actor's current instance (a restarted
    /// instance watches again from its `#[on_start]` hook if it wants to),
    /// with [`TimerHandle::cancel`], or with [`unwatch`](Self::unwatch).
    /// Ending a watch also takes back its `Terminated` if that is already
    /// in the mailbox: once a watch is cancelled, its message is never
    /// handled, as with Erlang's `demonitor(Ref, [flush])` and Akka's
    /// `unwatch`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)] struct Worker;
    /// #[actor] impl Worker { #[handler] fn work(&self) {} }
    ///
    /// #[derive(Default)] struct Watcher { seen: Vec<ActorId> }
    /// #[actor] impl Watcher {
    ///     #[handler]
    ///     fn follow(&mut self, worker: ActorRef<Worker>, ctx: &mut Context<Self>) {
    ///         ctx.watch(&worker);
    ///     }
    ///     #[handler(message)]
    ///     fn down(&mut self, t: Terminated) { self.seen.push(t.id); }
    ///     #[handler]
    ///     fn seen(&self) -> Vec<ActorId> { self.seen.clone() }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), AskError> {
    /// let worker = Worker.spawn();
    /// let watcher = Watcher::default().spawn();
    /// watcher.follow(worker.clone()).await?;
    /// worker.stop();
    /// worker.wait_for_stop().await;
    /// tokio::task::yield_now().await;
    /// assert_eq!(watcher.seen().await?, vec![worker.id()]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn watch<B: Actor>(&mut self, other: &ActorRef<B>) -> TimerHandle
    where
        A: Handler<Terminated>,
    {
        let target = other.cell().clone();
        let id = target.id;
        self.watch_for(target, move |reason| A::__tell(Terminated { id, reason }))
    }

    /// Watches `other` as [`watch`](Self::watch) does, but delivers `msg`,
    /// a message of this actor's choosing, instead of a [`Terminated`]
    /// when `other` stops for good (Akka's `watchWith`). The message is
    /// sent as a tell, once; cancelling the watch, or
    /// [`unwatch`](Self::unwatch), takes it back if it is already queued.
    ///
    /// Use it to say *which* actor stopped in the watcher's own words, for
    /// instance with the key under which it keeps that actor.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)] struct Session;
    /// #[actor] impl Session { #[handler] fn ping(&self) {} }
    ///
    /// #[derive(Default)] struct Lobby { gone: Vec<String> }
    /// #[actor] impl Lobby {
    ///     #[handler]
    ///     fn enter(&mut self, user: String, session: ActorRef<Session>, ctx: &mut Context<Self>) {
    ///         ctx.watch_with(&session, Left { user });
    ///     }
    ///     #[handler]
    ///     fn left(&mut self, user: String) { self.gone.push(user); }
    ///     #[handler]
    ///     fn gone(&self) -> Vec<String> { self.gone.clone() }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), AskError> {
    /// let lobby = Lobby::default().spawn();
    /// let session = Session.spawn();
    /// lobby.enter("ada".into(), session.clone()).await?;
    /// session.stop();
    /// session.wait_for_stop().await;
    /// tokio::task::yield_now().await;
    /// assert_eq!(lobby.gone().await?, ["ada"]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn watch_with<B: Actor, M>(&mut self, other: &ActorRef<B>, msg: M) -> TimerHandle
    where
        A: Handler<M>,
        M: Send + 'static,
    {
        self.watch_for(other.cell().clone(), move |_| A::__tell(msg))
    }

    /// The watch task: waits for `target` to stop for good, then sends the
    /// entry `make` builds, wrapped so that it still answers to the watch's
    /// entry in the books (see [`Watched`]).
    fn watch_for(
        &mut self,
        target: Arc<Cell>,
        make: impl FnOnce(StopReason) -> A::Mailbox + Send + 'static,
    ) -> TimerHandle {
        let tx = self.tx.clone();
        let cell = self.cell().clone();
        self.start_timer(Some(target.id), move |ticket| async move {
            let reason = target.wait_for_stop().await;
            let entry = A::__watched(Watched {
                ticket,
                entry: make(reason),
            });
            if tx.send(entry).await.is_err() {
                cell.add_dead_letters(1);
            }
        })
    }

    /// Ends every watch this actor's instance keeps on `other`, from
    /// [`watch`](Self::watch) and [`watch_with`](Self::watch_with) alike,
    /// and takes back their messages if they are already in the mailbox:
    /// after `unwatch`, no notification of `other`'s stop is handled. Does
    /// nothing if there is no such watch.
    ///
    /// Looks through this actor's timers and watches, so it costs in
    /// proportion to how many it has.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)] struct Job;
    /// #[actor] impl Job { #[handler] fn run(&self) {} }
    ///
    /// #[derive(Default)] struct Tracker { downs: usize }
    /// #[actor] impl Tracker {
    ///     #[handler]
    ///     fn track(&mut self, job: ActorRef<Job>, ctx: &mut Context<Self>) {
    ///         ctx.watch(&job);
    ///     }
    ///     #[handler]
    ///     fn forget(&mut self, job: ActorRef<Job>, ctx: &mut Context<Self>) {
    ///         ctx.unwatch(&job);
    ///     }
    ///     #[handler(message)]
    ///     fn down(&mut self, _: Terminated) { self.downs += 1; }
    ///     #[handler]
    ///     fn downs(&self) -> usize { self.downs }
    /// }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), AskError> {
    /// let tracker = Tracker::default().spawn();
    /// let job = Job.spawn();
    /// tracker.track(job.clone()).await?;
    /// tracker.forget(job.clone()).await?;
    /// job.stop();
    /// job.wait_for_stop().await;
    /// tokio::task::yield_now().await;
    /// assert_eq!(tracker.downs().await?, 0);
    /// # Ok(()) }
    /// ```
    pub fn unwatch<B: Actor>(&mut self, other: &ActorRef<B>) {
        if let Some(books) = &self.books {
            let target = other.id();
            for task in books.remove_where(|timer| timer.watching == Some(target)) {
                task.abort();
            }
        }
    }

    /// Links this actor and `other` both ways: when either stops for good
    /// with a failure ([`StopReason::is_failure`]), the other stops too,
    /// with [`StopReason::Linked`]. A normal stop does not propagate.
    ///
    /// Linking a pair that is already linked changes nothing, and a link
    /// costs no task: each actor keeps its links with its stop state, and
    /// acts on them when it stops.
    ///
    /// If `other` has already stopped, the link acts at once: after a
    /// failure, this actor stops with [`StopReason::Linked`] as soon as the
    /// current handler returns, handling nothing more (Erlang's `link` to a
    /// dead process, which then gets a `noproc` exit); after a normal stop,
    /// nothing happens, since a normal stop never propagates. Linking an
    /// actor to itself does nothing.
    pub fn link<B: Actor>(&mut self, other: &ActorRef<B>) {
        let mine = self.cell();
        let theirs = other.cell();
        if mine.id == theirs.id {
            return;
        }
        // This actor is running, so its side cannot have ended; `other`'s
        // can have, before or while it is asked. If it has, take this
        // side back and act on its end now.
        let _ = mine.bonds().link(theirs);
        if let Err(reason) = theirs.bonds().link(mine) {
            mine.bonds().unlink(theirs.id);
            if reason.is_failure() {
                mine.fail(StopReason::Linked { peer: theirs.id });
            }
        }
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

/// An actor's books: its children and its timers and watches. Shared with
/// the timers' tasks (through their [`Ticket`]s) and with the children's
/// cells (through their bonds), which take themselves out as they end.
#[derive(Default)]
pub(crate) struct Books {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    /// The key of the next timer; never reused, so a stale key finds
    /// nothing.
    next: u64,
    timers: HashMap<u64, Timer>,
    /// Tasks kept through `Context::track`, swept when the list doubles.
    tracked: Vec<AbortHandle>,
    sweep_at: usize,
    children: HashMap<ActorId, Arc<Cell>>,
}

/// A live timer or watch. A watch whose message is queued stays here,
/// without a task, until the message is handled or taken back.
struct Timer {
    /// `None` until the task is spawned, and after a watch has sent.
    task: Option<AbortHandle>,
    /// The actor a watch is watching.
    watching: Option<ActorId>,
}

impl Books {
    fn lock(&self) -> MutexGuard<'_, Entries> {
        // Nothing panics while the lock is held, but a poisoned one is
        // still consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enters a timer whose task is about to be spawned.
    fn open(books: &Arc<Books>, watching: Option<ActorId>) -> Ticket {
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
    fn started(&self, key: u64, task: AbortHandle) {
        if let Some(timer) = self.lock().timers.get_mut(&key) {
            timer.task = Some(task);
        }
    }

    /// Takes timer `key` out; whether it was still in.
    fn close(&self, key: u64) -> bool {
        let mut entries = self.lock();
        let found = entries.timers.remove(&key).is_some();
        shrink_if_sparse(&mut entries.timers);
        found
    }

    /// Takes out the timers `which` selects; returns their tasks, to be
    /// aborted once the lock is released.
    fn remove_where(&self, mut which: impl FnMut(&Timer) -> bool) -> Vec<AbortHandle> {
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
fn shrink_if_sparse<K: Eq + Hash, V>(map: &mut HashMap<K, V>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 8 {
        map.shrink_to(2 * map.len());
    }
}

/// A timer's place in its actor's books, held by its task (and, once a
/// watch has sent its message, by the message). Dropping it takes the
/// timer out.
pub(crate) struct Ticket {
    books: Weak<Books>,
    key: u64,
}

impl Ticket {
    /// Takes the timer out; whether it was still in (not cancelled).
    fn close(&self) -> bool {
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

/// A watch's message on its way through the watcher's mailbox, with the
/// ticket of its watch: the message is handled only if the watch is still
/// in the books when its turn comes. Cancelling the watch takes it out,
/// and so flushes the message without reaching into the queue.
///
/// `#[actor]` gives every mailbox a hidden variant that holds one; its
/// generated code calls [`admit`](Self::admit) before dispatching.
#[doc(hidden)]
pub struct Watched<T> {
    ticket: Ticket,
    entry: T,
}

impl<T> Watched<T> {
    /// The message, if its watch was not cancelled; it then counts as
    /// handled, and the watch leaves the books.
    pub fn admit(self) -> Option<T> {
        let Watched { ticket, entry } = self;
        ticket.close().then_some(entry)
    }

    /// The message, whatever became of its watch: for actors written by
    /// hand, whose mailbox has no place for a `Watched`.
    pub fn into_entry(self) -> T {
        self.entry
    }
}

impl<T> fmt::Debug for Watched<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watched")
            .field("watch", &self.ticket.key)
            .finish_non_exhaustive()
    }
}

/// The notification [`Context::watch`] delivers: a watched actor stopped
/// for good.
///
/// Handle it with `#[handler(message)] fn down(&mut self, t: Terminated)`.
#[derive(Clone, Debug)]
pub struct Terminated {
    /// The actor that stopped.
    pub id: ActorId,
    /// Why it stopped.
    pub reason: StopReason,
}

// Kept out of "the following types implement `Message`" lists in errors
// about user messages.
#[diagnostic::do_not_recommend]
impl crate::Message for Terminated {
    type Reply = ();
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

/// A timer set by [`Context::send_after`] or [`Context::send_interval`],
/// or a watch set by [`Context::watch`] or [`Context::watch_with`].
///
/// Dropping the handle does not cancel the timer; [`cancel`](Self::cancel)
/// does, and so does the actor stopping.
#[derive(Debug, Clone)]
pub struct TimerHandle {
    task: AbortHandle,
    /// Where the timer is entered in its actor's books; `None` for a task
    /// kept by `track`.
    entry: Option<(Weak<Books>, u64)>,
}

impl TimerHandle {
    /// Cancels the timer, from any thread. A timer's message already sent
    /// stays in the mailbox; a watch's message already sent is taken back:
    /// once `cancel` returns, it will not be handled.
    pub fn cancel(&self) {
        if let Some((books, key)) = &self.entry {
            if let Some(books) = books.upgrade() {
                books.close(*key);
            }
        }
        self.task.abort();
    }

    /// Whether the timer has fired its last message or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}
