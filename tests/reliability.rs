//! The reliability battery: supervision under load, at its limits and
//! against a model.
//!
//! Each test prints its figures; run them with
//! `cargo test --test reliability -- --nocapture`. The default sizes keep
//! every test within a few seconds of a debug build on two cores; set
//! `TYPACT_BATTERY_FULL=1` (best with `--release`) for the full sizes, which
//! each test names next to its default.
//!
//! - B1: sequenced tells to thousands of supervised actors while a tenth of
//!   them crash: nothing lost, duplicated or reordered; one restart per
//!   crash.
//! - B2: the messages queued behind a failing one are all handled by the
//!   restarted instance.
//! - B3: restart intensity and backoff delays, in virtual time.
//! - B4: strategy and restart-type conformance, after OTP's supervisor suite.
//! - B5: many dynamic children started, used and stopped: no task or memory
//!   growth.
//! - B6: a supervision tree stopped with messages in flight: every tell is
//!   either handled or a dead letter.
//! - P1: a property test of a one-for-one supervisor against a model.

use std::future::pending;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;
use typact::prelude::*;
use typact::{Backoff, Restart, Strategy, Supervisor, SupervisorError};

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Whether `TYPACT_BATTERY_FULL=1` asks for the full sizes.
/// B5 measures the whole process's resident memory, while the tests of this
/// file run on parallel threads: the tests that allocate much hold this lock
/// shared, and B5 holds it alone, so that their memory does not count as its
/// growth.
static MEMORY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

fn full() -> bool {
    std::env::var("TYPACT_BATTERY_FULL").is_ok_and(|v| v == "1")
}

/// The size to use: `debug` by default, `full` with `TYPACT_BATTERY_FULL=1`.
fn size(name: &str, debug: usize, full_size: usize) -> usize {
    let n = if full() { full_size } else { debug };
    println!("  size {name} = {n} (full size {full_size})");
    n
}

/// Keeps the expected panics of these tests ("... on purpose") out of the
/// output; every other panic is reported as usual.
fn quiet_expected_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("");
            if !msg.contains("on purpose") {
                default(info);
            }
        }));
    });
}

/// A shared, ordered log that outlives the actors writing to it.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The entries of `log` that end with `suffix`.
/// Asserts that every sibling stopped for the restart did so before any
/// instance started again.
fn assert_stops_before_starts(log: &[String], what: &str) {
    let first_start = log.iter().position(|e| e.ends_with(" start")).unwrap();
    let last_sibling_stop = log
        .iter()
        .rposition(|e| e.ends_with("stopped normally"))
        .unwrap();
    assert!(last_sibling_stop < first_start, "{what}: {log:?}");
}

fn matching(log: &[String], suffix: &str) -> Vec<String> {
    log.iter()
        .filter(|e| e.ends_with(suffix))
        .cloned()
        .collect()
}

fn counter() -> Arc<AtomicU64> {
    Arc::new(AtomicU64::new(0))
}

fn load(c: &AtomicU64) -> u64 {
    c.load(Ordering::SeqCst)
}

/// Asserts that a stop reason is a supervisor's `IntensityExceeded`, and
/// returns its limits.
fn intensity_exceeded(reason: &StopReason) -> (u32, Duration) {
    let StopReason::Failed(err) = reason else {
        panic!("expected StopReason::Failed, got {reason:?}");
    };
    match err.downcast_ref::<SupervisorError>() {
        Some(SupervisorError::IntensityExceeded {
            restarts, within, ..
        }) => (*restarts, *within),
        other => panic!("expected IntensityExceeded, got {other:?}"),
    }
}

/// Waits, for a bounded time, until the runtime's task count is at most
/// `bound`; returns the last count seen.
async fn settle_tasks(bound: usize) -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    for _ in 0..5_000 {
        if metrics.num_alive_tasks() <= bound {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    metrics.num_alive_tasks()
}

/// The resident set size of this process, in KiB, from `/proc/self/status`.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

// ---------------------------------------------------------------------------
// B1: sequenced tells under crashes
// ---------------------------------------------------------------------------

mod b1_sequenced {
    use super::*;

    /// What a sequence checker saw.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    struct Tally {
        received: u64,
        lost: u64,
        duplicated: u64,
        reordered: u64,
    }

    /// Receives sequence numbers and checks them for gaps, duplicates and
    /// reordering.
    #[derive(Default)]
    struct Seq {
        seen: Vec<bool>,
        highest: Option<u64>,
        tally: Tally,
    }

    #[actor]
    impl Seq {
        #[handler]
        fn push(&mut self, seq: u64) {
            self.tally.received += 1;
            let i = seq as usize;
            if self.seen.len() <= i {
                self.seen.resize(i + 1, false);
            }
            if self.seen[i] {
                self.tally.duplicated += 1;
            } else if self.highest.is_some_and(|h| seq < h) {
                self.tally.reordered += 1;
            }
            self.seen[i] = true;
            self.highest = self.highest.max(Some(seq));
        }

        #[handler]
        fn crash(&mut self) {
            panic!("sequence checker crashed on purpose")
        }

        /// The tally against sequence numbers `0..expected`.
        #[handler]
        fn report(&self, expected: u64) -> Tally {
            let seen =
                (0..expected as usize).filter(|&i| self.seen.get(i).copied().unwrap_or(false));
            Tally {
                lost: expected - seen.count() as u64,
                ..self.tally
            }
        }
    }

    /// B1. Full size: 10,000 actors, 1,000 crashing, 1,000 tells each.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn b1_sequenced_tells_survive_sibling_crashes() {
        let _memory = MEMORY.read().await;
        quiet_expected_panics();
        println!("B1: sequenced tells under crashes");
        let actors = size("actors", 2_000, 10_000);
        let tells = size("tells per actor", 100, 1_000) as u64;
        const PER_SUPERVISOR: usize = 100;
        let made = counter();

        // One in ten actors crashes once, in the middle of the traffic; the
        // others each get `tells` sequence numbers from one sender.
        let mut supervisors = Vec::new();
        let mut groups: Vec<Vec<(ActorRef<Seq>, bool)>> = Vec::new();
        for s in 0..actors.div_ceil(PER_SUPERVISOR) {
            let builder = Supervisor::builder()
                .strategy(Strategy::OneForOne)
                .intensity(PER_SUPERVISOR as u32, Duration::from_secs(60))
                .backoff(Backoff::none());
            let group: Vec<(ActorRef<Seq>, bool)> = (0..PER_SUPERVISOR
                .min(actors - s * PER_SUPERVISOR))
                .map(|k| {
                    let made = made.clone();
                    let factory = move || {
                        made.fetch_add(1, Ordering::SeqCst);
                        Seq::default()
                    };
                    (builder.child(factory).add(), k % 10 == 0)
                })
                .collect();
            supervisors.push(builder.spawn().await.unwrap());
            groups.push(group);
        }
        let crashing = groups.iter().flatten().filter(|(_, crash)| *crash).count() as u64;
        assert_eq!(
            load(&made),
            actors as u64,
            "one instance per actor at start"
        );

        let started = std::time::Instant::now();
        let senders: Vec<_> = groups
            .iter()
            .cloned()
            .map(|group| {
                tokio::spawn(async move {
                    for seq in 0..tells {
                        for (actor, crash) in &group {
                            match crash {
                                false => actor.tell(Push { seq }).await.unwrap(),
                                true if seq == tells / 2 => actor.tell(Crash).await.unwrap(),
                                true => {}
                            }
                        }
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.await.unwrap();
        }

        let mut total = Tally::default();
        for (actor, crash) in groups.iter().flatten() {
            // A restarted actor expects nothing: its sequence is empty.
            let tally = actor.report(if *crash { 0 } else { tells }).await.unwrap();
            if *crash {
                // Answered by the restarted instance: fresh state.
                assert_eq!(
                    tally,
                    Tally::default(),
                    "a restarted actor starts from fresh state"
                );
            } else {
                assert_eq!(
                    tally,
                    Tally {
                        received: tells,
                        ..Tally::default()
                    },
                    "actor {:?}",
                    actor.id()
                );
            }
            total.received += tally.received;
            total.lost += tally.lost;
            total.duplicated += tally.duplicated;
            total.reordered += tally.reordered;
        }
        let restarts = load(&made) - actors as u64;
        println!(
            "  sent {} tells to {} actors in {:.2?}; received {}, lost {}, duplicated {}, reordered {}",
            (actors as u64 - crashing) * tells,
            actors,
            started.elapsed(),
            total.received,
            total.lost,
            total.duplicated,
            total.reordered
        );
        println!("  crashing actors {crashing}, restarts observed {restarts}");
        assert_eq!(total.received, (actors as u64 - crashing) * tells);
        assert_eq!((total.lost, total.duplicated, total.reordered), (0, 0, 0));
        assert_eq!(restarts, crashing, "exactly one restart per crash");

        for sup in &supervisors {
            assert!(sup.is_alive(), "no supervisor gave up");
            sup.stop();
        }
        for sup in &supervisors {
            assert!(sup.wait_for_stop().await.is_normal());
        }
        assert!(groups.iter().flatten().all(|(a, _)| !a.is_alive()));
    }
}

// ---------------------------------------------------------------------------
// B2: messages queued behind a failure
// ---------------------------------------------------------------------------

mod b2_queued {
    use super::*;

    /// Records which instance handled which message.
    struct Queue {
        instance: u64,
        handled: u64,
        log: Arc<Mutex<Vec<(u64, u64)>>>,
    }

    #[actor]
    impl Queue {
        /// Signals `entered`, then waits for `release`.
        #[handler]
        async fn hold(
            &mut self,
            entered: oneshot::Sender<()>,
            release: oneshot::Receiver<()>,
        ) -> u64 {
            let _ = entered.send(());
            let _ = release.await;
            self.handled
        }

        #[handler]
        fn boom(&mut self) -> u64 {
            panic!("queue crashed on purpose")
        }

        #[handler]
        fn note(&mut self, tag: u64) {
            self.handled += 1;
            self.log.lock().unwrap().push((self.instance, tag));
        }

        #[handler]
        fn work(&mut self, tag: u64) -> u64 {
            self.handled += 1;
            self.log.lock().unwrap().push((self.instance, tag));
            self.handled
        }

        #[handler]
        fn handled(&self) -> u64 {
            self.handled
        }
    }

    /// B2. K = 500 by default (full size 10,000): K tells and K asks queued
    /// behind the failing ask.
    #[tokio::test]
    async fn b2_messages_queued_behind_a_failure_reach_the_next_instance() {
        let _memory = MEMORY.read().await;
        quiet_expected_panics();
        println!("B2: messages queued behind a failure");
        let k = size("K", 500, 10_000) as u64;
        let log = Arc::new(Mutex::new(Vec::new()));
        let made = counter();
        let builder = Supervisor::builder().backoff(Backoff::none());
        let factory = {
            let (log, made) = (log.clone(), made.clone());
            move || Queue {
                instance: made.fetch_add(1, Ordering::SeqCst) + 1,
                handled: 0,
                log: log.clone(),
            }
        };
        let queue: ActorRef<Queue> = builder.child(factory).capacity(2 * k as usize + 8).add();
        let sup = builder.spawn().await.unwrap();
        let id = queue.id();

        // The first instance is held inside a handler while the rest queues up.
        let (entered_tx, entered) = oneshot::channel();
        let (release, release_rx) = oneshot::channel();
        let held = tokio::spawn({
            let queue = queue.clone();
            async move { queue.hold(entered_tx, release_rx).await }
        });
        entered.await.unwrap();

        // In this exact mailbox order: the failing ask, then K tells and K asks,
        // alternating. Each ask is sent as it is made (the mailbox has room),
        // so making them in order, interleaved with the tells, fixes the order.
        let boom = queue.boom();
        let mut asks = Vec::with_capacity(k as usize);
        for i in 0..k {
            queue.try_tell(Note { tag: 2 * i }).unwrap();
            asks.push(queue.work(2 * i + 1));
        }
        let enqueued = 1 + 2 * k;

        release.send(()).unwrap();
        assert_eq!(
            held.await.unwrap(),
            Ok(0),
            "the held ask completes on the first instance"
        );
        assert_eq!(
            boom.await,
            Err(AskError::Panicked),
            "the failing ask gets the panic"
        );
        let mut resolved = 0;
        for (i, ask) in asks.into_iter().enumerate() {
            // The new instance handled the tell before it, and the earlier pairs.
            assert_eq!(ask.await, Ok(2 * i as u64 + 2));
            resolved += 1;
        }
        let handled = queue.handled().await.unwrap();
        let log = log.lock().unwrap().clone();
        let by_second: Vec<u64> = log
            .iter()
            .filter(|(inst, _)| *inst == 2)
            .map(|(_, tag)| *tag)
            .collect();
        println!(
            "  enqueued behind the hold {enqueued}; handled by the new instance {handled}; asks resolved Ok {resolved}/{k}; instances {}",
            load(&made)
        );
        assert_eq!(handled, enqueued - 1, "everything but the failing message");
        assert_eq!(
            by_second,
            (0..2 * k).collect::<Vec<_>>(),
            "in mailbox order, each once"
        );
        assert!(
            log.iter().all(|(inst, _)| *inst == 2),
            "the first instance handled none of them"
        );
        assert_eq!(load(&made), 2);
        assert_eq!(queue.id(), id, "same reference, same id");
        assert_eq!(queue.dead_letters(), 0);

        sup.stop();
        sup.wait_for_stop().await;
    }
}

// ---------------------------------------------------------------------------
// B3: intensity and backoff in virtual time
// ---------------------------------------------------------------------------

mod b3_timing {
    use super::*;

    /// A child that records when each of its instances started.
    struct Timed {
        handled: u64,
    }

    #[actor]
    impl Timed {
        #[handler]
        fn work(&mut self) -> u64 {
            self.handled += 1;
            self.handled
        }

        #[handler]
        fn crash(&mut self) {
            panic!("timed child crashed on purpose")
        }
    }

    fn timed_factory(starts: &Arc<Mutex<Vec<Instant>>>) -> impl FnMut() -> Timed + Send + 'static {
        let starts = starts.clone();
        move || {
            starts.lock().unwrap().push(Instant::now());
            Timed { handled: 0 }
        }
    }

    /// B3a. N = 3 restarts within T = 10 s are tolerated; the fourth within T
    /// escalates.
    #[tokio::test(start_paused = true)]
    async fn b3_intensity_n_within_t_then_escalate() {
        quiet_expected_panics();
        println!("B3a: restart intensity");
        const N: u32 = 3;
        const T: Duration = Duration::from_secs(10);
        let starts = Arc::new(Mutex::new(Vec::new()));
        let builder = Supervisor::builder()
            .intensity(N, T)
            .backoff(Backoff::none());
        let child: ActorRef<Timed> = builder.child(timed_factory(&starts)).add();
        let sup = builder.spawn().await.unwrap();
        let t0 = Instant::now();

        // Restarts spaced wider than T / N never fill the window.
        for _ in 0..2 * N {
            tokio::time::sleep(T / N + Duration::from_millis(100)).await;
            assert_eq!(child.crash().await, Err(AskError::Panicked));
            assert_eq!(child.work().await, Ok(1));
        }
        assert!(sup.is_alive());
        println!(
            "  {} restarts spaced {:?} apart over {:?}: tolerated",
            2 * N,
            T / N + Duration::from_millis(100),
            t0.elapsed()
        );

        // Then a burst, after the window has emptied: N restarts are fine...
        tokio::time::sleep(T + Duration::from_secs(1)).await;
        let burst = Instant::now();
        for i in 0..N {
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert_eq!(child.crash().await, Err(AskError::Panicked));
            assert_eq!(
                child.work().await,
                Ok(1),
                "restart {} of {N} within {T:?} is tolerated",
                i + 1
            );
            assert!(sup.is_alive());
        }
        // ...and one more within T escalates.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(child.crash().await, Err(AskError::Panicked));
        let reason = sup.wait_for_stop().await;
        let at = burst.elapsed();
        assert_eq!(intensity_exceeded(&reason), (N, T));
        println!("  restart {} within {at:?} escalated: {reason}", N + 1);
        assert!(at < T);
        // The child whose crash exhausted the intensity ends with that crash
        // (as OTP's monitor and Akka's `ChildFailed` report it); no further
        // start.
        assert!(matches!(
            child.wait_for_stop().await,
            StopReason::Panicked(_)
        ));
        assert_eq!(child.work().await, Err(AskError::Stopped));
        assert_eq!(
            starts.lock().unwrap().len(),
            1 + 2 * N as usize + N as usize
        );
    }

    /// B3b. Backoff `exponential(100 ms, 1 s).jitter(0.2)`: each delay at
    /// least 100, 200, 400, 800, 1000 ms and at most 20 % more (capped at
    /// 1 s): jitter only adds, as in Akka; back to ~100 ms after
    /// `reset_after`.
    #[tokio::test(start_paused = true)]
    async fn b3_backoff_delays_grow_and_reset() {
        quiet_expected_panics();
        println!("B3b: backoff delays");
        const JITTER: f64 = 0.2;
        let reset_after = Duration::from_secs(3);
        let backoff = Backoff::exponential(Duration::from_millis(100), Duration::from_secs(1))
            .jitter(JITTER)
            .reset_after(reset_after);
        let starts = Arc::new(Mutex::new(Vec::new()));
        let builder = Supervisor::builder()
            .intensity(1_000, Duration::from_secs(60))
            .backoff(backoff);
        let child: ActorRef<Timed> = builder.child(timed_factory(&starts)).add();
        let sup = builder.spawn().await.unwrap();

        // Crashes the child, then returns the delay until its next instance.
        let crash_and_measure = || async {
            assert_eq!(child.crash().await, Err(AskError::Panicked));
            let crashed = Instant::now();
            assert_eq!(child.work().await, Ok(1), "answered by a fresh instance");
            let started = *starts.lock().unwrap().last().unwrap();
            started - crashed
        };

        let check = |delay: Duration, base_ms: u64| {
            let base = Duration::from_millis(base_ms);
            let (lo, hi) = (base, base.mul_f64(1.0 + JITTER).min(Duration::from_secs(1)));
            println!("  base {base:>7?}: delay {delay:>12?} (allowed {lo:?} ..= {hi:?})");
            assert!(
                lo <= delay && delay <= hi,
                "delay {delay:?} outside [{lo:?}, {hi:?}] for base {base:?}"
            );
        };

        let mut delays = Vec::new();
        for base_ms in [100, 200, 400, 800, 1_000, 1_000] {
            let delay = crash_and_measure().await;
            check(delay, base_ms);
            delays.push((delay, base_ms));
        }
        // Jitter moves the delays: not every one sits exactly on its base.
        assert!(
            delays
                .iter()
                .any(|(d, b)| d.abs_diff(Duration::from_millis(*b)) > Duration::from_millis(1)),
            "no jitter seen in {delays:?}"
        );

        // Healthy for longer than `reset_after`: back to the minimum.
        tokio::time::sleep(reset_after + Duration::from_millis(500)).await;
        let delay = crash_and_measure().await;
        println!(
            "  after {:?} healthy (reset_after {reset_after:?}):",
            reset_after + Duration::from_millis(500)
        );
        check(delay, 100);
        // And it grows again from there.
        check(crash_and_measure().await, 200);

        assert!(
            sup.is_alive(),
            "a high intensity: backoff alone never escalates"
        );
        sup.stop();
        sup.wait_for_stop().await;
    }
}

// ---------------------------------------------------------------------------
// B4: strategy conformance (after OTP's supervisor_SUITE)
// ---------------------------------------------------------------------------

mod b4_conformance {
    use super::*;

    /// A child that logs its starts and stops and counts its messages.
    struct Member {
        name: &'static str,
        log: Log,
        handled: u64,
        /// How long `on_stop` takes, if at all.
        stop_delay: Option<Duration>,
    }

    #[actor]
    impl Member {
        #[on_start]
        fn start(&mut self) {
            self.log.push(format!("{} start", self.name));
        }

        #[on_stop]
        async fn stopped(&mut self, reason: &StopReason) {
            self.log.push(format!("{} stop: {reason}", self.name));
            if let Some(delay) = self.stop_delay {
                tokio::time::sleep(delay).await;
                self.log.push(format!("{} stop done", self.name));
            }
        }

        #[handler]
        fn work(&mut self) -> u64 {
            self.handled += 1;
            self.handled
        }

        #[handler]
        fn crash(&mut self) -> u64 {
            panic!("{} crashed on purpose", self.name)
        }

        #[handler]
        fn quit(&mut self, ctx: &mut Context<Self>) {
            ctx.stop();
        }

        #[handler]
        fn give_up(&mut self, ctx: &mut Context<Self>) {
            ctx.fail("gave up");
        }

        /// Signals `entered`, then never returns.
        #[handler]
        async fn hang(&mut self, entered: oneshot::Sender<()>) -> u64 {
            let _ = entered.send(());
            pending::<()>().await;
            0
        }
    }

    /// One declared child of a test supervisor: its reference and its starts.
    struct Declared {
        actor: ActorRef<Member>,
        starts: Arc<AtomicU32>,
    }

    impl Declared {
        fn starts(&self) -> u32 {
            self.starts.load(Ordering::SeqCst)
        }
    }

    fn member(
        name: &'static str,
        log: &Log,
        starts: &Arc<AtomicU32>,
    ) -> impl FnMut() -> Member + Send + 'static {
        let (log, starts) = (log.clone(), starts.clone());
        move || {
            starts.fetch_add(1, Ordering::SeqCst);
            Member {
                name,
                log: log.clone(),
                handled: 0,
                stop_delay: None,
            }
        }
    }

    fn declare(
        builder: &typact::SupervisorBuilder,
        name: &'static str,
        log: &Log,
        restart: Restart,
    ) -> Declared {
        let starts = Arc::new(AtomicU32::new(0));
        let actor = builder
            .child(member(name, log, &starts))
            .restart(restart)
            .add();
        Declared { actor, starts }
    }

    fn quick(strategy: Strategy) -> typact::SupervisorBuilder {
        Supervisor::builder()
            .strategy(strategy)
            .intensity(100, Duration::from_secs(60))
            .backoff(Backoff::none())
    }

    /// Like OTP's `one_for_all`: one failure restarts every child, in order.
    #[tokio::test]
    async fn b4_one_for_all_restarts_the_whole_set() {
        quiet_expected_panics();
        let log = Log::default();
        let builder = quick(Strategy::OneForAll);
        let kids: Vec<Declared> = ["a", "b", "c"]
            .map(|n| declare(&builder, n, &log, Restart::Permanent))
            .into();
        let sup = builder.spawn().await.unwrap();
        for k in &kids {
            assert_eq!(k.actor.work().await, Ok(1));
            assert_eq!(k.actor.work().await, Ok(2));
        }
        let before = log.get().len();
        assert_eq!(kids[1].actor.crash().await, Err(AskError::Panicked));
        for k in &kids {
            assert_eq!(k.actor.work().await, Ok(1), "every child has fresh state");
        }
        let starts: Vec<u32> = kids.iter().map(Declared::starts).collect();
        println!(
            "B4 one_for_all: starts after b crashed {starts:?}; log {:?}",
            &log.get()[before..]
        );
        assert_eq!(starts, [2, 2, 2]);
        let log = &log.get()[before..];
        // The siblings are stopped in reverse order, all before any restart,
        // then everyone restarts in declaration order.
        assert_eq!(
            matching(log, " stop: stopped normally"),
            ["c stop: stopped normally", "a stop: stopped normally"]
        );
        assert_eq!(matching(log, " start"), ["a start", "b start", "c start"]);
        assert_stops_before_starts(log, "siblings stop before any restart");
        assert!(sup.is_alive());
    }

    /// Like OTP's `rest_for_one`: the failed child and those declared after it
    /// restart; the earlier ones keep running with their state.
    #[tokio::test]
    async fn b4_rest_for_one_restarts_later_siblings_only() {
        quiet_expected_panics();
        let log = Log::default();
        let builder = quick(Strategy::RestForOne);
        let kids: Vec<Declared> = ["a", "b", "c", "d"]
            .map(|n| declare(&builder, n, &log, Restart::Permanent))
            .into();
        let _sup = builder.spawn().await.unwrap();
        for k in &kids {
            assert_eq!(k.actor.work().await, Ok(1));
        }
        let before = log.get().len();
        assert_eq!(kids[1].actor.crash().await, Err(AskError::Panicked));
        let counts: Vec<u64> = {
            let mut v = Vec::new();
            for k in &kids {
                v.push(k.actor.work().await.unwrap());
            }
            v
        };
        let starts: Vec<u32> = kids.iter().map(Declared::starts).collect();
        println!("B4 rest_for_one: starts after b crashed {starts:?}, handled counts {counts:?}");
        assert_eq!(starts, [1, 2, 2, 2]);
        assert_eq!(
            counts,
            [2, 1, 1, 1],
            "a kept its state; b, c and d are fresh"
        );
        let log = &log.get()[before..];
        assert_eq!(
            matching(log, " stop: stopped normally"),
            ["d stop: stopped normally", "c stop: stopped normally"]
        );
        assert_eq!(matching(log, " start"), ["b start", "c start", "d start"]);
        assert_stops_before_starts(log, "later siblings stop before any restart");
    }

    /// Like OTP's temporary children: never restarted, whatever the reason, and
    /// removed from the supervisor.
    #[tokio::test]
    async fn b4_temporary_child_is_never_restarted() {
        quiet_expected_panics();
        let log = Log::default();
        let builder = quick(Strategy::OneForOne);
        let keep = declare(&builder, "keep", &log, Restart::Permanent);
        let crashes = declare(&builder, "crashes", &log, Restart::Temporary);
        let quits = declare(&builder, "quits", &log, Restart::Temporary);
        let sup = builder.spawn().await.unwrap();
        assert_eq!(
            sup.children().await.unwrap(),
            [keep.actor.id(), crashes.actor.id(), quits.actor.id()]
        );

        assert_eq!(crashes.actor.crash().await, Err(AskError::Panicked));
        assert_eq!(crashes.actor.work().await, Err(AskError::Stopped));
        assert!(matches!(
            crashes.actor.wait_for_stop().await,
            StopReason::Panicked(_)
        ));

        quits.actor.quit().await.unwrap();
        assert_eq!(quits.actor.work().await, Err(AskError::Stopped));
        assert!(quits.actor.wait_for_stop().await.is_normal());

        let children = sup.children().await.unwrap();
        println!(
            "B4 temporary: starts {} and {}, children left {children:?}",
            crashes.starts(),
            quits.starts()
        );
        assert_eq!((crashes.starts(), quits.starts()), (1, 1));
        assert_eq!(children, [keep.actor.id()]);
        assert_eq!(keep.actor.work().await, Ok(1));
    }

    /// Like OTP's transient children: a normal stop is final, a failure (a
    /// panic or `Context::fail`) restarts. A permanent child restarts even
    /// after a normal stop.
    #[tokio::test]
    async fn b4_transient_restarts_only_after_a_failure() {
        quiet_expected_panics();
        let log = Log::default();
        let builder = quick(Strategy::OneForOne);
        let panics = declare(&builder, "panics", &log, Restart::Transient);
        let fails = declare(&builder, "fails", &log, Restart::Transient);
        let quits = declare(&builder, "quits", &log, Restart::Transient);
        let permanent = declare(&builder, "permanent", &log, Restart::Permanent);
        let sup = builder.spawn().await.unwrap();

        assert_eq!(panics.actor.work().await, Ok(1));
        assert_eq!(panics.actor.crash().await, Err(AskError::Panicked));
        assert_eq!(panics.actor.work().await, Ok(1), "restarted after a panic");

        fails.actor.give_up().await.unwrap();
        assert_eq!(
            fails.actor.work().await,
            Ok(1),
            "restarted after Context::fail"
        );

        quits.actor.quit().await.unwrap();
        assert_eq!(
            quits.actor.work().await,
            Err(AskError::Stopped),
            "a normal stop is final"
        );
        assert!(quits.actor.wait_for_stop().await.is_normal());

        permanent.actor.quit().await.unwrap();
        assert_eq!(
            permanent.actor.work().await,
            Ok(1),
            "a permanent child restarts after a normal stop"
        );

        let starts = [
            panics.starts(),
            fails.starts(),
            quits.starts(),
            permanent.starts(),
        ];
        let children = sup.children().await.unwrap();
        println!(
            "B4 transient: starts [panics, fails, quits, permanent] = {starts:?}; {} children left",
            children.len()
        );
        assert_eq!(starts, [2, 2, 1, 2]);
        assert_eq!(
            children,
            [panics.actor.id(), fails.actor.id(), permanent.actor.id()]
        );
    }

    /// Like OTP's `exit(Child, kill)`: a killed permanent child is restarted
    /// behind the same reference, with the messages queued behind it.
    #[tokio::test]
    async fn b4_killed_child_is_restarted() {
        quiet_expected_panics();
        let log = Log::default();
        let builder = quick(Strategy::OneForOne);
        let victim = declare(&builder, "victim", &log, Restart::Permanent);
        let sup = builder.spawn().await.unwrap();
        let (entered_tx, entered) = oneshot::channel();
        let hung = tokio::spawn({
            let victim = victim.actor.clone();
            async move { victim.hang(entered_tx).await }
        });
        entered.await.unwrap();
        let queued = tokio::spawn({
            let victim = victim.actor.clone();
            async move { victim.work().await }
        });
        tokio::task::yield_now().await;
        victim.actor.kill();
        assert_eq!(
            hung.await.unwrap(),
            Err(AskError::Stopped),
            "the killed handler's ask"
        );
        let bound = Duration::from_secs(10);
        let after = tokio::time::timeout(bound, queued)
            .await
            .map(Result::unwrap);
        let next = victim.actor.work().timeout(bound).await;
        println!(
            "B4 kill: queued ask after the kill {after:?}, next ask {next:?}, starts {}",
            victim.starts()
        );
        assert_eq!(
            after,
            Ok(Ok(1)),
            "the queued ask is answered by the restarted instance"
        );
        assert_eq!(next, Ok(2));
        assert_eq!(victim.starts(), 2);
        assert!(victim.actor.is_alive());
        assert_eq!(sup.children().await.unwrap(), [victim.actor.id()]);
    }

    /// Children stop in reverse declaration order when their supervisor stops.
    #[tokio::test]
    async fn b4_children_stop_in_reverse_order() {
        let log = Log::default();
        let builder = quick(Strategy::OneForOne);
        let kids: Vec<Declared> = ["a", "b", "c", "d"]
            .map(|n| declare(&builder, n, &log, Restart::Permanent))
            .into();
        let sup = builder.spawn().await.unwrap();
        sup.stop();
        assert!(sup.wait_for_stop().await.is_normal());
        let stops: Vec<String> = log
            .get()
            .into_iter()
            .filter(|e| e.contains(" stop"))
            .collect();
        println!("B4 stop order: {stops:?}");
        assert_eq!(
            stops,
            [
                "d stop: stopped normally",
                "c stop: stopped normally",
                "b stop: stopped normally",
                "a stop: stopped normally"
            ]
        );
        for k in &kids {
            assert!(k.actor.wait_for_stop().await.is_normal());
        }
    }

    /// Stops `sup` and checks that this took the stuck child's shutdown
    /// time (on a paused clock, give or take scheduling) and that the child
    /// was aborted, which it reports as `Killed`.
    async fn stop_aborts_after_shutdown<A: Actor>(
        sup: &ActorRef<Supervisor>,
        stuck: &ActorRef<A>,
        shutdown: Duration,
        what: &str,
    ) {
        let t0 = Instant::now();
        sup.stop();
        assert!(sup.wait_for_stop().await.is_normal());
        let elapsed = t0.elapsed();
        let reason = stuck.wait_for_stop().await;
        println!(
            "B4 shutdown ({what}): supervisor stopped after {elapsed:?} (shutdown {shutdown:?}); stuck child: {reason}"
        );
        assert!(
            elapsed >= shutdown && elapsed < shutdown + Duration::from_millis(100),
            "{elapsed:?}"
        );
        assert!(
            matches!(reason, StopReason::Killed),
            "an aborted child reports Killed, got {reason:?}"
        );
    }

    /// A child stuck in a handler is aborted after its shutdown time; its
    /// siblings still stop normally.
    #[tokio::test(start_paused = true)]
    async fn b4_child_stuck_in_a_handler_is_aborted_after_its_shutdown_time() {
        let log = Log::default();
        let shutdown = Duration::from_secs(2);
        let builder = quick(Strategy::OneForOne);
        let polite = declare(&builder, "polite", &log, Restart::Permanent);
        let stuck_starts = Arc::new(AtomicU32::new(0));
        let stuck = builder
            .child(member("stuck", &log, &stuck_starts))
            .shutdown(shutdown)
            .add();
        let sup = builder.spawn().await.unwrap();

        let (entered_tx, entered) = oneshot::channel();
        let hung = tokio::spawn({
            let stuck = stuck.clone();
            async move { stuck.hang(entered_tx).await }
        });
        entered.await.unwrap();

        stop_aborts_after_shutdown(&sup, &stuck, shutdown, "stuck handler").await;
        assert_eq!(hung.await.unwrap(), Err(AskError::Stopped));
        assert!(polite.actor.wait_for_stop().await.is_normal());
        let log = log.get();
        assert!(log.contains(&"polite stop: stopped normally".to_owned()));
        assert!(
            !log.iter().any(|e| e.starts_with("stuck stop")),
            "an aborted child's on_stop does not run: {log:?}"
        );
    }

    /// A child whose `on_stop` hangs is aborted after its shutdown time too.
    #[tokio::test(start_paused = true)]
    async fn b4_child_stuck_in_on_stop_is_aborted_after_its_shutdown_time() {
        let log = Log::default();
        let shutdown = Duration::from_secs(2);
        let builder = quick(Strategy::OneForOne);
        let polite = declare(&builder, "polite", &log, Restart::Permanent);
        let stuck = {
            let log = log.clone();
            builder
                .child(move || Member {
                    name: "stuck",
                    log: log.clone(),
                    handled: 0,
                    stop_delay: Some(Duration::from_secs(3_600)),
                })
                .shutdown(shutdown)
                .add()
        };
        let sup = builder.spawn().await.unwrap();
        assert_eq!(stuck.work().await, Ok(1));

        stop_aborts_after_shutdown(&sup, &stuck, shutdown, "stuck on_stop").await;
        assert!(polite.actor.wait_for_stop().await.is_normal());
        let log = log.get();
        assert!(
            log.contains(&"stuck stop: stopped normally".to_owned()),
            "{log:?}"
        );
        assert!(!log.contains(&"stuck stop done".to_owned()), "{log:?}");
    }

    /// A crashed child's end hook runs as it fails, before its backoff; a
    /// hook that overruns the child's shutdown time is aborted at that time,
    /// so neither the restart nor a stop of the supervisor waits longer.
    #[tokio::test(start_paused = true)]
    async fn b4_crashed_child_in_backoff_stops_within_its_shutdown_time() {
        quiet_expected_panics();
        let log = Log::default();
        let shutdown = Duration::from_secs(2);
        let builder = Supervisor::builder()
            .intensity(100, Duration::from_secs(60))
            .backoff(Backoff::exponential(
                Duration::from_secs(30),
                Duration::from_secs(60),
            ));
        let stuck = {
            let log = log.clone();
            builder
                .child(move || Member {
                    name: "stuck",
                    log: log.clone(),
                    handled: 0,
                    stop_delay: Some(Duration::from_secs(3_600)),
                })
                .shutdown(shutdown)
                .add()
        };
        let sup = builder.spawn().await.unwrap();
        let t0 = Instant::now();
        assert_eq!(stuck.crash().await, Err(AskError::Panicked));
        tokio::time::sleep(Duration::from_secs(1)).await; // within the 30 s backoff
        sup.stop();
        assert!(sup.wait_for_stop().await.is_normal());
        let elapsed = t0.elapsed();
        let reason = stuck.wait_for_stop().await;
        println!(
            "B4 shutdown (crashed child in backoff, stuck end hook): supervisor stopped {elapsed:?} after the crash (shutdown {shutdown:?}); stuck child: {reason}"
        );
        assert!(
            elapsed >= shutdown && elapsed < shutdown + Duration::from_millis(100),
            "{elapsed:?}"
        );
        assert!(matches!(reason, StopReason::Killed), "{reason:?}");
    }

    /// An inner supervisor that exceeds its intensity fails; the outer one
    /// restarts it, which restarts its children behind their old references.
    #[tokio::test]
    async fn b4_escalation_through_nested_supervisors() {
        quiet_expected_panics();
        let log = Log::default();
        let inner = Supervisor::builder()
            .intensity(1, Duration::from_secs(60))
            .backoff(Backoff::none());
        let x = declare(&inner, "x", &log, Restart::Permanent);
        let y = declare(&inner, "y", &log, Restart::Permanent);
        let (x_id, y_id) = (x.actor.id(), y.actor.id());
        let inner_made = Arc::new(AtomicU32::new(0));
        let mut make_inner = inner.into_factory();
        let outer = Supervisor::builder()
            .intensity(5, Duration::from_secs(60))
            .backoff(Backoff::none());
        let inner_ref: ActorRef<Supervisor> = outer
            .child({
                let inner_made = inner_made.clone();
                move || {
                    inner_made.fetch_add(1, Ordering::SeqCst);
                    make_inner()
                }
            })
            .add();
        let outer = outer.spawn().await.unwrap();

        assert_eq!(x.actor.work().await, Ok(1));
        assert_eq!(y.actor.work().await, Ok(1));
        assert_eq!(y.actor.work().await, Ok(2));
        // One restart is within the inner intensity...
        assert_eq!(x.actor.crash().await, Err(AskError::Panicked));
        assert_eq!(x.actor.work().await, Ok(1));
        assert_eq!(y.actor.work().await, Ok(3), "one_for_one: y untouched");
        assert_eq!(inner_made.load(Ordering::SeqCst), 1);
        // ...the second is not: the inner supervisor fails and is restarted.
        assert_eq!(x.actor.crash().await, Err(AskError::Panicked));
        assert_eq!(
            x.actor.work().await,
            Ok(1),
            "x answers through its old reference"
        );
        assert_eq!(
            y.actor.work().await,
            Ok(1),
            "y was restarted with the inner supervisor"
        );

        let figures = (inner_made.load(Ordering::SeqCst), x.starts(), y.starts());
        println!(
            "B4 nested: inner supervisor instances {}, x starts {}, y starts {}",
            figures.0, figures.1, figures.2
        );
        assert_eq!(figures, (2, 3, 2));
        assert_eq!((x.actor.id(), y.actor.id()), (x_id, y_id));
        assert_eq!(outer.children().await.unwrap(), [inner_ref.id()]);
        assert_eq!(inner_ref.children().await.unwrap(), [x_id, y_id]);

        outer.stop();
        assert!(outer.wait_for_stop().await.is_normal());
        assert!(inner_ref.wait_for_stop().await.is_normal());
        assert!(x.actor.wait_for_stop().await.is_normal());
        assert!(y.actor.wait_for_stop().await.is_normal());
    }

    /// The same escalation with children whose `on_stop` takes a while: the
    /// restarted inner supervisor must wait until each child is parked (its
    /// hook done and its mailbox handed back) before starting it again.
    #[tokio::test(start_paused = true)]
    async fn b4_escalation_waits_for_slow_stop_hooks() {
        quiet_expected_panics();
        let log = Log::default();
        let inner = Supervisor::builder()
            .intensity(0, Duration::from_secs(60))
            .backoff(Backoff::none());
        let slow = |name: &'static str, starts: &Arc<AtomicU32>| {
            let (log, starts) = (log.clone(), starts.clone());
            move || {
                starts.fetch_add(1, Ordering::SeqCst);
                Member {
                    name,
                    log: log.clone(),
                    handled: 0,
                    stop_delay: Some(Duration::from_millis(50)),
                }
            }
        };
        let (x_starts, y_starts) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let x = inner.child(slow("x", &x_starts)).add();
        let y = inner.child(slow("y", &y_starts)).add();
        let outer = Supervisor::builder()
            .intensity(5, Duration::from_secs(60))
            .backoff(Backoff::none());
        let _inner: ActorRef<Supervisor> = outer.child(inner.into_factory()).add();
        let outer = outer.spawn().await.unwrap();

        assert_eq!(y.work().await, Ok(1));
        assert_eq!(x.crash().await, Err(AskError::Panicked));
        let bound = Duration::from_secs(60);
        let (xr, yr) = (x.work().timeout(bound).await, y.work().timeout(bound).await);
        let starts = (
            x_starts.load(Ordering::SeqCst),
            y_starts.load(Ordering::SeqCst),
        );
        println!(
            "B4 nested, slow on_stop: after the inner restart x answered {xr:?}, y answered {yr:?}; starts {starts:?}"
        );
        assert_eq!(
            (xr, yr),
            (Ok(1), Ok(1)),
            "both children run again behind their references"
        );
        assert_eq!(starts, (2, 2));
        outer.stop();
        outer.wait_for_stop().await;
    }

    /// When the outer supervisor gives up too, the whole tree stops.
    #[tokio::test]
    async fn b4_escalation_to_the_root_stops_the_tree() {
        quiet_expected_panics();
        let log = Log::default();
        let inner = Supervisor::builder()
            .intensity(0, Duration::from_secs(60))
            .backoff(Backoff::none());
        let x = declare(&inner, "x", &log, Restart::Permanent);
        let y = declare(&inner, "y", &log, Restart::Permanent);
        let outer = Supervisor::builder()
            .intensity(0, Duration::from_secs(60))
            .backoff(Backoff::none());
        let inner_ref: ActorRef<Supervisor> = outer.child(inner.into_factory()).add();
        let outer = outer.spawn().await.unwrap();

        assert_eq!(x.actor.crash().await, Err(AskError::Panicked));
        let reason = outer.wait_for_stop().await;
        println!(
            "B4 nested, root gives up: outer {reason}; inner {}",
            inner_ref.wait_for_stop().await
        );
        intensity_exceeded(&reason);
        assert!(!inner_ref.is_alive());
        assert_eq!(x.actor.work().await, Err(AskError::Stopped));
        assert_eq!(y.actor.work().await, Err(AskError::Stopped));
        assert_eq!((x.starts(), y.starts()), (1, 1));
    }
}

// ---------------------------------------------------------------------------
// B5: dynamic children churn
// ---------------------------------------------------------------------------

mod b5_churn {
    use super::*;

    #[derive(Default)]
    struct Echo {
        seen: u64,
    }

    #[actor]
    impl Echo {
        #[handler]
        fn reply(&mut self, n: u64) -> u64 {
            self.seen += 1;
            n
        }
    }

    /// B5. 20,000 cycles by default (full size 1,000,000), after a warm-up of
    /// 2,000.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn b5_dynamic_child_churn_leaks_nothing() {
        let _memory = MEMORY.write().await;
        println!("B5: dynamic child churn");
        let cycles = size("cycles", 20_000, 1_000_000) as u64;
        const WARM_UP: u64 = 2_000;
        let baseline_tasks = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        let sup = Supervisor::builder()
            .backoff(Backoff::none())
            .spawn()
            .await
            .unwrap();

        let cycle = |n: u64| {
            let sup = &sup;
            async move {
                let child = sup
                    .child(Echo::default)
                    .restart(Restart::Temporary)
                    .start()
                    .await
                    .unwrap();
                assert_eq!(child.reply(n).await, Ok(n));
                child.stop();
                assert!(child.wait_for_stop().await.is_normal());
            }
        };
        for n in 0..WARM_UP {
            cycle(n).await;
        }
        let rss_before = rss_kib();
        let started = std::time::Instant::now();
        for n in 0..cycles {
            cycle(n).await;
        }
        let took = started.elapsed();
        let rss_after = rss_kib();

        let children = sup.children().await.unwrap();
        // The supervisor's own task is allowed.
        let tasks = settle_tasks(baseline_tasks + 1).await;
        let growth = rss_after.zip(rss_before).map(|(a, b)| a as i64 - b as i64);
        println!(
            "  {cycles} cycles in {took:.2?} ({:.1} µs each); tasks baseline {baseline_tasks}, after {tasks}; children left {}; VmRSS {rss_before:?} -> {rss_after:?} KiB (growth {growth:?} KiB)",
            took.as_secs_f64() * 1e6 / cycles as f64,
            children.len()
        );
        assert!(children.is_empty());
        assert!(
            tasks <= baseline_tasks + 1,
            "tasks outlived their children: {tasks} > {baseline_tasks} + 1"
        );
        if let Some(growth) = growth {
            assert!(
                growth < 16 * 1024,
                "VmRSS grew by {growth} KiB over {cycles} cycles"
            );
        }

        sup.stop();
        sup.wait_for_stop().await;
        assert!(settle_tasks(baseline_tasks).await <= baseline_tasks);
    }
}

// ---------------------------------------------------------------------------
// B6: shutdown with messages in flight
// ---------------------------------------------------------------------------

mod b6_shutdown {
    use super::*;

    /// Handles each tell slowly, counting it once it is done.
    struct Slow {
        handled: Arc<AtomicU64>,
    }

    #[actor]
    impl Slow {
        #[handler]
        async fn chew(&mut self) {
            tokio::time::sleep(Duration::from_millis(1)).await;
            self.handled.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// B6. K = 20,000 tells by default (full size 200,000), to 8 children of
    /// two inner supervisors under one root.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn b6_shutdown_accounts_for_every_message_in_flight() {
        let _memory = MEMORY.read().await;
        println!("B6: shutdown with messages in flight");
        let k = size("K (tells offered)", 20_000, 200_000) as u64;
        const INNER: usize = 2;
        const PER_INNER: usize = 4;
        let handled = counter();
        let root = Supervisor::builder().backoff(Backoff::none());
        let mut children: Vec<ActorRef<Slow>> = Vec::new();
        for _ in 0..INNER {
            let inner = Supervisor::builder().backoff(Backoff::none());
            for _ in 0..PER_INNER {
                let handled = handled.clone();
                children.push(
                    inner
                        .child(move || Slow {
                            handled: handled.clone(),
                        })
                        .capacity(64)
                        .add(),
                );
            }
            let _inner: ActorRef<Supervisor> = root.child(inner.into_factory()).add();
        }
        let root = root.spawn().await.unwrap();

        // One sender per child; each stops at its first refused tell.
        let sent = counter();
        let per_child = k / children.len() as u64;
        let senders: Vec<_> = children
            .iter()
            .cloned()
            .map(|child| {
                let sent = sent.clone();
                tokio::spawn(async move {
                    for _ in 0..per_child {
                        if child.tell(Chew).await.is_err() {
                            return;
                        }
                        sent.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();

        // Stop the root once a tenth is handled, while the senders still send.
        while load(&handled) < k / 10 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        root.stop();
        assert!(root.wait_for_stop().await.is_normal());
        for sender in senders {
            sender.await.unwrap();
        }
        let dead: u64 = children.iter().map(ActorRef::dead_letters).sum();
        let (sent, handled) = (load(&sent), load(&handled));
        println!(
            "  offered {k}, sent {sent}, handled {handled}, dead letters {dead}, handled + dead = {}",
            handled + dead
        );
        assert!(children.iter().all(|c| !c.is_alive()));
        assert!(
            dead > 0,
            "the test stopped the tree with messages in flight"
        );
        assert_eq!(
            handled + dead,
            sent,
            "every accepted tell is handled or a dead letter"
        );
    }
}

// ---------------------------------------------------------------------------
// P1: a one-for-one supervisor against a model
// ---------------------------------------------------------------------------

mod p1_model {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::{Just, ProptestConfig, prop_oneof};
    use proptest::strategy::Strategy as _;
    use proptest::test_runner::{TestCaseError, TestRunner};
    use proptest::{prop_assert, prop_assert_eq};

    /// Counts the messages its current instance handled.
    struct Counted {
        handled: u64,
    }

    #[actor]
    impl Counted {
        #[handler]
        fn bump(&mut self) -> u64 {
            self.handled += 1;
            self.handled
        }

        #[handler]
        fn count(&self) -> u64 {
            self.handled
        }

        #[handler]
        fn explode(&mut self) -> u64 {
            panic!("counted child exploded on purpose")
        }

        #[handler]
        fn leave(&mut self, ctx: &mut Context<Self>) {
            ctx.stop();
        }
    }

    /// One step against the supervisor; children are picked by index modulo
    /// the number of children ever added, so stopped ones are picked too.
    #[derive(Clone, Debug)]
    enum Op {
        /// Ask the child to count a message.
        Send(usize),
        /// Make the child's handler panic.
        Panic(usize),
        /// Make the child stop itself normally (`ctx.stop()`).
        Stop(usize),
        /// Add a dynamic child.
        Add(Restart),
    }

    fn restart_type() -> impl proptest::strategy::Strategy<Value = Restart> {
        prop_oneof![
            Just(Restart::Permanent),
            Just(Restart::Transient),
            Just(Restart::Temporary)
        ]
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        prop_oneof![
            4 => (0..8usize).prop_map(Op::Send),
            2 => (0..8usize).prop_map(Op::Panic),
            2 => (0..8usize).prop_map(Op::Stop),
            1 => restart_type().prop_map(Op::Add),
        ]
    }

    /// What the model says about one child.
    #[derive(Debug)]
    struct Model {
        restart: Restart,
        alive: bool,
        /// Messages handled by the current instance.
        handled: u64,
        /// Instances made by the factory.
        starts: u32,
    }

    impl Model {
        fn new(restart: Restart) -> Self {
            Model {
                restart,
                alive: true,
                handled: 0,
                starts: 1,
            }
        }

        /// The instance ended: a permanent child always restarts, a
        /// transient one only after a failure, a temporary one never.
        fn ended(&mut self, failure: bool) {
            let restart = match self.restart {
                Restart::Permanent => true,
                Restart::Transient => failure,
                Restart::Temporary => false,
            };
            if restart {
                self.handled = 0;
                self.starts += 1;
            } else {
                self.alive = false;
            }
        }
    }

    /// The real counterpart of a [`Model`].
    struct Real {
        actor: ActorRef<Counted>,
        starts: Arc<AtomicU32>,
    }

    fn factory(starts: &Arc<AtomicU32>) -> impl FnMut() -> Counted + Send + 'static {
        let starts = starts.clone();
        move || {
            starts.fetch_add(1, Ordering::SeqCst);
            Counted { handled: 0 }
        }
    }

    #[derive(Debug, Default)]
    struct Stats {
        cases: u64,
        ops: u64,
        restarts: u64,
        removed: u64,
        most_children: usize,
    }

    /// Compares every child, and the supervisor's list, with the model.
    async fn compare(
        sup: &ActorRef<Supervisor>,
        model: &[Model],
        real: &[Real],
    ) -> Result<(), TestCaseError> {
        for (i, (m, r)) in model.iter().zip(real).enumerate() {
            if m.alive {
                // Answered by the current instance, restarted if it had to be.
                prop_assert_eq!(r.actor.count().await, Ok(m.handled), "child {} {:?}", i, m);
                prop_assert!(r.actor.is_alive(), "child {} should be alive", i);
            } else {
                let stopped =
                    tokio::time::timeout(Duration::from_secs(5), r.actor.wait_for_stop()).await;
                prop_assert!(stopped.is_ok(), "child {} should have stopped: {:?}", i, m);
                prop_assert_eq!(r.actor.count().await, Err(AskError::Stopped));
            }
            prop_assert_eq!(
                r.starts.load(Ordering::SeqCst),
                m.starts,
                "starts of child {} {:?}",
                i,
                m
            );
        }
        let expected: Vec<ActorId> = model
            .iter()
            .zip(real)
            .filter(|(m, _)| m.alive)
            .map(|(_, r)| r.actor.id())
            .collect();
        prop_assert_eq!(sup.children().await.unwrap(), expected);
        Ok(())
    }

    async fn run_case(
        declared: Vec<Restart>,
        ops: Vec<Op>,
        stats: &Mutex<Stats>,
    ) -> Result<(), TestCaseError> {
        let builder = Supervisor::builder()
            .strategy(Strategy::OneForOne)
            .intensity(10_000, Duration::from_secs(60))
            .backoff(Backoff::none());
        let mut model: Vec<Model> = Vec::new();
        let mut real: Vec<Real> = Vec::new();
        for restart in declared {
            let starts = Arc::new(AtomicU32::new(0));
            let actor = builder.child(factory(&starts)).restart(restart).add();
            model.push(Model::new(restart));
            real.push(Real { actor, starts });
        }
        let sup = builder.spawn().await.unwrap();
        compare(&sup, &model, &real).await?;

        for op in &ops {
            match *op {
                Op::Add(restart) => {
                    let starts = Arc::new(AtomicU32::new(0));
                    let actor = sup
                        .child(factory(&starts))
                        .restart(restart)
                        .start()
                        .await
                        .unwrap();
                    model.push(Model::new(restart));
                    real.push(Real { actor, starts });
                }
                Op::Send(i) => {
                    let i = i % model.len();
                    let got = real[i].actor.bump().await;
                    if model[i].alive {
                        model[i].handled += 1;
                        prop_assert_eq!(got, Ok(model[i].handled), "{:?}", op);
                    } else {
                        prop_assert_eq!(got, Err(AskError::Stopped), "{:?}", op);
                    }
                }
                Op::Panic(i) => {
                    let i = i % model.len();
                    let got = real[i].actor.explode().await;
                    if model[i].alive {
                        prop_assert_eq!(got, Err(AskError::Panicked), "{:?}", op);
                        model[i].ended(true);
                    } else {
                        prop_assert_eq!(got, Err(AskError::Stopped), "{:?}", op);
                    }
                }
                Op::Stop(i) => {
                    let i = i % model.len();
                    let got = real[i].actor.leave().await;
                    if model[i].alive {
                        prop_assert_eq!(got, Ok(()), "{:?}", op);
                        model[i].ended(false);
                    } else {
                        prop_assert_eq!(got, Err(AskError::Stopped), "{:?}", op);
                    }
                }
            }
            compare(&sup, &model, &real).await?;
        }

        sup.stop();
        prop_assert!(sup.wait_for_stop().await.is_normal());
        for r in &real {
            prop_assert!(!r.actor.is_alive());
        }
        let mut stats = stats.lock().unwrap();
        stats.cases += 1;
        stats.ops += ops.len() as u64;
        stats.restarts += model.iter().map(|m| u64::from(m.starts - 1)).sum::<u64>();
        stats.removed += model.iter().filter(|m| !m.alive).count() as u64;
        stats.most_children = stats.most_children.max(model.len());
        Ok(())
    }

    /// P1. 256 cases of up to 40 operations by default (full size 4,096).
    #[test]
    fn p1_one_for_one_supervisor_matches_its_model() {
        let _memory = MEMORY.blocking_read();
        quiet_expected_panics();
        println!("P1: one-for-one supervisor against a model");
        let cases = size("cases", 256, 4_096) as u32;
        let config = ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        };
        let mut runner = TestRunner::new(config);
        let stats = Mutex::new(Stats::default());
        let started = std::time::Instant::now();
        let result = runner.run(
            &(vec(restart_type(), 1..=4), vec(op(), 1..=40)),
            |(declared, ops)| {
                // A fresh runtime per case, so no state leaks from one to the next.
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(run_case(declared, ops, &stats))
            },
        );
        if let Err(failure) = result {
            panic!("{failure}");
        }
        let stats = stats.into_inner().unwrap();
        println!(
            "  {} passing cases in {:.2?} (shrinking runs not counted): {} operations, {} restarts, {} children stopped for good, at most {} children in a case",
            stats.cases,
            started.elapsed(),
            stats.ops,
            stats.restarts,
            stats.removed,
            stats.most_children
        );
        assert!(stats.cases >= u64::from(cases));
    }
}
