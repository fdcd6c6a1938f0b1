//! Spawn: n counters are spawned, then all are asked `Get` at once, and the
//! clock stops when every one has answered. The resident memory grown over
//! that, divided by n, is the memory of one idle actor (with its address
//! kept by the caller, as any user keeps it).
//!
//! Each measurement runs in a child process of its own (this binary, started
//! with `--child`), so that no earlier benchmark's heap blurs the memory
//! figure. The child prints one line, `RESULT <ms> <bytes per actor>`, and
//! exits without tearing its actors down.

use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::task::unconstrained;

use crate::bench::counter::{
    actix_impl, kameo_impl, ractor_impl, tokio_raw, typact_impl, xtra_impl,
};
use crate::harness::{self, Outcome, debug};
use crate::memory::resident_bytes;
use crate::model::{Bench, Framework, Mailbox, Runtime, Sizes};

/// Actors spawned, asked and dropped before measuring, so that the runtime's
/// threads and the framework's code are warm.
pub(crate) const WARM_UP: usize = 64;

/// Runs one measurement in a child process; returns the time in ms and the
/// bytes per idle actor.
pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    in_child(Bench::Spawn, fw, rt, mb, sizes.spawn)
}

/// Runs `bench`'s child side for `n` actors in a child process (this binary
/// with `--child`), and returns the figures of its `RESULT` line, one per
/// metric of `bench`.
pub(crate) fn in_child(
    bench: Bench,
    fw: Framework,
    rt: Runtime,
    mb: Mailbox,
    n: usize,
) -> Outcome<Vec<f64>> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let output = Command::new(exe)
        .args([
            "--child",
            bench.name(),
            fw.name(),
            rt.name(),
            mb.name(),
            &n.to_string(),
        ])
        .output()
        .map_err(|e| format!("cannot start the child process: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let figures = stdout
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .map(|rest| {
            rest.split_whitespace()
                .map(str::parse::<f64>)
                .collect::<Result<Vec<_>, _>>()
        });
    match figures {
        Some(Ok(figures)) if figures.len() == bench.metrics().len() => Ok(figures),
        _ => Err(format!(
            "the child process failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
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

/// What a framework's measurement returns: the time until all answered and
/// the growth of resident memory, with the actors still alive.
struct Spawned {
    elapsed: Duration,
    grown: u64,
}

/// Awaits the measurement, prints it and exits the process at once, so that
/// tearing down the actors costs nothing.
async fn report(measure: impl Future<Output = Outcome<Spawned>>, n: usize) -> Outcome<()> {
    let spawned = measure.await?;
    println!(
        "RESULT {} {}",
        spawned.elapsed.as_secs_f64() * 1e3,
        spawned.grown as f64 / n as f64
    );
    std::process::exit(0)
}

/// Awaits all the asks at once.
///
/// `unconstrained` lifts tokio's cooperative budget for this one future:
/// under it, after 128 operations on tokio's channels every further reply
/// reports "not ready" and is polled again, which makes joining 100,000
/// replies quadratic for the frameworks whose replies travel on tokio's
/// channels (the baseline, typact, kameo, ractor) and not for the others.
pub(crate) async fn ask_all<F: Future>(asks: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    unconstrained(join_all(asks)).await
}

/// Checks the answers of the asks: every counter starts at zero.
pub(crate) fn check<E: std::fmt::Debug>(answers: Vec<Result<u64, E>>) -> Outcome<()> {
    for answer in answers {
        if answer.map_err(debug)? != 0 {
            return Err("a fresh counter answered non-zero".to_owned());
        }
    }
    Ok(())
}

async fn tokio(mb: Mailbox, n: usize) -> Outcome<Spawned> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| tokio_raw::spawn(mb)).collect();
    check(ask_all(warm.iter().map(tokio_raw::get)).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| tokio_raw::spawn(mb)).collect();
    check(ask_all(actors.iter().map(tokio_raw::get)).await)?;
    let elapsed = start.elapsed();
    let grown = resident_bytes()?.saturating_sub(before);
    drop(actors);
    Ok(Spawned { elapsed, grown })
}

async fn typact(mb: Mailbox, n: usize) -> Outcome<Spawned> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| typact_impl::spawn(mb)).collect();
    check(ask_all(warm.iter().map(|a| a.ask(typact_impl::Get).into_future())).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| typact_impl::spawn(mb)).collect();
    check(ask_all(actors.iter().map(|a| a.ask(typact_impl::Get).into_future())).await)?;
    let elapsed = start.elapsed();
    let grown = resident_bytes()?.saturating_sub(before);
    drop(actors);
    Ok(Spawned { elapsed, grown })
}

async fn kameo(mb: Mailbox, n: usize) -> Outcome<Spawned> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| kameo_impl::spawn(mb)).collect();
    check(ask_all(warm.iter().map(|a| a.ask(kameo_impl::Get).into_future())).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| kameo_impl::spawn(mb)).collect();
    check(ask_all(actors.iter().map(|a| a.ask(kameo_impl::Get).into_future())).await)?;
    let elapsed = start.elapsed();
    let grown = resident_bytes()?.saturating_sub(before);
    drop(actors);
    Ok(Spawned { elapsed, grown })
}

async fn ractor(n: usize) -> Outcome<Spawned> {
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
    check(ask_all(actors.iter().map(ractor_impl::get)).await)?;
    let elapsed = start.elapsed();
    let grown = resident_bytes()?.saturating_sub(before);
    Ok(Spawned { elapsed, grown })
}

async fn actix(placer: harness::Placer, n: usize) -> Outcome<Spawned> {
    let warm: Vec<_> = (0..WARM_UP)
        .map(|_| placer.start(actix_impl::Counter::default()))
        .collect();
    check(ask_all(warm.iter().map(|a| a.send(actix_impl::Get))).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n)
        .map(|_| placer.start(actix_impl::Counter::default()))
        .collect();
    check(ask_all(actors.iter().map(|a| a.send(actix_impl::Get))).await)?;
    let elapsed = start.elapsed();
    let grown = resident_bytes()?.saturating_sub(before);
    drop(actors);
    Ok(Spawned { elapsed, grown })
}

async fn xtra(mb: Mailbox, n: usize) -> Outcome<Spawned> {
    let warm: Vec<_> = (0..WARM_UP).map(|_| xtra_impl::spawn(mb)).collect();
    check(ask_all(warm.iter().map(|a| a.send(xtra_impl::Get))).await)?;
    drop(warm);

    let before = resident_bytes()?;
    let start = Instant::now();
    let actors: Vec<_> = (0..n).map(|_| xtra_impl::spawn(mb)).collect();
    check(ask_all(actors.iter().map(|a| a.send(xtra_impl::Get))).await)?;
    let elapsed = start.elapsed();
    let grown = resident_bytes()?.saturating_sub(before);
    drop(actors);
    Ok(Spawned { elapsed, grown })
}
