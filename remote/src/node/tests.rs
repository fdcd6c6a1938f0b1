//! The node at the level of bytes, on the in-memory network under paused
//! time: the typed layer's tests are in `tests/`.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use typact::StopReason;

use super::export::{AskFailure, Done, Export};
use super::link::{CallError, Link};
use crate::transport::BoxFuture;
use crate::{Fabric, Node};

/// A counter served by hand: `add` (a postcard u64) and `get`.
struct Counter {
    count: Arc<AtomicU64>,
    order: std::sync::Mutex<Vec<u64>>,
    stopped: watch::Sender<Option<StopReason>>,
}

impl Counter {
    fn new() -> Arc<Self> {
        Arc::new(Counter {
            count: Arc::new(AtomicU64::new(0)),
            order: std::sync::Mutex::new(Vec::new()),
            stopped: watch::channel(None).0,
        })
    }
}

impl Export for Counter {
    fn actor_type(&self) -> &str {
        "Counter"
    }
    fn tell(&self, message: &str, payload: &[u8]) -> Result<(), String> {
        assert_eq!(message, "Counter::add");
        let by: u64 = postcard::from_bytes(payload).map_err(|e| e.to_string())?;
        self.order.lock().unwrap().push(by);
        self.count.fetch_add(by, Ordering::SeqCst);
        Ok(())
    }
    fn ask(&self, message: &str, _payload: &[u8], _within: Duration, done: Done) {
        let now = self.count.load(Ordering::SeqCst);
        done(if message == "Counter::get" {
            Ok(postcard::to_allocvec(&now).unwrap())
        } else {
            Err(AskFailure::Other("unknown message".into()))
        });
    }
    fn stop(&self, kill: bool) {
        self.stopped.send_replace(Some(if kill {
            StopReason::Killed
        } else {
            StopReason::Normal
        }));
    }
    fn stopped(&self) -> BoxFuture<'static, StopReason> {
        let mut rx = self.stopped.subscribe();
        Box::pin(async move {
            let reason = rx.wait_for(Option::is_some).await.map(|r| r.clone());
            match reason {
                Ok(reason) => reason.unwrap(),
                Err(_) => std::future::pending().await,
            }
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

async fn pair(fabric: &Fabric) -> (Node, Node) {
    let a = Node::builder("a").memory(fabric).open().await.unwrap();
    let b = Node::builder("b").memory(fabric).open().await.unwrap();
    a.wait_for("b", Duration::from_secs(5)).await.unwrap();
    b.wait_for("a", Duration::from_secs(5)).await.unwrap();
    (a, b)
}

fn get(reply: Result<Vec<u8>, CallError>) -> u64 {
    postcard::from_bytes(&reply.unwrap()).unwrap()
}

#[tokio::test(start_paused = true)]
async fn tells_arrive_in_order_before_a_later_ask() {
    let fabric = Fabric::new();
    let (a, b) = pair(&fabric).await;
    let counter = Counter::new();
    b.inner().export(7, counter.clone());
    let link = Link::attach(a.inner(), "b", 7, "Counter").await.unwrap();
    for by in 1..=50u64 {
        if by == 20 {
            fabric.set_delay("a", "b", Duration::from_millis(30));
        }
        if by == 40 {
            fabric.set_delay("a", "b", Duration::ZERO);
        }
        link.tell("Counter::add", &postcard::to_allocvec(&by).unwrap())
            .await;
    }
    let reply = link.ask("Counter::get", &[]).await.unwrap().await;
    assert_eq!(get(reply), (1..=50).sum::<u64>());
    assert_eq!(*counter.order.lock().unwrap(), (1..=50).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn attach_checks_the_type_and_the_actor() {
    let fabric = Fabric::new();
    let (a, b) = pair(&fabric).await;
    b.inner().export(7, Counter::new());
    let wrong = Link::attach(a.inner(), "b", 7, "Other").await.unwrap_err();
    assert_eq!(
        wrong,
        crate::RemoteError::WrongType {
            expected: "Other".into(),
            found: "Counter".into()
        }
    );
    let missing = Link::attach(a.inner(), "b", 8, "Counter")
        .await
        .unwrap_err();
    assert_eq!(missing, crate::RemoteError::NoSuchActor("b".into()));
    let link = Link::attach(a.inner(), "b", 7, "Counter").await.unwrap();
    let err = link.ask("Counter::nope", &[]).await.unwrap().await;
    assert_eq!(err, Err(CallError::Remote("unknown message".into())));
}

#[tokio::test(start_paused = true)]
async fn a_partition_fails_asks_with_unreachable_and_healing_restores_them() {
    let fabric = Fabric::new();
    let (a, b) = pair(&fabric).await;
    b.inner().export(7, Counter::new());
    // Registered, so that b keeps serving it when it loses sight of a.
    let token = b
        .inner()
        .transport
        .declare_token("reg/c/b/7")
        .await
        .unwrap();
    assert!(b.inner().add_name("c", 7, token));
    let link = Link::attach(a.inner(), "b", 7, "Counter").await.unwrap();
    fabric.partition("a", "b");
    // Sent before the lease ran out: lost, and failed once the node is
    // seen leaving (well within the ask timeout).
    let started = tokio::time::Instant::now();
    let during = link.ask("Counter::get", &[]).await.unwrap().await;
    assert_eq!(during, Err(CallError::Unreachable));
    assert!(started.elapsed() < a.inner().ask_timeout);
    // Sent once it is seen as down: refused at once.
    assert_eq!(
        link.ask("Counter::get", &[]).await.err(),
        Some(CallError::Unreachable)
    );
    fabric.heal("a", "b");
    a.wait_for("b", Duration::from_secs(5)).await.unwrap();
    let after = link.ask("Counter::get", &[]).await.unwrap().await;
    assert_eq!(get(after), 0);
}

#[tokio::test(start_paused = true)]
async fn a_crash_finishes_proxies_with_node_down() {
    let fabric = Fabric::new();
    let (a, b) = pair(&fabric).await;
    b.inner().export(7, Counter::new());
    let _link = Link::attach(a.inner(), "b", 7, "Counter").await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    a.inner().add_proxy("b", 7, tx);
    fabric.crash("b");
    let reason = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reason.to_string(), crate::node_down("b").to_string());
    drop(b);
}

#[tokio::test(start_paused = true)]
async fn a_stop_reaches_the_holders_with_its_reason() {
    let fabric = Fabric::new();
    let (a, b) = pair(&fabric).await;
    let counter = Counter::new();
    b.inner().export(7, counter.clone());
    let link = Link::attach(a.inner(), "b", 7, "Counter").await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    a.inner().add_proxy("b", 7, tx);
    link.stop(true).await;
    let reason = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(reason, StopReason::Killed), "{reason}");
    // It is no longer served.
    let gone = link.ask("Counter::get", &[]).await.unwrap().await;
    assert_eq!(gone, Err(CallError::Stopped));
}

#[tokio::test(start_paused = true)]
async fn dropped_frames_are_lost_not_duplicated_and_garbage_is_refused() {
    let fabric = Fabric::new();
    let (a, b) = pair(&fabric).await;
    let counter = Counter::new();
    b.inner().export(7, counter.clone());
    let link = Link::attach(a.inner(), "b", 7, "Counter").await.unwrap();
    fabric.drop_next("a", "b", 2);
    for by in [1u64, 2, 4, 8] {
        link.tell("Counter::add", &postcard::to_allocvec(&by).unwrap())
            .await;
    }
    let reply = link.ask("Counter::get", &[]).await.unwrap().await;
    assert_eq!(get(reply), 12);
    assert_eq!(*counter.order.lock().unwrap(), vec![4, 8]);
    assert_eq!(fabric.dropped(), 2);
    // Garbage is refused with a reason, and a garbage tell is counted.
    let before = b.dead_letters();
    a.inner()
        .transport
        .send("b", b"not a frame".to_vec())
        .await
        .unwrap();
    let pending = a
        .inner()
        .transport
        .request("b", b"TYPA\x09".to_vec(), Duration::from_secs(1))
        .await
        .unwrap();
    let answer = pending.await.unwrap();
    let text = match crate::envelope::Frame::decode(&answer, usize::MAX).unwrap() {
        crate::envelope::Frame::Reply(crate::envelope::Reply::Err(
            crate::envelope::Failure::Other(text),
        )) => text.to_owned(),
        other => panic!("{other:?}"),
    };
    assert!(text.contains("wire version 9"), "{text}");
    assert_eq!(b.dead_letters(), before + 1);
}

/// The same cases on zenoh, two nodes in this process.
mod on_zenoh {
    use super::*;
    use crate::{CertificateAuthority, ZenohConfig};

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    const SEE: Duration = Duration::from_secs(15);

    async fn open(name: &str, cluster: &str, config: ZenohConfig) -> Node {
        Node::builder(name)
            .cluster(cluster)
            .zenoh(config)
            .open()
            .await
            .unwrap()
    }

    async fn tell_and_ask(a: &Node, b: &Node) {
        let counter = Counter::new();
        b.inner().export(7, counter.clone());
        let inner = a.inner().clone();
        let total = a
            .run(async move {
                let link = Link::attach(&inner, "b", 7, "Counter").await?;
                for by in 1..=100u64 {
                    link.tell("Counter::add", &postcard::to_allocvec(&by).unwrap())
                        .await;
                }
                let reply = link.ask("Counter::get", &[]).await.unwrap().await;
                Ok(get(reply))
            })
            .await
            .unwrap();
        assert_eq!(total, 5050);
        assert_eq!(
            *counter.order.lock().unwrap(),
            (1..=100).collect::<Vec<_>>()
        );
    }

    // A current-thread test runtime: zenoh runs on the nodes' own runtimes.
    #[tokio::test(flavor = "current_thread")]
    async fn mutual_tls_nodes_tell_and_ask_in_order() {
        let ca = CertificateAuthority::new("test");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let a = open(
            "a",
            "tls1",
            ZenohConfig::mutual_tls(ca.identity("a", &["127.0.0.1"])).connect(&addr),
        )
        .await;
        let b = open(
            "b",
            "tls1",
            ZenohConfig::mutual_tls(ca.identity("b", &["127.0.0.1"])).listen(&addr),
        )
        .await;
        a.wait_for("b", SEE).await.unwrap();
        b.wait_for("a", SEE).await.unwrap();
        tell_and_ask(&a, &b).await;
        assert_eq!(a.nodes().await.unwrap(), vec!["a", "b"]);
        b.shutdown().await;
        let mut alive = a.inner().peer("b");
        tokio::time::timeout(SEE, alive.wait_for(|seen| *seen == Some(false)))
            .await
            .expect("a sees b leave")
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn plain_tcp_works_when_asked_for() {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let b = open("b", "tcp1", ZenohConfig::plain_tcp_insecure().listen(&addr)).await;
        let a = open(
            "a",
            "tcp1",
            ZenohConfig::plain_tcp_insecure().connect(&addr),
        )
        .await;
        a.wait_for("b", SEE).await.unwrap();
        tell_and_ask(&a, &b).await;
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_node_without_a_trusted_certificate_cannot_join() {
        let ca = CertificateAuthority::new("cluster");
        let rogue = CertificateAuthority::new("rogue");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let b = open(
            "b",
            "tls2",
            ZenohConfig::mutual_tls(ca.identity("b", &["127.0.0.1"])).listen(&addr),
        )
        .await;
        // Signed by another authority, though it trusts the cluster's.
        let mut id = rogue.identity("r", &["127.0.0.1"]);
        id.ca_pem = ca.pem();
        let r = open("r", "tls2", ZenohConfig::mutual_tls(id).connect(&addr)).await;
        // A trusted node joins meanwhile, which shows the network works.
        let a = open(
            "a",
            "tls2",
            ZenohConfig::mutual_tls(ca.identity("a", &["127.0.0.1"])).connect(&addr),
        )
        .await;
        a.wait_for("b", SEE).await.unwrap();
        assert!(r.wait_for("b", Duration::from_secs(3)).await.is_err());
        assert_eq!(b.nodes().await.unwrap(), vec!["a", "b"]);
        assert!(!r.nodes().await.unwrap().contains(&"b".to_owned()));
    }
}
