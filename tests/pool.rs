//! Pools: routing, asks through the pool, supervision of workers,
//! autoscaling bounds and hysteresis (in paused time), drained shrinking,
//! and the errors of a pool that cannot serve.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use typact::prelude::*;
use typact::{Autoscale, Routing, Supervisor};

mod common;
use common::{quiet, within};

/// What every worker shares with the test: its own number comes from
/// `made`, what it handled goes to `log`, and `gate` holds `hold`.
#[derive(Clone)]
struct Shared {
    made: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<(usize, u64)>>>,
    gate: Arc<Semaphore>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            made: Arc::default(),
            log: Arc::default(),
            gate: Arc::new(Semaphore::new(0)),
        }
    }
}

impl Shared {
    fn factory(&self) -> impl Fn() -> Worker + Send + Sync + 'static {
        let shared = self.clone();
        move || Worker {
            no: shared.made.fetch_add(1, Ordering::SeqCst),
            shared: shared.clone(),
        }
    }

    fn per_worker(&self) -> HashMap<usize, usize> {
        let mut counts = HashMap::new();
        for (no, _) in self.log.lock().unwrap().iter() {
            *counts.entry(*no).or_default() += 1;
        }
        counts
    }

    fn handled(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

struct Worker {
    no: usize,
    shared: Shared,
}

#[derive(Clone)]
struct Keyed {
    key: String,
}

impl Message for Keyed {
    type Reply = usize;
}

/// A message declared outside the actor, so that it can be `Clone`.
#[derive(Clone)]
struct Note(u64);

impl Message for Note {
    type Reply = ();
}

#[actor]
impl Worker {
    #[handler]
    fn job(&mut self, n: u64) {
        self.shared.log.lock().unwrap().push((self.no, n));
    }

    #[handler]
    fn who(&self) -> usize {
        self.no
    }

    /// Waits for a permit of the gate, then answers with the worker.
    #[handler]
    async fn hold(&mut self) -> usize {
        self.shared.gate.acquire().await.unwrap().forget();
        self.shared.log.lock().unwrap().push((self.no, 0));
        self.no
    }

    #[handler(message)]
    fn keyed(&mut self, _msg: Keyed) -> usize {
        self.no
    }

    #[handler(message)]
    fn note(&mut self, note: Note) {
        self.shared.log.lock().unwrap().push((self.no, note.0));
    }

    #[handler]
    fn crash(&mut self) {
        panic!("on purpose");
    }
}

/// Lets the pool, its workers and the test's tasks run until `done`
/// holds, advancing paused time in small steps; fails the test if it
/// never does.
async fn settle(what: &str, done: impl Fn() -> bool) {
    for _ in 0..10_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("{what}: never happened");
}

#[tokio::test(start_paused = true)]
async fn round_robin_spreads_exactly_evenly() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(3)
        .spawn()
        .await
        .unwrap();
    for n in 0..30 {
        pool.tell(Job { n }).await.unwrap();
    }
    // Each worker gets one of these after its ten jobs, in order.
    let mut answered = HashSet::new();
    for _ in 0..3 {
        answered.insert(pool.who().await.unwrap());
    }
    assert_eq!(answered.len(), 3, "the asks went round the three workers");
    let counts = shared.per_worker();
    assert_eq!(counts.len(), 3);
    assert!(counts.values().all(|&c| c == 10), "{counts:?}");
}

#[tokio::test(start_paused = true)]
async fn least_loaded_prefers_the_shortest_mailbox() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(2)
        .routing(Routing::LeastLoaded)
        .hash_key::<Hold, _, _>(|_| "all on one worker")
        .spawn()
        .await
        .unwrap();
    // One worker holds the first `hold` and has two more waiting.
    for _ in 0..3 {
        pool.tell(Hold).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    for n in 1..=2 {
        pool.tell(Job { n }).await.unwrap();
    }
    settle("the jobs are handled", || shared.handled() == 2).await;
    let job_worker = shared.log.lock().unwrap()[0].0;
    assert!(
        shared
            .log
            .lock()
            .unwrap()
            .iter()
            .all(|(no, _)| *no == job_worker)
    );
    shared.gate.add_permits(4);
    let hold_worker = pool.hold().await.unwrap_or(usize::MAX);
    assert_ne!(hold_worker, job_worker, "the jobs went to the idle worker");
}

#[tokio::test(start_paused = true)]
async fn consistent_hash_keeps_a_key_on_its_worker_and_spreads_keys() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(4)
        .hash_key::<Keyed, _, _>(|m| m.key.clone())
        .spawn()
        .await
        .unwrap();
    let mut owners = HashMap::new();
    for round in 0..3 {
        for k in 0..40 {
            let key = format!("key-{k}");
            let worker = pool.ask(Keyed { key: key.clone() }).await.unwrap();
            let first = *owners.entry(key).or_insert(worker);
            assert_eq!(first, worker, "round {round}: key-{k} moved");
        }
    }
    let used: HashSet<usize> = owners.values().copied().collect();
    assert!(used.len() >= 3, "40 keys over 4 workers used only {used:?}");
}

#[tokio::test(start_paused = true)]
async fn broadcast_tells_reach_every_worker_and_asks_one() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(3)
        .broadcast::<Note>()
        .spawn()
        .await
        .unwrap();
    pool.tell(Note(7)).await.unwrap();
    pool.ask(Note(8)).await.unwrap();
    for _ in 0..3 {
        pool.who().await.unwrap();
    }
    let log = shared.log.lock().unwrap().clone();
    let sevens: HashSet<usize> = log
        .iter()
        .filter(|(_, n)| *n == 7)
        .map(|(w, _)| *w)
        .collect();
    assert_eq!(sevens.len(), 3, "every worker got the tell: {log:?}");
    assert_eq!(log.iter().filter(|(_, n)| *n == 8).count(), 1, "{log:?}");
}

#[tokio::test(start_paused = true)]
async fn asks_through_the_pool_get_their_replies() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(2)
        .spawn()
        .await
        .unwrap();
    let asks: Vec<_> = (0..20)
        .map(|k| {
            pool.ask(Keyed {
                key: format!("{k}"),
            })
        })
        .collect();
    let answers = within("the asks", futures_util::future::join_all(asks)).await;
    let workers: HashSet<usize> = answers.into_iter().map(Result::unwrap).collect();
    assert_eq!(workers, HashSet::from([0, 1]));
}

#[tokio::test(start_paused = true)]
async fn a_crashing_worker_is_restarted_and_the_pool_keeps_serving() {
    quiet();
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(2)
        .spawn()
        .await
        .unwrap();
    assert_eq!(pool.crash().await, Err(AskError::Panicked));
    for n in 0..10 {
        within("an ask after the crash", pool.job(n)).await.unwrap();
    }
    assert_eq!(shared.handled(), 10, "no job was lost");
    assert_eq!(shared.made.load(Ordering::SeqCst), 3, "one fresh instance");
    assert_eq!(pool.size(), 2);
}

#[tokio::test(start_paused = true)]
async fn autoscaling_grows_after_its_window_and_stays_within_bounds() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .autoscale(
            Autoscale::new(1, 3)
                .grow_above(1.0)
                .grow_after(Duration::from_secs(1))
                .shrink_after(Duration::from_secs(5)),
        )
        .spawn()
        .await
        .unwrap();
    assert_eq!(pool.size(), 1);
    for _ in 0..10 {
        pool.tell(Hold).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(pool.size(), 1, "grown before the window");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pool.size(), 2, "not grown after the window");
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(pool.size(), 3, "the load stayed: grown to the max");
    assert_eq!(pool.stats().grown, 2, "never past the max");

    // Every hold is let through: the pool goes idle.
    shared.gate.add_permits(10);
    settle("the holds are handled", || shared.handled() == 10).await;
    tokio::time::sleep(Duration::from_millis(4700)).await;
    assert_eq!(pool.size(), 3, "shrunk before the idle window");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pool.size(), 2, "not shrunk after the idle window");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(pool.size(), 1, "idle: shrunk to the min");
    assert_eq!(pool.stats().shrunk, 2, "never below the min");
    settle("the retired workers stop", || pool.stats().draining == 0).await;
    assert_eq!(pool.who().await.unwrap_or(usize::MAX), 0, "the first stays");
}

#[tokio::test(start_paused = true)]
async fn a_load_that_hovers_at_the_threshold_does_not_flap() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .autoscale(
            Autoscale::new(1, 4)
                .grow_above(2.0)
                .grow_after(Duration::from_secs(1))
                .shrink_after(Duration::from_secs(1)),
        )
        .spawn()
        .await
        .unwrap();
    // One hold runs and three wait; then, every 300 ms, the queue drops
    // to one (below the threshold, above idle) and comes back to three.
    for _ in 0..4 {
        pool.tell(Hold).await.unwrap();
    }
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        shared.gate.add_permits(2);
        tokio::time::sleep(Duration::from_millis(300)).await;
        pool.tell(Hold).await.unwrap();
        pool.tell(Hold).await.unwrap();
        assert_eq!(pool.size(), 1);
    }
    let stats = pool.stats();
    assert_eq!((stats.grown, stats.shrunk), (0, 0), "{stats:?}");

    // The same load held above the threshold for the window does grow.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(pool.size(), 2);
    shared.gate.add_permits(100);
}

#[tokio::test(start_paused = true)]
async fn a_retired_worker_drains_before_it_stops() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .autoscale(
            Autoscale::new(1, 2)
                .initial(2)
                .grow_above(100.0)
                .idle_at_most(50.0)
                .shrink_after(Duration::from_secs(1)),
        )
        .spawn()
        .await
        .unwrap();
    // Five holds per worker: one each runs, four each wait.
    let mut asks = Vec::new();
    for _ in 0..10 {
        let pool = pool.clone();
        asks.push(tokio::spawn(async move { pool.hold().await }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(pool.size(), 1, "one worker retired");
    for _ in 0..4 {
        let pool = pool.clone();
        asks.push(tokio::spawn(async move { pool.hold().await }));
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(pool.stats().draining, 1, "it waits for its messages");

    shared.gate.add_permits(14);
    let mut by_worker = HashMap::new();
    for ask in asks {
        let worker = within("a hold", ask).await.unwrap().expect("answered");
        *by_worker.entry(worker).or_insert(0) += 1;
    }
    assert_eq!(by_worker.len(), 2, "{by_worker:?}");
    assert_eq!(by_worker.values().sum::<usize>(), 14);
    settle("the retired worker stops", || pool.stats().draining == 0).await;
    assert_eq!(pool.dead_letters(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_pool_whose_supervisor_gives_up_fails_like_a_stopped_actor() {
    quiet();
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(1)
        .supervisor(Supervisor::builder().intensity(0, Duration::from_secs(1)))
        .spawn()
        .await
        .unwrap();
    assert_eq!(pool.crash().await, Err(AskError::Panicked));
    let reason = within("the pool's stop", pool.wait_for_stop()).await;
    assert!(reason.is_failure(), "{reason:?}");
    let err = pool.tell(Job { n: 1 }).await.unwrap_err();
    assert_eq!(err.into_inner().n, 1, "the message comes back");
    assert_eq!(pool.who().await, Err(AskError::Stopped));
}

#[tokio::test(start_paused = true)]
async fn a_full_pool_hands_the_message_back_on_try_tell() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(1)
        .worker_capacity(1)
        .capacity(1)
        .spawn()
        .await
        .unwrap();
    // One runs, one waits in the worker, one waits in the router for room
    // in the worker, and one fills the pool's own mailbox.
    let mut accepted = 0;
    loop {
        match pool.try_tell(Hold) {
            Ok(()) => accepted += 1,
            Err(TryTellError::Full(Hold)) => break,
            Err(TryTellError::Closed(_)) => panic!("the pool is running"),
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(accepted < 100, "never full");
    }
    assert_eq!(accepted, 4);
    shared.gate.add_permits(5);
    assert!(pool.hold().await.is_ok(), "served once there is room");
    assert_eq!(shared.handled(), 5, "nothing was lost");
}

#[tokio::test(start_paused = true)]
async fn a_pool_whose_references_are_gone_finishes_its_work_then_stops() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(2)
        .spawn()
        .await
        .unwrap();
    let weak = pool.downgrade();
    for n in 0..6 {
        pool.tell(Hold).await.unwrap();
        pool.tell(Job { n }).await.unwrap();
    }
    drop(pool);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(weak.is_alive(), "stopped with work left");
    shared.gate.add_permits(6);
    settle("the pool stops", || !weak.is_alive()).await;
    assert_eq!(shared.handled(), 12, "every message was handled");
}

#[tokio::test(start_paused = true)]
async fn stopping_a_pool_fails_what_waits_in_its_mailbox() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(1)
        .worker_capacity(1)
        .spawn()
        .await
        .unwrap();
    // One runs, one waits in the worker, one in the router; the rest wait
    // in the pool's own mailbox.
    let mut asks = Vec::new();
    for _ in 0..6 {
        let pool = pool.clone();
        asks.push(tokio::spawn(async move { pool.hold().await }));
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    pool.stop();
    let reason = within("the pool's stop", pool.wait_for_stop()).await;
    assert!(reason.is_normal(), "{reason:?}");
    shared.gate.add_permits(6);
    let mut stopped = 0;
    for ask in asks {
        match within("an ask", ask).await.unwrap() {
            Ok(_) => {}
            Err(AskError::Stopped) => stopped += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        stopped >= 3,
        "the queued asks fail with Stopped ({stopped})"
    );
    assert_eq!(pool.who().await, Err(AskError::Stopped));
}

#[tokio::test(start_paused = true)]
async fn a_worker_lost_for_good_is_replaced_to_keep_the_minimum() {
    quiet();
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(2)
        .restart(typact::Restart::Temporary)
        .spawn()
        .await
        .unwrap();
    assert_eq!(pool.crash().await, Err(AskError::Panicked));
    settle("a fresh worker replaces the lost one", || {
        pool.stats().grown == 1 && pool.size() == 2
    })
    .await;
    assert_eq!(shared.made.load(Ordering::SeqCst), 3);
    let mut answered = HashSet::new();
    for _ in 0..4 {
        answered.insert(within("an ask", pool.who()).await.unwrap());
    }
    assert_eq!(answered.len(), 2, "both workers serve: {answered:?}");
    assert!(!answered.contains(&0), "the lost one is gone: {answered:?}");
}

#[tokio::test(start_paused = true)]
async fn killing_a_pool_fails_every_ask_it_holds() {
    let shared = Shared::default();
    let pool = Pool::builder(shared.factory())
        .workers(1)
        .worker_capacity(1)
        .spawn()
        .await
        .unwrap();
    let mut asks = Vec::new();
    for _ in 0..5 {
        let pool = pool.clone();
        asks.push(tokio::spawn(async move { pool.hold().await }));
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
    pool.kill();
    let reason = within("the pool's end", pool.wait_for_stop()).await;
    assert!(matches!(reason, StopReason::Killed), "{reason:?}");
    for ask in asks {
        let answer = within("an ask", ask).await.unwrap();
        assert_eq!(
            answer,
            Err(AskError::Stopped),
            "no worker answers after the kill"
        );
    }
    assert_eq!(pool.who().await, Err(AskError::Stopped));
}
