//! Nodes as separate processes on loopback, with mutual TLS: this test
//! process is node `a`; it starts `typact-remote-node` processes `b` and
//! `c`, looks their actors up, talks to them, spawns on them, spreads a
//! pool over them, and kills `c` to see a watch fire and the pool carry on.

#[path = "../src/bin/typact-remote-node/actors.rs"]
#[allow(dead_code)]
mod actors;
mod cluster;

use std::time::Duration;

use actors::{Counter, Worker, counter};
use typact::prelude::*;
use typact_remote::{Node, RemoteError};

use cluster::watching::Watcher;
use cluster::{Cluster, GUARD};

protocol_of!(Adder = counter::Add + counter::Get);

async fn lookup<A: typact::wire::Wire>(node: &Node, name: &str) -> ActorRef<A> {
    // The registration of a node that just started may take a moment to
    // reach this one.
    tokio::time::timeout(GUARD, async {
        loop {
            match node.lookup::<A>(name).await {
                Ok(found) => return found,
                Err(RemoteError::NotFound(_)) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("lookup {name}: {e}"),
            }
        }
    })
    .await
    .expect("the registration is seen")
}

#[tokio::test(flavor = "current_thread")]
async fn three_processes_lookup_talk_spawn_pool_and_watch() {
    let mut cluster = Cluster::start("procs", &["b", "c"]);
    let a = cluster.node("a").await;
    for peer in ["b", "c"] {
        a.wait_for(peer, GUARD).await.unwrap();
    }

    // Lookup, tell, ask, a client method, a protocol ref.
    let b: ActorRef<Counter> = lookup(&a, "counter-b").await;
    b.tell(counter::Add { by: 2 }).await.unwrap();
    b.add(3).await.unwrap();
    assert_eq!(b.ask(counter::Get).await.unwrap(), 5);
    let adder: Ref<Adder> = b.clone().into();
    adder.tell(counter::Add { by: 5 }).await.unwrap();
    assert_eq!(adder.ask(counter::Get).await.unwrap(), 10);
    for seq in 0..500 {
        b.tell(counter::Log { seq }).await.unwrap();
    }
    assert_eq!(b.seen().await.unwrap(), (0..500).collect::<Vec<_>>());

    // A remote spawn, and a pool over both processes.
    let one: ActorRef<Worker> = a.spawn_on("c", "worker", &()).await.unwrap();
    assert_eq!(one.work(3).await.unwrap(), ("c".to_owned(), 9));
    let pool: ActorRef<Worker> = a.spawn_pool("worker", &["b", "c"], 2, &()).await.unwrap();
    let mut on = Vec::new();
    for n in 0..8 {
        let (node, sq) = pool.work(n).await.unwrap();
        assert_eq!(sq, n * n);
        on.push(node);
    }
    assert_eq!(on.iter().filter(|n| *n == "b").count(), 4, "{on:?}");
    assert_eq!(on.iter().filter(|n| *n == "c").count(), 4, "{on:?}");

    // Kill c: the watch on its counter fires with NodeDown, asks to it fail,
    // and the pool carries on with b's workers.
    let c: ActorRef<Counter> = lookup(&a, "counter-c").await;
    let watcher = Watcher::default().spawn();
    watcher.follow(c.clone()).await.unwrap();
    cluster.kill("c");
    let reason = tokio::time::timeout(GUARD, c.wait_for_stop())
        .await
        .unwrap();
    assert!(
        matches!(&reason, StopReason::NodeDown { node } if &**node == "c"),
        "{reason}"
    );
    let seen = tokio::time::timeout(GUARD, async {
        loop {
            let seen = watcher.seen().await.unwrap();
            if !seen.is_empty() {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert!(matches!(&seen[0], StopReason::NodeDown { node } if &**node == "c"));
    let err = c.ask(counter::Get).await.unwrap_err();
    assert!(
        matches!(err, AskError::Stopped | AskError::Unreachable),
        "{err:?}"
    );
    for n in 0..6 {
        assert_eq!(pool.work(n).await.unwrap().0, "b");
    }
    assert!(matches!(
        a.lookup::<Counter>("counter-c").await,
        Err(RemoteError::NotFound(_))
    ));
    // b is untouched.
    assert_eq!(b.get().await.unwrap(), 10);
}

/// Bytes that are not what a node sends, put by a plain zenoh session of
/// the cluster (it has a certificate: a member gone wrong) on a node's
/// keys: each is refused, and the node serves on, in order.
/// (A refusal to a request is a reply carrying the failure, so zenoh sees
/// an ordinary reply.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_from_the_network_are_refused() {
    use zenoh::Wait;

    let cluster = Cluster::start("procs-bad", &["b"]);
    let a = cluster.node("a").await;
    a.wait_for("b", GUARD).await.unwrap();
    let b: ActorRef<Counter> = lookup(&a, "counter-b").await;
    b.add(1).await.unwrap();

    let hosts: Vec<&str> = cluster.hosts.iter().map(String::as_str).collect();
    let rogue = typact_remote::ZenohConfig::mutual_tls(cluster.ca.identity("rogue", &hosts))
        .connect(&cluster.seed)
        .to_zenoh("rogue")
        .unwrap();
    let rogue = zenoh::open(rogue).await.unwrap();
    let prefix = format!("typact/{}/n", cluster.cluster);
    let frames: [(&str, Vec<u8>); 3] = [
        ("b/in", b"?".to_vec()),
        ("b/in", vec![0xff; 64]),
        ("b/in", vec![0; 1 << 16]),
    ];
    for (key, payload) in frames {
        rogue
            .put(format!("{prefix}/{key}"), payload)
            .attachment(b"not a header".to_vec())
            .wait()
            .unwrap();
    }
    // A query that is not a request either: b answers it with an error.
    // It travels behind the puts on the same link, so its answer also shows
    // that they reached b.
    let replies = rogue
        .get(format!("{prefix}/b/rq"))
        .payload(vec![1, 2, 3])
        .timeout(GUARD)
        .await
        .unwrap();
    let mut answers = Vec::new();
    while let Ok(reply) = replies.recv_async().await {
        use typact_remote::envelope::{DEFAULT_MAX_FRAME, Frame, Reply};
        let bytes = reply.result().expect("a reply").payload().to_bytes();
        let refused = matches!(
            Frame::decode(&bytes, DEFAULT_MAX_FRAME),
            Ok(Frame::Reply(Reply::Err(_)))
        );
        answers.push(refused);
    }
    assert_eq!(
        answers,
        [true],
        "b answers the query once, with its refusal"
    );
    // Both nodes still serve, in order, with the right answers.
    b.add(2).await.unwrap();
    assert_eq!(b.get().await.unwrap(), 3);
    assert_eq!(b.seen().await.unwrap(), Vec::<u64>::new());
    rogue.close().await.unwrap();
}
