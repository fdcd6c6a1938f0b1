//! Savina's ThreadRing: actors in a ring pass a token `Token { left }` on to
//! the next, counting down, until it reaches zero. The figure is hops per
//! second.
//!
//! Each node learns its successor from `Connect { next }` before the clock
//! starts (an ask where the framework has one, so that it is surely handled
//! first: xtra does not keep messages in order).

use std::sync::Arc;
use std::time::Instant;

use crate::bench::delivered;
use crate::harness::{self, Latch, Outcome, Placer, debug, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let (size, hops) = (sizes.ring_actors, sizes.ring_hops);
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio_raw::run(mb, size, hops)),
        Framework::Typact => harness::on_tokio(rt, typact_impl::run(mb, size, hops)),
        Framework::Kameo => harness::on_tokio(rt, kameo_impl::run(mb, size, hops)),
        Framework::Ractor => harness::on_tokio(rt, ractor_impl::run(size, hops)),
        Framework::Actix => harness::on_actix(rt, |placer| actix_impl::run(placer, size, hops)),
        Framework::Xtra => harness::on_tokio(rt, xtra_impl::run(mb, size, hops)),
    }?;
    Ok(vec![rate])
}

/// Times the token's trip: `send` gives it to the first node.
async fn timed(hops: u64, done: &Latch, send: impl AsyncFnOnce() -> Outcome<()>) -> Outcome {
    let clock = Instant::now();
    send().await?;
    done.wait().await?;
    Ok(per_sec(hops, clock.elapsed()))
}

mod tokio_raw {
    use super::*;
    use crate::harness::Tx;

    enum Msg {
        Connect { next: Tx<Msg> },
        Token { left: u64 },
    }

    pub(super) async fn run(mb: Mailbox, size: usize, hops: u64) -> Outcome {
        let done = Latch::new(1);
        let mut nodes = Vec::with_capacity(size);
        for _ in 0..size {
            let (tx, mut inbox) = harness::channel::<Msg>(mb);
            let done = done.clone();
            tokio::spawn(async move {
                let mut successor = None;
                while let Some(msg) = inbox.recv().await {
                    match msg {
                        Msg::Connect { next } => successor = Some(next),
                        Msg::Token { left: 0 } => done.count_down(),
                        Msg::Token { left } => {
                            let next = successor.as_ref().expect("connected");
                            delivered(next.send(Msg::Token { left: left - 1 }).await);
                        }
                    }
                }
            });
            nodes.push(tx);
        }
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            node.send(Msg::Connect { next }).await?;
        }
        timed(hops, &done, async || {
            nodes[0].send(Msg::Token { left: hops }).await
        })
        .await
    }
}

mod typact_impl {
    use typact::prelude::*;

    use super::*;
    use crate::harness::typact_mailbox;

    pub(super) struct Node {
        next: Option<ActorRef<Node>>,
        done: Arc<Latch>,
    }

    #[actor]
    impl Node {
        #[handler]
        fn connect(&mut self, next: ActorRef<Node>) {
            self.next = Some(next);
        }

        #[handler]
        async fn token(&mut self, left: u64) {
            if left == 0 {
                self.done.count_down();
            } else {
                let next = self.next.as_ref().expect("connected");
                delivered(next.tell(Token { left: left - 1 }).await);
            }
        }
    }

    pub(super) async fn run(mb: Mailbox, size: usize, hops: u64) -> Outcome {
        let done = Latch::new(1);
        let nodes: Vec<ActorRef<Node>> = (0..size)
            .map(|_| {
                let node = Node {
                    next: None,
                    done: done.clone(),
                };
                node.builder().mailbox(typact_mailbox(mb)).spawn()
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            node.ask(Connect { next }).await.map_err(debug)?;
        }
        timed(hops, &done, async || {
            nodes[0].tell(Token { left: hops }).await.map_err(debug)
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
    pub(super) struct Node {
        next: Option<ActorRef<Node>>,
        done: Arc<Latch>,
    }

    pub(super) struct Connect {
        next: ActorRef<Node>,
    }

    pub(super) struct Token {
        left: u64,
    }

    impl Message<Connect> for Node {
        type Reply = ();

        async fn handle(&mut self, msg: Connect, _: &mut Context<Self, ()>) {
            self.next = Some(msg.next);
        }
    }

    impl Message<Token> for Node {
        type Reply = ();

        async fn handle(&mut self, msg: Token, _: &mut Context<Self, ()>) {
            if msg.left == 0 {
                self.done.count_down();
            } else {
                let next = self.next.as_ref().expect("connected");
                delivered(next.tell(Token { left: msg.left - 1 }).await);
            }
        }
    }

    pub(super) async fn run(mb: Mailbox, size: usize, hops: u64) -> Outcome {
        let done = Latch::new(1);
        let nodes: Vec<ActorRef<Node>> = (0..size)
            .map(|_| {
                let node = Node {
                    next: None,
                    done: done.clone(),
                };
                Node::spawn_with_mailbox(node, kameo_mailbox(mb))
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            node.ask(Connect { next })
                .await
                .map_err(|_| "a node stopped".to_owned())?;
        }
        timed(hops, &done, async || {
            nodes[0]
                .tell(Token { left: hops })
                .await
                .map_err(|_| "a node stopped".to_owned())
        })
        .await
    }
}

mod ractor_impl {
    use ractor::{Actor, ActorProcessingErr, ActorRef};

    use super::*;

    pub(super) struct Node;

    pub(super) enum Msg {
        Connect { next: ActorRef<Msg> },
        Token { left: u64 },
    }

    pub(super) struct State {
        next: Option<ActorRef<Msg>>,
        done: Arc<Latch>,
    }

    impl Actor for Node {
        type Msg = Msg;
        type State = State;
        type Arguments = Arc<Latch>;

        async fn pre_start(
            &self,
            _: ActorRef<Msg>,
            done: Arc<Latch>,
        ) -> Result<State, ActorProcessingErr> {
            Ok(State { next: None, done })
        }

        async fn handle(
            &self,
            _: ActorRef<Msg>,
            msg: Msg,
            state: &mut State,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                Msg::Connect { next } => state.next = Some(next),
                Msg::Token { left: 0 } => state.done.count_down(),
                Msg::Token { left } => {
                    let next = state.next.as_ref().expect("connected");
                    next.cast(Msg::Token { left: left - 1 })?;
                }
            }
            Ok(())
        }
    }

    pub(super) async fn run(size: usize, hops: u64) -> Outcome {
        let done = Latch::new(1);
        let mut nodes = Vec::with_capacity(size);
        for _ in 0..size {
            let (node, _) = Actor::spawn(None, Node, done.clone())
                .await
                .map_err(debug)?;
            nodes.push(node);
        }
        // ractor's mailbox is in order, so a cast is handled before the token.
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            node.cast(Msg::Connect { next })
                .map_err(|_| "a node stopped".to_owned())?;
        }
        timed(hops, &done, async || {
            nodes[0]
                .cast(Msg::Token { left: hops })
                .map_err(|_| "a node stopped".to_owned())
        })
        .await
    }
}

mod actix_impl {
    use actix::{Actor, Addr, Context, Handler};

    use super::*;

    pub(super) struct Node {
        next: Option<Addr<Node>>,
        done: Arc<Latch>,
    }

    impl Actor for Node {
        type Context = Context<Self>;
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Connect {
        next: Addr<Node>,
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Token {
        left: u64,
    }

    impl Handler<Connect> for Node {
        type Result = ();

        fn handle(&mut self, msg: Connect, _: &mut Context<Self>) {
            self.next = Some(msg.next);
        }
    }

    impl Handler<Token> for Node {
        type Result = ();

        fn handle(&mut self, msg: Token, _: &mut Context<Self>) {
            if msg.left == 0 {
                self.done.count_down();
            } else {
                let next = self.next.as_ref().expect("connected");
                next.do_send(Token { left: msg.left - 1 });
            }
        }
    }

    pub(super) async fn run(placer: Placer, size: usize, hops: u64) -> Outcome {
        let done = Latch::new(1);
        let nodes: Vec<Addr<Node>> = (0..size)
            .map(|_| {
                placer.start(Node {
                    next: None,
                    done: done.clone(),
                })
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            node.send(Connect { next }).await.map_err(debug)?;
        }
        timed(hops, &done, async || {
            nodes[0].do_send(Token { left: hops });
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
    pub(super) struct Node {
        next: Option<Address<Node>>,
        done: Arc<Latch>,
    }

    pub(super) struct Connect {
        next: Address<Node>,
    }

    pub(super) struct Token {
        left: u64,
    }

    impl Handler<Connect> for Node {
        type Return = ();

        async fn handle(&mut self, msg: Connect, _: &mut Context<Self>) {
            self.next = Some(msg.next);
        }
    }

    impl Handler<Token> for Node {
        type Return = ();

        async fn handle(&mut self, msg: Token, _: &mut Context<Self>) {
            if msg.left == 0 {
                self.done.count_down();
            } else {
                let next = self.next.as_ref().expect("connected");
                delivered(next.send(Token { left: msg.left - 1 }).detach().await);
            }
        }
    }

    pub(super) async fn run(mb: Mailbox, size: usize, hops: u64) -> Outcome {
        let done = Latch::new(1);
        let nodes: Vec<Address<Node>> = (0..size)
            .map(|_| {
                let node = Node {
                    next: None,
                    done: done.clone(),
                };
                xtra::spawn_tokio(node, xtra_mailbox(mb))
            })
            .collect();
        for (i, node) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % size].clone();
            node.send(Connect { next }).await.map_err(debug)?;
        }
        timed(hops, &done, async || {
            nodes[0]
                .send(Token { left: hops })
                .detach()
                .await
                .map(drop)
                .map_err(debug)
        })
        .await
    }
}
