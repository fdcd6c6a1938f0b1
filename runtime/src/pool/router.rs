//! The pool's task: takes each entry from the pool's mailbox and moves it,
//! reply handle and all, into a worker's mailbox; samples the workers'
//! mailboxes to grow and shrink the pool.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context as TaskContext, Poll};

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::Stats;
use super::autoscale::{Decision, Scaler};
use super::builder::Routing;
use super::rules::{Rules, rendezvous};
use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::cell::{ActorId, Cell, KILL, STOP};
use crate::error::StopReason;
use crate::mailbox::{ActorRx, ActorTx, TryRecv, TrySend};
use crate::reply::{Abandon, abandon_while};
use crate::run::drain_rx;
use crate::supervision::{Restart, Supervisor, SupervisorBuilder, SupervisorError};

/// The router yields to the scheduler after this many entries in a row.
const YIELD_EVERY: u32 = 128;

/// How each worker is made and supervised.
pub(super) struct WorkerSpec<A: Actor> {
    pub(super) factory: Arc<dyn Fn() -> A + Send + Sync>,
    pub(super) restart: Restart,
    pub(super) capacity: usize,
}

impl<A: Actor> WorkerSpec<A> {
    /// Declares a worker on a supervisor being built.
    pub(super) fn declare(&self, sup: &SupervisorBuilder) -> ActorRef<A> {
        let factory = self.factory.clone();
        sup.child(move || factory())
            .restart(self.restart)
            .capacity(self.capacity)
            .add()
    }

    /// Starts a worker on the running supervisor, in a task of its own, so
    /// that routing goes on meanwhile; the outcome comes back on `done`.
    fn start(&self, sup: &ActorRef<Supervisor>, done: &mpsc::UnboundedSender<Started<A>>) {
        let factory = self.factory.clone();
        let (sup, done) = (sup.clone(), done.clone());
        let (restart, capacity) = (self.restart, self.capacity);
        tokio::spawn(async move {
            let started = sup
                .child(move || factory())
                .restart(restart)
                .capacity(capacity)
                .start()
                .await;
            let _ = done.send(started);
        });
    }
}

type Started<A> = Result<ActorRef<A>, SupervisorError>;

/// An entry on its way to a worker: `to` is the worker of a broadcast
/// copy, `None` for an entry the routing places.
struct Delivery<A: Actor> {
    entry: A::Mailbox,
    to: Option<ActorId>,
}

/// A delivery waiting for room in a full worker mailbox.
struct Blocked<A: Actor> {
    worker: ActorId,
    copy: bool,
    wait: BoxFuture<'static, Result<(), A::Mailbox>>,
}

/// What the pool's mailbox gives next.
enum Next<T> {
    Entry(T),
    /// Asked to stop (or killed).
    Stop,
    /// No reference is left and the mailbox is empty.
    Done,
}

pub(super) struct Router<A: Actor> {
    cell: Arc<Cell>,
    sup: ActorRef<Supervisor>,
    spec: WorkerSpec<A>,
    /// The workers that get new messages.
    workers: Vec<ActorRef<A>>,
    /// Retired workers, stopped once their mailbox is empty.
    draining: Vec<ActorRef<A>>,
    /// Drained workers, being stopped.
    stopping: Vec<ActorRef<A>>,
    starting: usize,
    started: (
        mpsc::UnboundedSender<Started<A>>,
        mpsc::UnboundedReceiver<Started<A>>,
    ),
    routing: Routing,
    next: usize,
    rules: Rules<A>,
    scaler: Scaler,
    outbox: VecDeque<Delivery<A>>,
    blocked: Option<Blocked<A>>,
    stats: Arc<Stats>,
}

/// Messages waiting in a worker's (bounded) mailbox.
fn queued<A: Actor>(worker: &ActorRef<A>, capacity: usize) -> usize {
    let space = worker
        .tx()
        .space()
        .map_or(capacity, |s| s.available_permits());
    capacity.saturating_sub(space)
}

fn poll_front<A: Actor>(rx: &mut ActorRx<A>, cx: &mut TaskContext<'_>) -> Poll<Next<A::Mailbox>> {
    if rx.cell().flags() & (STOP | KILL) != 0 {
        return Poll::Ready(Next::Stop);
    }
    match rx.poll_recv(cx) {
        Poll::Ready(Some(entry)) => return Poll::Ready(Next::Entry(entry)),
        Poll::Ready(None) => return Poll::Ready(Next::Done),
        Poll::Pending => {}
    }
    let cell = rx.cell();
    if cell.flags() & (STOP | KILL) != 0 {
        return Poll::Ready(Next::Stop);
    }
    if cell.refs.load(Ordering::Acquire) == 0 {
        return Poll::Ready(match rx.try_recv() {
            TryRecv::Value(entry) => Next::Entry(entry),
            TryRecv::Empty | TryRecv::Closed => Next::Done,
        });
    }
    Poll::Pending
}

/// Ready once the pool is asked to stop or is killed.
fn stop_signal(cell: &Cell, cx: &mut TaskContext<'_>) -> Poll<()> {
    // SAFETY: `cell` is the pool's own, and this runs in its task, which
    // alone registers on it (its mailbox is polled there too, in turn).
    unsafe { cell.register(cx.waker()) };
    if cell.flags() & (STOP | KILL) != 0 {
        Poll::Ready(())
    } else {
        Poll::Pending
    }
}

async fn wait_blocked<A: Actor>(blocked: &mut Option<Blocked<A>>) -> Result<(), A::Mailbox> {
    match blocked {
        Some(b) => b.wait.as_mut().await,
        None => std::future::pending().await,
    }
}

/// Records the end however the task ends: killed, or the runtime gone.
struct Door<A: Actor> {
    rx: Option<ActorRx<A>>,
    sup: ActorRef<Supervisor>,
}

impl<A: Actor> Drop for Door<A> {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take() {
            let cell = rx.cell().clone();
            drain_rx::<A>(&mut rx, &cell);
            self.sup.stop();
            cell.finish(StopReason::Killed);
        }
    }
}

impl<A: Actor> Drop for Router<A> {
    /// A task that is aborted (the pool killed, the runtime gone) still
    /// fails the asks it held with `Stopped` and counts its tells.
    fn drop(&mut self) {
        self.reject_undelivered();
    }
}

impl<A: Actor> Router<A> {
    #[allow(clippy::too_many_arguments, reason = "called once, by the builder")]
    pub(super) fn new(
        cell: Arc<Cell>,
        sup: ActorRef<Supervisor>,
        spec: WorkerSpec<A>,
        workers: Vec<ActorRef<A>>,
        routing: Routing,
        rules: Rules<A>,
        scaler: Scaler,
        stats: Arc<Stats>,
    ) -> Self {
        let router = Router {
            cell,
            sup,
            spec,
            workers,
            draining: Vec::new(),
            stopping: Vec::new(),
            starting: 0,
            started: mpsc::unbounded_channel(),
            routing,
            next: 0,
            rules,
            scaler,
            outbox: VecDeque::new(),
            blocked: None,
            stats,
        };
        router.publish_stats();
        router
    }

    pub(super) async fn run(mut self, rx: ActorRx<A>) {
        let mut door = Door {
            rx: Some(rx),
            sup: self.sup.clone(),
        };
        let mut ticker = tokio::time::interval(self.scaler.config().period());
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut closing = false;
        let mut routed: u32 = 0;
        let reason = loop {
            let accepting = !closing && self.blocked.is_none() && self.outbox.is_empty();
            let rx = door.rx.as_mut().expect("held until the end");
            let cell = &self.cell;
            tokio::select! {
                biased;
                // Heard even while the front door is not polled (the pool
                // waits for room at a worker).
                () = poll_fn(|cx| stop_signal(cell, cx)) => break self.cell.take_exit_reason(),
                Some(started) = self.started.1.recv() => self.on_started(started),
                delivered = wait_blocked(&mut self.blocked) => self.on_unblocked(delivered),
                _ = ticker.tick() => {
                    let front = door.rx.as_ref().map_or(0, ActorRx::<A>::len);
                    if let Some(reason) = self.on_tick(closing, front) {
                        break reason;
                    }
                }
                next = poll_fn(|cx| poll_front(rx, cx)), if accepting => match next {
                    Next::Entry(entry) => {
                        self.route(entry);
                        routed = routed.wrapping_add(1);
                        if routed.is_multiple_of(YIELD_EVERY) {
                            // Under a flood that never empties the mailbox,
                            // let the workers (and the senders) run.
                            tokio::task::yield_now().await;
                        }
                    }
                    Next::Stop => break self.cell.take_exit_reason(),
                    Next::Done => closing = true,
                },
            }
        };
        let mut rx = door.rx.take().expect("held until the end");
        drain_rx::<A>(&mut rx, &self.cell);
        self.reject_undelivered();
        self.sup.stop();
        self.sup.wait_for_stop().await;
        self.stats.workers.store(0, Ordering::Relaxed);
        self.cell.finish(reason);
    }

    /// Places a new entry: a copy to every worker for a broadcast tell,
    /// otherwise by key or by the routing.
    fn route(&mut self, entry: A::Mailbox) {
        if self.rules.broadcasts()
            && self.workers.len() > 1
            && let Some(copy) = self.rules.copy(&entry)
        {
            drop(copy);
            let ids: Vec<ActorId> = self.workers.iter().map(|w| w.id()).collect();
            let (last, rest) = ids.split_last().expect("more than one worker");
            for &to in rest {
                let entry = self.rules.copy(&entry).expect("a broadcast tell");
                self.outbox.push_back(Delivery {
                    entry,
                    to: Some(to),
                });
            }
            self.outbox.push_back(Delivery {
                entry,
                to: Some(*last),
            });
            return self.flush();
        }
        self.outbox.push_back(Delivery { entry, to: None });
        self.flush();
    }

    /// The worker for an entry the routing places.
    /// With it, whether another worker may take the entry if this one is
    /// full (round robin, no key).
    fn choose(&mut self, entry: &A::Mailbox) -> Option<(usize, bool)> {
        let n = self.workers.len();
        if n == 0 {
            return None;
        }
        if let Some(key) = self.rules.key(entry) {
            return rendezvous(key, self.workers.iter().map(|w| w.id())).map(|i| (i, false));
        }
        let start = self.next % n;
        self.next = self.next.wrapping_add(1);
        match self.routing {
            Routing::RoundRobin => Some((start, true)),
            Routing::LeastLoaded => (0..n)
                .map(|i| (start + i) % n)
                .min_by_key(|&i| queued(&self.workers[i], self.spec.capacity))
                .map(|i| (i, false)),
        }
    }

    /// Moves what the outbox holds into the workers' mailboxes, until a
    /// full one blocks it or no worker is there.
    fn flush(&mut self) {
        while self.blocked.is_none() {
            let Some(Delivery { entry, to }) = self.outbox.pop_front() else {
                return;
            };
            let chosen = match to {
                Some(id) => self
                    .workers
                    .iter()
                    .position(|w| w.id() == id)
                    .map(|i| (i, false)),
                None => self.choose(&entry),
            };
            let Some((index, flexible)) = chosen else {
                if to.is_some() {
                    // The worker of a broadcast copy is gone.
                    self.reject(entry);
                    continue;
                }
                // No worker yet: wait for one to start.
                self.outbox.push_front(Delivery { entry, to });
                return;
            };
            let sent = if flexible {
                self.send_in_turn(index, entry)
            } else {
                self.workers[index].tx().try_send(entry)
            };
            let tx: &ActorTx<A> = self.workers[index].tx();
            match sent {
                Ok(()) => {}
                Err(TrySend::Full(entry)) => {
                    let tx = tx.clone();
                    self.blocked = Some(Blocked {
                        worker: self.workers[index].id(),
                        copy: to.is_some(),
                        wait: Box::pin(async move { tx.send(entry).await }),
                    });
                }
                Err(TrySend::Closed(entry)) => {
                    // Stopped for good: it leaves the pool.
                    self.workers.remove(index);
                    self.publish_stats();
                    if to.is_some() {
                        self.reject(entry);
                    } else {
                        self.outbox.push_front(Delivery { entry, to });
                    }
                }
            }
        }
    }

    /// Round robin: the worker in turn, or if its mailbox is full the next
    /// one with room; `Full` (for the one in turn) if every one is full.
    fn send_in_turn(&self, index: usize, entry: A::Mailbox) -> Result<(), TrySend<A::Mailbox>> {
        let n = self.workers.len();
        let mut entry = match self.workers[index].tx().try_send(entry) {
            Err(TrySend::Full(entry)) => entry,
            other => return other,
        };
        for k in 1..n {
            match self.workers[(index + k) % n].tx().try_send(entry) {
                Ok(()) => return Ok(()),
                // A closed one leaves at the next sample.
                Err(TrySend::Full(back) | TrySend::Closed(back)) => entry = back,
            }
        }
        Err(TrySend::Full(entry))
    }

    fn on_unblocked(&mut self, delivered: Result<(), A::Mailbox>) {
        let blocked = self.blocked.take().expect("woken only while blocked");
        if let Err(entry) = delivered {
            self.workers.retain(|w| w.id() != blocked.worker);
            self.publish_stats();
            if blocked.copy {
                self.reject(entry);
            } else {
                self.outbox.push_front(Delivery { entry, to: None });
            }
        }
        self.flush();
    }

    fn on_started(&mut self, started: Started<A>) {
        self.starting -= 1;
        match started {
            Ok(worker) => self.workers.push(worker),
            Err(error) => {
                tracing::warn!(pool = %self.cell, %error, "a pool worker failed to start");
            }
        }
        self.publish_stats();
        self.flush();
    }

    /// One sample: retires drained workers, replaces lost ones, scales.
    /// Returns why the pool stops, if it does.
    fn on_tick(&mut self, closing: bool, front: usize) -> Option<StopReason> {
        let capacity = self.spec.capacity;
        self.workers.retain(|w| w.is_alive());
        let blocked_on = self.blocked.as_ref().map(|b| b.worker);
        let (drained, draining): (Vec<_>, Vec<_>) = self
            .draining
            .drain(..)
            .partition(|w| queued(w, capacity) == 0 && Some(w.id()) != blocked_on);
        self.draining = draining;
        self.stopping.retain(|w| w.is_alive());
        for worker in drained {
            self.stopping.push(worker.clone());
            let sup = self.sup.clone();
            tokio::spawn(async move {
                // Stops after its current message; then leaves for good.
                if sup.terminate_child(worker.id()).await.is_ok() {
                    let _ = sup.delete_child(worker.id()).await;
                }
            });
        }
        // Retired workers still draining count too: stopping the
        // supervisor would fail what waits in their mailboxes.
        let idle = self.outbox.is_empty() && self.blocked.is_none() && self.draining.is_empty();
        if closing && idle && self.workers.iter().all(|w| queued(w, capacity) == 0) {
            return Some(StopReason::Normal);
        }
        if !self.sup.is_alive() {
            if self.workers.is_empty() && self.starting == 0 {
                return Some(self.sup_reason());
            }
        } else if !closing {
            self.scale(front);
        }
        self.publish_stats();
        self.flush();
        None
    }

    /// `front`: the entries waiting in the pool's own mailbox.
    fn scale(&mut self, front: usize) {
        let capacity = self.spec.capacity;
        let min = self.scaler.config().min();
        while self.workers.len() + self.starting < min {
            self.grow();
        }
        let n = self.workers.len();
        if n == 0 {
            return;
        }
        let held = self.outbox.len() + usize::from(self.blocked.is_some());
        let waiting: usize = front
            + held
            + self
                .workers
                .iter()
                .map(|w| queued(w, capacity))
                .sum::<usize>();
        let mean = waiting as f64 / n as f64;
        match self.scaler.sample(mean, n + self.starting, Instant::now()) {
            Decision::Grow => self.grow(),
            Decision::Shrink => {
                // The one with the least to drain: the last among equals.
                let (index, _) = self
                    .workers
                    .iter()
                    .enumerate()
                    .rev()
                    .min_by_key(|(_, w)| queued(w, capacity))
                    .expect("at least one worker");
                let worker = self.workers.remove(index);
                self.draining.push(worker);
                self.stats.shrunk.fetch_add(1, Ordering::Relaxed);
                self.publish_stats();
            }
            Decision::Hold => {}
        }
    }

    fn grow(&mut self) {
        self.starting += 1;
        self.stats.grown.fetch_add(1, Ordering::Relaxed);
        self.spec.start(&self.sup, &self.started.0);
        self.publish_stats();
    }

    /// The supervisor's reason to have stopped: it has, so this is at once.
    fn sup_reason(&self) -> StopReason {
        let sup = self.sup.clone();
        let cell = sup.cell().clone();
        // Stopped already: its reason is set, so the wait is immediate.
        futures_util::FutureExt::now_or_never(async move { cell.wait_for_stop().await })
            .unwrap_or(StopReason::Normal)
    }

    /// An entry no worker will handle: its ask fails with `Stopped`, its
    /// tell is a dead letter of the pool.
    fn reject(&self, entry: A::Mailbox) {
        if A::__reject(entry) {
            self.cell.add_dead_letters(1);
        }
    }

    fn reject_undelivered(&mut self) {
        let outbox = std::mem::take(&mut self.outbox);
        for Delivery { entry, .. } in outbox {
            self.reject(entry);
        }
        if let Some(blocked) = self.blocked.take() {
            abandon_while(Abandon::Stopped, || drop(blocked));
        }
    }

    fn publish_stats(&self) {
        let s = &self.stats;
        s.workers.store(self.workers.len(), Ordering::Relaxed);
        s.starting.store(self.starting, Ordering::Relaxed);
        let draining = self.draining.len() + self.stopping.len();
        s.draining.store(draining, Ordering::Relaxed);
    }
}
