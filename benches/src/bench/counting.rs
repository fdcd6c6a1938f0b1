//! Savina's Counting: one sender tells a counter `Add { by: 1 }` n times,
//! then asks for the total and checks it. The figure is tells per second,
//! the final ask included.

use std::time::Instant;

use crate::bench::counter::{
    actix_impl, kameo_impl, ractor_impl, tokio_raw, typact_impl, xtra_impl,
};
use crate::harness::{self, Outcome, debug, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let n = sizes.counting;
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio(mb, n)),
        Framework::Typact => harness::on_tokio(rt, typact(mb, n)),
        Framework::Kameo => harness::on_tokio(rt, kameo(mb, n)),
        Framework::Ractor => harness::on_tokio(rt, ractor(n)),
        Framework::Actix => harness::on_actix(rt, |placer| actix(placer, n)),
        Framework::Xtra => harness::on_tokio(rt, xtra(mb, n)),
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

async fn tokio(mb: Mailbox, n: u64) -> Outcome {
    let counter = tokio_raw::spawn(mb);
    let start = Instant::now();
    for _ in 0..n {
        counter.send(tokio_raw::Msg::Add { by: 1 }).await?;
    }
    check(tokio_raw::get(&counter).await?, n)?;
    Ok(per_sec(n, start.elapsed()))
}

async fn typact(mb: Mailbox, n: u64) -> Outcome {
    let counter = typact_impl::spawn(mb);
    let start = Instant::now();
    for _ in 0..n {
        counter
            .tell(typact_impl::Add { by: 1 })
            .await
            .map_err(debug)?;
    }
    check(counter.ask(typact_impl::Get).await.map_err(debug)?, n)?;
    Ok(per_sec(n, start.elapsed()))
}

async fn kameo(mb: Mailbox, n: u64) -> Outcome {
    let counter = kameo_impl::spawn(mb);
    let start = Instant::now();
    for _ in 0..n {
        counter
            .tell(kameo_impl::Add { by: 1 })
            .await
            .map_err(debug)?;
    }
    check(counter.ask(kameo_impl::Get).await.map_err(debug)?, n)?;
    Ok(per_sec(n, start.elapsed()))
}

async fn ractor(n: u64) -> Outcome {
    let counter = ractor_impl::spawn().await?;
    let start = Instant::now();
    for _ in 0..n {
        counter
            .cast(ractor_impl::Msg::Add { by: 1 })
            .map_err(debug)?;
    }
    check(ractor_impl::get(&counter).await?, n)?;
    let elapsed = start.elapsed();
    counter.stop(None);
    Ok(per_sec(n, elapsed))
}

async fn actix(placer: harness::Placer, n: u64) -> Outcome {
    let counter = placer.start(actix_impl::Counter::default());
    let start = Instant::now();
    for _ in 0..n {
        counter.do_send(actix_impl::Add { by: 1 });
    }
    check(counter.send(actix_impl::Get).await.map_err(debug)?, n)?;
    Ok(per_sec(n, start.elapsed()))
}

async fn xtra(mb: Mailbox, n: u64) -> Outcome {
    let counter = xtra_impl::spawn(mb);
    let start = Instant::now();
    for _ in 0..n {
        // `detach` returns once the message is queued, as a tell.
        counter
            .send(xtra_impl::Add { by: 1 })
            .detach()
            .await
            .map(drop)
            .map_err(debug)?;
    }
    // xtra's mailbox is a priority heap that keeps no order among messages
    // of equal priority, so the ask may overtake tells: ask until the count
    // is complete.
    loop {
        let total = counter.send(xtra_impl::Get).await.map_err(debug)?;
        if total >= n {
            check(total, n)?;
            break;
        }
    }
    Ok(per_sec(n, start.elapsed()))
}
