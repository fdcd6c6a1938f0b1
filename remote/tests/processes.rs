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

/// The same refs from a multi-thread runtime, where a remote ref's bridge
/// runs on the caller's runtime and asks travel as puts: order with tells,
/// replies to the right asker, and a lost node failing them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refs_on_a_multi_thread_runtime_keep_order_and_fail_when_their_node_dies() {
    let mut cluster = Cluster::start("procs-mt", &["b"]);
    let a = cluster
        .builder("a")
        .ask_timeout(Duration::from_secs(1))
        .open()
        .await
        .unwrap();
    a.wait_for("b", GUARD).await.unwrap();
    let b: ActorRef<Counter> = lookup(&a, "counter-b").await;

    // Tells and asks interleaved from one sender stay in order, and each
    // ask gets its own answer.
    for seq in 0..200 {
        b.tell(counter::Log { seq }).await.unwrap();
        if seq % 10 == 9 {
            b.add(1).await.unwrap();
            assert_eq!(b.ask(counter::Get).await.unwrap(), (seq + 1) / 10);
        }
    }
    assert_eq!(b.seen().await.unwrap(), (0..200).collect::<Vec<_>>());

    // An ask past the node's ask timeout fails with Timeout; its late reply
    // (a u64, as the count's) is not taken for a later ask's answer.
    assert_eq!(b.slow(2_500).await, Err(AskError::Timeout));
    let count = tokio::time::timeout(GUARD, async {
        loop {
            match b.get().await {
                Ok(count) => return count,
                Err(AskError::Timeout) => continue,
                Err(e) => panic!("{e:?}"),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(count, 20);

    // Concurrent asks from several tasks: each gets the answer to its own.
    let workers: Vec<ActorRef<Worker>> =
        futures_util::future::join_all((0..4).map(|_| a.spawn_on::<Worker, _>("b", "worker", &())))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
    let asks = (0..64u64).map(|n| {
        let w = workers[n as usize % workers.len()].clone();
        tokio::spawn(async move { (n, w.work(n).await.unwrap()) })
    });
    for done in futures_util::future::join_all(asks).await {
        let (n, (node, sq)) = done.unwrap();
        assert_eq!((node.as_str(), sq), ("b", n * n));
    }

    // The node dies: the ref stops with NodeDown and asks fail at once.
    cluster.kill("b");
    let reason = tokio::time::timeout(GUARD, b.wait_for_stop())
        .await
        .unwrap();
    assert!(
        matches!(&reason, StopReason::NodeDown { node } if &**node == "b"),
        "{reason}"
    );
    let err = tokio::time::timeout(GUARD, b.ask(counter::Get))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, AskError::Stopped | AskError::Unreachable),
        "{err:?}"
    );
}
