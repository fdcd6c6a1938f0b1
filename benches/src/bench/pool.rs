//! A pool of 2 under load: one sender tells `n` jobs, each a little
//! computation (`WORK` rounds of ForkJoin's sine and square), then asks
//! for the count of jobs done and checks it. Two figures, jobs per second:
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

use tokio::sync::oneshot;

use crate::bench::fork_join_work;
use crate::harness::{self, Outcome, Tx, debug, per_sec};
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

fn check(done: u64, n: u64) -> Outcome<()> {
    if done == n {
        Ok(())
    } else {
        Err(format!("{done} jobs done, expected {n}"))
    }
}

enum Msg {
    Job,
    Done(oneshot::Sender<u64>),
}

fn tokio_worker(mb: Mailbox) -> Tx<Msg> {
    let (tx, mut rx) = harness::channel(mb);
    tokio::spawn(async move {
        let mut done = 0u64;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Job => {
                    job();
                    done += 1;
                }
                Msg::Done(reply) => {
                    let _ = reply.send(done);
                }
            }
        }
    });
    tx
}

async fn tokio_done(worker: &Tx<Msg>) -> Outcome<u64> {
    let (reply, answer) = oneshot::channel();
    worker.send(Msg::Done(reply)).await?;
    answer
        .await
        .map_err(|_| "a worker dropped the reply".to_owned())
}

async fn tokio_one(mb: Mailbox, n: u64) -> Outcome {
    let worker = tokio_worker(mb);
    let start = Instant::now();
    for _ in 0..n {
        worker.send(Msg::Job).await?;
    }
    check(tokio_done(&worker).await?, n)?;
    Ok(per_sec(n, start.elapsed()))
}

async fn tokio_round_robin(mb: Mailbox, n: u64) -> Outcome {
    let workers = [tokio_worker(mb), tokio_worker(mb)];
    let start = Instant::now();
    for i in 0..n {
        workers[(i % 2) as usize].send(Msg::Job).await?;
    }
    let done = tokio_done(&workers[0]).await? + tokio_done(&workers[1]).await?;
    check(done, n)?;
    Ok(per_sec(n, start.elapsed()))
}

mod typact_impl {
    use typact::prelude::*;

    #[derive(Default)]
    pub(crate) struct Worker {
        done: u64,
    }

    #[actor]
    impl Worker {
        #[handler]
        pub(crate) fn job(&mut self) {
            super::job();
            self.done += 1;
        }

        #[handler]
        pub(crate) fn done(&self) -> u64 {
            self.done
        }
    }
}

use typact_impl::{Done, Job, Worker};

async fn typact_one(mb: Mailbox, n: u64) -> Outcome {
    let builder = typact::Actor::builder(Worker::default());
    let worker = match mb {
        Mailbox::Bounded => builder.capacity(CAPACITY),
        Mailbox::Unbounded => builder.unbounded(),
    }
    .spawn();
    let start = Instant::now();
    for _ in 0..n {
        worker.tell(Job).await.map_err(debug)?;
    }
    check(worker.ask(Done).await.map_err(debug)?, n)?;
    Ok(per_sec(n, start.elapsed()))
}

async fn typact_pool(mb: Mailbox, n: u64) -> Outcome {
    let builder = typact::Pool::builder(Worker::default)
        .workers(2)
        .worker_capacity(CAPACITY);
    let pool = match mb {
        Mailbox::Bounded => builder.capacity(CAPACITY),
        Mailbox::Unbounded => builder.unbounded(),
    }
    .spawn()
    .await
    .map_err(debug)?;
    let start = Instant::now();
    for _ in 0..n {
        pool.tell(Job).await.map_err(debug)?;
    }
    // Round robin: these go to one worker and then the other, each after
    // its share of the jobs.
    let done = pool.ask(Done).await.map_err(debug)? + pool.ask(Done).await.map_err(debug)?;
    check(done, n)?;
    Ok(per_sec(n, start.elapsed()))
}
