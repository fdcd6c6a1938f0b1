//! Every error a caller of typact can meet, and the reasons an actor stops.

use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::cell::{ActorId, Cell};

/// A boxed error, as returned by a failing `on_start` hook.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// Why an actor stopped.
///
/// Returned by [`ActorRef::wait_for_stop`](crate::ActorRef::wait_for_stop) and
/// passed to the actor's `#[on_stop]` hook.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum StopReason {
    /// The actor stopped normally: [`ActorRef::stop`](crate::ActorRef::stop) or
    /// [`Context::stop`](crate::Context::stop) was called, or every reference to
    /// it was dropped and its mailbox was empty.
    Normal,
    /// A handler (or the actor's loop) panicked; the panic message is kept.
    Panicked(Arc<str>),
    /// [`ActorRef::kill`](crate::ActorRef::kill) aborted the actor: the
    /// current handler was interrupted and `on_stop` did not run.
    Killed,
    /// The `#[on_start]` hook returned an error or panicked; the actor never
    /// handled a message.
    StartFailed(Arc<dyn Error + Send + Sync + 'static>),
    /// The actor failed without panicking: [`Context::fail`](crate::Context::fail)
    /// was called, or (for a supervisor) its restart intensity was exceeded,
    /// with a [`SupervisorError`](crate::SupervisorError) as the error.
    Failed(Arc<dyn Error + Send + Sync + 'static>),
    /// The actor never ran: a supervisor stopped before it started this
    /// child, for example because a child declared before it failed to
    /// start. Its `#[on_start]` and `#[on_stop]` hooks did not run.
    NotStarted,
    /// An actor linked to this one (see [`Context::link`](crate::Context::link))
    /// stopped with a failure, which took this one down too.
    Linked {
        /// The linked actor that failed.
        peer: crate::ActorId,
    },
    /// The actor lives on another node, and that node became unreachable
    /// (it stopped, or the network between the nodes failed): as Erlang's
    /// `noconnection` and Akka's `AddressTerminated`, the actor may still
    /// be running there. Only a reference to a remote actor (through
    /// `typact-remote`) stops with this reason.
    NodeDown {
        /// The node that was lost.
        node: Arc<str>,
    },
}

impl StopReason {
    /// Whether this is [`StopReason::Normal`].
    ///
    /// # Examples
    ///
    /// ```
    /// use typact_runtime::StopReason;
    /// assert!(StopReason::Normal.is_normal());
    /// assert!(!StopReason::Killed.is_normal());
    /// ```
    pub fn is_normal(&self) -> bool {
        matches!(self, StopReason::Normal)
    }

    /// Whether this is a failure: anything but [`StopReason::Normal`].
    /// Links propagate only failures, and a `Transient` supervised child is
    /// restarted only after a failure that is not a
    /// [shutdown](Self::is_shutdown).
    pub fn is_failure(&self) -> bool {
        !self.is_normal()
    }

    /// Whether this is a supervisor's shutdown after giving up: a
    /// [`StopReason::Failed`] with
    /// [`SupervisorError::IntensityExceeded`](crate::SupervisorError::IntensityExceeded).
    /// As OTP's `shutdown` exit, it is final for a `Transient` parent spec,
    /// while a `Permanent` one restarts the supervisor.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact_runtime::StopReason;
    /// assert!(!StopReason::Killed.is_shutdown());
    /// assert!(!StopReason::Normal.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(
            self.error()
                .and_then(|e| e.downcast_ref::<crate::SupervisorError>()),
            Some(crate::SupervisorError::IntensityExceeded { .. })
        )
    }

    /// The error behind a [`StopReason::Failed`] or
    /// [`StopReason::StartFailed`], for `downcast_ref`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use typact_runtime::StopReason;
    /// let reason = StopReason::Failed(Arc::new(std::fmt::Error));
    /// assert!(reason.error().unwrap().is::<std::fmt::Error>());
    /// assert!(StopReason::Normal.error().is_none());
    /// ```
    pub fn error(&self) -> Option<&(dyn Error + Send + Sync + 'static)> {
        match self {
            StopReason::Failed(err) | StopReason::StartFailed(err) => Some(&**err),
            _ => None,
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Normal => f.write_str("stopped normally"),
            StopReason::Panicked(msg) => write!(f, "panicked: {msg}"),
            StopReason::Killed => f.write_str("killed"),
            StopReason::StartFailed(err) => write!(f, "failed to start: {err}"),
            StopReason::Failed(err) => write!(f, "failed: {err}"),
            StopReason::NotStarted => f.write_str("never started"),
            StopReason::Linked { peer } => write!(f, "linked actor {peer} failed"),
            StopReason::NodeDown { node } => write!(f, "its node `{node}` became unreachable"),
        }
    }
}

/// Which actor an error is about: its type, id, name and path, as the
/// cell displays them (`Counter(hits)#3`, `Counter(/app/hits)#3`).
#[derive(Clone)]
pub(crate) struct Label {
    pub(crate) id: ActorId,
    pub(crate) type_name: &'static &'static str,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) path: Option<crate::ActorPath>,
}

impl Label {
    pub(crate) fn of(cell: &Cell) -> Self {
        Label {
            id: cell.id,
            type_name: cell.type_name,
            name: cell.name.clone(),
            path: cell.path().cloned(),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            return write!(f, "{}({path}){}", self.type_name, self.id);
        }
        match &self.name {
            Some(name) => write!(f, "{}({name}){}", self.type_name, self.id),
            None => write!(f, "{}{}", self.type_name, self.id),
        }
    }
}

/// The error of [`ActorRef::tell`](crate::ActorRef::tell) and the other
/// waiting sends: the actor has stopped, and the message is handed back.
///
/// It names the actor, in its `Display` and `Debug` forms and through
/// [`actor_type`](Self::actor_type), [`actor_name`](Self::actor_name) and
/// [`actor_id`](Self::actor_id). It is `Send + Sync + 'static` for every
/// message (the message is kept where only the owner of the error can
/// reach it), so `?` turns it into a `Box<dyn Error + Send + Sync>` or an
/// `anyhow::Error` whatever the message holds.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Log;
///
/// #[actor]
/// impl Log {
///     #[handler]
///     fn line(&mut self, text: std::cell::Cell<u32>) {
///         let _ = text; // a message that is `Send` but not `Sync`
///     }
/// }
///
/// async fn log(log: &ActorRef<Log>) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     log.tell(Line { text: std::cell::Cell::new(1) }).await?;
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let actor = Log.builder().name("audit").spawn();
/// actor.stop();
/// actor.wait_for_stop().await;
/// let err = log(&actor).await.unwrap_err();
/// assert!(err.to_string().starts_with("Log(audit)#"), "{err}");
/// # }
/// ```
pub struct TellError<M> {
    /// Behind a lock only so that the error is `Sync` for any `M: Send`:
    /// nothing ever locks it; the message comes out by value or through
    /// `&mut self`.
    message: Mutex<M>,
    actor: Label,
}

impl<M> TellError<M> {
    pub(crate) fn new(cell: &Cell, message: M) -> Self {
        TellError {
            message: Mutex::new(message),
            actor: Label::of(cell),
        }
    }

    /// Takes back the message that could not be delivered.
    pub fn into_inner(self) -> M {
        self.message
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The message that could not be delivered.
    pub fn message_mut(&mut self) -> &mut M {
        self.message
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The type name of the actor the message was for.
    pub fn actor_type(&self) -> &'static str {
        self.actor.type_name
    }

    /// The name of the actor the message was for, if it has one.
    pub fn actor_name(&self) -> Option<&str> {
        self.actor.name.as_deref()
    }

    /// The path of the actor the message was for in the supervision tree,
    /// if it has one (see [`ActorPath`](crate::ActorPath)).
    pub fn actor_path(&self) -> Option<&crate::ActorPath> {
        self.actor.path.as_ref()
    }

    /// The id of the actor the message was for.
    pub fn actor_id(&self) -> ActorId {
        self.actor.id
    }
}

impl<M> fmt::Debug for TellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TellError")
            .field("actor", &format_args!("{}", self.actor))
            .field("reason", &format_args!("the actor has stopped"))
            .field("message", &std::any::type_name::<M>())
            .finish()
    }
}

impl<M> fmt::Display for TellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has stopped; the message was not delivered and is returned in this error",
            self.actor
        )
    }
}

impl<M> Error for TellError<M> {}

/// The error of [`ActorRef::try_tell`](crate::ActorRef::try_tell), which never
/// waits. Either way the message is handed back.
pub enum TryTellError<M> {
    /// The mailbox is at capacity: try again later, or use `tell`, which waits
    /// for space.
    Full(M),
    /// The actor has stopped.
    Closed(M),
}

impl<M> TryTellError<M> {
    /// Takes back the message that could not be delivered.
    pub fn into_inner(self) -> M {
        match self {
            TryTellError::Full(m) | TryTellError::Closed(m) => m,
        }
    }

    /// Whether the mailbox was full (as opposed to closed).
    pub fn is_full(&self) -> bool {
        matches!(self, TryTellError::Full(_))
    }
}

impl<M> fmt::Debug for TryTellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryTellError::Full(_) => f.write_str("Full(..)"),
            TryTellError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<M> fmt::Display for TryTellError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryTellError::Full(_) => f.write_str(
                "the actor's mailbox is full; the message is returned in this error (use `tell` to wait for space)",
            ),
            TryTellError::Closed(_) => f.write_str(
                "the actor has stopped; the message was not delivered and is returned in this error",
            ),
        }
    }
}

impl<M> Error for TryTellError<M> {}

/// The error of [`ActorRef::reserve`](crate::ActorRef::reserve) and
/// [`Recipient::reserve`](crate::Recipient::reserve): the actor has stopped,
/// so no place in its mailbox can be reserved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReserveError;

impl fmt::Display for ReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the actor has stopped; no place in its mailbox can be reserved")
    }
}

impl Error for ReserveError {}

/// Why an ask did not produce a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AskError {
    /// The actor stopped before it handled the request: its mailbox was
    /// already closed, the request was still queued when the actor stopped, or
    /// the actor was killed while handling it.
    Stopped,
    /// The handler panicked while handling this very request; the actor has
    /// stopped.
    Panicked,
    /// The handler dropped its [`ReplyTo`](crate::ReplyTo) without answering.
    NoReply,
    /// No reply arrived within the timeout. The request may still be handled.
    Timeout,
    /// An actor asked itself from inside one of its own handlers or hooks. It
    /// handles one message at a time, so the reply could never come; use
    /// `tell`, or call the method directly.
    SelfAsk,
    /// The ask was made from inside a handler of an actor that the target
    /// already waits on, through asks of its own: the actors would wait on
    /// each other's replies forever. It was refused as it was made, and its
    /// message was not sent. The [`Deadlock`] names the cycle.
    ///
    /// Make one direction a `tell`, or let the actor asked last reply later
    /// through a [`ReplyTo`](crate::ReplyTo) instead of waiting.
    Deadlock(Deadlock),
    /// The actor lives on another node, which could not be reached: the
    /// request may or may not have been handled.
    Unreachable,
    /// The actor lives on another node, and the ask failed there or on
    /// the way in a way no other variant names (its reply could not be
    /// decoded, for example); the text says how.
    Remote(Arc<str>),
}

/// The cycle of an [`AskError::Deadlock`]: actors, each waiting in a
/// handler for the reply of an ask to the next one, the last one to the
/// first.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// struct Ping {
///     pong: Option<ActorRef<Pong>>,
/// }
///
/// #[actor]
/// impl Ping {
///     #[handler]
///     fn set(&mut self, pong: ActorRef<Pong>) {
///         self.pong = Some(pong);
///     }
///
///     /// Asks the pong, which asks back: a cycle.
///     #[handler]
///     async fn start(&mut self) -> Result<u32, AskError> {
///         let pong = self.pong.clone().expect("set first");
///         pong.bounce().await?
///     }
///
///     #[handler]
///     fn count(&self) -> u32 {
///         1
///     }
/// }
///
/// struct Pong {
///     ping: ActorRef<Ping>,
/// }
///
/// #[actor]
/// impl Pong {
///     #[handler]
///     async fn bounce(&mut self) -> Result<u32, AskError> {
///         self.ping.count().await
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let ping = Ping { pong: None }.builder().name("ping").spawn();
/// let pong = Pong { ping: ping.clone() }.builder().name("pong").spawn();
/// ping.set(pong).await.unwrap();
/// match ping.start().await.unwrap() {
///     Err(AskError::Deadlock(cycle)) => {
///         // Pong asked Ping, which was waiting on Pong.
///         assert!(cycle.actors()[0].starts_with("Pong(pong)"));
///         assert!(cycle.actors()[1].starts_with("Ping(ping)"));
///     }
///     other => panic!("expected a deadlock, got {other:?}"),
/// }
/// // Both actors go on serving.
/// assert_eq!(ping.count().await.unwrap(), 1);
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadlock {
    cycle: Vec<String>,
}

impl Deadlock {
    pub(crate) fn new(cycle: Vec<String>) -> Self {
        Deadlock { cycle }
    }

    /// The actors of the cycle, as `Type(name)#id`, starting with the one
    /// whose ask was refused; each waits on the next, the last one on the
    /// first.
    pub fn actors(&self) -> &[String] {
        &self.cycle
    }
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ask cycle: ")?;
        for actor in &self.cycle {
            write!(f, "`{actor}` asks ")?;
        }
        match self.cycle.first() {
            Some(first) => write!(f, "`{first}`"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for AskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AskError::Stopped => "the actor stopped before it replied",
            AskError::Panicked => "the actor's handler panicked while handling this request",
            AskError::NoReply => "the actor dropped the request's reply handle without replying",
            AskError::Timeout => "no reply arrived within the timeout",
            AskError::SelfAsk => {
                "an actor asked itself from inside its own handler, which would deadlock; use `tell` or call the method directly"
            }
            AskError::Deadlock(cycle) => {
                return write!(
                    f,
                    "the ask would deadlock, so it was not sent ({cycle}); make one of these asks a `tell`, or reply later through a `ReplyTo`"
                );
            }
            AskError::Unreachable => {
                "the actor's node could not be reached; the request may or may not have been handled"
            }
            AskError::Remote(why) => return write!(f, "the remote ask failed: {why}"),
        })
    }
}

impl Error for AskError {}

/// The error of [`ActorBuilder::spawn_ready`](crate::ActorBuilder::spawn_ready):
/// the actor's `#[on_start]` hook failed.
#[derive(Clone, Debug)]
pub struct SpawnError {
    pub(crate) reason: StopReason,
}

impl SpawnError {
    /// The reason the actor stopped, normally [`StopReason::StartFailed`].
    pub fn reason(&self) -> &StopReason {
        &self.reason
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the actor did not start: {}", self.reason)
    }
}

impl Error for SpawnError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.reason {
            StopReason::StartFailed(err) => Some(&**err),
            _ => None,
        }
    }
}
