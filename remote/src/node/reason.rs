//! Stop reasons across the wire.

use std::sync::Arc;

use typact::StopReason;

use crate::envelope::WireReason;

/// An error that happened on another node, known only by its text.
#[derive(Debug)]
pub struct RemoteFailure {
    /// The node the actor was on.
    pub node: String,
    /// The error's text there.
    pub text: String,
}

impl std::fmt::Display for RemoteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (on node {})", self.text, self.node)
    }
}

impl std::error::Error for RemoteFailure {}

/// Encodes `reason`, its text kept in `buf`.
pub(crate) fn encode<'a>(reason: &'a StopReason, buf: &'a mut String) -> WireReason<'a> {
    match reason {
        StopReason::Normal => WireReason::Normal,
        StopReason::Killed => WireReason::Killed,
        StopReason::NotStarted => WireReason::NotStarted,
        StopReason::Panicked(msg) => WireReason::Panicked(msg),
        StopReason::NodeDown { node } => WireReason::NodeDown(node),
        StopReason::StartFailed(e) => {
            *buf = e.to_string();
            WireReason::StartFailed(buf.as_str())
        }
        other => {
            *buf = other.to_string();
            WireReason::Failed(buf.as_str())
        }
    }
}

pub(crate) fn decode(reason: &WireReason<'_>, node: &str) -> StopReason {
    let failure = |text: &str| {
        Arc::new(RemoteFailure {
            node: node.to_owned(),
            text: text.to_owned(),
        })
    };
    match reason {
        WireReason::Normal => StopReason::Normal,
        WireReason::Killed => StopReason::Killed,
        WireReason::NotStarted => StopReason::NotStarted,
        WireReason::Panicked(msg) => StopReason::Panicked(Arc::from(*msg)),
        WireReason::StartFailed(text) => StopReason::StartFailed(failure(text)),
        WireReason::Failed(text) => StopReason::Failed(failure(text)),
        WireReason::NodeDown(lost) => StopReason::NodeDown {
            node: Arc::from(*lost),
        },
    }
}
