//! An autoscaling pool under a burst, and a topic that tells who cares
//! how many workers it runs.
//!
//! A slow stage (each job takes 20 ms) sits behind a pool of 1 to 6
//! workers. A burst of 400 jobs arrives at once: the workers' queues grow,
//! so the pool adds a worker every 200 ms until it runs 6; once the burst
//! is done and the workers have been idle for half a second at a time, it
//! retires them one by one, each only after its mailbox is empty. A
//! monitor samples the pool's size and publishes every change on a
//! `Topic<WorkerCount>`, to which two actors of different types subscribe:
//! one prints the count over time, the other keeps the largest. Every job
//! is answered (the asks are counted), so the shrinking lost nothing.
//!
//! Run it with `cargo run --example pool_burst` (about five seconds).

use std::error::Error;
use std::time::{Duration, Instant};

use typact::Autoscale;
use typact::prelude::*;

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

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
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
