//! A supervision tree: workers that crash at random, restarted behind typed
//! references that keep working, and an orderly shutdown.
//!
//! The tree:
//!
//! ```text
//! root (one-for-one)
//! ├── journal                      counts results and restarts
//! └── workers (one-for-one)        a nested supervisor, via `into_factory`
//!     ├── worker-1
//!     ├── worker-2
//!     └── worker-3
//! ```
//!
//! Each worker crashes (panics) on a random job, from a seeded xorshift, so
//! every run crashes the same way. Its supervisor restarts it with fresh
//! state after a short backoff; the new instance's `#[after_restart]` hook
//! prints the restart and reports it to the journal, through a reference
//! that, like the workers' own, stays valid across restarts. Then worker-1
//! crashes on purpose until the `workers` supervisor exceeds its restart
//! intensity and fails: the root restarts it, which starts all three workers
//! afresh, and the same references still answer. Stopping the root stops
//! the tree bottom-up, in reverse declaration order.
//!
//! Run it with `cargo run --example supervision_tree`.

use std::error::Error;
use std::time::Duration;

use typact::prelude::*;
use typact::{Backoff, Strategy, Supervisor};

const WORKERS: usize = 3;
const JOBS: u64 = 30;
/// A worker crashes on about one job in this many.
const CRASH_ONE_IN: u64 = 6;
/// Restarts the `workers` supervisor allows within `WINDOW`.
const WORKERS_INTENSITY: u32 = 8;
const WINDOW: Duration = Duration::from_secs(30);
/// Crash messages start with this, so the panic hook can keep them quiet.
const CRASH: &str = "crash:";

/// A tiny seeded random number generator (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Counts, for the whole tree, what the workers did.
#[derive(Default)]
struct Journal {
    done: u64,
    restarts: [u32; WORKERS],
}

#[actor]
impl Journal {
    /// A worker finished a job.
    #[handler]
    fn job_done(&mut self) {
        self.done += 1;
    }

    /// Worker `index` was restarted.
    #[handler]
    fn restarted(&mut self, index: usize) {
        self.restarts[index] += 1;
    }

    /// Jobs done, and restarts per worker.
    #[handler]
    fn summary(&self) -> (u64, [u32; WORKERS]) {
        (self.done, self.restarts)
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        println!("  journal stopped: {reason}");
    }
}

struct Worker {
    index: usize,
    /// Which instance of this worker this is, from 1.
    instance: u32,
    rng: XorShift,
    journal: ActorRef<Journal>,
}

impl Worker {
    fn name(&self) -> String {
        format!("worker-{}", self.index + 1)
    }

    /// Makes the instances of worker `index`. Each gets the next seed of
    /// the factory's own generator, so the crashes are the same every run.
    fn factory(index: usize, journal: ActorRef<Journal>) -> impl FnMut() -> Worker + Send {
        let mut seeds = XorShift::new(0x5EED + index as u64);
        let mut instance = 0;
        move || {
            instance += 1;
            Worker {
                index,
                instance,
                rng: XorShift::new(seeds.next()),
                journal: journal.clone(),
            }
        }
    }
}

#[actor]
impl Worker {
    /// Runs on an instance that stopped and is about to be replaced
    /// (instead of `#[on_stop]`, which runs only on a final stop).
    #[before_restart]
    fn going_down(&mut self, reason: &StopReason) {
        println!("  {} #{} is down: {reason}", self.name(), self.instance);
    }

    /// Runs on the fresh instance that replaced a failed one.
    #[after_restart]
    async fn restarted(&mut self) {
        println!(
            "    restarted {} as instance #{}",
            self.name(),
            self.instance
        );
        let _ = self.journal.tell(Restarted { index: self.index }).await;
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        println!("  {} #{} stopped: {reason}", self.name(), self.instance);
    }

    /// Doubles `job`, unless this is the job it crashes on.
    #[handler]
    async fn process(&mut self, job: u64) -> u64 {
        if self.rng.below(CRASH_ONE_IN) == 0 {
            panic!("{CRASH} {} choked on job {job}", self.name());
        }
        let _ = self.journal.tell(JobDone).await;
        job * 2
    }

    /// Crashes, on purpose.
    #[handler]
    fn crash(&mut self) {
        panic!("{CRASH} {} was told to crash", self.name());
    }

    /// Which instance is running.
    #[handler]
    fn instance(&self) -> u32 {
        self.instance
    }
}

/// Keeps the planned crashes quiet; any other panic is reported as usual.
fn quiet_planned_crashes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if !msg.is_some_and(|m| m.starts_with(CRASH)) {
            default(info);
        }
    }));
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    quiet_planned_crashes();
    let backoff = Backoff::exponential(Duration::from_millis(5), Duration::from_millis(40));

    let root = Supervisor::builder()
        .name("root")
        .strategy(Strategy::OneForOne)
        .intensity(3, WINDOW)
        .backoff(backoff);
    let journal = root.child(Journal::default).name("journal").add();
    let workers_sup = Supervisor::builder()
        .name("workers")
        .strategy(Strategy::OneForOne)
        .intensity(WORKERS_INTENSITY, WINDOW)
        .backoff(backoff);
    let workers: Vec<ActorRef<Worker>> = (0..WORKERS)
        .map(|i| {
            workers_sup
                .child(Worker::factory(i, journal.clone()))
                .name(format!("worker-{}", i + 1))
                .add()
        })
        .collect();
    let workers_ref = root.child(workers_sup.into_factory()).name("workers").add();
    let root = root.spawn().await?;
    println!("tree started: root -> [journal, workers -> [worker-1, worker-2, worker-3]]");

    // Act 1: jobs to random workers; some crash.
    println!("--- {JOBS} jobs, sent to random workers");
    let mut rng = XorShift::new(2024);
    let (mut done, mut crashes) = (0, [0u32; WORKERS]);
    for job in 1..=JOBS {
        let w = rng.below(WORKERS as u64) as usize;
        match workers[w].process(job).await {
            Ok(out) => {
                assert_eq!(out, job * 2);
                done += 1;
            }
            Err(AskError::Panicked) => {
                crashes[w] += 1;
                // The next message waits in the same mailbox for the new
                // instance; asking it waits for the restart.
                workers[w].instance().await?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    let total_crashes: u32 = crashes.iter().sum();
    println!("{done} jobs done, {total_crashes} crashes ({crashes:?} per worker)");
    assert_eq!(done + u64::from(total_crashes), JOBS);
    assert!(
        total_crashes < WORKERS_INTENSITY,
        "act 1 must stay within the intensity"
    );

    // The same references, after the restarts.
    let mut instances = Vec::new();
    for w in &workers {
        instances.push(w.instance().await?);
    }
    println!("the original references still answer: instances now {instances:?}");
    for (w, &n) in instances.iter().enumerate() {
        assert_eq!(n, crashes[w] + 1, "one restart per crash");
    }
    let (journal_done, restarts) = journal.summary().await?;
    assert_eq!(journal_done, done);
    assert_eq!(restarts, crashes, "the journal saw every restart");

    // Act 2: crash worker-1 until its supervisor gives up, and the root
    // restarts that supervisor, and with it every worker.
    println!("--- worker-1 crashes on purpose, until `workers` exceeds its intensity");
    // Worker-2 gets a new instance only if its supervisor is restarted.
    let before = workers[1].instance().await?;
    let mut extra = 0;
    while workers[1].instance().await? == before {
        assert_eq!(workers[0].crash().await, Err(AskError::Panicked));
        extra += 1;
        assert!(
            extra <= WORKERS_INTENSITY + 1,
            "the supervisor never gave up"
        );
        // Let the restart (or the escalation) happen.
        workers[0].instance().await?;
    }
    println!(
        "  `workers` gave up after {extra} more crashes (over {WORKERS_INTENSITY} restarts); the root restarted it, with fresh workers"
    );
    let mut instances = Vec::new();
    for w in &workers {
        instances.push(w.instance().await?);
    }
    println!("the same references answer again: instances now {instances:?}");
    for (w, job) in workers.iter().zip(100..) {
        // These instances may crash too; one retry is enough here.
        let out = match w.process(job).await {
            Ok(out) => out,
            Err(_) => w.process(job).await?,
        };
        assert_eq!(out, job * 2);
    }
    assert!(workers_ref.is_alive());

    // Shut down: the root stops its children in reverse order, the nested
    // supervisor stops its own, each finishing its current message.
    println!("--- stopping the root");
    root.stop();
    let reason = root.wait_for_stop().await;
    println!("root stopped: {reason}");
    assert!(reason.is_normal());
    assert!(!journal.is_alive() && !workers_ref.is_alive());
    assert!(workers.iter().all(|w| !w.is_alive()));
    Ok(())
}
