//! Timers, tasks and streams an actor owns: `send_after`, `send_interval`,
//! `spawn_task`, `attach_stream`, and the [`TimerHandle`] that ends them.

use crate::actor::{Actor, Handler};
use crate::cell::ActorId;
use crate::error::StopReason;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::task::AbortHandle;

use super::{Books, Context, Ticket};

impl<A: Actor> Context<A> {
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
    pub(super) fn start_timer<F>(
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
        if let Some((books, key)) = &self.entry
            && let Some(books) = books.upgrade()
        {
            books.close(*key);
        }
        self.task.abort();
    }

    /// Whether the timer has fired its last message or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}
