//! An actor's mailbox seen without its actor type, and the routes that see
//! it again as a mailbox of one message: what a [`Ref<P>`](crate::Ref)
//! sends through.
//!
//! A protocol ref holds the mailbox's own `Arc`, coerced to
//! `Arc<dyn Erased>` (no allocation), and a `&'static` table of one
//! [`Route`] per message of the protocol, made for the actor type at
//! compile time. Each route downcasts the mailbox back to the type it was
//! made for (a type-id comparison) and hands it out as a
//! `dyn Sink<M>`, the same trait object a [`Recipient`](crate::Recipient)
//! sends through. No `unsafe`: a route that met another actor's mailbox
//! would panic, and no ref can pair them (see [`Route::of`]).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::actor::{Actor, Handler, Message};
use crate::ask::Sink;
use crate::cell::Cell;
use crate::context::Context;
use crate::mailbox::{ActorTx, Shared, TrySend};
use crate::observe::Stats;
use crate::wire::{BytesReply, MessageInfo, WireError};
use tokio::sync::oneshot;

/// An actor's mailbox, whatever the actor's type.
pub(crate) trait Erased: Send + Sync + 'static {
    /// The actor's cell.
    fn cell(&self) -> &Arc<Cell>;
    /// The mailbox as `Any`, to downcast to its actor's mailbox type.
    fn as_any(&self) -> &(dyn Any + Send + Sync);
    /// The same, owned.
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    /// Entries waiting, the receiver's batch included (for an observed
    /// actor; otherwise those still in the shared queue).
    fn queued(&self) -> usize;
    /// The mailbox's bound, if known (an observed actor's).
    fn capacity(&self) -> Option<usize>;
    /// The messages the actor takes as bytes.
    fn messages(&self) -> &'static [MessageInfo];
    /// Whether the actor gives a summary.
    fn has_summary(&self) -> bool;
    /// Asks the actor for its summary, between two messages.
    fn summary(&self) -> Option<oneshot::Receiver<Option<String>>>;
    /// Tells the actor a message given as JSON.
    fn tell_json(&self, message: &str, json: &[u8]) -> Result<(), WireError>;
    /// Asks the actor a message given as JSON; the reply goes to `reply`.
    fn ask_json(&self, message: &str, json: &[u8], reply: BytesReply) -> Result<(), WireError>;
}

impl<A: Actor> Erased for Shared<A::Mailbox, A> {
    #[inline]
    fn cell(&self) -> &Arc<Cell> {
        Shared::cell(self)
    }

    #[inline]
    fn as_any(&self) -> &(dyn Any + Send + Sync) {
        self
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }

    fn queued(&self) -> usize {
        let stats = Shared::cell(self).stats();
        match (self.free_places(), stats.and_then(Stats::capacity)) {
            (Some(free), Some(capacity)) => capacity.saturating_sub(free),
            _ => self.queued_len() + stats.map_or(0, Stats::local_len),
        }
    }

    fn capacity(&self) -> Option<usize> {
        Shared::cell(self).stats().and_then(Stats::capacity)
    }

    fn messages(&self) -> &'static [MessageInfo] {
        A::__MESSAGES
    }

    fn has_summary(&self) -> bool {
        A::__SUMMARY
    }

    fn summary(&self) -> Option<oneshot::Receiver<Option<String>>> {
        if !A::__SUMMARY {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        let entry = A::__visit(Box::new(move |actor: &mut A, _: &mut Context<A>| {
            let _ = tx.send(actor.__summary());
        }))?;
        self.try_send(entry).ok()?;
        Some(rx)
    }

    fn tell_json(&self, message: &str, json: &[u8]) -> Result<(), WireError> {
        let entry = A::__decode_json(message, json, None)?;
        self.try_send(entry).map_err(refused)
    }

    fn ask_json(&self, message: &str, json: &[u8], reply: BytesReply) -> Result<(), WireError> {
        let entry = A::__decode_json(message, json, Some(reply))?;
        self.try_send(entry).map_err(refused)
    }
}

/// Why a mailbox refused an entry, for the inspector.
fn refused<T>(err: TrySend<T>) -> WireError {
    match err {
        TrySend::Full(_) => WireError::Full,
        TrySend::Closed(_) => WireError::Stopped,
    }
}

/// The mailbox of `tx` as an erased one: the same `Arc`, no allocation.
pub(crate) fn erase<A: Actor>(tx: &ActorTx<A>) -> Arc<dyn Erased> {
    tx.shared().clone()
}

/// The typed sender of an erased mailbox, if it is `A`'s.
pub(crate) fn unerase<A: Actor>(mailbox: &Arc<dyn Erased>) -> Option<ActorTx<A>> {
    mailbox
        .clone()
        .into_any()
        .downcast::<Shared<A::Mailbox, A>>()
        .ok()
        .map(ActorTx::<A>::from_shared)
}

/// How a protocol ref sends one message `M`: the functions that see an
/// erased mailbox as a mailbox accepting `M`. One per message in a
/// protocol's table; made by [`Route::of`] at compile time.
#[doc(hidden)]
pub struct Route<M: Message> {
    sink: fn(&dyn Erased) -> &dyn Sink<M, Reply = M::Reply>,
    owned: fn(Arc<dyn Erased>) -> OwnedSink<M>,
}

/// A mailbox seen as an owned sink of `M`.
type OwnedSink<M> = Arc<dyn Sink<M, Reply = <M as Message>::Reply>>;

impl<M: Message> Route<M> {
    /// The route of `M` into the mailbox of an `A`.
    ///
    /// A ref pairs this route only with the mailbox of an `A`: the table
    /// it holds is `<P as Implements<A>>::ROUTES`, taken in the same
    /// conversion that took the mailbox from an `ActorRef<A>`.
    pub const fn of<A: Handler<M>>() -> Self {
        Route {
            sink: sink_of::<A, M>,
            owned: owned_of::<A, M>,
        }
    }

    /// The route of a message no one can build (see
    /// `Speaks<Unhandled<P>>`): never taken, since sending needs a value.
    pub(crate) const NEVER: Self = Route {
        sink: |_| unreachable!("no value of this message type exists"),
        owned: |_| unreachable!("no value of this message type exists"),
    };

    /// The mailbox as a sink of `M`, borrowed.
    #[inline]
    pub(crate) fn sink<'a>(&self, mailbox: &'a dyn Erased) -> &'a dyn Sink<M, Reply = M::Reply> {
        (self.sink)(mailbox)
    }

    /// The mailbox as a sink of `M`, owned (one reference count more).
    #[inline]
    pub(crate) fn owned(&self, mailbox: &Arc<dyn Erased>) -> Arc<dyn Sink<M, Reply = M::Reply>> {
        (self.owned)(mailbox.clone())
    }
}

impl<M: Message> fmt::Debug for Route<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Route<{}>", std::any::type_name::<M>())
    }
}

const MISMATCH: &str = "a protocol's routes are only ever paired with the mailbox of the actor type they were made for";

fn sink_of<A: Handler<M>, M: Message>(mailbox: &dyn Erased) -> &dyn Sink<M, Reply = M::Reply> {
    match mailbox.as_any().downcast_ref::<Shared<A::Mailbox, A>>() {
        Some(shared) => shared,
        None => unreachable!("{MISMATCH}"),
    }
}

fn owned_of<A: Handler<M>, M: Message>(
    mailbox: Arc<dyn Erased>,
) -> Arc<dyn Sink<M, Reply = M::Reply>> {
    match mailbox.into_any().downcast::<Shared<A::Mailbox, A>>() {
        Ok(shared) => shared,
        Err(_) => unreachable!("{MISMATCH}"),
    }
}
