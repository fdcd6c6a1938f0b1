//! [`Context`]: what a handler can do besides changing its actor's state.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::actor::{Actor, Handler};
use crate::actor_ref::{ActorRef, RawRef};
use crate::builder::ActorBuilder;
use crate::cell::{ActorId, Cell};
use crate::error::StopReason;
use crate::mailbox::Tx;
use crate::reply::ReplyTo;

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
/// ```
pub struct Context<A: Actor> {
    pub(crate) tx: Tx<A::Mailbox>,
    /// Children and timers, allocated with the first of them: most actors
    /// have none, and every byte here is a byte of every idle actor.
    owned: Option<Box<Owned>>,
}

/// What an actor's context keeps so that it can end it with the actor.
#[derive(Default)]
struct Owned {
    children: Vec<Arc<Cell>>,
    timers: Vec<AbortHandle>,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(tx: Tx<A::Mailbox>) -> Self {
        Context { tx, owned: None }
    }

    fn owned(&mut self) -> &mut Owned {
        self.owned.get_or_insert_with(Box::default)
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
    pub fn spawn<C: Actor>(&mut self, child: C) -> ActorRef<C> {
        self.spawn_with(ActorBuilder::new(child))
    }

    /// Spawns a child actor configured by a builder, e.g.
    /// `ctx.spawn_with(Child::default().builder().name("child"))`.
    pub fn spawn_with<C: Actor>(&mut self, builder: ActorBuilder<C>) -> ActorRef<C> {
        let child = builder.spawn();
        let children = &mut self.owned().children;
        children.retain(|cell| !cell.is_stopped());
        children.push(child.cell().clone());
        child
    }

    /// Sends `msg` to this actor after `delay`, as a tell. Cancelled if the
    /// actor stops first, or by [`TimerHandle::cancel`].
    ///
    /// A pending timer does not keep the actor alive: an actor with no
    /// references and an empty mailbox stops, and its timers with it.
    pub fn send_after<M>(&mut self, msg: M, delay: Duration) -> TimerHandle
    where
        A: Handler<M>,
        M: Send + 'static,
    {
        let tx = self.tx.clone();
        let cell = self.cell().clone();
        let task = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if tx.send(A::__wrap(msg, ReplyTo::none())).await.is_err() {
                cell.add_dead_letters(1);
            }
        });
        self.track(task.abort_handle())
    }

    /// Sends `make()` to this actor every `period`, the first time after one
    /// `period`, until the actor stops or the handle is cancelled. A tick that
    /// finds the mailbox full waits for room; missed ticks are not made up.
    ///
    /// # Panics
    ///
    /// Panics if `period` is zero.
    pub fn send_interval<M, F>(&mut self, period: Duration, mut make: F) -> TimerHandle
    where
        A: Handler<M>,
        M: Send + 'static,
        F: FnMut() -> M + Send + 'static,
    {
        assert!(!period.is_zero(), "`send_interval` needs a non-zero period");
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let start = tokio::time::Instant::now() + period;
            let mut ticks = tokio::time::interval_at(start, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if tx.send(A::__wrap(make(), ReplyTo::none())).await.is_err() {
                    break;
                }
            }
        });
        self.track(task.abort_handle())
    }

    pub(crate) fn track(&mut self, handle: AbortHandle) -> TimerHandle {
        let timers = &mut self.owned().timers;
        timers.retain(|t| !t.is_finished());
        timers.push(handle.clone());
        TimerHandle { handle }
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
    /// or with [`TimerHandle::cancel`].
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
    pub fn watch<B: Actor>(&mut self, other: &ActorRef<B>) -> TimerHandle
    where
        A: Handler<Terminated>,
    {
        let target = other.cell().clone();
        let tx = self.tx.clone();
        let cell = self.cell().clone();
        let task = tokio::spawn(async move {
            let reason = target.wait_for_stop().await;
            let note = Terminated {
                id: target.id,
                reason,
            };
            if tx.send(A::__wrap(note, ReplyTo::none())).await.is_err() {
                cell.add_dead_letters(1);
            }
        });
        self.track(task.abort_handle())
    }

    /// Links this actor and `other` both ways: when either stops for good
    /// with a failure ([`StopReason::is_failure`]), the other stops too,
    /// with [`StopReason::Linked`]. A normal stop does not propagate.
    pub fn link<B: Actor>(&mut self, other: &ActorRef<B>) {
        let mine = self.cell().clone();
        let theirs = other.cell().clone();
        tokio::spawn(propagate(theirs.clone(), mine.clone()));
        tokio::spawn(propagate(mine, theirs));
    }

    /// Stops every child (in reverse order of spawning) and waits for each.
    pub(crate) async fn stop_children(&mut self) {
        let Some(owned) = &mut self.owned else {
            return;
        };
        for child in owned.children.iter().rev() {
            child.stop();
        }
        while let Some(child) = owned.children.pop() {
            child.wait_for_stop().await;
        }
    }

    pub(crate) fn cancel_tasks(&mut self) {
        if let Some(owned) = &mut self.owned {
            for timer in owned.timers.drain(..) {
                timer.abort();
            }
        }
    }
}

impl<A: Actor> Drop for Context<A> {
    fn drop(&mut self) {
        // Reached with children or timers left only when the actor was
        // killed or its runtime shut down: nothing can be awaited here.
        if let Some(owned) = &self.owned {
            for child in &owned.children {
                child.stop();
            }
        }
        self.cancel_tasks();
    }
}

/// Fails `to` with `Linked` when `from` stops for good with a failure.
async fn propagate(from: Arc<Cell>, to: Arc<Cell>) {
    let stopped = from.wait_for_stop();
    let target_gone = to.wait_for_stop();
    tokio::select! {
        reason = stopped => {
            if reason.is_failure() {
                to.fail(StopReason::Linked { peer: from.id });
            }
        }
        _ = target_gone => {}
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
        f.debug_struct("Context")
            .field("actor", &format_args!("{}", self.cell()))
            .field(
                "children",
                &self.owned.as_ref().map_or(0, |o| o.children.len()),
            )
            .field("timers", &self.owned.as_ref().map_or(0, |o| o.timers.len()))
            .finish()
    }
}

/// A timer set by [`Context::send_after`] or [`Context::send_interval`].
///
/// Dropping the handle does not cancel the timer; [`cancel`](Self::cancel)
/// does, and so does the actor stopping.
#[derive(Debug, Clone)]
pub struct TimerHandle {
    handle: AbortHandle,
}

impl TimerHandle {
    /// Cancels the timer. A message already sent stays in the mailbox.
    pub fn cancel(&self) {
        self.handle.abort();
    }

    /// Whether the timer has fired its last message or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}
