//! Three node processes on this machine, a pool spread over them, one node
//! killed: the watch on it fires with `NodeDown` and the pool carries on.
//!
//! `cargo run --example cluster`. The example starts itself three more
//! times as the nodes (`cluster node NAME ...`), with mutual TLS and
//! certificates made on the spot, and is a fourth node itself.

#[path = "../src/bin/typact-remote-node/actors.rs"]
#[allow(dead_code)]
mod actors;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actors::{Counter, Worker};
use typact::prelude::*;
use typact_remote::{CertificateAuthority, Node, TlsIdentity, ZenohConfig};

const SEE: Duration = Duration::from_secs(30);

fn identity(dir: &Path, name: &str) -> TlsIdentity {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("certificate files");
    TlsIdentity {
        ca_pem: read("ca.pem"),
        cert_pem: read(&format!("{name}.pem")),
        key_pem: read(&format!("{name}.key")),
    }
}

/// One node: a counter registered as `counter-<name>` and a `worker`
/// factory, until stdin closes.
async fn node(name: &str, dir: &Path, listen: &str, seed: Option<&str>) {
    let mut config = ZenohConfig::mutual_tls(identity(dir, name)).listen(listen);
    if let Some(seed) = seed {
        config = config.connect(seed);
    }
    let node = Node::builder(name)
        .cluster("example")
        .zenoh(config)
        .open()
        .await
        .expect("the node opens");
    node.register(&format!("counter-{name}"), &Counter::default().spawn())
        .await
        .expect("registered");
    let here = name.to_owned();
    node.register_factory("worker", move |(): ()| {
        Worker { node: here.clone() }.spawn()
    })
    .expect("a factory");
    println!("ready {name}");
    let _ = tokio::task::spawn_blocking(|| {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() {
                return;
            }
        }
    })
    .await;
    node.shutdown().await;
}

#[derive(Default)]
struct Watcher {
    seen: Vec<String>,
}

#[actor]
impl Watcher {
    #[handler]
    fn follow(&mut self, target: ActorRef<Counter>, ctx: &mut Context<Self>) {
        ctx.watch(&target);
    }

    #[handler(message)]
    fn down(&mut self, t: Terminated) {
        println!("watch: actor {} stopped: {}", t.id, t.reason);
        self.seen.push(t.reason.to_string());
    }

    #[handler]
    fn seen(&self) -> Vec<String> {
        self.seen.clone()
    }
}

fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

struct Kill(Vec<(String, Child)>);

impl Drop for Kill {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("node") {
        let seed = args.get(5).map(String::as_str);
        node(&args[2], Path::new(&args[3]), &args[4], seed).await;
        return;
    }

    let dir = std::env::temp_dir().join(format!("typact-cluster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = CertificateAuthority::new("example cluster");
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    for name in ["n1", "n2", "n3", "main"] {
        let id = ca.identity(name, &["127.0.0.1"]);
        std::fs::write(dir.join(format!("{name}.pem")), id.cert_pem).unwrap();
        std::fs::write(dir.join(format!("{name}.key")), id.key_pem).unwrap();
    }

    let me = std::env::current_exe().unwrap();
    let mut nodes = Kill(Vec::new());
    let mut seed = String::new();
    for name in ["n1", "n2", "n3"] {
        let listen = free_addr();
        let mut cmd = Command::new(&me);
        cmd.args(["node", name]).arg(&dir).arg(&listen);
        if !seed.is_empty() {
            cmd.arg(&seed);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("a node process starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        println!("process {} (pid {}): {}", name, child.id(), line.trim());
        if seed.is_empty() {
            seed = listen;
        }
        nodes.0.push((name.to_owned(), child));
    }

    let main = Node::builder("main")
        .cluster("example")
        .zenoh(ZenohConfig::mutual_tls(identity(&dir, "main")).connect(&seed))
        .open()
        .await
        .unwrap();
    for peer in ["n1", "n2", "n3"] {
        main.wait_for(peer, SEE).await.unwrap();
    }
    println!("cluster: {:?}", main.nodes().await.unwrap());

    let pool: ActorRef<Worker> = main
        .spawn_pool("worker", &["n1", "n2", "n3"], 2, &())
        .await
        .unwrap();
    let mut on = Vec::new();
    for n in 0..12 {
        let (node, square) = pool.work(n).await.unwrap();
        assert_eq!(square, n * n);
        on.push(node);
    }
    println!("12 jobs on: {on:?}");
    for name in ["n1", "n2", "n3"] {
        assert_eq!(on.iter().filter(|n| *n == name).count(), 4);
    }

    let counter: ActorRef<Counter> = main.lookup("counter-n3").await.unwrap();
    counter.add(1).await.unwrap();
    let watcher = Watcher::default().spawn();
    watcher.follow(counter.clone()).await.unwrap();

    println!("killing n3");
    let (_, mut n3) = nodes.0.pop().unwrap();
    n3.kill().unwrap();
    n3.wait().unwrap();
    let reason = tokio::time::timeout(SEE, counter.wait_for_stop())
        .await
        .expect("the node is seen lost");
    assert!(matches!(&reason, StopReason::NodeDown { node } if &**node == "n3"));
    tokio::time::timeout(SEE, async {
        while watcher.seen().await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the watch fires");

    let mut after = Vec::new();
    for n in 0..8 {
        after.push(pool.work(n).await.unwrap().0);
    }
    println!("8 jobs after the kill on: {after:?}");
    assert!(after.iter().all(|n| n == "n1" || n == "n2"));
    println!("the pool carried on without n3");

    drop(nodes);
    main.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
