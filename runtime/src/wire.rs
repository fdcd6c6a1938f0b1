//! Messages as bytes: what lets a message cross a process boundary, or
//! come in as JSON typed into a shell.
//!
//! An actor declared with `#[actor(remote)]` (or `#[actor(inspect)]`, the
//! same thing under the name the shell's users know) gets serde's
//! `Serialize` and `Deserialize` on its generated messages, and an impl
//! of [`Wire`]: a table of its messages ([`MessageInfo`]) and two
//! functions that turn a mailbox entry into bytes and back, in any
//! serde [`Format`]. The types of the handlers' arguments, external
//! messages (`#[handler(message)]`) and replies must bring serde
//! themselves; each type that does not is one compile error, at its first
//! use, when the actor is declared `remote`: never a surprise at run time.
//!
//! Local references pay nothing for this: an `ActorRef` sends the typed
//! entry as always, and only code that asks for bytes (the inspector,
//! `typact-remote`) encodes.
//!
//! # Examples
//!
//! ```
//! use typact::prelude::*;
//! use typact::wire::{Json, Wire};
//!
//! #[derive(Default)]
//! struct Counter {
//!     n: u64,
//! }
//!
//! #[actor(remote)]
//! impl Counter {
//!     #[handler]
//!     fn add(&mut self, by: u64) -> u64 {
//!         self.n += by;
//!         self.n
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! assert_eq!(Counter::MESSAGES[0].stable, "Counter::add");
//! let counter = Counter::default().spawn();
//! let reply = counter.ask_bytes::<Json>("add", br#"{"by": 2}"#).await?;
//! assert_eq!(reply, b"2");
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::error::AskError;
use crate::reply::ReplyTo;

mod portable;
mod proxy;

#[doc(hidden)]
pub use self::portable::{__Portable, __Probe, __ProbeFallback, __assert_portable};
pub use self::proxy::{ProxyInbox, proxy};

/// A serde format that messages travel in: JSON for people
/// ([`Json`]), a compact binary one on the network (`typact-remote`
/// brings postcard).
pub trait Format: Send + Sync + 'static {
    /// The format's name, for errors: `"json"`.
    const NAME: &'static str;

    /// Encodes `value`.
    ///
    /// # Errors
    ///
    /// [`WireError::Encode`] if serde fails (a map with non-string keys in
    /// JSON, for example).
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, WireError>;

    /// Decodes a `T` from all of `bytes`.
    ///
    /// # Errors
    ///
    /// [`WireError::Decode`] if the bytes are not a `T`, saying where.
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError>;
}

/// JSON through `serde_json`. A decoding error names the field that did
/// not fit (`by: invalid type: string "x", expected u64`). Empty input
/// reads as `null`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json;

impl Format for Json {
    const NAME: &'static str = "json";

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, WireError> {
        serde_json::to_vec(value).map_err(|e| WireError::Encode {
            message: "",
            error: e.to_string(),
        })
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
        let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"null".as_slice()
        } else {
            bytes
        };
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let error = if path == "." {
                inner.to_string()
            } else {
                format!("{path}: {inner}")
            };
            WireError::Decode { message: "", error }
        })?;
        de.end().map_err(|e| WireError::Decode {
            message: "",
            error: e.to_string(),
        })?;
        Ok(value)
    }
}

/// One handler's message, as [`Wire::MESSAGES`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageInfo {
    /// The handler's name: `"add"`. What a person types in the shell.
    pub method: &'static str,
    /// The message type's name: `"Add"`.
    pub message: &'static str,
    /// The name an envelope carries, stable while the actor's type and
    /// the handler keep their names: `"Counter::add"`.
    pub stable: &'static str,
    /// The fields of a generated message, with their types as written:
    /// `[("by", "u64")]`. Empty for an external message.
    pub fields: &'static [(&'static str, &'static str)],
    /// The reply type as written: `"u64"`, `"()"`.
    pub reply: &'static str,
}

impl MessageInfo {
    #[doc(hidden)]
    pub const fn __new(
        method: &'static str,
        message: &'static str,
        stable: &'static str,
        fields: &'static [(&'static str, &'static str)],
        reply: &'static str,
    ) -> Self {
        MessageInfo {
            method,
            message,
            stable,
            fields,
            reply,
        }
    }

    /// Whether `name` names this message: its handler (`add`), its type
    /// (`Add`) or its stable name (`Counter::add`).
    pub fn is_named(&self, name: &str) -> bool {
        name == self.method || name == self.message || name == self.stable
    }
}

impl fmt::Display for MessageInfo {
    /// `add {by: u64} -> u64`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.method)?;
        if !self.fields.is_empty() {
            f.write_str(" {")?;
            for (i, (name, ty)) in self.fields.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{name}: {ty}")?;
            }
            f.write_str("}")?;
        }
        if self.reply != "()" {
            write!(f, " -> {}", self.reply)?;
        }
        Ok(())
    }
}

/// Where the reply of an ask that arrived as bytes goes: called once,
/// with the reply encoded in the entry's format, or with why there is
/// none.
pub type BytesReply = Box<dyn FnOnce(Result<Vec<u8>, AskError>) + Send>;

/// A mailbox entry taken apart by [`Wire::encode_entry`].
#[non_exhaustive]
pub struct Encoded {
    /// Which message it is.
    pub message: &'static MessageInfo,
    /// The message, encoded.
    pub bytes: Vec<u8>,
    /// For an ask, where its reply goes: call it with the reply's bytes
    /// (decoded into the asker's reply type; bytes that do not decode fail
    /// the ask with [`AskError::Remote`]) or with the error that ended it.
    /// `None` for a tell.
    pub reply: Option<BytesReply>,
}

impl Encoded {
    #[doc(hidden)]
    pub fn __new(message: &'static MessageInfo, bytes: Vec<u8>, reply: Option<BytesReply>) -> Self {
        Encoded {
            message,
            bytes,
            reply,
        }
    }
}

impl fmt::Debug for Encoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoded")
            .field("message", &self.message.stable)
            .field("bytes", &self.bytes.len())
            .field("ask", &self.reply.is_some())
            .finish()
    }
}

/// An actor whose messages can travel as bytes; implemented by
/// `#[actor(remote)]` and `#[actor(inspect)]`.
///
/// # Examples
///
/// See the [module](self).
pub trait Wire: Actor {
    /// The actor's messages, in the order of its handlers.
    const MESSAGES: &'static [MessageInfo];

    /// Builds a mailbox entry from a message's bytes in format `F`.
    /// `message` is matched by [`MessageInfo::is_named`]. With a `reply`,
    /// the entry is an ask whose reply (encoded in `F`) or error goes
    /// there; without, a tell.
    ///
    /// # Errors
    ///
    /// [`WireError::UnknownMessage`] (listing the messages the actor
    /// takes) or [`WireError::Decode`] (naming the field). `reply` is then
    /// dropped uncalled.
    fn decode_entry<F: Format>(
        message: &str,
        bytes: &[u8],
        reply: Option<BytesReply>,
    ) -> Result<Self::Mailbox, WireError>;

    /// Takes a mailbox entry apart into bytes in format `F`, for a bridge
    /// that forwards a proxy's entries elsewhere (see [`proxy`]).
    ///
    /// # Errors
    ///
    /// [`WireError::Encode`] if serde fails (an ask's reply then fails
    /// with [`AskError::Remote`]), [`WireError::Local`] for an entry that
    /// only exists inside a process (a watch's notice).
    fn encode_entry<F: Format>(entry: Self::Mailbox) -> Result<Encoded, WireError>;

    /// The message `name` names, if the actor takes it.
    fn message_info(name: &str) -> Option<&'static MessageInfo> {
        Self::MESSAGES.iter().find(|m| m.is_named(name))
    }
}

/// Why bytes did not become a message, or a message bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireError {
    /// The actor has no handler of that name.
    UnknownMessage {
        /// The actor's type.
        actor: &'static str,
        /// The name that was asked for.
        message: String,
        /// The names of the handlers it has.
        known: Vec<&'static str>,
    },
    /// The bytes are not that message (or reply).
    Decode {
        /// The message's stable name (empty when not known).
        message: &'static str,
        /// What did not fit, with the field's path.
        error: String,
    },
    /// The message (or reply) could not be encoded.
    Encode {
        /// The message's stable name (empty when not known).
        message: &'static str,
        /// Serde's error.
        error: String,
    },
    /// The entry exists only inside its process (a watch's notice) and
    /// cannot be encoded.
    Local,
    /// The actor does not take messages as bytes: declare it with
    /// `#[actor(inspect)]` or `#[actor(remote)]`.
    NotWire {
        /// The actor's type.
        actor: &'static str,
    },
    /// The actor has stopped; nothing was sent.
    Stopped,
    /// The actor's bounded mailbox is full; nothing was sent.
    Full,
    /// The ask failed.
    Ask(AskError),
}

impl WireError {
    #[doc(hidden)]
    pub fn __unknown(actor: &'static str, message: &str, known: &[MessageInfo]) -> Self {
        WireError::UnknownMessage {
            actor,
            message: message.to_owned(),
            known: known.iter().map(|m| m.method).collect(),
        }
    }

    /// The same error, about message `stable`.
    #[doc(hidden)]
    pub fn __in(self, stable: &'static str) -> Self {
        match self {
            WireError::Decode { error, .. } => WireError::Decode {
                message: stable,
                error,
            },
            WireError::Encode { error, .. } => WireError::Encode {
                message: stable,
                error,
            },
            other => other,
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::UnknownMessage {
                actor,
                message,
                known,
            } => {
                write!(f, "`{actor}` has no handler `{message}`")?;
                if known.is_empty() {
                    write!(f, " (it takes no messages as bytes)")
                } else {
                    write!(f, "; it handles: {}", known.join(", "))
                }
            }
            WireError::Decode { message: "", error } => {
                write!(f, "cannot decode: {error}")
            }
            WireError::Decode { message, error } => {
                write!(f, "not a `{message}` message: {error}")
            }
            WireError::Encode { message, error } => {
                write!(f, "cannot encode `{message}`: {error}")
            }
            WireError::Local => {
                f.write_str("a watch's notice exists only inside its process and cannot be encoded")
            }
            WireError::NotWire { actor } => write!(
                f,
                "`{actor}` does not take messages as bytes; declare it with `#[actor(inspect)]` or `#[actor(remote)]`"
            ),
            WireError::Stopped => f.write_str("the actor has stopped; nothing was sent"),
            WireError::Full => f.write_str("the actor's mailbox is full; nothing was sent"),
            WireError::Ask(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for WireError {}

impl<A: Wire> ActorRef<A> {
    /// Tells the actor the message `message` (a handler's name), decoded
    /// from `bytes` in format `F`. Never waits: a full bounded mailbox is
    /// an error.
    ///
    /// # Errors
    ///
    /// [`WireError::UnknownMessage`], [`WireError::Decode`],
    /// [`WireError::Full`] or [`WireError::Stopped`]; nothing is sent.
    pub fn tell_bytes<F: Format>(&self, message: &str, bytes: &[u8]) -> Result<(), WireError> {
        let entry = A::decode_entry::<F>(message, bytes, None)?;
        self.tx().try_send(entry).map_err(|e| match e {
            crate::mailbox::TrySend::Full(_) => WireError::Full,
            crate::mailbox::TrySend::Closed(_) => WireError::Stopped,
        })
    }

    /// Asks the actor the message `message`, decoded from `bytes` in
    /// format `F`, and returns the reply encoded in `F`. Waits for room
    /// in a bounded mailbox, and at most the ask's default timeout
    /// ([`DEFAULT_ASK_TIMEOUT`](crate::DEFAULT_ASK_TIMEOUT)) for the reply.
    ///
    /// # Errors
    ///
    /// As [`tell_bytes`](Self::tell_bytes), and [`WireError::Ask`] when
    /// the ask fails.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes abandons the ask, as for
    /// any ask; the message may still be handled.
    pub async fn ask_bytes<F: Format>(
        &self,
        message: &str,
        bytes: &[u8],
    ) -> Result<Vec<u8>, WireError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let reply: BytesReply = Box::new(move |r| {
            let _ = tx.send(r);
        });
        let entry = A::decode_entry::<F>(message, bytes, Some(reply))?;
        if self.tx().send(entry).await.is_err() {
            return Err(WireError::Stopped);
        }
        match tokio::time::timeout(crate::DEFAULT_ASK_TIMEOUT, rx).await {
            Err(_) => Err(WireError::Ask(AskError::Timeout)),
            Ok(Err(_)) => Err(WireError::Ask(AskError::NoReply)),
            Ok(Ok(Ok(bytes))) => Ok(bytes),
            Ok(Ok(Err(err))) => Err(WireError::Ask(err)),
        }
    }
}

/// The reply handle of an ask that arrived as bytes: answers `reply`
/// with the reply encoded in `F`. An empty handle for a tell.
#[doc(hidden)]
pub fn __reply_as_bytes<F: Format, R: Serialize + Send + 'static>(
    reply: Option<BytesReply>,
) -> ReplyTo<R> {
    match reply {
        None => ReplyTo::none(),
        Some(to) => ReplyTo::to_fn(move |r: Result<R, AskError>| {
            to(r.and_then(|value| {
                F::encode(&value).map_err(|e| AskError::Remote(Arc::from(e.to_string())))
            }));
        }),
    }
}

/// Where the bytes of a reply that came back for `reply` go: decoded in
/// `F` and sent to the asker. `None` for a tell's empty handle.
#[doc(hidden)]
pub fn __bytes_to_reply<F: Format, R: DeserializeOwned + Send + 'static>(
    reply: ReplyTo<R>,
    stable: &'static str,
) -> Option<BytesReply> {
    if !reply.is_ask() {
        return None;
    }
    Some(Box::new(move |r: Result<Vec<u8>, AskError>| {
        match r.and_then(|bytes| {
            F::decode::<R>(&bytes)
                .map_err(|e| AskError::Remote(Arc::from(e.__in(stable).to_string())))
        }) {
            Ok(value) => reply.send(value),
            Err(err) => reply.fail(err),
        }
    }))
}

/// Fails `reply` because its message could not be encoded.
#[doc(hidden)]
pub fn __fail_encode<R>(reply: ReplyTo<R>, err: &WireError) {
    reply.fail(AskError::Remote(Arc::from(err.to_string())));
}
