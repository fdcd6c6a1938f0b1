//! Addressing, in three parts:
//!
//! 1. A protocol with two implementations behind one registry key, found
//!    again by name (typed) and by protocol, with a subscriber that sees
//!    them join and leave.
//! 2. Paths through the supervision tree, looked up and freed at the stop.
//! 3. An autoscaling pool under a burst, and a topic that tells who cares
//!    how many workers it runs. A slow stage (each job takes 20 ms) sits
//!    behind a pool of 1 to 6 workers. A burst of 400 jobs arrives at once:
//!    the workers' queues grow, so the pool adds a worker every 200 ms until
//!    it runs 6; once the burst is done and the workers have been idle for
//!    half a second at a time, it retires them one by one, each only after
//!    its mailbox is empty. A monitor samples the pool's size and publishes
//!    every change on a `Topic<WorkerCount>`, to which two actors of
//!    different types subscribe: one prints the count over time, the other
//!    keeps the largest. Every job is answered (the asks are counted), so
//!    the shrinking lost nothing.
//!
//! Run with `cargo run --example addressing` (about five seconds).

use std::collections::HashMap;
use std::error::Error;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use typact::Autoscale;
use typact::prelude::*;

/// Any key-value store.
#[protocol]
pub trait Storage {
    /// The value under `key`.
    fn get(&self, key: String) -> Option<String>;
    /// Stores `value` under `key`.
    fn put(&mut self, key: String, value: String);
}

/// A store in memory.
#[derive(Default)]
struct Memory {
    map: HashMap<String, String>,
}

#[actor]
impl Memory {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<String> {
        self.map.get(&msg.key).cloned()
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.map.insert(msg.key, msg.value);
    }
}

/// A store on a (pretend) disk.
#[derive(Default)]
struct Disk {
    map: HashMap<String, String>,
}

#[actor]
impl Disk {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<String> {
        self.map.get(&msg.key).map(|v| format!("{v} (from disk)"))
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.map.insert(msg.key, msg.value);
    }
}

/// Two implementations of one protocol behind one registry key, and a
/// subscriber that sees them join and leave.
async fn protocols_and_registry() -> Result<(), Box<dyn Error>> {
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let mut listings = registry.subscribe_stream(&key);

    let memory = Memory::default().spawn();
    let disk = Disk::default().spawn();
    registry.register(&key, &memory)?;
    registry.register(&key, &disk)?;
    registry.register("primary", &disk)?;

    for store in registry.find(&key) {
        store.put("greeting".into(), "hello".into()).await?;
        println!(
            "{store}: greeting = {:?}",
            store.get("greeting".into()).await?
        );
    }
    let primary = registry.lookup::<Disk>("primary")?;
    println!("primary is {primary}");
    if let Err(err) = registry.lookup::<Memory>("primary") {
        println!("typed lookup: {err}");
    }

    memory.stop();
    memory.wait_for_stop().await;
    println!(
        "after memory stopped: {} store(s) listed",
        registry.find(&key).len()
    );
    for _ in 0..4 {
        let listing = listings.next().await.expect("the registry is alive");
        println!("listing: {} member(s)", listing.len());
    }
    Ok(())
}

/// Paths through the supervision tree.
async fn paths() -> Result<(), Box<dyn Error>> {
    let ui = Supervisor::builder();
    let store = ui.child(Memory::default).name("store-1").add();
    let app = Supervisor::builder().name("app");
    app.child(ui.into_factory()).name("ui").add();
    let app = app.spawn().await?;

    println!("{store} sits at {:?}", store.path().map(ActorPath::as_str));
    let found = typact::registry().lookup_path::<Memory>("/app/ui/store-1")?;
    assert_eq!(found, store);
    app.stop();
    app.wait_for_stop().await;
    assert!(
        typact::registry()
            .lookup_path::<Memory>("/app/ui/store-1")
            .is_err()
    );
    println!("after the tree stopped, /app/ui/store-1 is free again");
    Ok(())
}

const JOBS: u64 = 400;
const MAX_WORKERS: usize = 6;

/// The slow stage.
#[derive(Default)]
struct Stage;

#[actor]
impl Stage {
    /// Takes 20 ms.
    #[handler]
    async fn process(&self, item: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        item * 2
    }
}

/// The pool's size changed.
#[derive(Clone, Debug)]
struct WorkerCount {
    at: Duration,
    workers: usize,
}

impl Message for WorkerCount {
    type Reply = ();
}

/// Prints every change.
struct Console;

#[actor]
impl Console {
    #[handler(message)]
    fn count(&mut self, c: WorkerCount) {
        let bar = "#".repeat(c.workers);
        println!(
            "{:>6} ms  {:<width$}  {} workers",
            c.at.as_millis(),
            bar,
            c.workers,
            width = MAX_WORKERS
        );
    }
}

/// Keeps the largest count.
#[derive(Default)]
struct Peak {
    peak: usize,
    changes: u32,
}

#[actor]
impl Peak {
    #[handler(message)]
    fn count(&mut self, c: WorkerCount) {
        self.peak = self.peak.max(c.workers);
        self.changes += 1;
    }

    #[handler]
    fn summary(&self) -> (usize, u32) {
        (self.peak, self.changes)
    }
}

/// An autoscaling pool under a burst, its size published on a topic.
async fn pool_and_topic() -> Result<(), Box<dyn Error>> {
    let pool = Pool::builder(Stage::default)
        .autoscale(
            Autoscale::new(1, MAX_WORKERS)
                .grow_above(2.0)
                .grow_after(Duration::from_millis(200))
                .shrink_after(Duration::from_millis(500))
                .sample_every(Duration::from_millis(50)),
        )
        .spawn()
        .await?;

    let sizes = Topic::<WorkerCount>::new();
    let console = Console.spawn();
    let peak = Peak::default().spawn();
    sizes.subscribe(&console);
    sizes.subscribe(&peak);

    // The monitor: publishes the size whenever it changes.
    let start = Instant::now();
    let monitor = {
        let (pool, sizes) = (pool.clone(), sizes.clone());
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                let workers = pool.size();
                if workers != last {
                    sizes.publish(WorkerCount {
                        at: start.elapsed(),
                        workers,
                    });
                    last = workers;
                }
                if workers == 1 && start.elapsed() > Duration::from_secs(1) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };

    // The burst: every job is an ask, sent at once; the answers come back
    // from whichever worker had it.
    let asks: Vec<_> = (0..JOBS).map(|i| pool.ask(Process { item: i })).collect();
    let answers = futures_util::future::join_all(asks).await;
    let answered = answers.iter().filter(|a| a.is_ok()).count();
    println!(
        "{:>6} ms  burst done: {answered} of {JOBS} jobs answered",
        start.elapsed().as_millis()
    );

    monitor.await?;
    let (largest, changes) = peak.summary().await?;
    println!(
        "{:>6} ms  back to {} worker; peak {largest} workers, {changes} changes published, {} retired",
        start.elapsed().as_millis(),
        pool.size(),
        pool.stats().shrunk,
    );
    assert_eq!(answered as u64, JOBS, "every job was answered");
    assert!(largest > 1, "the pool grew under the burst");
    assert_eq!(pool.size(), 1, "and shrank back once idle");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!("--- 1. a protocol, two implementations, one registry key");
    protocols_and_registry().await?;
    println!("--- 2. paths through the supervision tree");
    paths().await?;
    println!("--- 3. an autoscaling pool under a burst, and a topic");
    pool_and_topic().await?;
    Ok(())
}
