//! [`Recipient`]: an address that accepts one message type, from any actor.

use std::fmt;
use std::sync::Arc;

use crate::actor::Message;
use crate::ask::{Ask, Sink};
use crate::cell::ActorId;
use crate::error::{AskError, TellError, TryTellError};
use crate::mailbox::TrySend;
use crate::reply::ReplyTo;

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
    sink: Arc<dyn Sink<M, Reply = M::Reply>>,
}

impl<M: Message> Recipient<M> {
    pub(crate) fn new<S: Sink<M, Reply = M::Reply> + 'static>(sink: S) -> Self {
        Recipient {
            sink: Arc::new(sink),
        }
    }

    /// The id of the actor behind this recipient.
    pub fn id(&self) -> ActorId {
        self.sink.cell().id
    }

    /// Sends a message without waiting for it to be handled; waits only while
    /// the mailbox is full.
    ///
    /// # Errors
    ///
    /// If the actor has stopped, returns [`TellError`] holding the message.
    pub async fn tell(&self, msg: M) -> Result<(), TellError<M>> {
        match self.sink.try_push(msg, ReplyTo::none()) {
            Ok(()) => Ok(()),
            Err(TrySend::Closed((msg, _))) => Err(TellError(msg)),
            Err(TrySend::Full((msg, _))) => {
                // Wait for a place without boxing a future: only a bounded
                // mailbox is ever full.
                if let Some(space) = self.sink.space() {
                    match space.acquire().await {
                        Ok(permit) => permit.forget(),
                        Err(_closed) => return Err(TellError(msg)),
                    }
                }
                self.sink
                    .push_reserved(msg, ReplyTo::none())
                    .map_err(TellError)
            }
        }
    }

    /// Sends a message if the mailbox has room, without ever waiting.
    ///
    /// # Errors
    ///
    /// [`TryTellError::Full`] or [`TryTellError::Closed`], holding the
    /// message.
    pub fn try_tell(&self, msg: M) -> Result<(), TryTellError<M>> {
        self.sink
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
    pub fn ask(&self, msg: M) -> Ask<'_, M, M::Reply> {
        Ask::new(&*self.sink, msg)
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
        crate::ask::blocking_ask(&*self.sink, msg)
    }

    /// Whether the actor is still running.
    pub fn is_alive(&self) -> bool {
        !self.sink.cell().is_stopped()
    }
}

impl<M: Message> Clone for Recipient<M> {
    fn clone(&self) -> Self {
        Recipient {
            sink: self.sink.clone(),
        }
    }
}

impl<M: Message> fmt::Debug for Recipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Recipient<{}>({})",
            std::any::type_name::<M>(),
            self.sink.cell()
        )
    }
}
