//! The counter actor, written once per framework: `Add { by }` adds to a
//! `u64`, `Get` answers it. Counting, ask latency and spawn all use it.

/// Raw tokio: a task owns the count and drains an mpsc channel.
pub(crate) mod tokio_raw {
    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    use crate::harness::{self, Outcome, Tx};
    use crate::model::Mailbox;

    pub(crate) enum Msg {
        Add { by: u64 },
        Get(oneshot::Sender<u64>),
    }

    pub(crate) fn spawn(mailbox: Mailbox) -> Tx<Msg> {
        spawn_joinable(mailbox).0
    }

    /// [`spawn`], with the task's handle, to wait for it to end.
    pub(crate) fn spawn_joinable(mailbox: Mailbox) -> (Tx<Msg>, JoinHandle<()>) {
        let (tx, mut rx) = harness::channel(mailbox);
        let task = tokio::spawn(async move {
            let mut count = 0u64;
            while let Some(msg) = rx.recv().await {
                match msg {
                    Msg::Add { by } => count += by,
                    Msg::Get(reply) => {
                        let _ = reply.send(count);
                    }
                }
            }
        });
        (tx, task)
    }

    /// The baseline's ask: a oneshot travels with the request.
    pub(crate) async fn get(counter: &Tx<Msg>) -> Outcome<u64> {
        let (reply, answer) = oneshot::channel();
        counter.send(Msg::Get(reply)).await?;
        answer
            .await
            .map_err(|_| "the counter dropped the reply".to_owned())
    }
}

/// typact: `#[actor]` generates `Add`, `Get` and the mailbox.
pub(crate) mod typact_impl {
    use typact::prelude::*;

    use crate::harness::typact_mailbox;
    use crate::model::Mailbox;

    #[derive(Default)]
    pub(crate) struct Counter {
        count: u64,
    }

    #[actor]
    impl Counter {
        #[handler]
        pub(crate) fn add(&mut self, by: u64) {
            self.count += by;
        }

        #[handler]
        pub(crate) fn get(&self) -> u64 {
            self.count
        }
    }

    pub(crate) fn spawn(mailbox: Mailbox) -> ActorRef<Counter> {
        Counter::default()
            .builder()
            .mailbox(typact_mailbox(mailbox))
            .spawn()
    }
}

/// kameo: `#[derive(Actor)]` and one `Message` impl per message.
pub(crate) mod kameo_impl {
    use kameo::actor::{ActorRef, Spawn};
    use kameo::message::{Context, Message};

    use crate::harness::kameo_mailbox;
    use crate::model::Mailbox;

    #[derive(kameo::Actor, Default)]
    pub(crate) struct Counter {
        count: u64,
    }

    pub(crate) struct Add {
        pub(crate) by: u64,
    }

    pub(crate) struct Get;

    impl Message<Add> for Counter {
        type Reply = ();

        async fn handle(&mut self, msg: Add, _: &mut Context<Self, ()>) {
            self.count += msg.by;
        }
    }

    impl Message<Get> for Counter {
        type Reply = u64;

        async fn handle(&mut self, _: Get, _: &mut Context<Self, u64>) -> u64 {
            self.count
        }
    }

    pub(crate) fn spawn(mailbox: Mailbox) -> ActorRef<Counter> {
        Counter::spawn_with_mailbox(Counter::default(), kameo_mailbox(mailbox))
    }
}

/// ractor: one message enum per actor, the count is the actor's state, and
/// a reply port carries the answer.
pub(crate) mod ractor_impl {
    use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

    use crate::harness::{Outcome, debug};

    pub(crate) struct Counter;

    pub(crate) enum Msg {
        Add { by: u64 },
        Get(RpcReplyPort<u64>),
    }

    impl Actor for Counter {
        type Msg = Msg;
        type State = u64;
        type Arguments = ();

        async fn pre_start(&self, _: ActorRef<Msg>, _: ()) -> Result<u64, ActorProcessingErr> {
            Ok(0)
        }

        async fn handle(
            &self,
            _: ActorRef<Msg>,
            msg: Msg,
            count: &mut u64,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                Msg::Add { by } => *count += by,
                Msg::Get(reply) => {
                    let _ = reply.send(*count);
                }
            }
            Ok(())
        }
    }

    /// Spawns and waits for `pre_start`, as ractor's `spawn` does.
    pub(crate) async fn spawn() -> Outcome<ActorRef<Msg>> {
        let (actor, _) = Actor::spawn(None, Counter, ()).await.map_err(debug)?;
        Ok(actor)
    }

    pub(crate) async fn get(counter: &ActorRef<Msg>) -> Outcome<u64> {
        ractor::call!(counter, Msg::Get).map_err(debug)
    }
}

/// actix: `Actor` with its `Context`, messages derived with their result
/// type, one `Handler` impl per message.
pub(crate) mod actix_impl {
    use actix::{Actor, Context, Handler};

    use crate::model::CAPACITY;

    #[derive(Default)]
    pub(crate) struct Counter {
        count: u64,
    }

    impl Actor for Counter {
        type Context = Context<Self>;

        // Actix runs on bounded rows only for asks, which only the rows of
        // capacity 1024 have (see `Framework::unsupported`).
        fn started(&mut self, ctx: &mut Context<Self>) {
            ctx.set_mailbox_capacity(CAPACITY);
        }
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(crate) struct Add {
        pub(crate) by: u64,
    }

    #[derive(actix::Message)]
    #[rtype(result = "u64")]
    pub(crate) struct Get;

    impl Handler<Add> for Counter {
        type Result = ();

        fn handle(&mut self, msg: Add, _: &mut Context<Self>) {
            self.count += msg.by;
        }
    }

    impl Handler<Get> for Counter {
        type Result = u64;

        fn handle(&mut self, _: Get, _: &mut Context<Self>) -> u64 {
            self.count
        }
    }
}

/// xtra: `#[derive(Actor)]` and one `Handler` impl per message.
pub(crate) mod xtra_impl {
    use xtra::{Address, Context, Handler};

    use crate::harness::xtra_mailbox;
    use crate::model::Mailbox;

    #[derive(xtra::Actor, Default)]
    pub(crate) struct Counter {
        count: u64,
    }

    pub(crate) struct Add {
        pub(crate) by: u64,
    }

    pub(crate) struct Get;

    impl Handler<Add> for Counter {
        type Return = ();

        async fn handle(&mut self, msg: Add, _: &mut Context<Self>) {
            self.count += msg.by;
        }
    }

    impl Handler<Get> for Counter {
        type Return = u64;

        async fn handle(&mut self, _: Get, _: &mut Context<Self>) -> u64 {
            self.count
        }
    }

    pub(crate) fn spawn(mailbox: Mailbox) -> Address<Counter> {
        xtra::spawn_tokio(Counter::default(), xtra_mailbox(mailbox))
    }
}
