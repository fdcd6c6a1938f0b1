//! Savina's Chameneos: creatures of three colours ask a mall for a meeting
//! (`MeetRequest { from, color }`). The mall keeps one waiting; when a second
//! asks, it tells the waiting one `Meet { partner, color }`. That one takes
//! the complement of the two colours, tells its partner `Change { color }`,
//! and both ask the mall again. After the set number of meetings, the mall
//! answers every request with `Exit`. The figure is meetings per second.
//!
//! The mall gets the creatures' addresses in `Open` before the clock starts
//! (an ask where the framework has one); `Start` gives each creature the
//! others' addresses and sends its first request.

use std::sync::Arc;
use std::time::Instant;

use crate::bench::delivered;
use crate::harness::{self, Latch, Outcome, Placer, debug, per_sec};
use crate::model::{Framework, Mailbox, Runtime, Sizes};

pub(crate) fn run(fw: Framework, rt: Runtime, mb: Mailbox, sizes: &Sizes) -> Outcome<Vec<f64>> {
    let (count, meetings) = (sizes.chameneos, sizes.meetings);
    let rate = match fw {
        Framework::Tokio => harness::on_tokio(rt, tokio_raw::run(mb, count, meetings)),
        Framework::Typact => harness::on_tokio(rt, typact_impl::run(mb, count, meetings)),
        Framework::Kameo => harness::on_tokio(rt, kameo_impl::run(mb, count, meetings)),
        Framework::Ractor => harness::on_tokio(rt, ractor_impl::run(count, meetings)),
        Framework::Actix => {
            harness::on_actix(rt, |placer| actix_impl::run(placer, count, meetings))
        }
        Framework::Xtra => harness::on_tokio(rt, xtra_impl::run(mb, count, meetings)),
    }?;
    Ok(vec![rate])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Color {
    Blue,
    Red,
    Yellow,
}

impl Color {
    /// The starting colour of creature `index`.
    fn of(index: usize) -> Color {
        [Color::Blue, Color::Red, Color::Yellow][index % 3]
    }

    /// Savina's rule: the same colour stays; two different make the third.
    fn complement(self, other: Color) -> Color {
        match (self, other) {
            (a, b) if a == b => a,
            (Color::Blue, Color::Red) | (Color::Red, Color::Blue) => Color::Yellow,
            (Color::Blue, Color::Yellow) | (Color::Yellow, Color::Blue) => Color::Red,
            _ => Color::Blue,
        }
    }
}

/// The mall's bookkeeping, the same in every framework.
struct Mall {
    waiting: Option<(usize, Color)>,
    left: u64,
}

/// What the mall does with a request.
enum Verdict {
    /// Tell the requester `Exit`: no meetings left.
    Exit,
    /// Keep the requester waiting.
    Wait,
    /// Tell `waiting` to meet `partner`, of colour `color`.
    Meet {
        waiting: usize,
        partner: usize,
        color: Color,
    },
}

impl Mall {
    fn new(meetings: u64) -> Mall {
        Mall {
            waiting: None,
            left: meetings,
        }
    }

    fn request(&mut self, from: usize, color: Color) -> Verdict {
        if self.left == 0 {
            return Verdict::Exit;
        }
        match self.waiting.take() {
            None => {
                self.waiting = Some((from, color));
                Verdict::Wait
            }
            Some((waiting, _)) => {
                self.left -= 1;
                Verdict::Meet {
                    waiting,
                    partner: from,
                    color,
                }
            }
        }
    }
}

/// A creature's own state, the same in every framework.
struct Creature {
    index: usize,
    color: Color,
    done: Arc<Latch>,
}

impl Creature {
    fn new(index: usize, done: Arc<Latch>) -> Creature {
        Creature {
            index,
            color: Color::of(index),
            done,
        }
    }
}

/// Times the game: `start` sends every creature `Start`.
async fn timed(meetings: u64, done: &Latch, start: impl AsyncFnOnce() -> Outcome<()>) -> Outcome {
    let clock = Instant::now();
    start().await?;
    done.wait().await?;
    Ok(per_sec(meetings, clock.elapsed()))
}

mod tokio_raw {
    use super::*;
    use crate::harness::Tx;

    enum MallMsg {
        Open(Arc<[Tx<CreatureMsg>]>),
        MeetRequest { from: usize, color: Color },
    }

    enum CreatureMsg {
        Start(Arc<[Tx<CreatureMsg>]>),
        Meet { partner: usize, color: Color },
        Change { color: Color },
        Exit,
    }

    fn spawn_mall(mb: Mailbox, meetings: u64) -> Tx<MallMsg> {
        let (tx, mut inbox) = harness::channel(mb);
        tokio::spawn(async move {
            let mut mall = Mall::new(meetings);
            let mut creatures: Arc<[Tx<CreatureMsg>]> = Arc::new([]);
            while let Some(msg) = inbox.recv().await {
                match msg {
                    MallMsg::Open(all) => creatures = all,
                    MallMsg::MeetRequest { from, color } => match mall.request(from, color) {
                        Verdict::Exit => delivered(creatures[from].send(CreatureMsg::Exit).await),
                        Verdict::Wait => {}
                        Verdict::Meet {
                            waiting,
                            partner,
                            color,
                        } => {
                            let meet = CreatureMsg::Meet { partner, color };
                            delivered(creatures[waiting].send(meet).await);
                        }
                    },
                }
            }
        });
        tx
    }

    fn spawn_creature(mb: Mailbox, mut me: Creature, mall: Tx<MallMsg>) -> Tx<CreatureMsg> {
        let (tx, mut inbox) = harness::channel(mb);
        tokio::spawn(async move {
            let mut peers: Arc<[Tx<CreatureMsg>]> = Arc::new([]);
            let request = |me: &Creature| MallMsg::MeetRequest {
                from: me.index,
                color: me.color,
            };
            while let Some(msg) = inbox.recv().await {
                match msg {
                    CreatureMsg::Start(all) => {
                        peers = all;
                        delivered(mall.send(request(&me)).await);
                    }
                    CreatureMsg::Meet { partner, color } => {
                        me.color = me.color.complement(color);
                        let change = CreatureMsg::Change { color: me.color };
                        delivered(peers[partner].send(change).await);
                        delivered(mall.send(request(&me)).await);
                    }
                    CreatureMsg::Change { color } => {
                        me.color = color;
                        delivered(mall.send(request(&me)).await);
                    }
                    CreatureMsg::Exit => me.done.count_down(),
                }
            }
        });
        tx
    }

    pub(super) async fn run(mb: Mailbox, count: usize, meetings: u64) -> Outcome {
        let done = Latch::new(count);
        let mall = spawn_mall(mb, meetings);
        let creatures: Arc<[Tx<CreatureMsg>]> = (0..count)
            .map(|i| spawn_creature(mb, Creature::new(i, done.clone()), mall.clone()))
            .collect();
        // tokio's channel is in order, so `Open` is handled before any request.
        mall.send(MallMsg::Open(creatures.clone())).await?;
        timed(meetings, &done, async || {
            for creature in creatures.iter() {
                creature.send(CreatureMsg::Start(creatures.clone())).await?;
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

    pub(super) struct MallActor {
        mall: Mall,
        creatures: Arc<[ActorRef<CreatureActor>]>,
    }

    #[actor]
    impl MallActor {
        #[handler]
        fn open(&mut self, creatures: Arc<[ActorRef<CreatureActor>]>) {
            self.creatures = creatures;
        }

        #[handler]
        async fn meet_request(&mut self, from: usize, color: Color) {
            match self.mall.request(from, color) {
                Verdict::Exit => delivered(self.creatures[from].tell(Exit).await),
                Verdict::Wait => {}
                Verdict::Meet {
                    waiting,
                    partner,
                    color,
                } => delivered(self.creatures[waiting].tell(Meet { partner, color }).await),
            }
        }
    }

    pub(super) struct CreatureActor {
        me: Creature,
        mall: ActorRef<MallActor>,
        peers: Arc<[ActorRef<CreatureActor>]>,
    }

    impl CreatureActor {
        async fn request(&self) {
            let (from, color) = (self.me.index, self.me.color);
            delivered(self.mall.tell(MeetRequest { from, color }).await);
        }
    }

    #[actor]
    impl CreatureActor {
        #[handler]
        async fn start(&mut self, peers: Arc<[ActorRef<CreatureActor>]>) {
            self.peers = peers;
            self.request().await;
        }

        #[handler]
        async fn meet(&mut self, partner: usize, color: Color) {
            self.me.color = self.me.color.complement(color);
            let change = Change {
                color: self.me.color,
            };
            delivered(self.peers[partner].tell(change).await);
            self.request().await;
        }

        #[handler]
        async fn change(&mut self, color: Color) {
            self.me.color = color;
            self.request().await;
        }

        #[handler]
        fn exit(&mut self) {
            self.me.done.count_down();
        }
    }

    pub(super) async fn run(mb: Mailbox, count: usize, meetings: u64) -> Outcome {
        let done = Latch::new(count);
        let mall = MallActor {
            mall: Mall::new(meetings),
            creatures: Arc::new([]),
        }
        .builder()
        .mailbox(typact_mailbox(mb))
        .spawn();
        let creatures: Arc<[ActorRef<CreatureActor>]> = (0..count)
            .map(|i| {
                let creature = CreatureActor {
                    me: Creature::new(i, done.clone()),
                    mall: mall.clone(),
                    peers: Arc::new([]),
                };
                creature.builder().mailbox(typact_mailbox(mb)).spawn()
            })
            .collect();
        mall.ask(Open {
            creatures: creatures.clone(),
        })
        .await
        .map_err(debug)?;
        timed(meetings, &done, async || {
            for creature in creatures.iter() {
                let peers = creatures.clone();
                creature.tell(Start { peers }).await.map_err(debug)?;
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
    pub(super) struct MallActor {
        mall: Mall,
        creatures: Arc<[ActorRef<CreatureActor>]>,
    }

    #[derive(kameo::Actor)]
    pub(super) struct CreatureActor {
        me: Creature,
        mall: ActorRef<MallActor>,
        peers: Arc<[ActorRef<CreatureActor>]>,
    }

    pub(super) struct Open(Arc<[ActorRef<CreatureActor>]>);

    pub(super) struct MeetRequest {
        from: usize,
        color: Color,
    }

    pub(super) struct Start(Arc<[ActorRef<CreatureActor>]>);

    pub(super) struct Meet {
        partner: usize,
        color: Color,
    }

    pub(super) struct Change {
        color: Color,
    }

    pub(super) struct Exit;

    impl Message<Open> for MallActor {
        type Reply = ();

        async fn handle(&mut self, msg: Open, _: &mut Context<Self, ()>) {
            self.creatures = msg.0;
        }
    }

    impl Message<MeetRequest> for MallActor {
        type Reply = ();

        async fn handle(&mut self, msg: MeetRequest, _: &mut Context<Self, ()>) {
            match self.mall.request(msg.from, msg.color) {
                Verdict::Exit => delivered(self.creatures[msg.from].tell(Exit).await),
                Verdict::Wait => {}
                Verdict::Meet {
                    waiting,
                    partner,
                    color,
                } => delivered(self.creatures[waiting].tell(Meet { partner, color }).await),
            }
        }
    }

    impl CreatureActor {
        async fn request(&self) {
            let (from, color) = (self.me.index, self.me.color);
            delivered(self.mall.tell(MeetRequest { from, color }).await);
        }
    }

    impl Message<Start> for CreatureActor {
        type Reply = ();

        async fn handle(&mut self, msg: Start, _: &mut Context<Self, ()>) {
            self.peers = msg.0;
            self.request().await;
        }
    }

    impl Message<Meet> for CreatureActor {
        type Reply = ();

        async fn handle(&mut self, msg: Meet, _: &mut Context<Self, ()>) {
            self.me.color = self.me.color.complement(msg.color);
            let change = Change {
                color: self.me.color,
            };
            delivered(self.peers[msg.partner].tell(change).await);
            self.request().await;
        }
    }

    impl Message<Change> for CreatureActor {
        type Reply = ();

        async fn handle(&mut self, msg: Change, _: &mut Context<Self, ()>) {
            self.me.color = msg.color;
            self.request().await;
        }
    }

    impl Message<Exit> for CreatureActor {
        type Reply = ();

        async fn handle(&mut self, _: Exit, _: &mut Context<Self, ()>) {
            self.me.done.count_down();
        }
    }

    fn stopped<E>(_: E) -> String {
        "an actor stopped".to_owned()
    }

    pub(super) async fn run(mb: Mailbox, count: usize, meetings: u64) -> Outcome {
        let done = Latch::new(count);
        let mall = MallActor::spawn_with_mailbox(
            MallActor {
                mall: Mall::new(meetings),
                creatures: Arc::new([]),
            },
            kameo_mailbox(mb),
        );
        let creatures: Arc<[ActorRef<CreatureActor>]> = (0..count)
            .map(|i| {
                let creature = CreatureActor {
                    me: Creature::new(i, done.clone()),
                    mall: mall.clone(),
                    peers: Arc::new([]),
                };
                CreatureActor::spawn_with_mailbox(creature, kameo_mailbox(mb))
            })
            .collect();
        mall.ask(Open(creatures.clone())).await.map_err(stopped)?;
        timed(meetings, &done, async || {
            for creature in creatures.iter() {
                creature
                    .tell(Start(creatures.clone()))
                    .await
                    .map_err(stopped)?;
            }
            Ok(())
        })
        .await
    }
}

mod ractor_impl {
    use ractor::{Actor, ActorProcessingErr, ActorRef};

    use super::*;

    pub(super) struct MallActor;

    pub(super) enum MallMsg {
        Open(Arc<[ActorRef<CreatureMsg>]>),
        MeetRequest { from: usize, color: Color },
    }

    pub(super) struct MallState {
        mall: Mall,
        creatures: Arc<[ActorRef<CreatureMsg>]>,
    }

    impl Actor for MallActor {
        type Msg = MallMsg;
        type State = MallState;
        type Arguments = u64;

        async fn pre_start(
            &self,
            _: ActorRef<MallMsg>,
            meetings: u64,
        ) -> Result<MallState, ActorProcessingErr> {
            Ok(MallState {
                mall: Mall::new(meetings),
                creatures: Arc::new([]),
            })
        }

        async fn handle(
            &self,
            _: ActorRef<MallMsg>,
            msg: MallMsg,
            state: &mut MallState,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                MallMsg::Open(all) => state.creatures = all,
                MallMsg::MeetRequest { from, color } => match state.mall.request(from, color) {
                    Verdict::Exit => state.creatures[from].cast(CreatureMsg::Exit)?,
                    Verdict::Wait => {}
                    Verdict::Meet {
                        waiting,
                        partner,
                        color,
                    } => state.creatures[waiting].cast(CreatureMsg::Meet { partner, color })?,
                },
            }
            Ok(())
        }
    }

    pub(super) struct CreatureActor;

    pub(super) enum CreatureMsg {
        Start(Arc<[ActorRef<CreatureMsg>]>),
        Meet { partner: usize, color: Color },
        Change { color: Color },
        Exit,
    }

    pub(super) struct CreatureState {
        me: Creature,
        mall: ActorRef<MallMsg>,
        peers: Arc<[ActorRef<CreatureMsg>]>,
    }

    impl CreatureState {
        fn request(&self) -> Result<(), ActorProcessingErr> {
            let (from, color) = (self.me.index, self.me.color);
            self.mall.cast(MallMsg::MeetRequest { from, color })?;
            Ok(())
        }
    }

    impl Actor for CreatureActor {
        type Msg = CreatureMsg;
        type State = CreatureState;
        type Arguments = (Creature, ActorRef<MallMsg>);

        async fn pre_start(
            &self,
            _: ActorRef<CreatureMsg>,
            (me, mall): (Creature, ActorRef<MallMsg>),
        ) -> Result<CreatureState, ActorProcessingErr> {
            Ok(CreatureState {
                me,
                mall,
                peers: Arc::new([]),
            })
        }

        async fn handle(
            &self,
            _: ActorRef<CreatureMsg>,
            msg: CreatureMsg,
            state: &mut CreatureState,
        ) -> Result<(), ActorProcessingErr> {
            match msg {
                CreatureMsg::Start(all) => {
                    state.peers = all;
                    state.request()?;
                }
                CreatureMsg::Meet { partner, color } => {
                    state.me.color = state.me.color.complement(color);
                    let change = CreatureMsg::Change {
                        color: state.me.color,
                    };
                    state.peers[partner].cast(change)?;
                    state.request()?;
                }
                CreatureMsg::Change { color } => {
                    state.me.color = color;
                    state.request()?;
                }
                CreatureMsg::Exit => state.me.done.count_down(),
            }
            Ok(())
        }
    }

    fn stopped<E>(_: E) -> String {
        "an actor stopped".to_owned()
    }

    pub(super) async fn run(count: usize, meetings: u64) -> Outcome {
        let done = Latch::new(count);
        let (mall, _) = Actor::spawn(None, MallActor, meetings)
            .await
            .map_err(debug)?;
        let mut creatures = Vec::with_capacity(count);
        for i in 0..count {
            let args = (Creature::new(i, done.clone()), mall.clone());
            let (creature, _) = Actor::spawn(None, CreatureActor, args)
                .await
                .map_err(debug)?;
            creatures.push(creature);
        }
        let creatures: Arc<[ActorRef<CreatureMsg>]> = creatures.into();
        // ractor's mailbox is in order, so `Open` is handled before any request.
        mall.cast(MallMsg::Open(creatures.clone()))
            .map_err(stopped)?;
        timed(meetings, &done, async || {
            for creature in creatures.iter() {
                creature
                    .cast(CreatureMsg::Start(creatures.clone()))
                    .map_err(stopped)?;
            }
            Ok(())
        })
        .await
    }
}

mod actix_impl {
    use actix::{Actor, Addr, Context, Handler};

    use super::*;

    pub(super) struct MallActor {
        mall: Mall,
        creatures: Arc<[Addr<CreatureActor>]>,
    }

    impl Actor for MallActor {
        type Context = Context<Self>;
    }

    pub(super) struct CreatureActor {
        me: Creature,
        mall: Addr<MallActor>,
        peers: Arc<[Addr<CreatureActor>]>,
    }

    impl Actor for CreatureActor {
        type Context = Context<Self>;
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Open(Arc<[Addr<CreatureActor>]>);

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct MeetRequest {
        from: usize,
        color: Color,
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Start(Arc<[Addr<CreatureActor>]>);

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Meet {
        partner: usize,
        color: Color,
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Change {
        color: Color,
    }

    #[derive(actix::Message)]
    #[rtype(result = "()")]
    pub(super) struct Exit;

    impl Handler<Open> for MallActor {
        type Result = ();

        fn handle(&mut self, msg: Open, _: &mut Context<Self>) {
            self.creatures = msg.0;
        }
    }

    impl Handler<MeetRequest> for MallActor {
        type Result = ();

        fn handle(&mut self, msg: MeetRequest, _: &mut Context<Self>) {
            match self.mall.request(msg.from, msg.color) {
                Verdict::Exit => self.creatures[msg.from].do_send(Exit),
                Verdict::Wait => {}
                Verdict::Meet {
                    waiting,
                    partner,
                    color,
                } => self.creatures[waiting].do_send(Meet { partner, color }),
            }
        }
    }

    impl CreatureActor {
        fn request(&self) {
            let (from, color) = (self.me.index, self.me.color);
            self.mall.do_send(MeetRequest { from, color });
        }
    }

    impl Handler<Start> for CreatureActor {
        type Result = ();

        fn handle(&mut self, msg: Start, _: &mut Context<Self>) {
            self.peers = msg.0;
            self.request();
        }
    }

    impl Handler<Meet> for CreatureActor {
        type Result = ();

        fn handle(&mut self, msg: Meet, _: &mut Context<Self>) {
            self.me.color = self.me.color.complement(msg.color);
            self.peers[msg.partner].do_send(Change {
                color: self.me.color,
            });
            self.request();
        }
    }

    impl Handler<Change> for CreatureActor {
        type Result = ();

        fn handle(&mut self, msg: Change, _: &mut Context<Self>) {
            self.me.color = msg.color;
            self.request();
        }
    }

    impl Handler<Exit> for CreatureActor {
        type Result = ();

        fn handle(&mut self, _: Exit, _: &mut Context<Self>) {
            self.me.done.count_down();
        }
    }

    pub(super) async fn run(placer: Placer, count: usize, meetings: u64) -> Outcome {
        let done = Latch::new(count);
        let mall = placer.start(MallActor {
            mall: Mall::new(meetings),
            creatures: Arc::new([]),
        });
        let creatures: Arc<[Addr<CreatureActor>]> = (0..count)
            .map(|i| {
                placer.start(CreatureActor {
                    me: Creature::new(i, done.clone()),
                    mall: mall.clone(),
                    peers: Arc::new([]),
                })
            })
            .collect();
        mall.send(Open(creatures.clone())).await.map_err(debug)?;
        timed(meetings, &done, async || {
            for creature in creatures.iter() {
                creature.do_send(Start(creatures.clone()));
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
    pub(super) struct MallActor {
        mall: Mall,
        creatures: Arc<[Address<CreatureActor>]>,
    }

    #[derive(xtra::Actor)]
    pub(super) struct CreatureActor {
        me: Creature,
        mall: Address<MallActor>,
        peers: Arc<[Address<CreatureActor>]>,
    }

    pub(super) struct Open(Arc<[Address<CreatureActor>]>);

    pub(super) struct MeetRequest {
        from: usize,
        color: Color,
    }

    pub(super) struct Start(Arc<[Address<CreatureActor>]>);

    pub(super) struct Meet {
        partner: usize,
        color: Color,
    }

    pub(super) struct Change {
        color: Color,
    }

    pub(super) struct Exit;

    impl Handler<Open> for MallActor {
        type Return = ();

        async fn handle(&mut self, msg: Open, _: &mut Context<Self>) {
            self.creatures = msg.0;
        }
    }

    impl Handler<MeetRequest> for MallActor {
        type Return = ();

        async fn handle(&mut self, msg: MeetRequest, _: &mut Context<Self>) {
            match self.mall.request(msg.from, msg.color) {
                Verdict::Exit => {
                    delivered(self.creatures[msg.from].send(Exit).detach().await);
                }
                Verdict::Wait => {}
                Verdict::Meet {
                    waiting,
                    partner,
                    color,
                } => {
                    let meet = Meet { partner, color };
                    delivered(self.creatures[waiting].send(meet).detach().await);
                }
            }
        }
    }

    impl CreatureActor {
        async fn request(&self) {
            let (from, color) = (self.me.index, self.me.color);
            delivered(self.mall.send(MeetRequest { from, color }).detach().await);
        }
    }

    impl Handler<Start> for CreatureActor {
        type Return = ();

        async fn handle(&mut self, msg: Start, _: &mut Context<Self>) {
            self.peers = msg.0;
            self.request().await;
        }
    }

    impl Handler<Meet> for CreatureActor {
        type Return = ();

        async fn handle(&mut self, msg: Meet, _: &mut Context<Self>) {
            self.me.color = self.me.color.complement(msg.color);
            let change = Change {
                color: self.me.color,
            };
            delivered(self.peers[msg.partner].send(change).detach().await);
            self.request().await;
        }
    }

    impl Handler<Change> for CreatureActor {
        type Return = ();

        async fn handle(&mut self, msg: Change, _: &mut Context<Self>) {
            self.me.color = msg.color;
            self.request().await;
        }
    }

    impl Handler<Exit> for CreatureActor {
        type Return = ();

        async fn handle(&mut self, _: Exit, _: &mut Context<Self>) {
            self.me.done.count_down();
        }
    }

    pub(super) async fn run(mb: Mailbox, count: usize, meetings: u64) -> Outcome {
        let done = Latch::new(count);
        let mall = xtra::spawn_tokio(
            MallActor {
                mall: Mall::new(meetings),
                creatures: Arc::new([]),
            },
            xtra_mailbox(mb),
        );
        let creatures: Arc<[Address<CreatureActor>]> = (0..count)
            .map(|i| {
                let creature = CreatureActor {
                    me: Creature::new(i, done.clone()),
                    mall: mall.clone(),
                    peers: Arc::new([]),
                };
                xtra::spawn_tokio(creature, xtra_mailbox(mb))
            })
            .collect();
        mall.send(Open(creatures.clone())).await.map_err(debug)?;
        timed(meetings, &done, async || {
            for creature in creatures.iter() {
                let start = Start(creatures.clone());
                creature
                    .send(start)
                    .detach()
                    .await
                    .map(drop)
                    .map_err(debug)?;
            }
            Ok(())
        })
        .await
    }
}
