//! Proxies: an `ActorRef<A>` whose mailbox no actor loop serves, but a
//! bridge that forwards what arrives (to another process, for
//! `typact-remote`).

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::actor::Actor;
use crate::actor_ref::{ActorRef, RawRef};
use crate::cell::{ActorId, Cell, KILL, STOP};
use crate::error::StopReason;
use crate::mailbox::{self, ActorRx, MailboxKind, TryRecv};

/// Makes a reference to an actor of type `A` that lives elsewhere: the
/// returned [`ActorRef`] takes every message an `ActorRef<A>` takes, into
/// a mailbox of kind `mailbox` that the returned [`ProxyInbox`] drains.
///
/// To its users the reference is an actor like any other: `tell`, `ask`,
/// client methods, recipients and protocol refs work; `ctx.watch` and
/// `wait_for_stop` see the reason the bridge [finishes](ProxyInbox::finish)
/// it with. Its [`ActorId`] is its own, local to this process.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::MailboxKind;
/// use typact::wire::{Json, Wire, proxy};
///
/// #[derive(Default)]
/// struct Parrot;
///
/// #[actor(remote)]
/// impl Parrot {
///     #[handler]
///     fn echo(&self, text: String) -> String {
///         text
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let real = Parrot.spawn();
/// let (far, mut inbox) = proxy::<Parrot>(None, MailboxKind::Unbounded);
/// // The bridge: here it just hands each entry, as JSON, to the real actor.
/// tokio::spawn(async move {
///     while let Some(entry) = inbox.recv().await {
///         let encoded = Parrot::encode_entry::<Json>(entry).unwrap();
///         let reply = real.ask_bytes::<Json>(encoded.message.method, &encoded.bytes).await;
///         if let Some(to) = encoded.reply {
///             to(reply.map_err(|_| AskError::Unreachable));
///         }
///     }
///     inbox.finish(StopReason::Normal);
/// });
/// assert_eq!(far.echo("hi".into()).await.unwrap(), "hi");
/// # }
/// ```
///
/// # Panics
///
/// Panics when `mailbox` is a bounded kind of capacity 0.
pub fn proxy<A: Actor>(
    name: Option<Arc<str>>,
    mailbox: MailboxKind,
) -> (ActorRef<A>, ProxyInbox<A>) {
    let cell = Cell::new(const { &A::TYPE_NAME }, name);
    let (tx, rx) = mailbox::channel(mailbox, cell);
    let actor = ActorRef::from_raw(RawRef::new(tx));
    (actor, ProxyInbox { rx: Some(rx) })
}

/// The receiving end of a [`proxy`]: what its references send, for a
/// bridge to forward.
///
/// Dropped without [`finish`](Self::finish), it finishes the proxy with
/// [`StopReason::Killed`].
pub struct ProxyInbox<A: Actor> {
    rx: Option<ActorRx<A>>,
}

impl<A: Actor> ProxyInbox<A> {
    fn rx(&mut self) -> &mut ActorRx<A> {
        self.rx
            .as_mut()
            .expect("a proxy inbox holds its mailbox until finished")
    }

    fn cell(&self) -> &Arc<Cell> {
        self.rx
            .as_ref()
            .expect("a proxy inbox holds its mailbox until finished")
            .cell()
    }

    /// The id of the proxy's references.
    pub fn id(&self) -> ActorId {
        self.cell().id
    }

    /// The next entry sent to the proxy, in the order sent (per sender).
    /// `None` once [`ActorRef::stop`] or [`ActorRef::kill`] was called on
    /// one of its references (see [`stop_requested`](Self::stop_requested)),
    /// or once every reference is gone and nothing is queued.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: an entry is only taken when the future completes.
    pub async fn recv(&mut self) -> Option<A::Mailbox> {
        poll_fn(|cx| crate::run::poll_serving(self.rx(), cx)).await
    }

    /// The next entry if one is queued, without waiting.
    pub fn try_recv(&mut self) -> Option<A::Mailbox> {
        match self.rx().try_recv() {
            TryRecv::Value(entry) => Some(entry),
            TryRecv::Empty | TryRecv::Closed => None,
        }
    }

    /// Whether a reference asked the actor to stop: `Some(false)` for
    /// [`ActorRef::stop`], `Some(true)` for [`ActorRef::kill`], `None` if
    /// neither.
    pub fn stop_requested(&self) -> Option<bool> {
        let flags = self.cell().flags();
        if flags & KILL != 0 {
            Some(true)
        } else if flags & STOP != 0 {
            Some(false)
        } else {
            None
        }
    }

    /// Whether any reference to the proxy is left.
    pub fn has_refs(&self) -> bool {
        self.cell().refs.load(Ordering::Acquire) > 0
    }

    /// Ends the proxy, as if its actor had stopped with `reason`: what is
    /// still queued is rejected (asks fail with
    /// [`AskError::Stopped`](crate::AskError::Stopped), tells are counted
    /// as dead letters), watchers get
    /// [`Terminated`](crate::Terminated) with `reason`, and
    /// [`ActorRef::wait_for_stop`] returns it.
    pub fn finish(mut self, reason: StopReason) {
        self.end(reason);
    }

    fn end(&mut self, reason: StopReason) {
        if let Some(mut rx) = self.rx.take() {
            let cell = rx.cell().clone();
            crate::run::drain_rx::<A>(&mut rx, &cell);
            drop(rx);
            cell.finish(reason);
        }
    }
}

impl<A: Actor> Drop for ProxyInbox<A> {
    fn drop(&mut self) {
        self.end(StopReason::Killed);
    }
}

impl<A: Actor> fmt::Debug for ProxyInbox<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ProxyInbox");
        if let Some(rx) = &self.rx {
            d.field("actor", &format_args!("{}", rx.cell()));
        }
        d.finish_non_exhaustive()
    }
}
