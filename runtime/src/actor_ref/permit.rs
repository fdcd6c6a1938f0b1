//! [`Permit`]: a place reserved in a mailbox by
//! [`ActorRef::reserve`](super::ActorRef::reserve).

use std::fmt;

use super::message;
use crate::actor::{Actor, Handler};
use crate::error::TellError;
use crate::mailbox::ActorTx;

/// A place reserved in an actor's mailbox by [`ActorRef::reserve`](super::ActorRef::reserve): sends
/// one message without waiting.
///
/// Dropping it unused gives the place back.
#[must_use = "a permit holds a place in the mailbox until it is used or dropped"]
pub struct Permit<'a, A: Actor> {
    pub(super) tx: &'a ActorTx<A>,
}

impl<A: Actor> Permit<'_, A> {
    /// Sends `msg` into the reserved place, at once.
    ///
    /// # Errors
    ///
    /// If the actor stopped after the place was reserved, returns
    /// [`TellError`] holding the message.
    pub fn tell<M>(self, msg: M) -> Result<(), TellError<M>>
    where
        A: Handler<M>,
    {
        let tx = self.tx;
        // The place is the entry's now: the receiver frees it.
        std::mem::forget(self);
        tx.push_reserved(A::__tell(msg))
            .map_err(|entry| TellError::new(tx.cell(), message::<A, M>(entry)))
    }
}

impl<A: crate::wire::Wire> Permit<'_, A> {
    /// Sends the message `message` (a handler's name), decoded from
    /// `bytes` in format `F`, into the reserved place, at once: a tell
    /// without `reply`, an ask whose reply (encoded in `F`) or error goes
    /// to `reply` with one. What a bridge that must keep the order of the
    /// frames it receives uses (see [`typact::wire`](crate::wire)): the
    /// place was taken when it was reserved, so no other sender can come
    /// in between.
    ///
    /// # Errors
    ///
    /// [`WireError::UnknownMessage`](crate::wire::WireError::UnknownMessage)
    /// or [`WireError::Decode`](crate::wire::WireError::Decode), with the
    /// place given back and `reply` dropped uncalled;
    /// [`WireError::Stopped`](crate::wire::WireError::Stopped) if the actor
    /// stopped after the place was reserved (an ask's `reply` then gets
    /// [`AskError::Stopped`](crate::AskError::Stopped)).
    pub fn send_bytes<F: crate::wire::Format>(
        self,
        message: &str,
        bytes: &[u8],
        reply: Option<crate::wire::BytesReply>,
    ) -> Result<(), crate::wire::WireError> {
        let entry = A::decode_entry::<F>(message, bytes, reply)?;
        let tx = self.tx;
        // The place is the entry's now: the receiver frees it.
        std::mem::forget(self);
        tx.push_reserved(entry).map_err(|entry| {
            A::__reject(entry);
            crate::wire::WireError::Stopped
        })
    }
}

impl<A: Actor> Drop for Permit<'_, A> {
    fn drop(&mut self) {
        if let Some(space) = self.tx.space() {
            space.add_permits(1);
        }
    }
}

impl<A: Actor> fmt::Debug for Permit<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permit({})", self.tx.cell())
    }
}
