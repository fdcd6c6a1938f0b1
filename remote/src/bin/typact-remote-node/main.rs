//! One node of a test or example cluster, as a process.
//!
//! ```text
//! typact-remote-node --name b --cluster c --listen 127.0.0.1:7447 \
//!     [--connect 127.0.0.1:7448]... (--tls DIR | --plain) [--workers N]
//! ```
//!
//! It registers a `Counter` as `counter-<name>` and a factory `worker`
//! (a `Worker` of its node), prints `ready <name>` on stdout, and runs
//! until its standard input closes or says `quit`. With `--tls DIR`, it
//! reads `ca.pem`, `<name>.pem` and `<name>.key` from `DIR`. With
//! `--raw-zenoh ADDR`, a plain zenoh session listening on `ADDR` serves the
//! benchmarks' baseline beside the node. Its actors run on a
//! current-thread runtime, or with `--workers N` on a multi-thread runtime
//! of `N` workers.

mod actors;

use std::io::BufRead;

use typact::prelude::*;
use typact_remote::{Node, TlsIdentity, ZenohConfig};

use actors::{Counter, Worker};

struct Args {
    name: String,
    cluster: String,
    listen: Vec<String>,
    connect: Vec<String>,
    tls: Option<String>,
    raw: Option<String>,
    /// Workers of the actors' runtime; 0 for a current-thread runtime.
    workers: usize,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        name: String::new(),
        cluster: "default".into(),
        listen: Vec::new(),
        connect: Vec::new(),
        tls: None,
        raw: None,
        workers: 0,
    };
    let mut plain = false;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--name" => args.name = value()?,
            "--cluster" => args.cluster = value()?,
            "--listen" => args.listen.push(value()?),
            "--connect" => args.connect.push(value()?),
            "--tls" => args.tls = Some(value()?),
            "--plain" => plain = true,
            "--raw-zenoh" => args.raw = Some(value()?),
            "--workers" => {
                args.workers = value()?.parse().map_err(|e| format!("--workers: {e}"))?;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.name.is_empty() {
        return Err("--name is required".into());
    }
    if args.tls.is_none() && !plain {
        return Err("give --tls DIR, or --plain for unauthenticated TCP".into());
    }
    Ok(args)
}

fn config(args: &Args) -> Result<ZenohConfig, String> {
    let mut config = match &args.tls {
        Some(dir) => {
            let read = |file: String| {
                std::fs::read_to_string(format!("{dir}/{file}"))
                    .map_err(|e| format!("{dir}/{file}: {e}"))
            };
            ZenohConfig::mutual_tls(TlsIdentity {
                ca_pem: read("ca.pem".into())?,
                cert_pem: read(format!("{}.pem", args.name))?,
                key_pem: read(format!("{}.key", args.name))?,
            })
        }
        None => ZenohConfig::plain_tcp_insecure(),
    };
    for addr in &args.listen {
        config = config.listen(addr);
    }
    for addr in &args.connect {
        config = config.connect(addr);
    }
    Ok(config)
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let node = Node::builder(&args.name)
        .cluster(&args.cluster)
        .zenoh(config(&args)?)
        .open()
        .await?;
    let counter = Counter::default().spawn();
    node.register(&format!("counter-{}", args.name), &counter)
        .await?;
    let here = args.name.clone();
    node.register_factory("worker", move |(): ()| {
        Worker { node: here.clone() }.spawn()
    })?;
    // The benchmarks' baseline: a raw zenoh session beside the node.
    let raw = match &args.raw {
        Some(addr) => {
            let only = Args {
                listen: vec![addr.clone()],
                connect: Vec::new(),
                raw: None,
                name: args.name.clone(),
                cluster: args.cluster.clone(),
                tls: args.tls.clone(),
                workers: 0,
            };
            Some(raw_zenoh(config(&only)?.to_zenoh(&args.name)?).await?)
        }
        None => None,
    };
    println!("ready {}", args.name);
    // Until stdin says quit or closes.
    tokio::task::spawn_blocking(|| {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(line) if line.trim() == "quit" => return,
                Ok(_) => {}
                Err(_) => return,
            }
        }
    })
    .await?;
    node.shutdown().await;
    if let Some(rt) = raw {
        rt.shutdown_background();
    }
    Ok(())
}

/// A plain zenoh session that counts the puts on `typact-bench/put`,
/// answers `typact-bench/count` with their count and echoes queries on
/// `typact-bench/echo` (from a task) and `typact-bench/echo-now` (in the
/// callback), and puts on `typact-bench/pong` what comes on
/// `typact-bench/ping`: what the benchmarks compare typact-remote with.
async fn raw_zenoh(
    config: zenoh::Config,
) -> Result<tokio::runtime::Runtime, Box<dyn std::error::Error>> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let ready = rt
        .spawn(async move {
            let session = zenoh::open(config).await?;
            let count = Arc::new(AtomicU64::new(0));
            let counted = count.clone();
            session
                .declare_subscriber("typact-bench/put")
                .callback(move |_| {
                    counted.fetch_add(1, Ordering::Relaxed);
                })
                .background()
                .await?;
            session
                .declare_queryable("typact-bench/count")
                .callback(move |query| {
                    let n = count.load(Ordering::Relaxed);
                    tokio::spawn(async move {
                        let _ = query
                            .reply("typact-bench/count", n.to_le_bytes().to_vec())
                            .await;
                    });
                })
                .background()
                .await?;
            session
                .declare_queryable("typact-bench/echo")
                .callback(move |query| {
                    let body = query
                        .payload()
                        .map(|p| p.to_bytes().into_owned())
                        .unwrap_or_default();
                    tokio::spawn(async move {
                        let _ = query.reply("typact-bench/echo", body).await;
                    });
                })
                .background()
                .await?;
            // Two more shapes of a round trip, for the peers bench: a query
            // answered inside zenoh's callback (no task), and a put answered
            // by a put.
            session
                .declare_queryable("typact-bench/echo-now")
                .callback(move |query| {
                    use zenoh::Wait;
                    let body = query
                        .payload()
                        .map(|p| p.to_bytes().into_owned())
                        .unwrap_or_default();
                    let _ = query.reply("typact-bench/echo-now", body).wait();
                })
                .background()
                .await?;
            let pong = session.declare_publisher("typact-bench/pong").await?;
            session
                .declare_subscriber("typact-bench/ping")
                .callback(move |sample| {
                    use zenoh::Wait;
                    let _ = pong.put(sample.payload().clone()).wait();
                })
                .background()
                .await?;
            // It serves until the process exits.
            std::mem::forget(session);
            Ok::<_, zenoh::Error>(())
        })
        .await?;
    ready.map_err(|e| e.to_string())?;
    Ok(rt)
}

fn main() {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("typact-remote-node: {e}");
            std::process::exit(2);
        }
    };
    let runtime = match args.workers {
        0 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    };
    let runtime = runtime.unwrap_or_else(|e| {
        eprintln!("typact-remote-node: no runtime: {e}");
        std::process::exit(1);
    });
    if let Err(e) = runtime.block_on(run(args)) {
        eprintln!("typact-remote-node: {e}");
        std::process::exit(1);
    }
}
