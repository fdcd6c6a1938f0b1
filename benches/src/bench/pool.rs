//! A pool of 2 under load: one sender tells `n` jobs, each a little
//! computation (`WORK` rounds of ForkJoin's sine and square); the clock
//! stops when the shared latch has counted every job. Two figures, jobs
//! per second:
//!
//! - one actor does every job (raw tokio: one task draining a channel);
//! - two workers share them, round robin: typact's `Pool` of 2 (its
//!   router task moves each entry into a worker's mailbox) against a
//!   hand-rolled round robin over two tokio tasks, each with its own
//!   channel, which the sender picks in turn.
//!
//! Only tokio and typact run it. With `unbounded`, the pool's own mailbox
//! is unbounded; its workers' mailboxes are always bounded (1024), as a
//! pool measures their length.

use std::time::Instant;

use std::sync::Arc;

use crate::bench::fork_join_work;
use crate::harness::{self, Latch, Outcome, Tx, debug, per_sec};
use crate::model::{CAPACITY, Framework, Mailbox, Runtime, Sizes};

/// Rounds of work per job: enough that two workers on two threads beat
/// one, small enough that routing still shows.
const WORK: usize = 200;

fn job() {
    for _ in 0..WORK {
        fork_join_work();
    }
}

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let n = sizes.pool_jobs;
    match fw {
        Framework::Tokio => Ok(vec![
            harness::on_tokio(rt, tokio_one(mb, n))?,
            harness::on_tokio(rt, tokio_round_robin(mb, n))?,
        ]),
        Framework::Typact => Ok(vec![
            harness::on_tokio(rt, typact_one(mb, n))?,
            harness::on_tokio(rt, typact_pool(mb, n))?,
        ]),
        _ => Err("the pool row measures tokio and typact only".to_owned()),
    }
}

enum Msg {
    Job,
}

fn tokio_worker(mb: Mailbox, latch: Arc<Latch>) -> Tx<Msg> {
    let (tx, mut rx) = harness::channel(mb);
    tokio::spawn(async move {
        while let Some(Msg::Job) = rx.recv().await {
            job();
            latch.count_down();
        }
    });
    tx
}

async fn tokio_one(mb: Mailbox, n: u64) -> Outcome {
    let latch = Latch::new(n as usize);
    let worker = tokio_worker(mb, latch.clone());
    let start = Instant::now();
    for _ in 0..n {
        worker.send(Msg::Job).await?;
    }
    latch.wait().await?;
    Ok(per_sec(n, start.elapsed()))
}

async fn tokio_round_robin(mb: Mailbox, n: u64) -> Outcome {
    let latch = Latch::new(n as usize);
    let workers = [
        tokio_worker(mb, latch.clone()),
        tokio_worker(mb, latch.clone()),
    ];
    let start = Instant::now();
    for i in 0..n {
        workers[(i % 2) as usize].send(Msg::Job).await?;
    }
    latch.wait().await?;
    Ok(per_sec(n, start.elapsed()))
}

mod typact_impl {
    use std::sync::Arc;

    use typact::prelude::*;

    use crate::harness::Latch;

    pub(crate) struct Worker {
        pub(crate) latch: Arc<Latch>,
    }

    #[actor]
    impl Worker {
        #[handler]
        pub(crate) fn job(&mut self) {
            super::job();
            self.latch.count_down();
        }
    }
}

use typact_impl::{Job, Worker};

async fn typact_one(mb: Mailbox, n: u64) -> Outcome {
    let latch = Latch::new(n as usize);
    let builder = typact::Actor::builder(Worker {
        latch: latch.clone(),
    });
    let worker = match mb.capacity() {
        Some(capacity) => builder.capacity(capacity),
        None => builder.unbounded(),
    }
    .spawn();
    let start = Instant::now();
    for _ in 0..n {
        worker.tell(Job).await.map_err(debug)?;
    }
    latch.wait().await?;
    Ok(per_sec(n, start.elapsed()))
}

async fn typact_pool(mb: Mailbox, n: u64) -> Outcome {
    let latch = Latch::new(n as usize);
    let factory = {
        let latch = latch.clone();
        move || Worker {
            latch: latch.clone(),
        }
    };
    let builder = typact::Pool::builder(factory)
        .workers(2)
        .worker_capacity(CAPACITY);
    let pool = match mb.capacity() {
        Some(capacity) => builder.capacity(capacity),
        None => builder.unbounded(),
    }
    .spawn()
    .await
    .map_err(debug)?;
    let start = Instant::now();
    for _ in 0..n {
        pool.tell(Job).await.map_err(debug)?;
    }
    latch.wait().await?;
    Ok(per_sec(n, start.elapsed()))
}
