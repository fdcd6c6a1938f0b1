//! Raw zenoh, typact-remote, ractor_cluster and kameo's remote actors, in
//! one run, each between this process (the client) and a server process
//! on loopback, all over plain TCP:
//!
//! - tell throughput: `n` tells of a `u64` add to a remote counter, then an
//!   ask of its count that sees them all; raw zenoh: `n` puts of
//!   postcard(`1u64`) to a counting subscriber, then queries of the count
//!   until it reaches `n` (as in typact-remote's own bench,
//!   `remote/benches/remote.rs`);
//! - ask latency: sequential asks of the count (a `u64`); raw zenoh:
//!   sequential queries to a queryable that echoes the payload.
//!
//! kameo's tells are `tell(..).send_ack()` with at most `KAMEO_WINDOW` (64)
//! unacknowledged at once: its fire-and-forget `tell(..).send()` overruns
//! its own stream limits in a burst of this size and loses tells or the
//! connection; `-- --kameo-send` measures that instead, and counts what it
//! loses.
//!
//! Rounds interleave the frameworks (each round runs all four), so machine
//! noise falls on all alike; the first round warms up and is dropped, the
//! table shows medians.
//!
//! `cargo bench -p typact-remote-peers --features peers` (`-- --quick` for a
//! short run). The typact-remote and raw zenoh server is
//! `typact-remote-node`: the binary `$TYPACT_REMOTE_NODE` names, else the
//! one beside this bench in the target directory (build it first with
//! `cargo build --release -p typact-remote --bin typact-remote-node`). The
//! ractor and kameo servers are this package's `typact-peers-node`.

#[cfg(not(feature = "peers"))]
fn main() {
    eprintln!(
        "the peers bench needs the peers: pass `--features peers` \
         (cargo bench -p typact-remote-peers --features peers)"
    );
}

#[cfg(feature = "peers")]
#[path = "../../src/bin/typact-remote-node/actors.rs"]
#[allow(dead_code)]
mod actors;

#[cfg(feature = "peers")]
fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(bench::run());
}

#[cfg(feature = "peers")]
mod bench {
    use std::io::{BufRead, BufReader};
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use futures_util::StreamExt;
    use futures_util::stream::FuturesUnordered;
    use typact::prelude::*;
    use typact_remote::{Node, ZenohConfig};
    use typact_remote_peers::{kameo_peer, ractor_peer};
    use zenoh::qos::CongestionControl;

    use crate::actors::{Counter, counter};

    /// How many kameo tells may wait for their acknowledgement at once:
    /// under kameo's default limit of 100 concurrent request streams per
    /// connection (past which libp2p's request-response fails a request
    /// with "max sub-streams reached"), and under yamux's 256 streams that
    /// may wait for the far side's acknowledgement.
    const KAMEO_WINDOW: usize = 64;

    /// How long a proof that all tells arrived may take, or a connection.
    const PATIENCE: Duration = Duration::from_secs(60);

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

    /// A server process, killed when dropped (so also when the bench
    /// panics).
    struct Server {
        child: Child,
    }

    impl Server {
        /// Starts `cmd` and waits for its first line, which must start with
        /// `ready`; answers the server and that line.
        fn start(what: &str, cmd: &mut Command) -> (Server, String) {
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("the {what} server starts: {e}"));
            let mut ready = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut ready)
                .unwrap();
            let server = Server { child };
            assert!(
                ready.starts_with("ready"),
                "the {what} server said {ready:?}, not ready"
            );
            (server, ready.trim().to_owned())
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn typact_remote_node() -> PathBuf {
        if let Some(path) = std::env::var_os("TYPACT_REMOTE_NODE") {
            return path.into();
        }
        // This bench runs as target/<profile>/deps/peers-<hash>.
        let exe = std::env::current_exe().unwrap();
        let deps = exe.parent().unwrap();
        let beside = [
            deps.join("typact-remote-node"),
            deps.join("../typact-remote-node"),
        ];
        beside.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
            panic!(
                "no typact-remote-node beside {}: build it with `cargo build --release \
                     -p typact-remote --bin typact-remote-node` (same target directory), \
                     or name it in TYPACT_REMOTE_NODE",
                exe.display()
            )
        })
    }

    /// One framework's client side, connected.
    enum Framework {
        Raw {
            session: zenoh::Session,
            payload: Vec<u8>,
            sent: u64,
        },
        Typact {
            far: ActorRef<Counter>,
            expected: u64,
        },
        Ractor {
            far: ractor::ActorRef<ractor_peer::CounterMsg>,
            expected: u64,
        },
        Kameo {
            far: kameo::actor::RemoteActorRef<kameo_peer::Counter>,
            expected: u64,
            fire_and_forget: bool,
        },
    }

    impl Framework {
        /// `n` tells, then asks until one sees them all; answers how many
        /// asks beyond the first that took, and how many tells were lost
        /// (only kameo's fire-and-forget `send()` may lose any: for the
        /// others a lost tell fails the bench).
        async fn tells(&mut self, n: u64) -> (u64, u64) {
            let (mut extra, mut lost) = (0, 0);
            match self {
                Framework::Raw {
                    session,
                    payload,
                    sent,
                } => {
                    for _ in 0..n {
                        session
                            .put("typact-bench/put", payload.clone())
                            .congestion_control(CongestionControl::Block)
                            .await
                            .unwrap();
                    }
                    *sent += n;
                    let deadline = Instant::now() + PATIENCE;
                    loop {
                        let replies = session.get("typact-bench/count").await.unwrap();
                        let seen = match replies.recv_async().await.map(|r| r.into_result()) {
                            Ok(Ok(sample)) => u64::from_le_bytes(
                                sample.payload().to_bytes().as_ref().try_into().unwrap(),
                            ),
                            // A query that timed out behind the puts: ask again.
                            _ => 0,
                        };
                        if seen >= *sent {
                            break;
                        }
                        assert!(Instant::now() < deadline, "raw zenoh: {seen} of {sent}");
                        extra += 1;
                    }
                }
                Framework::Typact { far, expected } => {
                    for _ in 0..n {
                        if far.tell(counter::Add { by: 1 }).await.is_err() {
                            panic!("the remote ref stopped: {}", far.wait_for_stop().await);
                        }
                    }
                    *expected += n;
                    assert_eq!(far.get().await.unwrap(), *expected);
                }
                Framework::Ractor { far, expected } => {
                    for _ in 0..n {
                        far.cast(ractor_peer::CounterMsg::Add(1))
                            .expect("a ractor_cluster cast");
                    }
                    *expected += n;
                    let deadline = Instant::now() + PATIENCE;
                    loop {
                        let seen = ractor_get(far).await;
                        if seen == *expected {
                            break;
                        }
                        assert!(
                            seen < *expected && Instant::now() < deadline,
                            "ractor_cluster: {seen} of {expected}"
                        );
                        extra += 1;
                    }
                }
                Framework::Kameo {
                    far,
                    expected,
                    fire_and_forget,
                } => {
                    const ONE: kameo_peer::Add = kameo_peer::Add { by: 1 };
                    if *fire_and_forget {
                        // `send()`: no acknowledgement, no backpressure.
                        for _ in 0..n {
                            far.tell(&ONE).send().expect("a kameo remote tell");
                        }
                    } else {
                        // `send_ack()`, at most KAMEO_WINDOW unacknowledged.
                        let mut in_flight = FuturesUnordered::new();
                        for _ in 0..n {
                            if in_flight.len() == KAMEO_WINDOW {
                                let acked: Result<(), kameo::error::RemoteSendError> =
                                    in_flight.next().await.unwrap();
                                acked.expect("a kameo remote tell");
                            }
                            in_flight.push(far.tell(&ONE).send_ack());
                        }
                        while let Some(acked) = in_flight.next().await {
                            acked.expect("a kameo remote tell");
                        }
                    }
                    *expected += n;
                    let deadline = Instant::now() + PATIENCE;
                    // Fire and forget: the count it last saw, and since when.
                    let mut settled = (u64::MAX, Instant::now());
                    loop {
                        match far.ask(&kameo_peer::Get).await {
                            Ok(seen) if seen == *expected => break,
                            Ok(seen) => {
                                assert!(seen < *expected, "kameo: {seen} of {expected}");
                                if *fire_and_forget {
                                    if seen != settled.0 {
                                        settled = (seen, Instant::now());
                                    } else if settled.1.elapsed() > Duration::from_secs(3) {
                                        // No more are coming: the rest are lost.
                                        lost += *expected - seen;
                                        *expected = seen;
                                        break;
                                    }
                                    tokio::time::sleep(Duration::from_millis(10)).await;
                                }
                            }
                            // The ask itself can hit the limits the tells hit.
                            Err(e) if *fire_and_forget => {
                                assert!(Instant::now() < deadline, "a kameo remote ask: {e:?}");
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                            Err(e) => panic!("a kameo remote ask: {e:?}"),
                        }
                        assert!(Instant::now() < deadline, "kameo: not all of {expected}");
                        extra += 1;
                    }
                }
            }
            (extra, lost)
        }

        /// `n` sequential asks (raw zenoh: queries).
        async fn asks(&mut self, n: u32) {
            match self {
                Framework::Raw {
                    session, payload, ..
                } => {
                    for _ in 0..n {
                        let replies = session
                            .get("typact-bench/echo")
                            .payload(payload.clone())
                            .await
                            .unwrap();
                        replies.recv_async().await.unwrap();
                    }
                }
                Framework::Typact { far, .. } => {
                    for _ in 0..n {
                        if let Err(e) = far.get().await {
                            panic!("a typact-remote ask failed: {e:?}");
                        }
                    }
                }
                Framework::Ractor { far, .. } => {
                    for _ in 0..n {
                        ractor_get(far).await;
                    }
                }
                Framework::Kameo { far, .. } => {
                    for _ in 0..n {
                        far.ask(&kameo_peer::Get).await.expect("a kameo remote ask");
                    }
                }
            }
        }
    }

    async fn ractor_get(far: &ractor::ActorRef<ractor_peer::CounterMsg>) -> u64 {
        match far
            .call(ractor_peer::CounterMsg::Get, Some(Duration::from_secs(30)))
            .await
        {
            Ok(ractor::rpc::CallResult::Success(n)) => n,
            Ok(other) => panic!("a ractor_cluster call: {other:?}"),
            Err(e) => panic!("a ractor_cluster call: {e}"),
        }
    }

    const NAMES: [&str; 4] = [
        "raw zenoh",
        "typact-remote",
        "ractor_cluster",
        "kameo remote",
    ];

    pub(crate) async fn run() {
        let quick = std::env::args().any(|a| a == "--quick");
        let (tells, asks, rounds) = if quick {
            (5_000u64, 300u32, 1usize)
        } else {
            (50_000, 3_000, 5)
        };

        // The servers.
        let (node_addr, raw_addr) = (
            format!("127.0.0.1:{}", free_port()),
            format!("127.0.0.1:{}", free_port()),
        );
        let (_typact_server, _) = Server::start(
            "typact-remote",
            Command::new(typact_remote_node())
                .args(["--name", "b", "--cluster", "bench", "--listen", &node_addr])
                .args(["--raw-zenoh", &raw_addr, "--plain"])
                // Its actors on two workers, as typact-peers-node's.
                .args(["--workers", "2"]),
        );
        let peers_node = env!("CARGO_BIN_EXE_typact-peers-node");
        let ractor_port = free_port();
        let (_ractor_server, _) = Server::start(
            "ractor_cluster",
            Command::new(peers_node).args(["ractor", &ractor_port.to_string()]),
        );
        let kameo_port = free_port();
        let kameo_addr = format!("/ip4/127.0.0.1/tcp/{kameo_port}");
        let (_kameo_server, ready) = Server::start(
            "kameo",
            Command::new(peers_node).args(["kameo", &kameo_addr]),
        );
        let kameo_peer_id: libp2p::PeerId = ready
            .strip_prefix("ready kameo ")
            .expect("the kameo server's peer id")
            .parse()
            .unwrap();

        // The clients.
        let raw_config = ZenohConfig::plain_tcp_insecure()
            .connect(&raw_addr)
            .to_zenoh("a-raw")
            .unwrap();
        let session = zenoh::open(raw_config).await.unwrap();
        // Let the raw session meet the server's.
        for _ in 0..100 {
            let replies = session.get("typact-bench/count").await.unwrap();
            if replies.recv_async().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let raw = Framework::Raw {
            session,
            payload: postcard::to_allocvec(&1u64).unwrap(),
            sent: 0,
        };

        let node = Node::builder("a")
            .cluster("bench")
            .zenoh(ZenohConfig::plain_tcp_insecure().connect(&node_addr))
            .open()
            .await
            .unwrap();
        node.wait_for("b", PATIENCE).await.unwrap();
        let far: ActorRef<Counter> = node.lookup("counter-b").await.unwrap();
        let expected = far.get().await.unwrap();
        let typact = Framework::Typact { far, expected };

        let ractor_node = ractor_peer::start_node("bench-client", free_port())
            .await
            .unwrap();
        let far = ractor_peer::connect(&ractor_node, &format!("127.0.0.1:{ractor_port}"), PATIENCE)
            .await
            .unwrap();
        let expected = ractor_get(&far).await;
        let ractor = Framework::Ractor { far, expected };

        kameo_peer::start_swarm_dialing(kameo_peer_id, kameo_addr.parse().unwrap()).unwrap();
        let far = kameo_peer::lookup(PATIENCE).await.unwrap();
        let expected = far.ask(&kameo_peer::Get).await.unwrap();
        let kameo = Framework::Kameo {
            far,
            expected,
            fire_and_forget: std::env::args().any(|a| a == "--kameo-send"),
        };

        // zenoh's other round trips, beside the rows: a query answered in
        // the server's callback, and a put answered by a put.
        let Framework::Raw { session, .. } = &raw else {
            unreachable!()
        };
        let pongs = session
            .declare_subscriber("typact-bench/pong")
            .await
            .unwrap();
        let mut now_us = Vec::new();
        let mut pong_us = Vec::new();

        let mut frameworks = [raw, typact, ractor, kameo];
        let mut throughput: [Vec<f64>; 4] = Default::default();
        let mut latency: [Vec<f64>; 4] = Default::default();
        let mut extra_asks = [0u64; 4];
        let mut lost_tells = [0u64; 4];
        for round in 0..=rounds {
            for (i, fw) in frameworks.iter_mut().enumerate() {
                let start = Instant::now();
                let (extra, lost) = fw.tells(tells).await;
                throughput[i].push(tells as f64 / start.elapsed().as_secs_f64());
                if round > 0 {
                    extra_asks[i] += extra;
                    lost_tells[i] += lost;
                }
            }
            for (i, fw) in frameworks.iter_mut().enumerate() {
                let start = Instant::now();
                fw.asks(asks).await;
                latency[i].push(start.elapsed().as_secs_f64() * 1e6 / f64::from(asks));
            }
            if let Framework::Raw {
                session, payload, ..
            } = &frameworks[0]
            {
                let start = Instant::now();
                for _ in 0..asks {
                    let replies = session
                        .get("typact-bench/echo-now")
                        .payload(payload.clone())
                        .await
                        .unwrap();
                    replies.recv_async().await.unwrap();
                }
                now_us.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(asks));
                let start = Instant::now();
                for _ in 0..asks {
                    session
                        .put("typact-bench/ping", payload.clone())
                        .await
                        .unwrap();
                    pongs.recv_async().await.unwrap();
                }
                pong_us.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(asks));
            }
            eprintln!(
                "round {round}{}: tells/s {:?}, ask us {:?}",
                if round == 0 { " (warm-up)" } else { "" },
                throughput
                    .iter()
                    .map(|v| v[round].round())
                    .collect::<Vec<_>>(),
                latency
                    .iter()
                    .map(|v| (v[round] * 10.0).round() / 10.0)
                    .collect::<Vec<_>>(),
            );
        }
        // The first round warms up.
        let tput: Vec<f64> = throughput
            .into_iter()
            .map(|mut v| {
                v.remove(0);
                median(v)
            })
            .collect();
        let lat: Vec<f64> = latency
            .into_iter()
            .map(|mut v| {
                v.remove(0);
                median(v)
            })
            .collect();

        println!(
            "raw zenoh, typact-remote, ractor_cluster and kameo remote: two processes on \
             loopback, plain TCP, median of {rounds} round(s) after a warm-up"
        );
        println!("| row | {} |", NAMES.join(" | "));
        println!("| --- |{}", " ---: |".repeat(NAMES.len()));
        let cells: Vec<String> = tput
            .iter()
            .map(|t| format!("{t:.0} msg/s ({:.2}x)", t / tput[0]))
            .collect();
        println!(
            "| tell throughput ({tells} tells) | {} |",
            cells.join(" | ")
        );
        let cells: Vec<String> = lat
            .iter()
            .map(|l| format!("{l:.1} us ({:.2}x)", lat[0] / l))
            .collect();
        println!(
            "| ask latency ({asks} sequential) | {} |",
            cells.join(" | ")
        );
        println!("(ratio: speed as a fraction of raw zenoh's; 1.00x = as fast)");
        now_us.remove(0);
        pong_us.remove(0);
        let (now, pong) = (median(now_us), median(pong_us));
        println!(
            "(zenoh's other round trips, same rounds: a query answered in the server's \
             callback {now:.1} us ({:.2}x), a put answered by a put {pong:.1} us ({:.2}x))",
            lat[0] / now,
            lat[0] / pong
        );
        let extra: Vec<String> = NAMES
            .iter()
            .zip(extra_asks)
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        println!(
            "(asks or queries beyond the first before the count showed every tell, over the \
             measured rounds: {})",
            extra.join(", ")
        );
        if lost_tells.iter().any(|&n| n > 0) {
            let lost: Vec<String> = NAMES
                .iter()
                .zip(lost_tells)
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            println!(
                "(tells lost, over the measured rounds (their rate counts them as sent): {})",
                lost.join(", ")
            );
        }

        drop(frameworks);
        ractor_node.stop(None);
        node.shutdown().await;
    }
}
