//! Savina's two ForkJoin benchmarks, on one worker actor that handles `Work`
//! by computing a sine and a square, and reports to a latch once it has
//! handled its share.
//!
//! - Throughput: one sender tells each of a fixed set of workers `Work` in
//!   turn, n messages each. The figure is messages handled per second.
//! - Create: one sender spawns n workers, tells each one `Work` and drops its
//!   address; each worker then ends. The figure is actors per second.

use std::sync::Arc;
use std::time::Instant;

use crate::bench::fork_join_work;
use crate::harness::{self, Latch, Outcome, Placer, debug, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run_throughput(
    fw: Framework,
    rt: Runtime,
    mb: Mailbox,
    sizes: &Sizes,
) -> Outcome<Vec<f64>> {
    let (workers, n) = (sizes.fj_workers, sizes.fj_messages);
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio_raw::throughput(mb, workers, n)),
        Framework::Typact => harness::on_tokio(rt, typact_impl::throughput(mb, workers, n)),
        Framework::Kameo => harness::on_tokio(rt, kameo_impl::throughput(mb, workers, n)),
        Framework::Ractor => harness::on_tokio(rt, ractor_impl::throughput(workers, n)),
        Framework::Actix => {
            harness::on_actix(rt, |placer| actix_impl::throughput(placer, workers, n))
        }
        Framework::Xtra => harness::on_tokio(rt, xtra_impl::throughput(mb, workers, n)),
    }?;
    Ok(vec![rate])
}

pub(crate) fn run_create(
    fw: Framework,
    rt: Runtime,
    mb: Mailbox,
    sizes: &Sizes,
) -> Outcome<Vec<f64>> {
    let n = sizes.fj_create;
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio_raw::create(mb, n)),
        Framework::Typact => harness::on_tokio(rt, typact_impl::create(mb, n)),
        Framework::Kameo => harness::on_tokio(rt, kameo_impl::create(mb, n)),
        Framework::Ractor => harness::on_tokio(rt, ractor_impl::create(n)),
        Framework::Actix => harness::on_actix(rt, |placer| actix_impl::create(placer, n)),
        Framework::Xtra => harness::on_tokio(rt, xtra_impl::create(mb, n)),
    }?;
    Ok(vec![rate])
}

mod tokio_raw {
    use super::*;
    use crate::harness::Tx;

    /// The worker task: `Work` is a unit message.
    fn spawn(mb: Mailbox, mut left: u64, done: Arc<Latch>) -> Tx<()> {
        let (tx, mut inbox) = harness::channel::<()>(mb);
        tokio::spawn(async move {
            while inbox.recv().await.is_some() {
                fork_join_work();
                left -= 1;
                if left == 0 {
                    done.count_down();
                }
            }
        });
        tx
    }

    pub(super) async fn throughput(mb: Mailbox, workers: usize, n: u64) -> Outcome {
        let done = Latch::new(workers);
        let workers: Vec<_> = (0..workers).map(|_| spawn(mb, n, done.clone())).collect();
        let clock = Instant::now();
        for _ in 0..n {
            for worker in &workers {
                worker.send(()).await?;
            }
        }
        done.wait().await?;
        Ok(per_sec(n * workers.len() as u64, clock.elapsed()))
    }

    pub(super) async fn create(mb: Mailbox, n: usize) -> Outcome {
        let done = Latch::new(n);
        let clock = Instant::now();
        for _ in 0..n {
            spawn(mb, 1, done.clone()).send(()).await?;
        }
        done.wait().await?;
        Ok(per_sec(n as u64, clock.elapsed()))
    }
}

mod typact_impl {
    use typact::prelude::*;

    use super::*;
    use crate::harness::typact_mailbox;

    pub(super) struct Worker {
        left: u64,
        done: Arc<Latch>,
    }

    #[actor]
    impl Worker {
        #[handler]
        fn work(&mut self) {
            fork_join_work();
            self.left -= 1;
            if self.left == 0 {
                self.done.count_down();
            }
        }
    }

    fn spawn(mb: Mailbox, left: u64, done: Arc<Latch>) -> ActorRef<Worker> {
        Worker { left, done }
            .builder()
            .mailbox(typact_mailbox(mb))
            .spawn()
    }

    pub(super) async fn throughput(mb: Mailbox, workers: usize, n: u64) -> Outcome {
        let done = Latch::new(workers);
        let workers: Vec<_> = (0..workers).map(|_| spawn(mb, n, done.clone())).collect();
        let clock = Instant::now();
        for _ in 0..n {
            for worker in &workers {
                worker.tell(Work).await.map_err(debug)?;
            }
        }
        done.wait().await?;
        Ok(per_sec(n * workers.len() as u64, clock.elapsed()))
    }

    pub(super) async fn create(mb: Mailbox, n: usize) -> Outcome {
        let done = Latch::new(n);
        let clock = Instant::now();
        for _ in 0..n {
            spawn(mb, 1, done.clone()).tell(Work).await.map_err(debug)?;
        }
        done.wait().await?;
        Ok(per_sec(n as u64, clock.elapsed()))
    }
}

mod kameo_impl {
    use kameo::actor::{ActorRef, Spawn};
    use kameo::message::{Context, Message};

    use super::*;
    use crate::harness::kameo_mailbox;

    #[derive(kameo::Actor)]
    pub(super) struct Worker {
        left: u64,
        done: Arc<Latch>,
    }

    pub(super) struct Work;

    impl Message<Work> for Worker {
        type Reply = ();

        async fn handle(&mut self, _: Work, _: &mut Context<Self, ()>) {
            fork_join_work();
            self.left -= 1;
            if self.left == 0 {
                self.done.count_down();
            }
        }
    }

    fn spawn(mb: Mailbox, left: u64, done: Arc<Latch>) -> ActorRef<Worker> {
        Worker::spawn_with_mailbox(Worker { left, done }, kameo_mailbox(mb))
    }

    fn stopped<E>(_: E) -> String {
        "a worker stopped".to_owned()
    }

    pub(super) async fn throughput(mb: Mailbox, workers: usize, n: u64) -> Outcome {
        let done = Latch::new(workers);
        let workers: Vec<_> = (0..workers).map(|_| spawn(mb, n, done.clone())).collect();
        let clock = Instant::now();
        for _ in 0..n {
            for worker in &workers {
                worker.tell(Work).await.map_err(stopped)?;
            }
        }
        done.wait().await?;
        Ok(per_sec(n * workers.len() as u64, clock.elapsed()))
    }

    pub(super) async fn create(mb: Mailbox, n: usize) -> Outcome {
        let done = Latch::new(n);
        let clock = Instant::now();
        for _ in 0..n {
            spawn(mb, 1, done.clone())
                .tell(Work)
                .await
                .map_err(stopped)?;
        }
        done.wait().await?;
        Ok(per_sec(n as u64, clock.elapsed()))
    }
}

mod ractor_impl {
    use ractor::{Actor, ActorProcessingErr, ActorRef};

    use super::*;

    pub(super) struct Worker;

    pub(super) struct State {
        left: u64,
        done: Arc<Latch>,
    }

    impl Actor for Worker {
        /// `Work` is the only message, so it is `()`.
        type Msg = ();
        type State = State;
        type Arguments = State;

        async fn pre_start(
            &self,
            _: ActorRef<()>,
            state: State,
        ) -> Result<State, ActorProcessingErr> {
            Ok(state)
        }

        async fn handle(
            &self,
            myself: ActorRef<()>,
            _: (),
            state: &mut State,
        ) -> Result<(), ActorProcessingErr> {
            fork_join_work();
            state.left -= 1;
            if state.left == 0 {
                state.done.count_down();
                // A ractor actor does not end when its references are gone.
                myself.stop(None);
            }
            Ok(())
        }
    }

    async fn spawn(left: u64, done: Arc<Latch>) -> Outcome<ActorRef<()>> {
        let (worker, _) = Actor::spawn(None, Worker, State { left, done })
            .await
            .map_err(debug)?;
        Ok(worker)
    }

    fn stopped<E>(_: E) -> String {
        "a worker stopped".to_owned()
    }

    pub(super) async fn throughput(workers: usize, n: u64) -> Outcome {
        let done = Latch::new(workers);
        let mut refs = Vec::with_capacity(workers);
        for _ in 0..workers {
            refs.push(spawn(n, done.clone()).await?);
        }
        let clock = Instant::now();
        for _ in 0..n {
            for worker in &refs {
                worker.cast(()).map_err(stopped)?;
            }
        }
        done.wait().await?;
        Ok(per_sec(n * workers as u64, clock.elapsed()))
    }

    pub(super) async fn create(n: usize) -> Outcome {
        let done = Latch::new(n);
        let clock = Instant::now();
        for _ in 0..n {
            spawn(1, done.clone()).await?.cast(()).map_err(stopped)?;
        }
        done.wait().await?;
        Ok(per_sec(n as u64, clock.elapsed()))
    }
}

mod actix_impl {
    use actix::{Actor, Context, Handler};

    use super::*;

    pub(super) struct Worker {
        left: u64,
        done: Arc<Latch>,
    }

    impl Actor for Worker {
        type Context = Context<Self>;
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Work;

    impl Handler<Work> for Worker {
        type Result = ();

        fn handle(&mut self, _: Work, _: &mut Context<Self>) {
            fork_join_work();
            self.left -= 1;
            if self.left == 0 {
                self.done.count_down();
            }
        }
    }

    pub(super) async fn throughput(placer: Placer, workers: usize, n: u64) -> Outcome {
        let done = Latch::new(workers);
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                placer.start(Worker {
                    left: n,
                    done: done.clone(),
                })
            })
            .collect();
        let clock = Instant::now();
        for _ in 0..n {
            for worker in &workers {
                worker.do_send(Work);
            }
        }
        done.wait().await?;
        Ok(per_sec(n * workers.len() as u64, clock.elapsed()))
    }

    pub(super) async fn create(placer: Placer, n: usize) -> Outcome {
        let done = Latch::new(n);
        let clock = Instant::now();
        for _ in 0..n {
            let worker = placer.start(Worker {
                left: 1,
                done: done.clone(),
            });
            worker.do_send(Work);
        }
        done.wait().await?;
        Ok(per_sec(n as u64, clock.elapsed()))
    }
}

mod xtra_impl {
    use xtra::{Address, Context, Handler};

    use super::*;
    use crate::harness::xtra_mailbox;

    #[derive(xtra::Actor)]
    pub(super) struct Worker {
        left: u64,
        done: Arc<Latch>,
    }

    pub(super) struct Work;

    impl Handler<Work> for Worker {
        type Return = ();

        async fn handle(&mut self, _: Work, _: &mut Context<Self>) {
            fork_join_work();
            self.left -= 1;
            if self.left == 0 {
                self.done.count_down();
            }
        }
    }

    fn spawn(mb: Mailbox, left: u64, done: Arc<Latch>) -> Address<Worker> {
        xtra::spawn_tokio(Worker { left, done }, xtra_mailbox(mb))
    }

    pub(super) async fn throughput(mb: Mailbox, workers: usize, n: u64) -> Outcome {
        let done = Latch::new(workers);
        let workers: Vec<_> = (0..workers).map(|_| spawn(mb, n, done.clone())).collect();
        let clock = Instant::now();
        for _ in 0..n {
            for worker in &workers {
                worker.send(Work).detach().await.map(drop).map_err(debug)?;
            }
        }
        done.wait().await?;
        Ok(per_sec(n * workers.len() as u64, clock.elapsed()))
    }

    pub(super) async fn create(mb: Mailbox, n: usize) -> Outcome {
        let done = Latch::new(n);
        let clock = Instant::now();
        for _ in 0..n {
            let worker = spawn(mb, 1, done.clone());
            worker.send(Work).detach().await.map(drop).map_err(debug)?;
        }
        done.wait().await?;
        Ok(per_sec(n as u64, clock.elapsed()))
    }
}
