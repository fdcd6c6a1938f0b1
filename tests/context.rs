//! The context's books and timers: fired and cancelled timers and stopped
//! children leave the books at once (so that spawning and setting timers
//! never scans them), and a `send_interval` closure that panics fails its
//! actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use typact::TimerHandle;
use typact::prelude::*;

#[derive(Default)]
struct Quick;

#[actor]
impl Quick {
    #[handler]
    fn noop(&self) {}
}

#[derive(Default)]
struct Parent {
    ticks: u32,
    timers: Vec<TimerHandle>,
}

#[actor]
impl Parent {
    /// Sets `n` one-shot timers, all due after `delay`.
    #[handler]
    fn arm(&mut self, n: u32, delay: Duration, ctx: &mut Context<Self>) {
        for _ in 0..n {
            let timer = ctx.send_after(Tick, delay);
            self.timers.push(timer);
        }
    }

    #[handler]
    fn cancel_all(&mut self) {
        for timer in self.timers.drain(..) {
            timer.cancel();
        }
    }

    #[handler]
    fn tick(&mut self) {
        self.ticks += 1;
    }

    #[handler]
    fn ticks(&self) -> u32 {
        self.ticks
    }

    /// Spawns `n` children and asks each to stop; returns them.
    #[handler]
    fn spawn_quick(&mut self, n: u32, ctx: &mut Context<Self>) -> Vec<ActorRef<Quick>> {
        (0..n)
            .map(|_| {
                let child = ctx.spawn(Quick);
                child.stop();
                child
            })
            .collect()
    }

    /// Spawns `n` children that live on.
    #[handler]
    fn spawn_lasting(&mut self, n: u32, ctx: &mut Context<Self>) -> Vec<ActorRef<Quick>> {
        (0..n).map(|_| ctx.spawn(Quick)).collect()
    }

    /// (children, timers) in the books.
    #[handler]
    fn books(&self, ctx: &mut Context<Self>) -> (usize, usize) {
        ctx.__books()
    }
}

const N: u32 = 10_000;

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn fired_timers_leave_the_books() {
    let parent = Parent::default().spawn();
    parent.arm(N, Duration::from_millis(5)).await.unwrap();
    assert_eq!(parent.books().await.unwrap(), (0, N as usize));
    while parent.ticks().await.unwrap() < N {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(
        parent.books().await.unwrap(),
        (0, 0),
        "fired timers were left in the books"
    );
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn cancelled_timers_leave_the_books() {
    let parent = Parent::default().spawn();
    parent.arm(N, Duration::from_secs(3600)).await.unwrap();
    parent.cancel_all().await.unwrap();
    assert_eq!(
        parent.books().await.unwrap(),
        (0, 0),
        "cancelled timers were left in the books"
    );
    assert_eq!(parent.ticks().await.unwrap(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn stopped_children_leave_the_books() {
    let parent = Parent::default().spawn();
    let lasting = parent.spawn_lasting(100).await.unwrap();
    let quick = parent.spawn_quick(N).await.unwrap();
    for child in &quick {
        child.wait_for_stop().await;
    }
    assert_eq!(
        parent.books().await.unwrap(),
        (100, 0),
        "stopped children were left in the books"
    );
    // The live ones are still there, and stop with their parent.
    parent.stop();
    parent.wait_for_stop().await;
    assert!(lasting.iter().all(|child| !child.is_alive()));
}

/// Counts its beats in `beats`, which outlives it; its interval's closure
/// panics on its third call.
struct Ticker {
    beats: Arc<AtomicU32>,
}

#[actor]
impl Ticker {
    #[on_start]
    fn start(&mut self, ctx: &mut Context<Self>) {
        let mut made = 0;
        ctx.send_interval(Duration::from_millis(10), move || {
            made += 1;
            assert!(made < 3, "the tick source broke");
            Beat
        });
    }

    #[handler]
    fn beat(&mut self) {
        self.beats.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_panicking_interval_closure_fails_its_actor() {
    let beats = Arc::new(AtomicU32::new(0));
    let ticker = Ticker {
        beats: beats.clone(),
    }
    .spawn();
    // The clock is paused and moves only when every task waits: a minute
    // of it is thousands of periods, long past the third tick.
    let reason = tokio::time::timeout(Duration::from_secs(60), ticker.wait_for_stop())
        .await
        .expect("the actor lived on after its interval's closure panicked");
    match reason {
        StopReason::Panicked(msg) => assert!(msg.contains("the tick source broke"), "{msg}"),
        other => panic!("expected Panicked, got {other}"),
    }
    assert_eq!(
        beats.load(Ordering::Relaxed),
        2,
        "the two ticks before the panic"
    );
}
