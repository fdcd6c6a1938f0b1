//! TEMPORARY stand-in for the lead's `typact::wire` (SEAM.md section 1),
//! only what the inspector server needs; replaced when the seam lands.

use std::fmt;

/// One handler's message.
#[derive(Debug)]
pub struct MessageInfo {
    /// The handler's name.
    pub method: &'static str,
    /// The message type's name.
    pub message: &'static str,
    /// The stable name.
    pub stable: &'static str,
    /// The fields and their types.
    pub fields: &'static [(&'static str, &'static str)],
    /// The reply's type.
    pub reply: &'static str,
}

/// A message that cannot be turned into bytes or back.
#[derive(Debug)]
#[non_exhaustive]
pub enum WireError {
    /// The actor handles no such message.
    UnknownMessage {
        /// The actor.
        actor: &'static str,
        /// What was asked for.
        message: String,
        /// What it handles.
        known: Vec<&'static str>,
    },
    /// The bytes do not fit the message.
    Decode {
        /// The message.
        message: &'static str,
        /// Why, naming the field.
        error: String,
    },
    /// The actor does not take messages as bytes.
    NotWire {
        /// The actor's type.
        actor: &'static str,
    },
    /// The actor has stopped.
    Stopped,
    /// The mailbox is full.
    Full,
    /// The ask failed.
    Ask(crate::AskError),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::UnknownMessage {
                actor,
                message,
                known,
            } => write!(
                f,
                "{actor} handles no message `{message}`; it handles: {}",
                known.join(", ")
            ),
            WireError::Decode { message, error } => write!(f, "{message}: {error}"),
            WireError::NotWire { actor } => write!(f, "{actor} takes no bytes"),
            WireError::Stopped => write!(f, "the actor has stopped"),
            WireError::Full => write!(f, "the mailbox is full"),
            WireError::Ask(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for WireError {}
