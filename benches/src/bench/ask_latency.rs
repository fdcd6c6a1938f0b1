//! Ask latency: one sender asks a counter `Get` n times in sequence, each
//! ask awaited before the next, and times every round trip. The figures are
//! the mean, the median (p50) and the 99th percentile, in microseconds.

use std::time::{Duration, Instant};

use crate::bench::counter::{
    actix_impl, kameo_impl, ractor_impl, tokio_raw, typact_impl, xtra_impl,
};
use crate::harness::{self, Outcome, debug};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let n = sizes.asks;
    let times = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio(mb, n)),
        Framework::Typact => harness::on_tokio(rt, typact(mb, n)),
        Framework::Kameo => harness::on_tokio(rt, kameo(mb, n)),
        Framework::Ractor => harness::on_tokio(rt, ractor(n)),
        Framework::Actix => harness::on_actix(rt, |placer| actix(placer, n)),
        Framework::Xtra => harness::on_tokio(rt, xtra(mb, n)),
    }?;
    Ok(summary(times))
}

/// Mean, p50 and p99 of the round trips, in microseconds.
fn summary(mut times: Vec<Duration>) -> Vec<f64> {
    times.sort_unstable();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = micros(times.iter().sum::<Duration>()) / times.len() as f64;
    // Nearest rank: the smallest time at or above the given fraction.
    let rank = |q: f64| micros(times[((q * times.len() as f64).ceil() as usize).max(1) - 1]);
    vec![mean, rank(0.50), rank(0.99)]
}

/// Times `n` calls of `$ask` (an expression awaiting one ask).
macro_rules! time_asks {
    ($n:expr, $ask:expr) => {{
        let mut times = Vec::with_capacity($n);
        for _ in 0..$n {
            let start = Instant::now();
            std::hint::black_box($ask);
            times.push(start.elapsed());
        }
        times
    }};
}

async fn tokio(mb: Mailbox, n: usize) -> Outcome<Vec<Duration>> {
    let counter = tokio_raw::spawn(mb);
    Ok(time_asks!(n, tokio_raw::get(&counter).await?))
}

async fn typact(mb: Mailbox, n: usize) -> Outcome<Vec<Duration>> {
    let counter = typact_impl::spawn(mb);
    Ok(time_asks!(
        n,
        counter.ask(typact_impl::Get).await.map_err(debug)?
    ))
}

async fn kameo(mb: Mailbox, n: usize) -> Outcome<Vec<Duration>> {
    let counter = kameo_impl::spawn(mb);
    Ok(time_asks!(
        n,
        counter.ask(kameo_impl::Get).await.map_err(debug)?
    ))
}

async fn ractor(n: usize) -> Outcome<Vec<Duration>> {
    let counter = ractor_impl::spawn().await?;
    let times = time_asks!(n, ractor_impl::get(&counter).await?);
    counter.stop(None);
    Ok(times)
}

async fn actix(placer: harness::Placer, n: usize) -> Outcome<Vec<Duration>> {
    let counter = placer.start(actix_impl::Counter::default());
    Ok(time_asks!(
        n,
        counter.send(actix_impl::Get).await.map_err(debug)?
    ))
}

async fn xtra(mb: Mailbox, n: usize) -> Outcome<Vec<Duration>> {
    let counter = xtra_impl::spawn(mb);
    Ok(time_asks!(
        n,
        counter.send(xtra_impl::Get).await.map_err(debug)?
    ))
}
