//! The mailbox: a tokio mpsc channel, bounded or unbounded, behind one type.

use std::task::{Context as TaskContext, Poll};

use tokio::sync::mpsc;

/// The capacity of a bounded mailbox unless the builder says otherwise.
pub const DEFAULT_MAILBOX_CAPACITY: usize = 1024;

/// How an actor's mailbox is sized.
///
/// # Examples
///
/// ```
/// use typact_runtime::MailboxKind;
/// assert_eq!(MailboxKind::default(), MailboxKind::Bounded(typact_runtime::DEFAULT_MAILBOX_CAPACITY));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailboxKind {
    /// At most this many messages wait; `tell` then waits for space and
    /// `try_tell` hands the message back. This is the default, with
    /// [`DEFAULT_MAILBOX_CAPACITY`].
    Bounded(usize),
    /// No limit: `tell` never waits. Memory grows with a slow actor.
    Unbounded,
}

impl Default for MailboxKind {
    fn default() -> Self {
        MailboxKind::Bounded(DEFAULT_MAILBOX_CAPACITY)
    }
}

pub(crate) enum Tx<T> {
    Bounded(mpsc::Sender<T>),
    Unbounded(mpsc::UnboundedSender<T>),
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Self {
        match self {
            Tx::Bounded(tx) => Tx::Bounded(tx.clone()),
            Tx::Unbounded(tx) => Tx::Unbounded(tx.clone()),
        }
    }
}

pub(crate) enum Rx<T> {
    Bounded(mpsc::Receiver<T>),
    Unbounded(mpsc::UnboundedReceiver<T>),
}

pub(crate) enum TrySend<T> {
    Full(T),
    Closed(T),
}

pub(crate) enum TryRecv<T> {
    Value(T),
    /// Nothing queued now; a sender may still be about to push.
    Empty,
    /// Closed (or every sender gone) and nothing left, nor about to arrive.
    Closed,
}

pub(crate) fn channel<T>(kind: MailboxKind) -> (Tx<T>, Rx<T>) {
    match kind {
        MailboxKind::Bounded(cap) => {
            let (tx, rx) = mpsc::channel(cap.max(1));
            (Tx::Bounded(tx), Rx::Bounded(rx))
        }
        MailboxKind::Unbounded => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Tx::Unbounded(tx), Rx::Unbounded(rx))
        }
    }
}

impl<T> Tx<T> {
    /// Waits for space (bounded) and enqueues; hands the value back if closed.
    #[inline]
    pub(crate) async fn send(&self, value: T) -> Result<(), T> {
        match self {
            Tx::Bounded(tx) => tx.send(value).await.map_err(|e| e.0),
            Tx::Unbounded(tx) => tx.send(value).map_err(|e| e.0),
        }
    }

    #[inline]
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySend<T>> {
        match self {
            Tx::Bounded(tx) => tx.try_send(value).map_err(|e| match e {
                mpsc::error::TrySendError::Full(v) => TrySend::Full(v),
                mpsc::error::TrySendError::Closed(v) => TrySend::Closed(v),
            }),
            Tx::Unbounded(tx) => tx.send(value).map_err(|e| TrySend::Closed(e.0)),
        }
    }

    /// Blocks the thread until there is space.
    pub(crate) fn blocking_send(&self, value: T) -> Result<(), T> {
        match self {
            Tx::Bounded(tx) => tx.blocking_send(value).map_err(|e| e.0),
            Tx::Unbounded(tx) => tx.send(value).map_err(|e| e.0),
        }
    }

}

impl<T> Rx<T> {
    #[inline]
    pub(crate) fn poll_recv(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<T>> {
        match self {
            Rx::Bounded(rx) => rx.poll_recv(cx),
            Rx::Unbounded(rx) => rx.poll_recv(cx),
        }
    }

    pub(crate) fn try_recv(&mut self) -> TryRecv<T> {
        use mpsc::error::TryRecvError;
        let result = match self {
            Rx::Bounded(rx) => rx.try_recv(),
            Rx::Unbounded(rx) => rx.try_recv(),
        };
        match result {
            Ok(value) => TryRecv::Value(value),
            Err(TryRecvError::Empty) => TryRecv::Empty,
            Err(TryRecvError::Disconnected) => TryRecv::Closed,
        }
    }

    pub(crate) fn close(&mut self) {
        match self {
            Rx::Bounded(rx) => rx.close(),
            Rx::Unbounded(rx) => rx.close(),
        }
    }

}
