//! Typed remote refs on the in-memory network, under tokio's paused
//! clock: every delay, lease and timeout is virtual, so these run in
//! milliseconds and replay exactly.

use std::time::Duration;

use typact::prelude::*;
use typact_remote::{Fabric, Node, RegistryEvent, RemoteError};

#[derive(Default)]
struct Counter {
    count: u64,
    seen: Vec<u64>,
}

#[actor(remote)]
impl Counter {
    /// Adds `by`.
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    /// The count.
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }

    /// Records `seq`, to check order and duplicates.
    #[handler]
    fn log(&mut self, seq: u64) {
        self.seen.push(seq);
    }

    /// Every `seq` logged, in order.
    #[handler]
    fn seen(&self) -> Vec<u64> {
        self.seen.clone()
    }

    /// Fails when `n` is odd.
    #[handler]
    fn even(&self, n: u64) -> Result<u64, String> {
        if n.is_multiple_of(2) {
            Ok(n)
        } else {
            Err(format!("{n} is odd"))
        }
    }

    /// Answers after `ms` milliseconds.
    #[handler]
    async fn slow(&self, ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }

    /// Panics.
    #[handler]
    fn boom(&self) {
        panic!("boom");
    }
}

protocol_of!(Adder = counter::Add + counter::Get);

#[derive(Default)]
struct Watcher {
    seen: Vec<StopReason>,
}

#[actor]
impl Watcher {
    #[handler]
    fn follow(&mut self, target: ActorRef<Counter>, ctx: &mut Context<Self>) {
        ctx.watch(&target);
    }

    #[handler(message)]
    fn down(&mut self, t: Terminated) {
        self.seen.push(t.reason);
    }

    #[handler]
    fn seen(&self) -> Vec<String> {
        self.seen.iter().map(ToString::to_string).collect()
    }
}

const GUARD: Duration = Duration::from_secs(60);

async fn nodes(fabric: &Fabric, names: &[&str]) -> Vec<Node> {
    let mut out = Vec::new();
    for name in names {
        out.push(Node::builder(*name).memory(fabric).open().await.unwrap());
    }
    for node in &out {
        for name in names {
            node.wait_for(name, GUARD).await.unwrap();
        }
    }
    out
}

/// Waits (on the paused clock) until `watcher` has seen a stop.
async fn first_stop(watcher: &ActorRef<Watcher>) -> String {
    tokio::time::timeout(GUARD, async {
        loop {
            if let Some(first) = watcher.seen().await.unwrap().first() {
                return first.clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the watch fired")
}

#[tokio::test(start_paused = true)]
async fn a_remote_ref_offers_the_whole_api() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().spawn();
    n[1].register("counter", &real).await.unwrap();
    let far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    assert_ne!(far.id(), real.id());
    assert_eq!(far.name(), Some("counter"));

    far.tell(Add { by: 2 }).await.unwrap();
    far.try_tell(Add { by: 3 }).unwrap();
    assert_eq!(far.ask(Get).await.unwrap(), 5);
    far.add(10).await.unwrap();
    assert_eq!(far.get().await.unwrap(), 15);
    assert_eq!(far.even(4).await.unwrap(), Ok(4));
    assert_eq!(far.even(3).await.unwrap(), Err("3 is odd".to_owned()));

    let recipient: Recipient<counter::Add> = far.recipient();
    recipient.tell(Add { by: 1 }).await.unwrap();
    let adder: Ref<Adder> = far.clone().into();
    adder.tell(Add { by: 1 }).await.unwrap();
    assert_eq!(adder.ask(Get).await.unwrap(), 17);
    assert_eq!(real.get().await.unwrap(), 17);

    // A handler's panic fails the ask as on a local ref, and stops the actor.
    assert_eq!(far.ask(Boom).await.unwrap_err(), AskError::Panicked);
    let reason = tokio::time::timeout(GUARD, far.wait_for_stop())
        .await
        .unwrap();
    assert!(
        matches!(reason, StopReason::Panicked(ref m) if m.contains("boom")),
        "{reason}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lookup_on_the_registering_node_gives_the_local_ref() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a"]).await;
    let real = Counter::default().spawn();
    n[0].register("counter", &real).await.unwrap();
    let found: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    assert_eq!(found.id(), real.id());
    let wrong = n[0].lookup::<Worker>("counter").await.unwrap_err();
    assert!(matches!(wrong, RemoteError::WrongType { .. }), "{wrong}");
}

#[tokio::test(start_paused = true)]
async fn tells_and_asks_keep_their_order_per_pair_under_changing_delays() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().builder().capacity(8).spawn();
    n[1].register("counter", &real).await.unwrap();
    let far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    for seq in 0..2000u64 {
        match seq {
            500 => fabric.set_delay("a", "b", Duration::from_millis(40)),
            900 => fabric.set_delay("a", "b", Duration::from_millis(3)),
            1500 => fabric.set_delay("a", "b", Duration::ZERO),
            _ => {}
        }
        if seq % 100 == 0 {
            // An ask in the middle sees every tell before it.
            assert_eq!(far.seen().await.unwrap().len() as u64, seq);
        }
        far.tell(Log { seq }).await.unwrap();
    }
    assert_eq!(far.seen().await.unwrap(), (0..2000).collect::<Vec<_>>());
    assert_eq!(n[1].dead_letters(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_watch_sees_the_remote_actor_stop_with_its_reason() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().spawn();
    n[1].register("counter", &real).await.unwrap();
    let far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    let watcher = Watcher::default().spawn();
    watcher.follow(far.clone()).await.unwrap();
    real.tell(Boom).await.unwrap();
    let stop = first_stop(&watcher).await;
    assert!(stop.contains("panicked: boom"), "{stop}");
    // And the registration is gone.
    let gone = n[0].lookup::<Counter>("counter").await.unwrap_err();
    assert_eq!(gone, RemoteError::NotFound("counter".into()));
}

#[tokio::test(start_paused = true)]
async fn stop_on_a_remote_ref_stops_the_remote_actor() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().spawn();
    n[1].register("counter", &real).await.unwrap();
    let far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    far.stop();
    let here = tokio::time::timeout(GUARD, far.wait_for_stop())
        .await
        .unwrap();
    let there = tokio::time::timeout(GUARD, real.wait_for_stop())
        .await
        .unwrap();
    assert!(here.is_normal() && there.is_normal(), "{here} / {there}");
}

#[tokio::test(start_paused = true)]
async fn a_lost_node_finishes_watches_with_node_down_and_fails_asks_with_unreachable() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().spawn();
    n[1].register("counter", &real).await.unwrap();
    let far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    let watcher = Watcher::default().spawn();
    watcher.follow(far.clone()).await.unwrap();
    fabric.crash("b");
    // An ask in flight when the node goes fails within its timeout.
    let started = tokio::time::Instant::now();
    let err = far.ask(Slow { ms: 1 }).await.unwrap_err();
    assert!(started.elapsed() < typact::DEFAULT_ASK_TIMEOUT);
    assert!(
        matches!(err, AskError::Unreachable | AskError::Stopped),
        "{err:?}"
    );
    let stop = first_stop(&watcher).await;
    assert_eq!(stop, StopReason::NodeDown { node: "b".into() }.to_string());
    assert!(matches!(
        far.wait_for_stop().await,
        StopReason::NodeDown { node } if &*node == "b"
    ));
    // The registration vanished with the node.
    let gone = n[0].lookup::<Counter>("counter").await.unwrap_err();
    assert_eq!(gone, RemoteError::NotFound("counter".into()));
}

/// R2 and R3: a watch set during a partition fires; asks fail within their
/// timeout during it; after it heals, a new lookup reaches the same actor.
#[tokio::test(start_paused = true)]
async fn a_partition_fires_watches_fails_asks_and_heals() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().spawn();
    n[1].register("counter", &real).await.unwrap();
    let far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    fabric.partition("a", "b");
    let watcher = Watcher::default().spawn();
    watcher.follow(far.clone()).await.unwrap();
    let started = tokio::time::Instant::now();
    let err = far.ask(Get).await.unwrap_err();
    assert_eq!(err, AskError::Unreachable);
    assert!(started.elapsed() <= typact::DEFAULT_ASK_TIMEOUT);
    assert_eq!(
        first_stop(&watcher).await,
        StopReason::NodeDown { node: "b".into() }.to_string()
    );
    // A new lookup fails while it lasts...
    assert!(n[0].lookup::<Counter>("counter").await.is_err());
    fabric.heal("a", "b");
    n[0].wait_for("b", GUARD).await.unwrap();
    // ...and reaches the same actor once healed.
    let again: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    again.add(1).await.unwrap();
    assert_eq!(real.get().await.unwrap(), 1);
}

/// R1: tells during a partition are lost (and counted where known), none is
/// duplicated after it heals, and per-pair order holds throughout.
#[tokio::test(start_paused = true)]
async fn no_duplicates_and_order_after_a_partition() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b"]).await;
    let real = Counter::default().spawn();
    n[1].register("counter", &real).await.unwrap();
    let mut far: ActorRef<Counter> = n[0].lookup("counter").await.unwrap();
    let mut seq = 0u64;
    for round in 0..3 {
        for _ in 0..100 {
            far.tell(Log { seq }).await.unwrap();
            seq += 1;
        }
        // An ask behind them: they have all arrived (tells in flight when a
        // partition starts are lost).
        far.get().await.unwrap();
        fabric.partition("a", "b");
        for _ in 0..50 {
            let _ = far.tell(Log { seq }).await;
            seq += 1;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        fabric.heal("a", "b");
        n[0].wait_for("b", GUARD).await.unwrap();
        far = n[0].lookup("counter").await.unwrap();
        let seen = real.seen().await.unwrap();
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "round {round}: {seen:?}"
        );
        assert!(seen.len() as u64 >= 100 * (round + 1));
    }
    let seen = real.seen().await.unwrap();
    let lost = seq - seen.len() as u64;
    assert!(lost > 0, "the partitions lost nothing");
    assert!(fabric.dropped() + n[0].dead_letters() > 0);
}

#[tokio::test(start_paused = true)]
async fn the_registry_reports_conflicts_joins_and_leaves() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b", "c"]).await;
    let mut events = n[2].subscribe().await.unwrap();
    let first = Counter::default().spawn();
    n[0].register("counter", &first).await.unwrap();
    assert_eq!(
        n[0].register("counter", &first).await.unwrap_err(),
        RemoteError::Taken("counter".into())
    );
    let second = Counter::default().spawn();
    let conflict = n[1].register("counter", &second).await.unwrap_err();
    assert_eq!(
        conflict,
        RemoteError::Conflict {
            name: "counter".into(),
            nodes: vec!["a".into(), "b".into()]
        }
    );
    assert_eq!(
        n[1].lookup::<Counter>("nothing").await.unwrap_err(),
        RemoteError::NotFound("nothing".into())
    );
    let joined = tokio::time::timeout(GUARD, events.recv()).await.unwrap();
    assert_eq!(
        joined,
        Some(RegistryEvent::Joined {
            name: "counter".into(),
            node: "a".into(),
            id: first.id().as_u64()
        })
    );
    assert!(n[0].unregister("counter").await);
    let left = tokio::time::timeout(GUARD, events.recv()).await.unwrap();
    assert!(
        matches!(left, Some(RegistryEvent::Left { ref node, .. }) if node == "a"),
        "{left:?}"
    );
    assert_eq!(
        n[1].lookup::<Counter>("counter").await.unwrap_err(),
        RemoteError::NotFound("counter".into())
    );
}

#[derive(Default)]
struct Worker {
    node: String,
    handled: u64,
}

#[actor(remote)]
impl Worker {
    /// Which node handled it.
    #[handler]
    fn whereabouts(&mut self) -> String {
        self.handled += 1;
        self.node.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn spawn_on_and_a_pool_spread_over_nodes_that_carries_on_when_one_is_lost() {
    let fabric = Fabric::new();
    let n = nodes(&fabric, &["a", "b", "c"]).await;
    for node in &n[1..] {
        let name = node.name().to_owned();
        node.register_factory("worker", move |prefix: String| {
            Worker {
                node: format!("{prefix}{name}"),
                handled: 0,
            }
            .spawn()
        })
        .unwrap();
    }
    let one: ActorRef<Worker> = n[0].spawn_on("b", "worker", "at-").await.unwrap();
    assert_eq!(one.whereabouts().await.unwrap(), "at-b");
    let missing = n[0]
        .spawn_on::<Worker, _>("b", "nope", "")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, RemoteError::NoFactory { .. }),
        "{missing}"
    );
    let wrong = n[0]
        .spawn_on::<Counter, _>("b", "worker", "")
        .await
        .unwrap_err();
    assert!(matches!(wrong, RemoteError::WrongType { .. }), "{wrong}");

    let pool: ActorRef<Worker> = n[0].spawn_pool("worker", &["b", "c"], 2, "").await.unwrap();
    let mut places = Vec::new();
    for _ in 0..8 {
        places.push(pool.whereabouts().await.unwrap());
    }
    assert_eq!(places.iter().filter(|p| *p == "b").count(), 4);
    assert_eq!(places.iter().filter(|p| *p == "c").count(), 4);
    fabric.crash("c");
    n[0].wait_for("c", Duration::ZERO).await.ok();
    // After the lease, every message goes to b.
    tokio::time::sleep(typact_remote::DEFAULT_LEASE * 2).await;
    for _ in 0..6 {
        assert_eq!(pool.whereabouts().await.unwrap(), "b");
    }
}

#[tokio::test(start_paused = true)]
async fn an_ask_that_waits_for_room_past_its_deadline_times_out_and_is_never_handled() {
    let fabric = Fabric::new();
    let a = Node::builder("a")
        .memory(&fabric)
        .ask_timeout(Duration::from_secs(1))
        .open()
        .await
        .unwrap();
    let b = Node::builder("b").memory(&fabric).open().await.unwrap();
    a.wait_for("b", GUARD).await.unwrap();
    b.register("counter", &Counter::default().builder().capacity(1).spawn())
        .await
        .unwrap();
    let far: ActorRef<Counter> = a.lookup("counter").await.unwrap();
    // Busy for 3 s; `Log { seq: 1 }` takes the one place; `Log { seq: 2 }`
    // waits on the serving node for room, past its asker's deadline.
    let busy = tokio::spawn({
        let far = far.clone();
        async move { far.slow(3_000).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let first = tokio::spawn({
        let far = far.clone();
        async move { far.ask(Log { seq: 1 }).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let started = tokio::time::Instant::now();
    assert_eq!(far.ask(Log { seq: 2 }).await, Err(AskError::Timeout));
    assert!(started.elapsed() <= Duration::from_secs(1));
    assert_eq!(busy.await.unwrap(), Err(AskError::Timeout));
    assert_eq!(first.await.unwrap(), Err(AskError::Timeout));
    // The first was in the mailbox, so it ran once the actor was free; the
    // second was given up before it got a place, and never ran.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(far.seen().await.unwrap(), vec![1]);
}
