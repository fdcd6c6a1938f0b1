//! An unbounded mailbox gives its memory back after a burst: once the burst
//! is drained and the actor is idle, the heap is back near where it was;
//! and the shrinking never costs a steady stream an allocation.
//!
//! Its own test binary, with the counting allocator of `tests/alloc.rs`:
//! the count is per thread, and the actors run on a current-thread runtime,
//! so it sees exactly the allocations of the sender and the actor.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use typact::prelude::*;

struct Counting;

thread_local! {
    // Const-initialised and without a destructor, so using it inside the
    // allocator never allocates or recurses.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
}

fn note_allocation() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn note_bytes(delta: i64) {
    let _ = LIVE_BYTES.try_with(|n| n.set(n.get() + delta));
}

fn bytes(layout: Layout) -> i64 {
    i64::try_from(layout.size()).expect("no allocation is that large")
}

// SAFETY: every method forwards to `System` with the same arguments; the
// counter is a thread-local integer that never affects the memory returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        note_bytes(bytes(layout));
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_bytes(-bytes(layout));
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        note_bytes(bytes(layout));
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        note_bytes(i64::try_from(new_size).expect("no allocation is that large") - bytes(layout));
        // SAFETY: forwarded unchanged; `ptr` came from this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn live_bytes() -> i64 {
    LIVE_BYTES.with(Cell::get)
}

#[derive(Default)]
struct Sum {
    total: u64,
}

#[actor]
impl Sum {
    #[handler]
    fn add(&mut self, by: u64) {
        self.total += by;
    }

    #[handler]
    fn total(&self) -> u64 {
        self.total
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Messages queued at once in the burst. The actor cannot run while the
/// test tells (an unbounded mailbox never makes a tell wait), so they all
/// wait in its mailbox together.
const BURST: u64 = 1_000_000;

/// What an idle actor may still hold after the burst, beyond what it held
/// before: a few entries' worth of buffer, far from the burst's megabytes.
const AFTER_BURST_SLACK: i64 = 16 * 1024;

/// Tells `n` messages at once, then asks for the total, which the actor
/// answers only once it has handled them all.
async fn burst(sum: &ActorRef<Sum>, n: u64) -> i64 {
    let before = live_bytes();
    for _ in 0..n {
        sum.tell(Add { by: 1 }).await.unwrap();
    }
    let peak = live_bytes() - before;
    sum.ask(Total).await.unwrap();
    peak
}

/// Tells per round; each round ends with an ask, so the queue is as deep
/// as a round, then drained, then idle: the pattern a shrink after every
/// idle moment would pay for on every round.
const ROUND: u64 = 500;

/// Allocations of `rounds` rounds, minus the one reply slot of each ask.
async fn steady(sum: &ActorRef<Sum>, rounds: u64) -> u64 {
    let before = allocations();
    for _ in 0..rounds {
        for _ in 0..ROUND {
            sum.tell(Add { by: 1 }).await.unwrap();
        }
        sum.ask(Total).await.unwrap();
    }
    (allocations() - before).saturating_sub(rounds)
}

#[test]
fn a_drained_burst_gives_its_memory_back() {
    runtime().block_on(async {
        let sum = Sum::default().builder().unbounded().spawn();
        sum.ask(Total).await.unwrap();
        let before = live_bytes();
        let peak = burst(&sum, BURST).await;
        // Answered from inside the loop that then goes idle: by the time
        // the reply is here, the actor has gone back to waiting.
        let held = live_bytes() - before;
        println!(
            "burst of {BURST}: {peak} heap bytes queued, {held} held once drained and idle"
        );
        assert!(
            peak > i64::try_from(BURST).unwrap() * 8,
            "the burst should have queued its messages ({peak} bytes)"
        );
        assert!(
            held <= AFTER_BURST_SLACK,
            "an idle actor held {held} heap bytes after a burst of {BURST}, more than {AFTER_BURST_SLACK}"
        );

        // What was given back is not taken again and again: once the
        // buffers have found a steady stream's size, it allocates nothing.
        steady(&sum, 20).await;
        let spent = steady(&sum, 200).await;
        println!(
            "steady after the burst: {spent} allocations for {} tells",
            200 * ROUND
        );
        assert_eq!(spent, 0, "a steady stream allocated {spent} times");
    });
}

#[test]
fn repeated_bursts_each_give_their_memory_back() {
    runtime().block_on(async {
        let sum = Sum::default().builder().unbounded().spawn();
        sum.ask(Total).await.unwrap();
        let before = live_bytes();
        for _ in 0..3 {
            burst(&sum, BURST / 4).await;
            let held = live_bytes() - before;
            assert!(held <= AFTER_BURST_SLACK, "held {held} bytes after a burst");
        }
    });
}
