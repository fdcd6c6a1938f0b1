//! [`Harness`]: one actor, driven by hand from a plain `#[test]`.

use std::fmt;
use std::future::Future;

use crate::actor::{Actor, Handler, Message};
use crate::actor_ref::{ActorRef, RawRef};
use crate::ask::{Current, polling_as};
use crate::cell::{Cell, STOP};
use crate::context::Context;
use crate::error::{AskError, StopReason};
use crate::mailbox::{self, ActorRx, MailboxKind, TryRecv};
use crate::reply::ReplyTo;

/// One actor and a test [`Context`], with no task behind them: each call
/// handles one message at once, on the test's own thread, and returns when
/// the handler has, so that a test can look at the actor's state and at what
/// the handler did (messages it sent itself, children it spawned, timers it
/// set, whether it asked to stop) between messages.
///
/// It needs no runtime from the test: write an ordinary `#[test]`. The
/// harness keeps a single-threaded tokio runtime of its own, entered while a
/// handler runs, so that handlers may spawn children, set timers and await
/// asks. Children and tasks run only while the harness is running a handler
/// or [`block_on`](Harness::block_on).
///
/// A message the actor sends to itself (through
/// [`Context::myself`]) and one a timer or watch delivers wait in its
/// mailbox, counted by [`queued`](Harness::queued), until
/// [`run_queued`](Harness::run_queued) handles them: nothing runs behind
/// the test's back. To check what it sends to other actors, give it a
/// [`TestProbe`](super::TestProbe) in their place.
///
/// # Panics
///
/// A panic in a handler or hook is not caught: it fails the test where it
/// happened, with its own message and backtrace.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::prelude::*;
/// use typact::testkit::Harness;
///
/// #[derive(Default)]
/// struct Cart {
///     items: Vec<String>,
/// }
///
/// #[actor]
/// impl Cart {
///     #[handler]
///     fn add(&mut self, item: String, ctx: &mut Context<Self>) {
///         self.items.push(item);
///         if self.items.len() == 1 {
///             // Remind ourselves to check out.
///             ctx.send_after(Checkout, Duration::from_secs(600));
///         }
///     }
///
///     #[handler]
///     fn checkout(&mut self, ctx: &mut Context<Self>) -> usize {
///         ctx.stop();
///         self.items.len()
///     }
/// }
///
/// # fn main() {
/// let mut cart = Harness::new(Cart::default());
/// cart.tell(Add { item: "tea".into() });
/// assert_eq!(cart.actor().items, ["tea"]);
/// assert_eq!(cart.timers(), 1, "the reminder is set");
///
/// assert_eq!(cart.ask(Checkout), Ok(1));
/// assert!(cart.stop_requested());
/// # }
/// ```
pub struct Harness<A: Actor> {
    actor: A,
    ctx: Context<A>,
    rx: ActorRx<A>,
    rt: tokio::runtime::Runtime,
}

impl<A: Actor> Harness<A> {
    /// Wraps `actor` and runs its `#[on_start]` hook, with an unbounded
    /// mailbox.
    ///
    /// # Panics
    ///
    /// If the hook fails or panics, or when called inside an async context
    /// (the harness runs its own runtime: use it from a plain `#[test]`).
    pub fn new(actor: A) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a single-threaded tokio runtime for the harness");
        let cell = Cell::new(const { &A::TYPE_NAME }, None);
        let (tx, rx) = mailbox::channel(MailboxKind::Unbounded, cell);
        let mut harness = Harness {
            actor,
            ctx: Context::new(tx),
            rx,
            rt,
        };
        let Harness { actor, ctx, rt, .. } = &mut harness;
        let current = Current::of(ctx.cell());
        if let Err(err) = run_as(rt, current, actor.__on_start(ctx)) {
            panic!("`{}` failed to start: {err}", A::TYPE_NAME);
        }
        harness
    }

    /// The actor's state.
    pub fn actor(&self) -> &A {
        &self.actor
    }

    /// The actor's state, to change between messages.
    pub fn actor_mut(&mut self) -> &mut A {
        &mut self.actor
    }

    /// The actor's context, as its handlers see it.
    pub fn context(&mut self) -> &mut Context<A> {
        &mut self.ctx
    }

    /// A reference to the actor: what it sends there waits in its mailbox
    /// until [`run_queued`](Harness::run_queued).
    pub fn myself(&mut self) -> ActorRef<A> {
        ActorRef::from_raw(RawRef::new(self.ctx.tx.clone()))
    }

    /// Handles `msg` now, as a tell.
    pub fn tell<M>(&mut self, msg: M)
    where
        A: Handler<M>,
        M: Message,
    {
        self.handle(A::__wrap(msg, ReplyTo::none()));
    }

    /// Handles `msg` now, as an ask, and returns the reply.
    ///
    /// # Errors
    ///
    /// [`AskError::NoReply`] if the handler kept or dropped its reply handle
    /// without answering (a deferred handler answers later, from wherever
    /// it keeps the handle; await that with [`block_on`](Harness::block_on)).
    pub fn ask<M>(&mut self, msg: M) -> Result<M::Reply, AskError>
    where
        A: Handler<M>,
        M: Message,
    {
        let (reply, mut rx) = ReplyTo::channel();
        self.handle(A::__wrap(msg, reply));
        match rx.try_recv() {
            Ok(reply) => reply,
            Err(_) => Err(AskError::NoReply),
        }
    }

    /// How many messages wait in the actor's own mailbox: sent to itself,
    /// or delivered by its timers and watches.
    pub fn queued(&self) -> usize {
        self.rx.len()
    }

    /// Handles the messages waiting in the mailbox, in order, including
    /// those they send in turn; returns how many it handled.
    pub fn run_queued(&mut self) -> usize {
        let mut handled = 0;
        while let TryRecv::Value(entry) = self.rx.try_recv() {
            self.handle(entry);
            handled += 1;
        }
        handled
    }

    /// How many children the actor has (spawned with [`Context::spawn`]
    /// and still running).
    pub fn children(&self) -> usize {
        self.ctx.__books().0
    }

    /// How many timers, watches, tasks and streams the actor has running.
    pub fn timers(&self) -> usize {
        self.ctx.__books().1
    }

    /// Whether a handler asked the actor to stop ([`Context::stop`] or
    /// [`Context::fail`]).
    pub fn stop_requested(&self) -> bool {
        self.ctx.cell().flags() & STOP != 0
    }

    /// Runs `fut` to completion on the harness's runtime, where the actor's
    /// children and tasks run: to await a probe, a child's reply, or a
    /// deferred reply.
    pub fn block_on<F: Future>(&mut self, fut: F) -> F::Output {
        self.rt.block_on(fut)
    }

    /// Runs the actor's `#[on_stop]` hook with `reason` and ends the
    /// harness, giving the actor back.
    pub fn stop(mut self, reason: StopReason) -> A {
        let Harness {
            actor, ctx, rt, rx, ..
        } = &mut self;
        rx.close();
        let current = Current::of(ctx.cell());
        run_as(rt, current, actor.__on_stop(&reason, ctx));
        ctx.cell().finish(reason);
        let Harness { actor, .. } = self;
        actor
    }

    fn handle(&mut self, entry: A::Mailbox) {
        let Harness { actor, ctx, rt, .. } = self;
        let current = Current::of(ctx.cell());
        let _guard = rt.enter();
        if let Some(entry) = polling_as(current, || actor.__handle_now(entry, ctx)) {
            run_as(rt, current, actor.__handle(entry, ctx));
        }
    }
}

/// Runs `fut` on `rt`, each poll as the actor `current`.
fn run_as<F: Future>(rt: &tokio::runtime::Runtime, current: Current, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    rt.block_on(std::future::poll_fn(|cx| {
        polling_as(current, || fut.as_mut().poll(cx))
    }))
}

impl<A: Actor> fmt::Debug for Harness<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("actor", &A::TYPE_NAME)
            .field("queued", &self.queued())
            .field("children", &self.children())
            .field("timers", &self.timers())
            .finish_non_exhaustive()
    }
}
