//! Savina's Big: many actors, each sending `Ping { from }` to a random other
//! actor, which answers `Pong`; on each `Pong` the actor pings again, until
//! it has sent its n pings. It keeps answering pings after that. The figure
//! is messages (pings and pongs) per second.
//!
//! Every actor gets the addresses of all the others in `Peers` before the
//! clock starts (an ask where the framework has one), and `Start` sends its
//! first ping.

use std::sync::Arc;
use std::time::Instant;

use crate::bench::{Rng, delivered};
use crate::harness::{self, Latch, Outcome, Placer, debug, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let (actors, pings) = (sizes.big_actors, sizes.big_pings);
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio_raw::run(mb, actors, pings)),
        Framework::Typact => harness::on_tokio(rt, typact_impl::run(mb, actors, pings)),
        Framework::Kameo => harness::on_tokio(rt, kameo_impl::run(mb, actors, pings)),
        Framework::Ractor => harness::on_tokio(rt, ractor_impl::run(actors, pings)),
        Framework::Actix => harness::on_actix(rt, |placer| actix_impl::run(placer, actors, pings)),
        Framework::Xtra => harness::on_tokio(rt, xtra_impl::run(mb, actors, pings)),
    }?;
    Ok(vec![rate])
}

/// What every framework's actor keeps besides its peers.
struct Node {
    index: usize,
    left: u64,
    rng: Rng,
    done: Arc<Latch>,
}

impl Node {
    fn new(index: usize, pings: u64, done: Arc<Latch>) -> Node {
        Node {
            index,
            left: pings,
            rng: Rng::new(index),
            done,
        }
    }

    /// The peer to ping next.
    fn target(&mut self, count: usize) -> usize {
        self.rng.peer(self.index, count)
    }

    /// Records a pong; returns whether to ping again.
    fn ponged(&mut self) -> bool {
        self.left -= 1;
        if self.left == 0 {
            self.done.count_down();
        }
        self.left > 0
    }
}

/// Times the game: `start` sends every actor `Start`.
async fn timed(
    actors: usize,
    pings: u64,
    done: &Latch,
    start: impl AsyncFnOnce() -> Outcome<()>,
) -> Outcome {
    let clock = Instant::now();
    start().await?;
    done.wait().await?;
    Ok(per_sec(2 * pings * actors as u64, clock.elapsed()))
}

mod tokio_raw {
    use super::*;
    use crate::harness::Tx;

    enum Msg {
        Peers(Arc<[Tx<Msg>]>),
        Start,
        Ping { from: usize },
        Pong,
    }

    pub(super) async fn run(mb: Mailbox, actors: usize, pings: u64) -> Outcome {
        let done = Latch::new(actors);
        let mut nodes = Vec::with_capacity(actors);
        for index in 0..actors {
            let (tx, mut inbox) = harness::channel::<Msg>(mb);
            let mut node = Node::new(index, pings, done.clone());
            tokio::spawn(async move {
                let mut peers: Arc<[Tx<Msg>]> = Arc::new([]);
                while let Some(msg) = inbox.recv().await {
                    match msg {
                        Msg::Peers(all) => peers = all,
                        Msg::Start => {
                            let to = node.target(peers.len());
                            delivered(peers[to].send(Msg::Ping { from: node.index }).await);
                        }
                        Msg::Ping { from } => delivered(peers[from].send(Msg::Pong).await),
                        Msg::Pong => {
                            if node.ponged() {
                                let to = node.target(peers.len());
                                delivered(peers[to].send(Msg::Ping { from: node.index }).await);
                            }
                        }
                    }
                }
            });
            nodes.push(tx);
        }
        let peers: Arc<[Tx<Msg>]> = nodes.into();
        for node in peers.iter() {
            node.send(Msg::Peers(peers.clone())).await?;
        }
        timed(actors, pings, &done, async || {
            for node in peers.iter() {
                node.send(Msg::Start).await?;
            }
            Ok(())
        })
        .await
    }
}

mod typact_impl {
    use typact::prelude::*;

    use super::*;
    use crate::harness::typact_mailbox;

    pub(super) struct BigNode {
        node: Node,
        peers: Arc<[ActorRef<BigNode>]>,
    }

    #[actor]
    impl BigNode {
        #[handler]
        fn peers(&mut self, all: Arc<[ActorRef<BigNode>]>) {
            self.peers = all;
        }

        #[handler]
        async fn start(&mut self) {
            self.send_ping().await;
        }

        #[handler]
        async fn ping(&mut self, from: usize) {
            delivered(self.peers[from].tell(Pong).await);
        }

        #[handler]
        async fn pong(&mut self) {
            if self.node.ponged() {
                self.send_ping().await;
            }
        }
    }

    impl BigNode {
        async fn send_ping(&mut self) {
            let to = self.node.target(self.peers.len());
            let from = self.node.index;
            delivered(self.peers[to].tell(Ping { from }).await);
        }
    }

    pub(super) async fn run(mb: Mailbox, actors: usize, pings: u64) -> Outcome {
        let done = Latch::new(actors);
        let peers: Arc<[ActorRef<BigNode>]> = (0..actors)
            .map(|index| {
                let node = BigNode {
                    node: Node::new(index, pings, done.clone()),
                    peers: Arc::new([]),
                };
                node.builder().mailbox(typact_mailbox(mb)).spawn()
            })
            .collect();
        for node in peers.iter() {
            node.ask(Peers { all: peers.clone() })
                .await
                .map_err(debug)?;
        }
        timed(actors, pings, &done, async || {
            for node in peers.iter() {
                node.tell(Start).await.map_err(debug)?;
            }
            Ok(())
        })
        .await
    }
}

mod kameo_impl {
    use kameo::actor::{ActorRef, Spawn};
    use kameo::message::{Context, Message};

    use super::*;
    use crate::harness::kameo_mailbox;

    #[derive(kameo::Actor)]
    pub(super) struct BigNode {
        node: Node,
        peers: Arc<[ActorRef<BigNode>]>,
    }

    pub(super) struct Peers(Arc<[ActorRef<BigNode>]>);

    pub(super) struct Start;

    pub(super) struct Ping {
        from: usize,
    }

    pub(super) struct Pong;

    impl BigNode {
        async fn send_ping(&mut self) {
            let to = self.node.target(self.peers.len());
            let from = self.node.index;
            delivered(self.peers[to].tell(Ping { from }).await);
        }
    }

    impl Message<Peers> for BigNode {
        type Reply = ();

        async fn handle(&mut self, msg: Peers, _: &mut Context<Self, ()>) {
            self.peers = msg.0;
        }
    }

    impl Message<Start> for BigNode {
        type Reply = ();

        async fn handle(&mut self, _: Start, _: &mut Context<Self, ()>) {
            self.send_ping().await;
        }
    }

    impl Message<Ping> for BigNode {
        type Reply = ();

        async fn handle(&mut self, msg: Ping, _: &mut Context<Self, ()>) {
            delivered(self.peers[msg.from].tell(Pong).await);
        }
    }

    impl Message<Pong> for BigNode {
        type Reply = ();

        async fn handle(&mut self, _: Pong, _: &mut Context<Self, ()>) {
            if self.node.ponged() {
                self.send_ping().await;
            }
        }
    }

    fn stopped<E>(_: E) -> String {
        "a node stopped".to_owned()
    }

    pub(super) async fn run(mb: Mailbox, actors: usize, pings: u64) -> Outcome {
        let done = Latch::new(actors);
        let peers: Arc<[ActorRef<BigNode>]> = (0..actors)
            .map(|index| {
                let node = BigNode {
                    node: Node::new(index, pings, done.clone()),
                    peers: Arc::new([]),
                };
                BigNode::spawn_with_mailbox(node, kameo_mailbox(mb))
            })
            .collect();
        for node in peers.iter() {
            node.ask(Peers(peers.clone())).await.map_err(stopped)?;
        }
        timed(actors, pings, &done, async || {
            for node in peers.iter() {
                node.tell(Start).await.map_err(stopped)?;
            }
            Ok(())
        })
        .await
    }
}

mod ractor_impl {
    use ractor::{Actor, ActorProcessingErr, ActorRef};

    use super::*;

    pub(super) struct BigNode;

    pub(super) enum Msg {
        Peers(Arc<[ActorRef<Msg>]>),
        Start,
        Ping { from: usize },
        Pong,
    }

    pub(super) struct State {
        node: Node,
        peers: Arc<[ActorRef<Msg>]>,
    }

    impl State {
        fn send_ping(&mut self) -> Result<(), ActorProcessingErr> {
            let to = self.node.target(self.peers.len());
            let from = self.node.index;
            self.peers[to].cast(Msg::Ping { from })?;
            Ok(())
        }
    }

    impl Actor for BigNode {
        type Msg = Msg;
        type State = State;
        type Arguments = Node;

        async fn pre_start(
            &self,
            _: ActorRef<Msg>,
            node: Node,
        ) -> Result<State, ActorProcessingErr> {
            Ok(State {
                node,
                peers: Arc::new([]),
            })
        }

        async fn handle(
            &self,
            _: ActorRef<Msg>,
            msg: Msg,
            state: &mut State,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                Msg::Peers(all) => state.peers = all,
                Msg::Start => state.send_ping()?,
                Msg::Ping { from } => state.peers[from].cast(Msg::Pong)?,
                Msg::Pong => {
                    if state.node.ponged() {
                        state.send_ping()?;
                    }
                }
            }
            Ok(())
        }
    }

    fn stopped<E>(_: E) -> String {
        "a node stopped".to_owned()
    }

    pub(super) async fn run(actors: usize, pings: u64) -> Outcome {
        let done = Latch::new(actors);
        let mut nodes = Vec::with_capacity(actors);
        for index in 0..actors {
            let node = Node::new(index, pings, done.clone());
            let (node, _) = Actor::spawn(None, BigNode, node).await.map_err(debug)?;
            nodes.push(node);
        }
        let peers: Arc<[ActorRef<Msg>]> = nodes.into();
        // ractor's mailbox is in order, so `Peers` is handled before `Start`.
        for node in peers.iter() {
            node.cast(Msg::Peers(peers.clone())).map_err(stopped)?;
        }
        timed(actors, pings, &done, async || {
            for node in peers.iter() {
                node.cast(Msg::Start).map_err(stopped)?;
            }
            Ok(())
        })
        .await
    }
}

mod actix_impl {
    use actix::{Actor, Addr, Context, Handler};

    use super::*;

    pub(super) struct BigNode {
        node: Node,
        peers: Arc<[Addr<BigNode>]>,
    }

    impl Actor for BigNode {
        type Context = Context<Self>;
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Peers(Arc<[Addr<BigNode>]>);

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Start;

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Ping {
        from: usize,
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Pong;

    impl BigNode {
        fn send_ping(&mut self) {
            let to = self.node.target(self.peers.len());
            let from = self.node.index;
            self.peers[to].do_send(Ping { from });
        }
    }

    impl Handler<Peers> for BigNode {
        type Result = ();

        fn handle(&mut self, msg: Peers, _: &mut Context<Self>) {
            self.peers = msg.0;
        }
    }

    impl Handler<Start> for BigNode {
        type Result = ();

        fn handle(&mut self, _: Start, _: &mut Context<Self>) {
            self.send_ping();
        }
    }

    impl Handler<Ping> for BigNode {
        type Result = ();

        fn handle(&mut self, msg: Ping, _: &mut Context<Self>) {
            self.peers[msg.from].do_send(Pong);
        }
    }

    impl Handler<Pong> for BigNode {
        type Result = ();

        fn handle(&mut self, _: Pong, _: &mut Context<Self>) {
            if self.node.ponged() {
                self.send_ping();
            }
        }
    }

    pub(super) async fn run(placer: Placer, actors: usize, pings: u64) -> Outcome {
        let done = Latch::new(actors);
        let peers: Arc<[Addr<BigNode>]> = (0..actors)
            .map(|index| {
                placer.start(BigNode {
                    node: Node::new(index, pings, done.clone()),
                    peers: Arc::new([]),
                })
            })
            .collect();
        for node in peers.iter() {
            node.send(Peers(peers.clone())).await.map_err(debug)?;
        }
        timed(actors, pings, &done, async || {
            for node in peers.iter() {
                node.do_send(Start);
            }
            Ok(())
        })
        .await
    }
}

mod xtra_impl {
    use xtra::{Address, Context, Handler};

    use super::*;
    use crate::harness::xtra_mailbox;

    #[derive(xtra::Actor)]
    pub(super) struct BigNode {
        node: Node,
        peers: Arc<[Address<BigNode>]>,
    }

    pub(super) struct Peers(Arc<[Address<BigNode>]>);

    pub(super) struct Start;

    pub(super) struct Ping {
        from: usize,
    }

    pub(super) struct Pong;

    impl BigNode {
        async fn send_ping(&mut self) {
            let to = self.node.target(self.peers.len());
            let from = self.node.index;
            delivered(self.peers[to].send(Ping { from }).detach().await);
        }
    }

    impl Handler<Peers> for BigNode {
        type Return = ();

        async fn handle(&mut self, msg: Peers, _: &mut Context<Self>) {
            self.peers = msg.0;
        }
    }

    impl Handler<Start> for BigNode {
        type Return = ();

        async fn handle(&mut self, _: Start, _: &mut Context<Self>) {
            self.send_ping().await;
        }
    }

    impl Handler<Ping> for BigNode {
        type Return = ();

        async fn handle(&mut self, msg: Ping, _: &mut Context<Self>) {
            delivered(self.peers[msg.from].send(Pong).detach().await);
        }
    }

    impl Handler<Pong> for BigNode {
        type Return = ();

        async fn handle(&mut self, _: Pong, _: &mut Context<Self>) {
            if self.node.ponged() {
                self.send_ping().await;
            }
        }
    }

    pub(super) async fn run(mb: Mailbox, actors: usize, pings: u64) -> Outcome {
        let done = Latch::new(actors);
        let peers: Arc<[Address<BigNode>]> = (0..actors)
            .map(|index| {
                let node = BigNode {
                    node: Node::new(index, pings, done.clone()),
                    peers: Arc::new([]),
                };
                xtra::spawn_tokio(node, xtra_mailbox(mb))
            })
            .collect();
        for node in peers.iter() {
            node.send(Peers(peers.clone())).await.map_err(debug)?;
        }
        timed(actors, pings, &done, async || {
            for node in peers.iter() {
                node.send(Start).detach().await.map(drop).map_err(debug)?;
            }
            Ok(())
        })
        .await
    }
}
