//! Savina's PingPong: a pinger tells a ponger `Ping`, the ponger tells it
//! `Pong` back, n times in turn. The figure is messages per second (two per
//! round trip).
//!
//! The pinger is spawned first; the ponger gets its address at spawn; the
//! pinger learns the ponger's from a `Start { ponger, done }` message, which
//! also starts the game.

use std::sync::Arc;
use std::time::Instant;

use crate::harness::{self, Latch, Outcome, Placer, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let n = sizes.ping_pong;
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio_raw::run(mb, n)),
        Framework::Typact => harness::on_tokio(rt, typact_impl::run(mb, n)),
        Framework::Kameo => harness::on_tokio(rt, kameo_impl::run(mb, n)),
        Framework::Ractor => harness::on_tokio(rt, ractor_impl::run(n)),
        Framework::Actix => harness::on_actix(rt, |placer| actix_impl::run(placer, n)),
        Framework::Xtra => harness::on_tokio(rt, xtra_impl::run(mb, n)),
    }?;
    Ok(vec![rate])
}

/// Times the game from the `Start` message to the last `Pong`.
async fn timed(n: u64, start: impl AsyncFnOnce(Arc<Latch>) -> Outcome<()>) -> Outcome {
    let done = Latch::new(1);
    let clock = Instant::now();
    start(done.clone()).await?;
    done.wait().await?;
    Ok(per_sec(2 * n, clock.elapsed()))
}

mod tokio_raw {
    use super::*;
    use crate::bench::delivered;
    use crate::harness::Tx;

    enum PingerMsg {
        Start { ponger: Tx<()>, done: Arc<Latch> },
        Pong,
    }

    pub(super) async fn run(mb: Mailbox, n: u64) -> Outcome {
        let (pinger, mut inbox) = harness::channel::<PingerMsg>(mb);
        tokio::spawn(async move {
            let mut left = n;
            let mut peer = None;
            let mut finished = None;
            while let Some(msg) = inbox.recv().await {
                match msg {
                    PingerMsg::Start { ponger, done } => {
                        delivered(ponger.send(()).await);
                        peer = Some(ponger);
                        finished = Some(done);
                    }
                    PingerMsg::Pong => {
                        left -= 1;
                        if left == 0 {
                            finished.as_ref().expect("started").count_down();
                        } else {
                            let ponger = peer.as_ref().expect("started");
                            delivered(ponger.send(()).await);
                        }
                    }
                }
            }
        });
        let (ponger, mut pings) = harness::channel::<()>(mb);
        let back = pinger.clone();
        tokio::spawn(async move {
            while pings.recv().await.is_some() {
                delivered(back.send(PingerMsg::Pong).await);
            }
        });
        timed(n, async |done| {
            pinger.send(PingerMsg::Start { ponger, done }).await
        })
        .await
    }
}

mod typact_impl {
    use typact::prelude::*;

    use super::*;
    use crate::bench::delivered;
    use crate::harness::{debug, typact_mailbox};

    pub(super) struct Pinger {
        left: u64,
        ponger: Option<ActorRef<Ponger>>,
        done: Option<Arc<Latch>>,
    }

    #[actor]
    impl Pinger {
        #[handler]
        async fn start(&mut self, ponger: ActorRef<Ponger>, done: Arc<Latch>) {
            delivered(ponger.tell(Ping).await);
            self.ponger = Some(ponger);
            self.done = Some(done);
        }

        #[handler]
        async fn pong(&mut self) {
            self.left -= 1;
            if self.left == 0 {
                self.done.as_ref().expect("started").count_down();
            } else {
                delivered(self.ponger.as_ref().expect("started").tell(Ping).await);
            }
        }
    }

    pub(super) struct Ponger {
        pinger: ActorRef<Pinger>,
    }

    #[actor]
    impl Ponger {
        #[handler]
        async fn ping(&mut self) {
            delivered(self.pinger.tell(Pong).await);
        }
    }

    pub(super) async fn run(mb: Mailbox, n: u64) -> Outcome {
        let mailbox = typact_mailbox(mb);
        let pinger = Pinger {
            left: n,
            ponger: None,
            done: None,
        }
        .builder()
        .mailbox(mailbox)
        .spawn();
        let ponger = Ponger {
            pinger: pinger.clone(),
        }
        .builder()
        .mailbox(mailbox)
        .spawn();
        timed(n, async |done| {
            pinger.tell(Start { ponger, done }).await.map_err(debug)
        })
        .await
    }
}

mod kameo_impl {
    use kameo::actor::{ActorRef, Spawn};
    use kameo::message::{Context, Message};

    use super::*;
    use crate::bench::delivered;
    use crate::harness::kameo_mailbox;

    #[derive(kameo::Actor)]
    pub(super) struct Pinger {
        left: u64,
        ponger: Option<ActorRef<Ponger>>,
        done: Option<Arc<Latch>>,
    }

    #[derive(kameo::Actor)]
    pub(super) struct Ponger {
        pinger: ActorRef<Pinger>,
    }

    pub(super) struct Start {
        ponger: ActorRef<Ponger>,
        done: Arc<Latch>,
    }

    pub(super) struct Ping;

    pub(super) struct Pong;

    impl Message<Start> for Pinger {
        type Reply = ();

        async fn handle(&mut self, msg: Start, _: &mut Context<Self, ()>) {
            delivered(msg.ponger.tell(Ping).await);
            self.ponger = Some(msg.ponger);
            self.done = Some(msg.done);
        }
    }

    impl Message<Pong> for Pinger {
        type Reply = ();

        async fn handle(&mut self, _: Pong, _: &mut Context<Self, ()>) {
            self.left -= 1;
            if self.left == 0 {
                self.done.as_ref().expect("started").count_down();
            } else {
                delivered(self.ponger.as_ref().expect("started").tell(Ping).await);
            }
        }
    }

    impl Message<Ping> for Ponger {
        type Reply = ();

        async fn handle(&mut self, _: Ping, _: &mut Context<Self, ()>) {
            delivered(self.pinger.tell(Pong).await);
        }
    }

    pub(super) async fn run(mb: Mailbox, n: u64) -> Outcome {
        let pinger = Pinger::spawn_with_mailbox(
            Pinger {
                left: n,
                ponger: None,
                done: None,
            },
            kameo_mailbox(mb),
        );
        let ponger = Ponger::spawn_with_mailbox(
            Ponger {
                pinger: pinger.clone(),
            },
            kameo_mailbox(mb),
        );
        timed(n, async |done| {
            let sent = pinger.tell(Start { ponger, done }).await;
            sent.map_err(|_| "the pinger stopped".to_owned())
        })
        .await
    }
}

mod ractor_impl {
    use ractor::{Actor, ActorProcessingErr, ActorRef};

    use super::*;
    use crate::bench::delivered;
    use crate::harness::debug;

    pub(super) struct Pinger;

    pub(super) enum PingerMsg {
        Start {
            ponger: ActorRef<()>,
            done: Arc<Latch>,
        },
        Pong,
    }

    pub(super) struct PingerState {
        left: u64,
        ponger: Option<ActorRef<()>>,
        done: Option<Arc<Latch>>,
    }

    impl Actor for Pinger {
        type Msg = PingerMsg;
        type State = PingerState;
        type Arguments = u64;

        async fn pre_start(
            &self,
            _: ActorRef<PingerMsg>,
            left: u64,
        ) -> Result<PingerState, ActorProcessingErr> {
            Ok(PingerState {
                left,
                ponger: None,
                done: None,
            })
        }

        async fn handle(
            &self,
            _: ActorRef<PingerMsg>,
            msg: PingerMsg,
            state: &mut PingerState,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                PingerMsg::Start { ponger, done } => {
                    ponger.cast(())?;
                    state.ponger = Some(ponger);
                    state.done = Some(done);
                }
                PingerMsg::Pong => {
                    state.left -= 1;
                    if state.left == 0 {
                        state.done.as_ref().expect("started").count_down();
                    } else {
                        delivered(state.ponger.as_ref().expect("started").cast(()));
                    }
                }
            }
            Ok(())
        }
    }

    /// The ponger's messages are all `Ping`, so its message type is `()`.
    pub(super) struct Ponger;

    impl Actor for Ponger {
        type Msg = ();
        type State = ActorRef<PingerMsg>;
        type Arguments = ActorRef<PingerMsg>;

        async fn pre_start(
            &self,
            _: ActorRef<()>,
            pinger: ActorRef<PingerMsg>,
        ) -> Result<ActorRef<PingerMsg>, ActorProcessingErr> {
            Ok(pinger)
        }

        async fn handle(
            &self,
            _: ActorRef<()>,
            _: (),
            pinger: &mut ActorRef<PingerMsg>,
        ) -> Result<(), ActorProcessingErr> {
            pinger.cast(PingerMsg::Pong)?;
            Ok(())
        }
    }

    pub(super) async fn run(n: u64) -> Outcome {
        let (pinger, _) = Actor::spawn(None, Pinger, n).await.map_err(debug)?;
        let (ponger, _) = Actor::spawn(None, Ponger, pinger.clone())
            .await
            .map_err(debug)?;
        timed(n, async |done| {
            let sent = pinger.cast(PingerMsg::Start { ponger, done });
            sent.map_err(|_| "the pinger stopped".to_owned())
        })
        .await
    }
}

mod actix_impl {
    use actix::{Actor, Addr, Context, Handler};

    use super::*;

    pub(super) struct Pinger {
        left: u64,
        ponger: Option<Addr<Ponger>>,
        done: Option<Arc<Latch>>,
    }

    impl Actor for Pinger {
        type Context = Context<Self>;
    }

    pub(super) struct Ponger {
        pinger: Addr<Pinger>,
    }

    impl Actor for Ponger {
        type Context = Context<Self>;
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Start {
        ponger: Addr<Ponger>,
        done: Arc<Latch>,
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Ping;

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Pong;

    impl Handler<Start> for Pinger {
        type Result = ();

        fn handle(&mut self, msg: Start, _: &mut Context<Self>) {
            msg.ponger.do_send(Ping);
            self.ponger = Some(msg.ponger);
            self.done = Some(msg.done);
        }
    }

    impl Handler<Pong> for Pinger {
        type Result = ();

        fn handle(&mut self, _: Pong, _: &mut Context<Self>) {
            self.left -= 1;
            if self.left == 0 {
                self.done.as_ref().expect("started").count_down();
            } else {
                self.ponger.as_ref().expect("started").do_send(Ping);
            }
        }
    }

    impl Handler<Ping> for Ponger {
        type Result = ();

        fn handle(&mut self, _: Ping, _: &mut Context<Self>) {
            self.pinger.do_send(Pong);
        }
    }

    pub(super) async fn run(placer: Placer, n: u64) -> Outcome {
        let pinger = placer.start(Pinger {
            left: n,
            ponger: None,
            done: None,
        });
        let ponger = placer.start(Ponger {
            pinger: pinger.clone(),
        });
        timed(n, async |done| {
            pinger.do_send(Start { ponger, done });
            Ok(())
        })
        .await
    }
}

mod xtra_impl {
    use xtra::{Address, Context, Handler};

    use super::*;
    use crate::bench::delivered;
    use crate::harness::{debug, xtra_mailbox};

    #[derive(xtra::Actor)]
    pub(super) struct Pinger {
        left: u64,
        ponger: Option<Address<Ponger>>,
        done: Option<Arc<Latch>>,
    }

    #[derive(xtra::Actor)]
    pub(super) struct Ponger {
        pinger: Address<Pinger>,
    }

    pub(super) struct Start {
        ponger: Address<Ponger>,
        done: Arc<Latch>,
    }

    pub(super) struct Ping;

    pub(super) struct Pong;

    impl Handler<Start> for Pinger {
        type Return = ();

        async fn handle(&mut self, msg: Start, _: &mut Context<Self>) {
            delivered(msg.ponger.send(Ping).detach().await);
            self.ponger = Some(msg.ponger);
            self.done = Some(msg.done);
        }
    }

    impl Handler<Pong> for Pinger {
        type Return = ();

        async fn handle(&mut self, _: Pong, _: &mut Context<Self>) {
            self.left -= 1;
            if self.left == 0 {
                self.done.as_ref().expect("started").count_down();
            } else {
                let ponger = self.ponger.as_ref().expect("started");
                delivered(ponger.send(Ping).detach().await);
            }
        }
    }

    impl Handler<Ping> for Ponger {
        type Return = ();

        async fn handle(&mut self, _: Ping, _: &mut Context<Self>) {
            delivered(self.pinger.send(Pong).detach().await);
        }
    }

    pub(super) async fn run(mb: Mailbox, n: u64) -> Outcome {
        let pinger = xtra::spawn_tokio(
            Pinger {
                left: n,
                ponger: None,
                done: None,
            },
            xtra_mailbox(mb),
        );
        let ponger = xtra::spawn_tokio(
            Ponger {
                pinger: pinger.clone(),
            },
            xtra_mailbox(mb),
        );
        timed(n, async |done| {
            pinger
                .send(Start { ponger, done })
                .detach()
                .await
                .map(drop)
                .map_err(debug)
        })
        .await
    }
}
