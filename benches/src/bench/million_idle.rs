//! Million idle actors: n counters (synchronous handlers, the row's mailbox)
//! are spawned, each asked `Get` once so that every one is known to be
//! running, then left idle; then all are stopped. Three figures: the growth
//! of resident memory per actor with all of them alive and idle, the time
//! the spawn calls took (ractor's `spawn` also waits for the actor to start;
//! the others return at once), and the time from asking all to stop until
//! the last one has stopped, each the way its framework documents:
//!
//! - tokio: the senders are dropped, so each task's `recv` ends, and the
//!   tasks' `JoinHandle`s are awaited;
//! - typact: `stop()` on each, then `wait_for_stop()` on each;
//! - kameo: `stop_gracefully()` then `wait_for_shutdown()` on each;
//! - ractor: `stop_and_wait` on each;
//! - actix: the addresses are dropped, and each actor's `stopped` hook counts
//!   down a latch (actix has no way to wait for an actor from outside);
//! - xtra: a join handle is taken from each address, the addresses are
//!   dropped, and the join handles are awaited.
//!
//! Like Spawn, each measurement runs in a child process of its own, which
//! prints `RESULT <bytes per actor> <spawn ms> <stop ms>` and exits.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bench::counter::{
    actix_impl, kameo_impl, ractor_impl, tokio_raw, typact_impl, xtra_impl,
};
use crate::bench::spawn::{WARM_UP, ask_all, check, in_child};
use crate::harness::{self, Latch, Outcome, debug};
use crate::memory::resident_bytes;
use crate::model::{Bench, Framework, Mailbox, Runtime, Sizes};

/// Runs one measurement in a child process; returns the bytes per idle
/// actor, the spawn time in ms and the stop time in ms.
pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    in_child(Bench::MillionIdle, fw, rt, mb, sizes.idle_actors)
}

/// The child's side: measures, prints the `RESULT` line and exits.
pub(crate) fn child(fw: Framework, rt: Runtime, mb: Mailbox, n: usize) -> Outcome<()> {
    match fw {
        Framework::Tokio => harness::on_tokio(rt, report(tokio(mb, n), n)),
        Framework::Typact => harness::on_tokio(rt, report(typact(mb, n), n)),
        Framework::Kameo => harness::on_tokio(rt, report(kameo(mb, n), n)),
        Framework::Ractor => harness::on_tokio(rt, report(ractor(n), n)),
        Framework::Actix => harness::on_actix(rt, |placer| report(actix(placer, n), n)),
        Framework::Xtra => harness::on_tokio(rt, report(xtra(mb, n), n)),
    }
}

/// What a framework's measurement returns.
struct Idle {
    /// Growth of resident memory with all actors alive and idle.
    grown: u64,
    /// The spawn calls.
    spawned: Duration,
    /// From asking all to stop to the last one stopped.
    stopped: Duration,
}

/// Awaits the measurement, prints it and exits the process at once.
async fn report(measure: impl Future<Output = Outcome<Idle>>, n: usize) -> Outcome<()> {
    let idle = measure.await?;
    println!(
        "RESULT {} {} {}",
        idle.grown as f64 / n as f64,
        idle.spawned.as_secs_f64() * 1e3,
        idle.stopped.as_secs_f64() * 1e3
    );
    std::process::exit(0)
}

/// Fails if any actor did not stop cleanly.
fn stopped_all<E: std::fmt::Debug>(results: Vec<Result<(), E>>) -> Outcome<()> {
    results.into_iter().try_for_each(|r| r.map_err(debug))
}

async fn tokio(mb: Mailbox, n: usize) -> Outcome<Idle> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| tokio_raw::spawn(mb)).collect();
    check(ask_all(warm.iter().map(tokio_raw::get)).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let (actors, tasks): (Vec<_>, Vec<_>) = (0..n).map(|_| tokio_raw::spawn_joinable(mb)).unzip();
    let spawned = start.elapsed();
    check(ask_all(actors.iter().map(tokio_raw::get)).await)?;
    let grown = resident_bytes()?.saturating_sub(before);

    let start = Instant::now();
    drop(actors);
    stopped_all(ask_all(tasks).await)?;
    let stopped = start.elapsed();
    Ok(Idle {
        grown,
        spawned,
        stopped,
    })
}

async fn typact(mb: Mailbox, n: usize) -> Outcome<Idle> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| typact_impl::spawn(mb)).collect();
    check(ask_all(warm.iter().map(|a| a.ask(typact_impl::Get).into_future())).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| typact_impl::spawn(mb)).collect();
    let spawned = start.elapsed();
    check(ask_all(actors.iter().map(|a| a.ask(typact_impl::Get).into_future())).await)?;
    let grown = resident_bytes()?.saturating_sub(before);

    let start = Instant::now();
    for actor in &actors {
        actor.stop();
    }
    ask_all(actors.iter().map(|a| a.wait_for_stop())).await;
    let stopped = start.elapsed();
    Ok(Idle {
        grown,
        spawned,
        stopped,
    })
}

async fn kameo(mb: Mailbox, n: usize) -> Outcome<Idle> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| kameo_impl::spawn(mb)).collect();
    check(ask_all(warm.iter().map(|a| a.ask(kameo_impl::Get).into_future())).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| kameo_impl::spawn(mb)).collect();
    let spawned = start.elapsed();
    check(ask_all(actors.iter().map(|a| a.ask(kameo_impl::Get).into_future())).await)?;
    let grown = resident_bytes()?.saturating_sub(before);

    let start = Instant::now();
    stopped_all(
        ask_all(actors.iter().map(|a| async move {
            a.stop_gracefully().await?;
            a.wait_for_shutdown().await;
            Ok::<(), kameo::error::SendError>(())
        }))
        .await,
    )?;
    let stopped = start.elapsed();
    Ok(Idle {
        grown,
        spawned,
        stopped,
    })
}

async fn ractor(n: usize) -> Outcome<Idle> {
    let mut warm = Vec::with_capacity(WARM_UP);
    for _ in 0..WARM_UP {
        warm.push(ractor_impl::spawn().await?);
    }
    check(ask_all(warm.iter().map(ractor_impl::get)).await)?;
    for actor in warm {
        actor.stop(None);
    }

    let before = resident_bytes()?;
    let start = Instant::now();
    let mut actors = Vec::with_capacity(n);
    for _ in 0..n {
        // ractor's `spawn` returns once the actor has started.
        actors.push(ractor_impl::spawn().await?);
    }
    let spawned = start.elapsed();
    check(ask_all(actors.iter().map(ractor_impl::get)).await)?;
    let grown = resident_bytes()?.saturating_sub(before);

    let start = Instant::now();
    stopped_all(ask_all(actors.iter().map(|a| a.stop_and_wait(None, None))).await)?;
    let stopped = start.elapsed();
    Ok(Idle {
        grown,
        spawned,
        stopped,
    })
}

/// actix: the counter of `counter.rs`, plus a latch its `stopped` hook
/// counts down, since actix offers no other way to learn that an actor has
/// stopped.
mod actix_stopping {
    use actix::{Actor, Context, Handler};

    use super::*;
    use crate::model::CAPACITY;

    pub(super) struct Counter {
        count: u64,
        stopped: Arc<Latch>,
    }

    impl Counter {
        pub(super) fn new(stopped: Arc<Latch>) -> Counter {
            Counter { count: 0, stopped }
        }
    }

    impl Actor for Counter {
        type Context = Context<Self>;

        fn started(&mut self, ctx: &mut Context<Self>) {
            ctx.set_mailbox_capacity(CAPACITY);
        }

        fn stopped(&mut self, _: &mut Context<Self>) {
            self.stopped.count_down();
        }
    }

    impl Handler<actix_impl::Get> for Counter {
        type Result = u64;

        fn handle(&mut self, _: actix_impl::Get, _: &mut Context<Self>) -> u64 {
            self.count
        }
    }
}

async fn actix(placer: harness::Placer, n: usize) -> Outcome<Idle> {
    let warm: Vec<_> = (0..WARM_UP)
        .map(|_| placer.start(actix_impl::Counter::default()))
        .collect();
    check(ask_all(warm.iter().map(|a| a.send(actix_impl::Get))).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let all_stopped = Latch::new(n);
    let start = Instant::now();
    let actors: Vec<_> = (0..n)
        .map(|_| placer.start(actix_stopping::Counter::new(all_stopped.clone())))
        .collect();
    let spawned = start.elapsed();
    check(ask_all(actors.iter().map(|a| a.send(actix_impl::Get))).await)?;
    let grown = resident_bytes()?.saturating_sub(before);

    let start = Instant::now();
    // An actix actor stops once no address to it is left.
    drop(actors);
    all_stopped.wait().await?;
    let stopped = start.elapsed();
    Ok(Idle {
        grown,
        spawned,
        stopped,
    })
}

async fn xtra(mb: Mailbox, n: usize) -> Outcome<Idle> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| xtra_impl::spawn(mb)).collect();
    check(ask_all(warm.iter().map(|a| a.send(xtra_impl::Get))).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| xtra_impl::spawn(mb)).collect();
    let spawned = start.elapsed();
    check(ask_all(actors.iter().map(|a| a.send(xtra_impl::Get))).await)?;
    let grown = resident_bytes()?.saturating_sub(before);

    let start = Instant::now();
    // The join handles hold no strong address, so dropping the addresses
    // stops the actors, and each handle resolves when its actor has.
    let joins: Vec<_> = actors.iter().map(xtra::Address::join).collect();
    drop(actors);
    ask_all(joins).await;
    let stopped = start.elapsed();
    Ok(Idle {
        grown,
        spawned,
        stopped,
    })
}
