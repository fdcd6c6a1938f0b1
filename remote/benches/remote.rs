//! typact-remote against raw zenoh, between two processes on loopback,
//! both over the same zenoh configuration: plain TCP by default, mutual TLS
//! with `--tls`. (Under this load zenoh 1.10.2's TLS link can abort a
//! process: an allocation of a garbage size in `rustls::Error::clone`,
//! called from `PlaintextSink::write` in zenoh-link-tls's transmit task,
//! seen in about one run in three here; plain TCP does not show it.)
//!
//! - tell throughput: `n` tells of `Add { by: 1 }` to a remote `Counter`,
//!   then one ask that sees them all; raw: `n` puts of the same payload
//!   (postcard of `1u64`) to a subscriber that counts them, then queries of
//!   the count until it reaches `n`;
//! - ask latency: sequential asks of `Get` (reply: a `u64`); raw: sequential
//!   queries to a queryable that echoes the same payload.
//!
//! `cargo bench -p typact-remote` (`-- --quick` for a short run). The
//! server is a `typact-remote-node --raw-zenoh ADDR` process (the one built
//! with the bench, or the binary `$TYPACT_REMOTE_NODE` names).

#[path = "../src/bin/typact-remote-node/actors.rs"]
#[allow(dead_code)]
mod actors;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actors::{Counter, counter};
use typact::prelude::*;
use typact_remote::{CertificateAuthority, Node, ZenohConfig};
use zenoh::qos::CongestionControl;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let tls = std::env::args().any(|a| a == "--tls");
    let (tells, asks, rounds) = if quick {
        (5_000u64, 300u32, 1)
    } else {
        (50_000, 3_000, 5)
    };
    let dir = std::env::temp_dir().join(format!("typact-remote-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = CertificateAuthority::new("bench");
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    let server = ca.identity("b", &["127.0.0.1"]);
    std::fs::write(dir.join("b.pem"), &server.cert_pem).unwrap();
    std::fs::write(dir.join("b.key"), &server.key_pem).unwrap();
    let (node_addr, raw_addr) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    // `TYPACT_REMOTE_NODE` names another build of the server, for an A/B.
    let server_bin = std::env::var_os("TYPACT_REMOTE_NODE")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_typact-remote-node").into());
    let mut child = Command::new(server_bin)
        .args(["--name", "b", "--cluster", "bench", "--listen", &node_addr])
        .args(["--raw-zenoh", &raw_addr])
        .args(if tls {
            vec!["--tls".into(), dir.to_string_lossy().into_owned()]
        } else {
            vec!["--plain".to_owned()]
        })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the node binary starts");
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "ready b");

    let me = ca.identity("a", &["127.0.0.1"]);
    let security = |me: typact_remote::TlsIdentity| {
        if tls {
            ZenohConfig::mutual_tls(me)
        } else {
            ZenohConfig::plain_tcp_insecure()
        }
    };
    let node = Node::builder("a")
        .cluster("bench")
        .zenoh(security(me.clone()).connect(&node_addr))
        .open()
        .await
        .unwrap();
    node.wait_for("b", Duration::from_secs(30)).await.unwrap();
    let far: ActorRef<Counter> = node.lookup("counter-b").await.unwrap();
    let raw_config = security(me).connect(&raw_addr).to_zenoh("a-raw").unwrap();
    let raw = zenoh::open(raw_config).await.unwrap();
    // Let the raw session meet the server's.
    for _ in 0..100 {
        let replies = raw.get("typact-bench/count").await.unwrap();
        if replies.recv_async().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let payload = postcard::to_allocvec(&1u64).unwrap();

    let (mut t_typed, mut t_raw, mut l_typed, mut l_raw) = (vec![], vec![], vec![], vec![]);
    let mut sent_raw = 0u64;
    let mut expected = far.get().await.unwrap();
    for _ in 0..=rounds {
        // Tell throughput, typed.
        let start = Instant::now();
        for _ in 0..tells {
            if far.tell(counter::Add { by: 1 }).await.is_err() {
                panic!("the remote ref stopped: {}", far.wait_for_stop().await);
            }
        }
        expected += tells;
        assert_eq!(far.get().await.unwrap(), expected);
        t_typed.push(tells as f64 / start.elapsed().as_secs_f64());

        // Tell throughput, raw zenoh.
        let start = Instant::now();
        for _ in 0..tells {
            raw.put("typact-bench/put", payload.clone())
                .congestion_control(CongestionControl::Block)
                .await
                .unwrap();
        }
        sent_raw += tells;
        loop {
            let replies = raw.get("typact-bench/count").await.unwrap();
            let n = match replies.recv_async().await.map(|r| r.into_result()) {
                Ok(Ok(sample)) => {
                    u64::from_le_bytes(sample.payload().to_bytes().as_ref().try_into().unwrap())
                }
                // A query that timed out behind the puts: ask again.
                _ => continue,
            };
            if n >= sent_raw {
                break;
            }
        }
        t_raw.push(tells as f64 / start.elapsed().as_secs_f64());

        // Ask latency, typed.
        let start = Instant::now();
        for _ in 0..asks {
            if let Err(e) = far.get().await {
                panic!(
                    "a remote ask failed: {e:?} (ref alive: {}, nodes seen: {:?}, server: {:?})",
                    far.is_alive(),
                    node.nodes().await,
                    child.try_wait()
                );
            }
        }
        l_typed.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(asks));

        // Query latency, raw zenoh.
        let start = Instant::now();
        for _ in 0..asks {
            let replies = raw
                .get("typact-bench/echo")
                .payload(payload.clone())
                .await
                .unwrap();
            replies.recv_async().await.unwrap();
        }
        l_raw.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(asks));
    }
    // The first round warms up.
    for v in [&mut t_typed, &mut t_raw, &mut l_typed, &mut l_raw] {
        v.remove(0);
    }
    let (tt, tr, lt, lr) = (
        median(t_typed),
        median(t_raw),
        median(l_typed),
        median(l_raw),
    );
    let link = if tls { "mutual TLS" } else { "plain TCP" };
    println!("typact-remote vs raw zenoh, two processes on loopback, {link}, median of {rounds}");
    println!("| row | typact-remote | raw zenoh | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    println!(
        "| tell throughput ({tells} tells) | {:.0} msg/s | {:.0} msg/s | {:.2}x |",
        tt,
        tr,
        tt / tr
    );
    println!(
        "| ask latency ({asks} sequential) | {:.1} us | {:.1} us | {:.2}x |",
        lt,
        lr,
        lr / lt
    );
    println!("(ratio: typact-remote's speed as a fraction of raw zenoh's; 1.00x = as fast)");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    drop(far);
    node.shutdown().await;
    let _ = raw.close().await;
}
