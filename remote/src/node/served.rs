//! A local actor served to the other nodes: frames become entries of its
//! mailbox through [`typact::wire`].

use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::mpsc;
use typact::wire::{Wire, WireError};
use typact::{ActorRef, AskError, Permit, StopReason};

use super::export::{AskFailure, Done, Export};
use crate::codec::Postcard;
use crate::transport::BoxFuture;

/// The name a node uses for an actor type, checked at attach and spawn:
/// the type's bare name, as in the stable names of its messages
/// (`Counter` of `Counter::add`), so that two programs that declare the
/// same actor agree on it.
pub(crate) fn actor_type<A: typact::Actor>() -> &'static str {
    A::TYPE_NAME
}

enum Job {
    Tell(String, Vec<u8>),
    /// An ask, with the time after which its asker has given up.
    Ask(String, Vec<u8>, tokio::time::Instant, Done),
}

/// `ActorRef<A>` as an [`Export`]. One feeder task per served actor puts
/// the frames into its mailbox in the order they arrived, waiting for room
/// in a full mailbox (backpressure reaches the sending node's bridge
/// through the transport, never by dropping).
pub(crate) struct Served<A: Wire> {
    actor: ActorRef<A>,
    jobs: mpsc::UnboundedSender<Job>,
    /// Jobs queued for the feeder and not yet in the mailbox: while there
    /// are any, a tell queues behind them instead of going in directly.
    queued: Arc<AtomicUsize>,
}

impl<A: Wire> Served<A> {
    pub(crate) fn new(actor: ActorRef<A>, handle: &tokio::runtime::Handle) -> Arc<Self> {
        let (jobs, rx) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        handle.spawn(feed(actor.clone(), rx, queued.clone()));
        Arc::new(Served {
            actor,
            jobs,
            queued,
        })
    }
}

fn failure(e: WireError) -> AskFailure {
    match e {
        WireError::Stopped | WireError::Ask(AskError::Stopped) => AskFailure::Stopped,
        WireError::Ask(AskError::Panicked) => AskFailure::Panicked,
        WireError::Ask(AskError::NoReply) => AskFailure::NoReply,
        WireError::Ask(AskError::Timeout) => AskFailure::Timeout,
        other => AskFailure::Other(other.to_string()),
    }
}

async fn feed<A: Wire>(
    actor: ActorRef<A>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    queued: Arc<AtomicUsize>,
) {
    while let Some(job) = jobs.recv().await {
        feed_one(&actor, job).await;
        // Only once the job is in the mailbox may a later tell overtake the
        // queue.
        queued.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn feed_one<A: Wire>(actor: &ActorRef<A>, job: Job) {
    match job {
        Job::Tell(message, bytes) => {
            // Into a place reserved for it: nothing overtakes it.
            let sent = match actor.reserve().await {
                Ok(permit) => permit.send_bytes::<Postcard>(&message, &bytes, None),
                Err(_) => Err(WireError::Stopped),
            };
            if let Err(e) = sent {
                tracing::debug!("typact-remote: a tell of {message} was lost: {e}");
            }
        }
        // An ask still waiting for room when its asker gives up is
        // answered `Timeout` and never handled.
        Job::Ask(message, bytes, deadline, done) => {
            match tokio::time::timeout_at(deadline, actor.reserve()).await {
                Ok(Ok(permit)) => send_ask(permit, &message, &bytes, done),
                Ok(Err(_)) => done(Err(AskFailure::Stopped)),
                Err(_) => done(Err(AskFailure::Timeout)),
            }
        }
    }
}

/// Puts an ask into its reserved place. Its reply goes to `done` from the
/// thread that replies (the actor's), with nothing in between; the asker's
/// query carries the timeout.
fn send_ask<A: Wire>(permit: Permit<'_, A>, message: &str, bytes: &[u8], done: Done) {
    // `done` is called once: by the reply, or here when the entry cannot
    // be made (bytes that do not decode drop the reply uncalled).
    let slot = Arc::new(Mutex::new(Some(done)));
    let take = |slot: &Mutex<Option<Done>>| {
        slot.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    };
    let replied = slot.clone();
    let reply: typact::wire::BytesReply = Box::new(move |r| {
        if let Some(done) = take(&replied) {
            done(r.map_err(|e| failure(WireError::Ask(e))));
        }
    });
    if let Err(e) = permit.send_bytes::<Postcard>(message, bytes, Some(reply))
        && let Some(done) = take(&slot)
    {
        done(Err(failure(e)));
    }
}

impl<A: Wire> Served<A> {
    fn queue(&self, job: Job) -> Result<(), Job> {
        self.queued.fetch_add(1, Ordering::AcqRel);
        self.jobs.send(job).map_err(|back| {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            back.0
        })
    }
}

impl<A: Wire> Export for Served<A> {
    fn actor_type(&self) -> &str {
        actor_type::<A>()
    }

    fn tell(&self, message: &str, payload: &[u8]) -> Result<(), String> {
        // Straight into the mailbox when nothing waits before it.
        if self.queued.load(Ordering::Acquire) == 0 {
            match self.actor.tell_bytes::<Postcard>(message, payload) {
                Ok(()) => return Ok(()),
                Err(WireError::Full) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        self.queue(Job::Tell(message.to_owned(), payload.to_vec()))
            .map_err(|_| "the actor is no longer served".to_owned())
    }

    fn ask(&self, message: &str, payload: &[u8], within: Duration, done: Done) {
        // Straight into the mailbox when nothing waits before it and there
        // is room (a reservation that would wait is given up at once).
        if self.queued.load(Ordering::Acquire) == 0
            && let Some(reserved) = self.actor.reserve().now_or_never()
        {
            return match reserved {
                Ok(permit) => send_ask(permit, message, payload, done),
                Err(_) => done(Err(AskFailure::Stopped)),
            };
        }
        let deadline = tokio::time::Instant::now() + within;
        if let Err(Job::Ask(_, _, _, done)) = self.queue(Job::Ask(
            message.to_owned(),
            payload.to_vec(),
            deadline,
            done,
        )) {
            done(Err(AskFailure::Stopped));
        }
    }

    fn stop(&self, kill: bool) {
        if kill {
            self.actor.kill();
        } else {
            self.actor.stop();
        }
    }

    fn stopped(&self) -> BoxFuture<'static, StopReason> {
        let actor = self.actor.downgrade();
        Box::pin(async move {
            match actor.upgrade() {
                Some(actor) => actor.wait_for_stop().await,
                None => StopReason::Normal,
            }
        })
    }

    fn as_any(&self) -> &dyn Any {
        &self.actor
    }
}
