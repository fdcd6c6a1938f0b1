//! FanIn: many senders, one actor. [`SENDERS`] tasks each tell one counter
//! `Add { by: 1 }` n / [`SENDERS`] times, all at once; when every sender is
//! done, one ask `Get` fetches the total, which is checked. The figure is
//! tells per second, from spawning the senders to the answer.
//!
//! The senders are plain tasks of the runtime (actix: of its arbiters, placed
//! alternately like its actors), each with a clone of the counter's address;
//! each counts down a shared latch when it has told all its messages.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use crate::bench::counter::{
    actix_impl, kameo_impl, ractor_impl, tokio_raw, typact_impl, xtra_impl,
};
use crate::bench::delivered;
use crate::harness::{self, Latch, Outcome, debug, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

/// The sending tasks.
const SENDERS: u64 = 8;

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let each = sizes.fan_in / SENDERS;
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio(mb, each)),
        Framework::Typact => harness::on_tokio(rt, typact(mb, each)),
        Framework::Kameo => harness::on_tokio(rt, kameo(mb, each)),
        Framework::Ractor => harness::on_tokio(rt, ractor(each)),
        Framework::Actix => harness::on_actix(rt, |placer| actix(placer, each)),
        Framework::Xtra => harness::on_tokio(rt, xtra(mb, each)),
    }?;
    Ok(vec![rate])
}

fn check(total: u64, n: u64) -> Outcome<()> {
    if total == n {
        Ok(())
    } else {
        Err(format!("counted {total}, expected {n}"))
    }
}

/// Spawns the senders on the tokio runtime: each runs `send` once, then
/// counts down the returned latch.
fn senders<F>(send: impl Fn() -> F) -> Arc<Latch>
where
    F: Future<Output = ()> + Send + 'static,
{
    let done = Latch::new(SENDERS as usize);
    for _ in 0..SENDERS {
        let sent = send();
        let done = done.clone();
        tokio::spawn(async move {
            sent.await;
            done.count_down();
        });
    }
    done
}

async fn tokio(mb: Mailbox, each: u64) -> Outcome {
    let counter = tokio_raw::spawn(mb);
    let start = Instant::now();
    let done = senders(|| {
        let counter = counter.clone();
        async move {
            for _ in 0..each {
                delivered(counter.send(tokio_raw::Msg::Add { by: 1 }).await);
            }
        }
    });
    done.wait().await?;
    check(tokio_raw::get(&counter).await?, SENDERS * each)?;
    Ok(per_sec(SENDERS * each, start.elapsed()))
}

async fn typact(mb: Mailbox, each: u64) -> Outcome {
    let counter = typact_impl::spawn(mb);
    let start = Instant::now();
    let done = senders(|| {
        let counter = counter.clone();
        async move {
            for _ in 0..each {
                delivered(counter.tell(typact_impl::Add { by: 1 }).await);
            }
        }
    });
    done.wait().await?;
    let total = counter.ask(typact_impl::Get).await.map_err(debug)?;
    check(total, SENDERS * each)?;
    Ok(per_sec(SENDERS * each, start.elapsed()))
}

async fn kameo(mb: Mailbox, each: u64) -> Outcome {
    let counter = kameo_impl::spawn(mb);
    let start = Instant::now();
    let done = senders(|| {
        let counter = counter.clone();
        async move {
            for _ in 0..each {
                delivered(counter.tell(kameo_impl::Add { by: 1 }).await);
            }
        }
    });
    done.wait().await?;
    let total = counter.ask(kameo_impl::Get).await.map_err(debug)?;
    check(total, SENDERS * each)?;
    Ok(per_sec(SENDERS * each, start.elapsed()))
}

async fn ractor(each: u64) -> Outcome {
    let counter = ractor_impl::spawn().await?;
    let start = Instant::now();
    let done = senders(|| {
        let counter = counter.clone();
        async move {
            for _ in 0..each {
                delivered(counter.cast(ractor_impl::Msg::Add { by: 1 }));
            }
        }
    });
    done.wait().await?;
    check(ractor_impl::get(&counter).await?, SENDERS * each)?;
    let elapsed = start.elapsed();
    counter.stop(None);
    Ok(per_sec(SENDERS * each, elapsed))
}

async fn actix(placer: harness::Placer, each: u64) -> Outcome {
    let counter = placer.start(actix_impl::Counter::default());
    let start = Instant::now();
    let done = Latch::new(SENDERS as usize);
    for _ in 0..SENDERS {
        let counter = counter.clone();
        let done = done.clone();
        placer.spawn(async move {
            for _ in 0..each {
                counter.do_send(actix_impl::Add { by: 1 });
            }
            done.count_down();
        });
    }
    done.wait().await?;
    let total = counter.send(actix_impl::Get).await.map_err(debug)?;
    check(total, SENDERS * each)?;
    Ok(per_sec(SENDERS * each, start.elapsed()))
}

async fn xtra(mb: Mailbox, each: u64) -> Outcome {
    let counter = xtra_impl::spawn(mb);
    let start = Instant::now();
    let done = senders(|| {
        let counter = counter.clone();
        async move {
            for _ in 0..each {
                // `detach` returns once the message is queued, as a tell.
                delivered(counter.send(xtra_impl::Add { by: 1 }).detach().await);
            }
        }
    });
    done.wait().await?;
    // As in Counting: xtra's priority heap may let the ask overtake tells
    // still queued, so ask until the count is complete.
    let n = SENDERS * each;
    loop {
        let total = counter.send(xtra_impl::Get).await.map_err(debug)?;
        if total >= n {
            check(total, n)?;
            break;
        }
    }
    Ok(per_sec(n, start.elapsed()))
}
