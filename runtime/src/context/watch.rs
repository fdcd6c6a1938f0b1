//! Watches and links: `watch`, `watch_with`, `unwatch`, `link`, and the
//! [`Terminated`] notification.

use std::fmt;
use std::sync::Arc;

use crate::actor::{Actor, Handler};
use crate::actor_ref::ActorRef;
use crate::cell::{ActorId, Cell};
use crate::error::StopReason;

use super::{Context, Ticket, TimerHandle};

impl<A: Actor> Context<A> {
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
    pub(super) fn watch_for(
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

    /// The message inside, for its span and its history.
    pub fn entry(&self) -> &T {
        &self.entry
    }

    /// The same, to take its trace.
    pub fn entry_mut(&mut self) -> &mut T {
        &mut self.entry
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
