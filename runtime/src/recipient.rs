//! [`Recipient`]: an address that accepts one message type, from any actor.

use std::fmt;
use std::sync::Arc;

use crate::actor::Message;
use crate::ask::{Ask, Sink, Strong};
use crate::cell::ActorId;
use crate::error::{AskError, ReserveError, TellError, TryTellError};
use crate::mailbox::TrySend;
use crate::reply::ReplyTo;
use crate::weak::WeakRecipient;

/// The address of some actor that handles `M`, whatever its type.
///
/// Made by [`ActorRef::recipient`](crate::ActorRef::recipient). Use it where
/// code should depend on a message, not on the actor behind it: a list of
/// subscribers, a callback, a plug-in point. It supports `tell`, `try_tell`
/// and `ask` like an [`ActorRef`](crate::ActorRef), and counts as a reference
/// (the actor does not stop by itself while a recipient lives).
///
/// A send through a recipient costs one dynamic call more than through an
/// `ActorRef`, and still allocates nothing unless the mailbox is full.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// struct Ping;
/// impl Message for Ping {
///     type Reply = &'static str;
/// }
///
/// #[derive(Default)]
/// struct English;
/// #[actor]
/// impl English {
///     #[handler(message)]
///     fn ping(&mut self, _: Ping) -> &'static str { "hello" }
/// }
///
/// #[derive(Default)]
/// struct French;
/// #[actor]
/// impl French {
///     #[handler(message)]
///     fn ping(&mut self, _: Ping) -> &'static str { "bonjour" }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), AskError> {
/// let all: Vec<Recipient<Ping>> = vec![English.spawn().recipient(), French.spawn().recipient()];
/// let mut answers = Vec::new();
/// for r in &all {
///     answers.push(r.ask(Ping).await?);
/// }
/// assert_eq!(answers, ["hello", "bonjour"]);
/// # Ok(()) }
/// ```
pub struct Recipient<M: Message> {
    target: Strong<M, M::Reply>,
}

impl<M: Message> Recipient<M> {
    pub(crate) fn new(sink: Arc<dyn Sink<M, Reply = M::Reply>>) -> Self {
        Recipient {
            target: Strong::new(sink),
        }
    }

    pub(crate) fn from_strong(target: Strong<M, M::Reply>) -> Self {
        Recipient { target }
    }

    /// A recipient that does not keep the actor alive; see
    /// [`WeakRecipient`].
    pub fn downgrade(&self) -> WeakRecipient<M> {
        WeakRecipient::new(self.sink().clone())
    }

    #[inline]
    fn sink(&self) -> &Arc<dyn Sink<M, Reply = M::Reply>> {
        &self.target.sink
    }

    /// The actor's cell.
    pub(crate) fn cell(&self) -> &Arc<crate::cell::Cell> {
        self.sink().cell()
    }

    /// The id of the actor behind this recipient.
    pub fn id(&self) -> ActorId {
        self.sink().cell().id
    }

    /// Sends a message without waiting for it to be handled; waits only while
    /// the mailbox is full.
    ///
    /// # Errors
    ///
    /// If the actor has stopped, returns [`TellError`] holding the message.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`ActorRef::tell`](crate::ActorRef::tell): a
    /// tell dropped while it waits for room drops its message, and is
    /// counted as a dead letter of the actor. [`reserve`](Self::reserve)
    /// is the cancel-safe way to wait.
    pub async fn tell(&self, msg: M) -> Result<(), TellError<M>> {
        match self.sink().try_push(msg, ReplyTo::none()) {
            Ok(()) => Ok(()),
            Err(TrySend::Closed((msg, _))) => Err(TellError::new(self.sink().cell(), msg)),
            Err(TrySend::Full((msg, _))) => {
                // Wait for a place without boxing a future: only a bounded
                // mailbox is ever full.
                if let Some(space) = self.sink().space() {
                    if crate::mailbox::wait_for_place(space, self.sink().cell())
                        .await
                        .is_err()
                    {
                        return Err(TellError::new(self.sink().cell(), msg));
                    }
                }
                self.sink()
                    .push_reserved(msg, ReplyTo::none())
                    .map_err(|msg| TellError::new(self.sink().cell(), msg))
            }
        }
    }

    /// Passes a pending reply on, as
    /// [`ActorRef::forward`](crate::ActorRef::forward) does: the actor
    /// behind this recipient answers the ask `reply` came from.
    ///
    /// # Errors
    ///
    /// If the actor has stopped, returns [`TellError`] holding the message
    /// and the reply handle.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`tell`](Self::tell).
    pub async fn forward(
        &self,
        msg: M,
        reply: ReplyTo<M::Reply>,
    ) -> Result<(), TellError<(M, ReplyTo<M::Reply>)>> {
        let sink = self.sink();
        match sink.try_push(msg, reply) {
            Ok(()) => Ok(()),
            Err(TrySend::Closed(refused)) => Err(TellError::new(sink.cell(), refused)),
            Err(TrySend::Full((msg, reply))) => {
                if let Some(space) = sink.space() {
                    if crate::mailbox::wait_for_place(space, sink.cell())
                        .await
                        .is_err()
                    {
                        return Err(TellError::new(sink.cell(), (msg, reply)));
                    }
                }
                sink.push_reserved(msg, reply).map_err(|msg| {
                    // The entry's reply handle is dropped with it; a stop
                    // between the reservation and the push is the only way
                    // here, so the ask fails as stopped would.
                    TellError::new(sink.cell(), (msg, ReplyTo::none()))
                })
            }
        }
    }

    /// Waits for a place in the mailbox and reserves it, as
    /// [`ActorRef::reserve`](crate::ActorRef::reserve) does; the returned
    /// [`RecipientPermit`] sends one message into it without waiting.
    ///
    /// # Errors
    ///
    /// [`ReserveError`] if the actor has stopped.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// struct Note(&'static str);
    /// impl Message for Note {
    ///     type Reply = ();
    /// }
    ///
    /// #[derive(Default)]
    /// struct Board;
    /// #[actor]
    /// impl Board {
    ///     #[handler(message)]
    ///     fn note(&mut self, note: Note) {
    ///         let _ = note.0;
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let board: Recipient<Note> = Board.spawn().recipient();
    /// let permit = board.reserve().await?;
    /// permit.tell(Note("reserved, then sent"))?;
    /// # Ok(()) }
    /// ```
    pub async fn reserve(&self) -> Result<RecipientPermit<'_, M>, ReserveError> {
        match self.sink().space() {
            Some(space) => match space.acquire().await {
                Ok(place) => place.forget(),
                Err(_closed) => return Err(ReserveError),
            },
            None if self.sink().is_closed() => return Err(ReserveError),
            None => {}
        }
        Ok(RecipientPermit {
            sink: &**self.sink(),
        })
    }

    /// Sends a message if the mailbox has room, without ever waiting.
    ///
    /// # Errors
    ///
    /// [`TryTellError::Full`] or [`TryTellError::Closed`], holding the
    /// message.
    pub fn try_tell(&self, msg: M) -> Result<(), TryTellError<M>> {
        self.sink()
            .try_push(msg, ReplyTo::none())
            .map_err(|e| match e {
                TrySend::Full((msg, _)) => TryTellError::Full(msg),
                TrySend::Closed((msg, _)) => TryTellError::Closed(msg),
            })
    }

    /// Sends a request; await the result for the typed reply.
    ///
    /// # Errors
    ///
    /// The future resolves to an [`AskError`] as for
    /// [`ActorRef::ask`](crate::ActorRef::ask).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`ActorRef::ask`](crate::ActorRef::ask).
    pub fn ask(&self, msg: M) -> Ask<M, M::Reply> {
        let sink = self.sink();
        Ask::new(
            sink.cell(),
            msg,
            |msg, reply| sink.try_push(msg, reply),
            || self.target.clone(),
        )
    }

    /// Sends a request and blocks the thread until the reply arrives.
    ///
    /// # Errors
    ///
    /// As for [`ActorRef::blocking_ask`](crate::ActorRef::blocking_ask).
    ///
    /// # Panics
    ///
    /// Panics on a thread that drives a tokio runtime (a worker, or the
    /// future given to `Runtime::block_on`), as tokio's own blocking calls
    /// do. Threads of `spawn_blocking` and threads outside tokio may call it.
    pub fn blocking_ask(&self, msg: M) -> Result<M::Reply, AskError> {
        crate::ask::blocking_ask(&**self.sink(), msg)
    }

    /// Whether the actor is still running.
    pub fn is_alive(&self) -> bool {
        !self.sink().cell().is_stopped()
    }
}

impl<M: Message> Clone for Recipient<M> {
    fn clone(&self) -> Self {
        Recipient {
            target: self.target.clone(),
        }
    }
}

impl<M: Message> fmt::Debug for Recipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Recipient<{}>({})",
            std::any::type_name::<M>(),
            self.sink().cell()
        )
    }
}

/// A place reserved in a mailbox by [`Recipient::reserve`]: sends one
/// message without waiting.
///
/// Dropping it unused gives the place back.
#[must_use = "a permit holds a place in the mailbox until it is used or dropped"]
pub struct RecipientPermit<'a, M: Message> {
    sink: &'a dyn Sink<M, Reply = M::Reply>,
}

impl<M: Message> RecipientPermit<'_, M> {
    /// Sends `msg` into the reserved place, at once.
    ///
    /// # Errors
    ///
    /// If the actor stopped after the place was reserved, returns
    /// [`TellError`] holding the message.
    pub fn tell(self, msg: M) -> Result<(), TellError<M>> {
        let sink = self.sink;
        // The place is the entry's now: the receiver frees it.
        std::mem::forget(self);
        sink.push_reserved(msg, ReplyTo::none())
            .map_err(|msg| TellError::new(sink.cell(), msg))
    }
}

impl<M: Message> Drop for RecipientPermit<'_, M> {
    fn drop(&mut self) {
        if let Some(space) = self.sink.space() {
            space.add_permits(1);
        }
    }
}

impl<M: Message> fmt::Debug for RecipientPermit<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RecipientPermit<{}>({})",
            std::any::type_name::<M>(),
            self.sink.cell()
        )
    }
}
