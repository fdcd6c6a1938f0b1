//! Runs one measurement on a fresh runtime, and the small tools every
//! benchmark shares: a countdown latch, throughput arithmetic and the raw
//! tokio channel of the baseline.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};

use crate::model::{Mailbox, Runtime};

/// How long a benchmark may wait for its actors before it is declared stuck.
const STUCK_AFTER: Duration = Duration::from_secs(300);

/// What a benchmark function returns: its figures, or why it failed.
pub(crate) type Outcome<T = f64> = Result<T, String>;

/// Runs `work` as a task on a new tokio runtime of the given kind, and drops
/// the runtime (and with it every actor still alive) afterwards.
///
/// The work is spawned rather than passed to `block_on`, so that on the
/// multi-thread runtime the driving code runs on one of the two workers like
/// the actors, not on a third thread.
pub(crate) fn on_tokio<T, F>(runtime: Runtime, work: F) -> Outcome<T>
where
    T: Send + 'static,
    F: Future<Output = Outcome<T>> + Send + 'static,
{
    let rt = match runtime {
        Runtime::MultiThread => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build(),
        Runtime::CurrentThread => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    }
    .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let outcome = rt.block_on(async {
        tokio::spawn(work)
            .await
            .map_err(|e| format!("the benchmark task failed: {e}"))?
    });
    drop(rt);
    outcome
}

/// Where actix actors are started: on the `System`'s own arbiter only
/// (current thread), or alternately on a second arbiter and on the
/// `System`'s (two threads), which is how actix spreads work over cores.
#[derive(Clone)]
pub(crate) struct Placer {
    extra: Option<actix_rt::ArbiterHandle>,
    next: Arc<AtomicUsize>,
}

impl Placer {
    /// Starts an actor, alternating between the arbiters.
    pub(crate) fn start<A>(&self, actor: A) -> actix::Addr<A>
    where
        A: actix::Actor<Context = actix::Context<A>> + Send,
    {
        match &self.extra {
            Some(extra) if self.next.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) => {
                A::start_in_arbiter(extra, move |_| actor)
            }
            _ => actix::Actor::start(actor),
        }
    }

    /// Spawns a task (not an actor), alternating between the arbiters like
    /// [`start`](Self::start).
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        match &self.extra {
            Some(extra) if self.next.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) => {
                extra.spawn(task);
            }
            _ => drop(actix_rt::spawn(task)),
        }
    }
}

/// Runs `work` in a new actix `System` (actix's own single-threaded tokio
/// runtime), with a second arbiter thread on [`Runtime::MultiThread`].
pub(crate) fn on_actix<T, F, Fut>(runtime: Runtime, work: F) -> Outcome<T>
where
    F: FnOnce(Placer) -> Fut,
    Fut: Future<Output = Outcome<T>>,
{
    let system = actix_rt::System::new();
    let extra = match runtime {
        Runtime::MultiThread => Some(actix_rt::Arbiter::new()),
        Runtime::CurrentThread => None,
    };
    let placer = Placer {
        extra: extra.as_ref().map(actix_rt::Arbiter::handle),
        next: Arc::new(AtomicUsize::new(0)),
    };
    let outcome = system.block_on(work(placer));
    if let Some(extra) = extra {
        extra.stop();
        let _ = extra.join();
    }
    drop(system);
    outcome
}

/// Counts down from a number of events; one waiter learns when all happened.
/// Works across runtimes and threads, so every framework uses the same one.
#[derive(Debug)]
pub(crate) struct Latch {
    left: AtomicUsize,
    done: Notify,
}

impl Latch {
    pub(crate) fn new(count: usize) -> Arc<Latch> {
        Arc::new(Latch {
            left: AtomicUsize::new(count),
            done: Notify::new(),
        })
    }

    /// Records one event.
    pub(crate) fn count_down(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.notify_one();
        }
    }

    /// Waits until every event has been recorded.
    ///
    /// # Errors
    ///
    /// If that takes longer than [`STUCK_AFTER`].
    pub(crate) async fn wait(&self) -> Outcome<()> {
        stuck_after(self.done.notified()).await
    }
}

/// Fails a future that does not finish in [`STUCK_AFTER`].
pub(crate) async fn stuck_after<T>(fut: impl Future<Output = T>) -> Outcome<T> {
    tokio::time::timeout(STUCK_AFTER, fut)
        .await
        .map_err(|_| format!("stuck: nothing finished in {STUCK_AFTER:?}"))
}

/// `count` events in `elapsed`, per second.
pub(crate) fn per_sec(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// Formats an error with `Debug`, for the frameworks whose errors lack
/// `Display` on the message type.
pub(crate) fn debug<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The sending side of the baseline's channel: tokio mpsc, bounded or not.
#[derive(Debug)]
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

impl<T> Tx<T> {
    /// Sends, waiting for room in a bounded channel.
    ///
    /// # Errors
    ///
    /// If the receiving task has ended.
    pub(crate) async fn send(&self, value: T) -> Outcome<()> {
        let sent = match self {
            Tx::Bounded(tx) => tx.send(value).await.is_ok(),
            Tx::Unbounded(tx) => tx.send(value).is_ok(),
        };
        if sent {
            Ok(())
        } else {
            Err("the receiving task has ended".to_owned())
        }
    }
}

/// The receiving side of the baseline's channel.
#[derive(Debug)]
pub(crate) enum Rx<T> {
    Bounded(mpsc::Receiver<T>),
    Unbounded(mpsc::UnboundedReceiver<T>),
}

impl<T> Rx<T> {
    /// The next value, or `None` once every sender is gone.
    pub(crate) async fn recv(&mut self) -> Option<T> {
        match self {
            Rx::Bounded(rx) => rx.recv().await,
            Rx::Unbounded(rx) => rx.recv().await,
        }
    }
}

/// A tokio mpsc channel of the given kind.
pub(crate) fn channel<T>(mailbox: Mailbox) -> (Tx<T>, Rx<T>) {
    match mailbox.capacity() {
        Some(capacity) => {
            let (tx, rx) = mpsc::channel(capacity);
            (Tx::Bounded(tx), Rx::Bounded(rx))
        }
        None => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Tx::Unbounded(tx), Rx::Unbounded(rx))
        }
    }
}

/// Typact's mailbox setting for the given kind.
pub(crate) fn typact_mailbox(mailbox: Mailbox) -> typact::MailboxKind {
    match mailbox.capacity() {
        Some(capacity) => typact::MailboxKind::Bounded(capacity),
        None => typact::MailboxKind::Unbounded,
    }
}

/// Kameo's mailbox of the given kind.
pub(crate) fn kameo_mailbox<A: kameo::Actor>(
    mailbox: Mailbox,
) -> (
    kameo::mailbox::MailboxSender<A>,
    kameo::mailbox::MailboxReceiver<A>,
) {
    match mailbox.capacity() {
        Some(capacity) => kameo::mailbox::bounded(capacity),
        None => kameo::mailbox::unbounded(),
    }
}

/// xtra's mailbox of the given kind.
pub(crate) fn xtra_mailbox<A>(mailbox: Mailbox) -> (xtra::Address<A>, xtra::Mailbox<A>) {
    match mailbox.capacity() {
        Some(capacity) => xtra::Mailbox::bounded(capacity),
        None => xtra::Mailbox::unbounded(),
    }
}
