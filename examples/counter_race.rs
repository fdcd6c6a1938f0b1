//! A lost-update race, and the same counter as an actor, which loses nothing.
//!
//! Eight OS threads bump a shared `AtomicU64` with a read-then-write (`load`,
//! then `store(load + 1)`). Every access is atomic and the code is safe Rust,
//! yet increments are lost: two threads read the same value and both write
//! it plus one. Then the same number of increments goes to a counter actor,
//! told from four OS threads (`blocking_tell`) and four tokio tasks (`tell`).
//! The actor owns its count and handles one message at a time, so its
//! read-then-write needs no atomic and no lock, and loses nothing.
//!
//! (`fetch_add` would fix this counter, but most read-modify-writes, such as
//! "check the balance, then debit it", have no single atomic instruction.)
//!
//! Run it with `cargo run --example counter_race`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use typact::prelude::*;

/// Writers of each kind.
const THREADS: u64 = 8;
/// Increments per writer.
const PER_WRITER: u64 = 10_000;
const EXPECTED: u64 = THREADS * PER_WRITER;

/// The counter as an actor: its state is a plain `u64`.
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    /// Adds one, with the same read-then-write as the racy version.
    #[handler]
    fn bump(&mut self) {
        let read = self.count;
        self.count = read + 1;
    }

    /// The current count.
    #[handler]
    fn total(&self) -> u64 {
        self.count
    }
}

/// Bumps `shared` from `THREADS` threads with a load followed by a store.
fn racy_total() -> u64 {
    let shared = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..PER_WRITER {
                    let read = shared.load(Ordering::SeqCst);
                    // Let another thread run between the read and the write,
                    // as a preemption at the wrong moment would.
                    thread::yield_now();
                    shared.store(read + 1, Ordering::SeqCst);
                }
            });
        }
    });
    shared.into_inner()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{THREADS} writers x {PER_WRITER} increments = {EXPECTED} expected");

    let racy = racy_total();
    println!(
        "shared AtomicU64, load then store: {racy:>6} ({} lost)",
        EXPECTED - racy
    );

    let counter: ActorRef<Counter> = Counter::default().spawn();
    let half = THREADS / 2;

    // Half the writers are OS threads outside the runtime, which block while
    // the mailbox is full.
    let threads = {
        let counter = counter.clone();
        tokio::task::spawn_blocking(move || {
            thread::scope(|s| {
                for _ in 0..half {
                    s.spawn(|| {
                        for _ in 0..PER_WRITER {
                            counter.blocking_tell(Bump).expect("the counter is running");
                        }
                    });
                }
            });
        })
    };
    // The other half are tokio tasks, which wait asynchronously.
    let tasks: Vec<_> = (0..THREADS - half)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..PER_WRITER {
                    counter.tell(Bump).await.expect("the counter is running");
                }
            })
        })
        .collect();
    threads.await?;
    for task in tasks {
        task.await?;
    }

    // Every tell above has been enqueued, and the mailbox is FIFO, so this
    // ask is handled after all of them.
    let total = counter.total().await?;
    println!(
        "counter actor, {half} threads + {} tasks: {total:>6} ({} lost)",
        THREADS - half,
        EXPECTED - total
    );
    assert_eq!(total, EXPECTED, "the actor must not lose an increment");
    Ok(())
}
