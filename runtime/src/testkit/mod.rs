//! Tools for testing actors: a [`TestProbe`] that stands in for another
//! actor and checks what it is sent, and waits that fail a test with a
//! clear message instead of hanging it.
//!
//! A probe is a real actor (it has an id, it can be watched and linked)
//! that handles one message type, `M`, by queueing what it receives for
//! the test to check: give its [`recipient`](TestProbe::recipient) to the
//! actor under test wherever that actor expects a `Recipient<M>`.
//!
//! # Time
//!
//! Every wait here takes a timeout and panics when it runs out. Under
//! tokio's paused clock (`#[tokio::test(start_paused = true)]`), which
//! also drives typact's timers (`send_after`, `send_interval`), the
//! backoff of a supervisor's restarts and the timeouts of asks, a wait
//! that has nothing left to do jumps the clock forward instead of
//! sleeping: a test of a five-second timer, or of a check that no message
//! comes within a minute, runs in microseconds and never depends on the
//! machine's speed. To move the clock by hand, use
//! `tokio::time::advance` (tokio's `test-util` feature).
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use typact::prelude::*;
//! use typact::testkit::TestProbe;
//!
//! struct Alert(&'static str);
//! impl Message for Alert {
//!     type Reply = ();
//! }
//!
//! /// Raises an alert when a reading is too high.
//! struct Monitor {
//!     alerts: Recipient<Alert>,
//! }
//!
//! #[actor]
//! impl Monitor {
//!     #[handler]
//!     async fn reading(&mut self, value: u32) {
//!         if value > 100 {
//!             let _ = self.alerts.tell(Alert("too high")).await;
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let mut probe = TestProbe::<Alert>::new();
//! let monitor = Monitor { alerts: probe.recipient() }.spawn();
//! monitor.reading(20).await.unwrap();
//! probe.expect_no_msg(Duration::from_secs(1)).await;
//! monitor.reading(120).await.unwrap();
//! assert_eq!(probe.expect_msg().await.0, "too high");
//! # }
//! ```

mod harness;

pub use harness::Harness;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::actor::{Actor, Handler, Message};
use crate::actor_ref::{ActorRef, Client, RawRef};
use crate::context::Context;
use crate::error::StopReason;
use crate::recipient::Recipient;
use crate::reply::ReplyTo;

/// How long the waits without an explicit timeout wait: three seconds, as
/// in Akka's test kit. Under a paused clock it costs no real time.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// A stand-in actor that records the `M`s it is sent, for a test to check.
///
/// It is a [`Recipient<M>`] (it dereferences to one) and gives out more
/// with [`recipient`](Self::recipient). Tells and asks both arrive: an ask
/// comes with its reply handle, which [`expect_request`](Self::expect_request)
/// hands to the test to answer; the other waits drop it, which fails the
/// ask with [`AskError::NoReply`](crate::AskError::NoReply).
///
/// Every `expect_` method panics, naming what it waited for, if the
/// expectation is not met: that is how it fails the test.
///
/// # Panics
///
/// [`new`](Self::new) panics outside a tokio runtime, as spawning does.
pub struct TestProbe<M: Message> {
    actor: ActorRef<Probe<M>>,
    recipient: Recipient<M>,
    received: mpsc::UnboundedReceiver<(M, ReplyTo<M::Reply>)>,
}

impl<M: Message> TestProbe<M> {
    /// Spawns a probe on the current runtime.
    pub fn new() -> Self {
        let (tx, received) = mpsc::unbounded_channel();
        let actor = crate::ActorBuilder::new(Probe { tx })
            .name("test-probe")
            .unbounded()
            .spawn();
        let recipient = actor.recipient();
        TestProbe {
            actor,
            recipient,
            received,
        }
    }

    /// A recipient for the actor under test: what it sends there, the
    /// probe receives.
    pub fn recipient(&self) -> Recipient<M> {
        self.recipient.clone()
    }

    /// The probe as an actor, to watch it, link it or stop it.
    pub fn actor_ref(&self) -> &ActorRef<Probe<M>> {
        &self.actor
    }

    /// The next message, waiting up to [`DEFAULT_TIMEOUT`] for it.
    ///
    /// # Panics
    ///
    /// If none arrives in time.
    pub async fn expect_msg(&mut self) -> M {
        self.expect_msg_within(DEFAULT_TIMEOUT).await
    }

    /// The next message, waiting up to `timeout` for it.
    ///
    /// # Panics
    ///
    /// If none arrives in time.
    pub async fn expect_msg_within(&mut self, timeout: Duration) -> M {
        self.expect_request_within(timeout).await.0
    }

    /// The next message with its reply handle, waiting up to
    /// [`DEFAULT_TIMEOUT`]: answer the ask it came with through the handle
    /// (a tell's handle is empty).
    ///
    /// # Panics
    ///
    /// If none arrives in time.
    pub async fn expect_request(&mut self) -> (M, ReplyTo<M::Reply>) {
        self.expect_request_within(DEFAULT_TIMEOUT).await
    }

    /// The next message with its reply handle, waiting up to `timeout`.
    ///
    /// # Panics
    ///
    /// If none arrives in time.
    pub async fn expect_request_within(&mut self, timeout: Duration) -> (M, ReplyTo<M::Reply>) {
        match tokio::time::timeout(timeout, self.received.recv()).await {
            Ok(Some(request)) => request,
            Ok(None) => panic!("{}: the probe stopped", self.what()),
            Err(_) => panic!(
                "{}: expected a message within {timeout:?}, got none",
                self.what()
            ),
        }
    }

    /// Checks that no message arrives for `duration`.
    ///
    /// # Panics
    ///
    /// If one does.
    pub async fn expect_no_msg(&mut self, duration: Duration) {
        if let Ok(Some(_)) = tokio::time::timeout(duration, self.received.recv()).await {
            panic!(
                "{}: expected no message for {duration:?}, got one",
                self.what()
            );
        }
    }

    /// Receives messages until `accept` returns `true` for one, and returns
    /// it; the messages before it are dropped. Waits up to
    /// [`DEFAULT_TIMEOUT`] in all.
    ///
    /// # Panics
    ///
    /// If no accepted message arrives in time.
    pub async fn fish_for(&mut self, accept: impl FnMut(&M) -> bool) -> M {
        self.fish_for_within(DEFAULT_TIMEOUT, accept).await
    }

    /// As [`fish_for`](Self::fish_for), waiting up to `timeout` in all.
    ///
    /// # Panics
    ///
    /// If no accepted message arrives in time.
    pub async fn fish_for_within(
        &mut self,
        timeout: Duration,
        mut accept: impl FnMut(&M) -> bool,
    ) -> M {
        let what = self.what();
        let fishing = async {
            let mut skipped = 0usize;
            while let Some((msg, _)) = self.received.recv().await {
                if accept(&msg) {
                    return (msg, skipped);
                }
                skipped += 1;
            }
            panic!("{what}: the probe stopped");
        };
        match tokio::time::timeout(timeout, fishing).await {
            Ok((msg, _)) => msg,
            Err(_) => panic!("{what}: no accepted message within {timeout:?}"),
        }
    }

    /// Waits up to [`DEFAULT_TIMEOUT`] for `actor` to stop, and returns
    /// why it stopped.
    ///
    /// # Panics
    ///
    /// If it is still running after that.
    pub async fn expect_terminated<A: Actor>(&self, actor: &ActorRef<A>) -> StopReason {
        self.expect_terminated_within(actor, DEFAULT_TIMEOUT).await
    }

    /// Waits up to `timeout` for `actor` to stop, and returns why.
    ///
    /// # Panics
    ///
    /// If it is still running after that.
    pub async fn expect_terminated_within<A: Actor>(
        &self,
        actor: &ActorRef<A>,
        timeout: Duration,
    ) -> StopReason {
        within(timeout, actor.wait_for_stop())
            .await
            .unwrap_or_else(|| panic!("expected {actor:?} to stop within {timeout:?}"))
    }

    fn what(&self) -> String {
        format!("TestProbe<{}>", std::any::type_name::<M>())
    }
}

impl<M: Message> Default for TestProbe<M> {
    fn default() -> Self {
        TestProbe::new()
    }
}

impl<M: Message> std::ops::Deref for TestProbe<M> {
    type Target = Recipient<M>;

    fn deref(&self) -> &Recipient<M> {
        &self.recipient
    }
}

impl<M: Message> fmt::Debug for TestProbe<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestProbe")
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

/// Runs `fut` for at most `timeout`: `None` if it did not finish. A
/// shorthand for `tokio::time::timeout(..).await.ok()`, for waits in tests
/// that should fail rather than hang.
pub async fn within<F: Future>(timeout: Duration, fut: F) -> Option<F::Output> {
    tokio::time::timeout(timeout, fut).await.ok()
}

/// The actor behind a [`TestProbe`]: it queues every message it handles
/// for the probe. Only its type is public, for [`TestProbe::actor_ref`].
pub struct Probe<M: Message> {
    tx: mpsc::UnboundedSender<(M, ReplyTo<M::Reply>)>,
}

impl<M: Message> fmt::Debug for Probe<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Probe")
    }
}

/// The probe's mailbox entry: the message and its reply handle.
#[doc(hidden)]
pub struct ProbeEntry<M: Message>(M, ReplyTo<M::Reply>);

impl<M: Message> fmt::Debug for ProbeEntry<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProbeEntry")
    }
}

/// The probe's client: it has no methods of its own; send through the
/// probe's recipient.
#[doc(hidden)]
pub struct ProbeClient<M: Message> {
    raw: RawRef<Probe<M>>,
}

impl<M: Message> fmt::Debug for ProbeClient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProbeClient({:?})", self.raw)
    }
}

impl<M: Message> Client<Probe<M>> for ProbeClient<M> {
    fn __from_raw(raw: RawRef<Probe<M>>) -> Self {
        ProbeClient { raw }
    }

    fn __raw(&self) -> &RawRef<Probe<M>> {
        &self.raw
    }
}

impl<M: Message> Actor for Probe<M> {
    type Mailbox = ProbeEntry<M>;
    type Client = ProbeClient<M>;
    const TYPE_NAME: &'static str = "TestProbe";
    const __ASYNC_HANDLERS: bool = false;
    const __ON_START: bool = false;

    fn __handle(
        &mut self,
        entry: ProbeEntry<M>,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send {
        let _ = self.__handle_now(entry, ctx);
        std::future::ready(())
    }

    fn __handle_now(
        &mut self,
        entry: ProbeEntry<M>,
        _ctx: &mut Context<Self>,
    ) -> Option<ProbeEntry<M>> {
        // The test may have dropped the probe's receiving end; the message
        // (and an ask's handle, failing it) is then dropped.
        let _ = self.tx.send((entry.0, entry.1));
        None
    }

    fn __reject(entry: ProbeEntry<M>) -> bool {
        crate::__private::reject(entry.1)
    }
}

impl<M: Message> Handler<M> for Probe<M> {
    fn __tell(msg: M) -> ProbeEntry<M> {
        ProbeEntry(msg, ReplyTo::none())
    }

    fn __message(entry: ProbeEntry<M>) -> M {
        entry.0
    }

    fn __wrap(msg: M, reply: ReplyTo<M::Reply>) -> ProbeEntry<M> {
        ProbeEntry(msg, reply)
    }

    fn __unwrap(entry: ProbeEntry<M>) -> (M, ReplyTo<M::Reply>) {
        (entry.0, entry.1)
    }
}
