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
