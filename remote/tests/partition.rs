//! A real partition: node `b` runs as a process in a network namespace of
//! its own, joined to this test's namespace by a veth pair; nftables in
//! `b`'s namespace cuts the link and heals it. Needs root, `ip` (iproute2)
//! and `nft` (nftables); without them the test says so and does nothing.
//!
//! R1: no duplicates and per-pair order after reconnect. R2: a watch set
//! during the partition fires (`NodeDown`). R3: asks fail within their
//! timeout during it (`Unreachable`), and succeed after. The figures are
//! printed (`--nocapture`), not asserted.

#[path = "../src/bin/typact-remote-node/actors.rs"]
#[allow(dead_code)]
mod actors;
#[allow(dead_code)]
mod cluster;

use std::process::Command;
use std::time::{Duration, Instant};

use actors::{Counter, counter};
use typact::prelude::*;

use cluster::watching::Watcher;
use cluster::{Cluster, GUARD};

fn sh(args: &[&str]) -> Result<(), String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The namespace and the veth pair, removed when dropped.
struct Net {
    ns: String,
    inner: String,
}

impl Net {
    fn make(tag: u32) -> Result<Net, String> {
        let ns = format!("typact-p{tag}");
        let (outer, inner) = (format!("tpo{tag}"), format!("tpi{tag}"));
        sh(&["ip", "netns", "add", &ns])?;
        let net = Net {
            ns: ns.clone(),
            inner: inner.clone(),
        };
        sh(&[
            "ip", "link", "add", &outer, "type", "veth", "peer", "name", &inner,
        ])?;
        sh(&["ip", "link", "set", &inner, "netns", &ns])?;
        sh(&["ip", "addr", "add", "10.231.7.1/30", "dev", &outer])?;
        sh(&["ip", "link", "set", &outer, "up"])?;
        sh(&[
            "ip",
            "netns",
            "exec",
            &ns,
            "ip",
            "addr",
            "add",
            "10.231.7.2/30",
            "dev",
            &inner,
        ])?;
        sh(&[
            "ip", "netns", "exec", &ns, "ip", "link", "set", &inner, "up",
        ])?;
        sh(&["ip", "netns", "exec", &ns, "ip", "link", "set", "lo", "up"])?;
        Ok(net)
    }

    fn cut(&self) {
        let nft = |args: &[&str]| {
            let mut all = vec!["ip", "netns", "exec", &self.ns, "nft"];
            all.extend_from_slice(args);
            sh(&all).expect("nft cuts");
        };
        nft(&["add", "table", "inet", "typact"]);
        for (chain, hook, dir) in [("i", "input", "iifname"), ("o", "output", "oifname")] {
            nft(&[
                "add", "chain", "inet", "typact", chain, "{", "type", "filter", "hook", hook,
                "priority", "0", ";", "}",
            ]);
            nft(&[
                "add",
                "rule",
                "inet",
                "typact",
                chain,
                dir,
                &self.inner,
                "drop",
            ]);
        }
    }

    fn heal(&self) {
        sh(&[
            "ip", "netns", "exec", &self.ns, "nft", "delete", "table", "inet", "typact",
        ])
        .expect("nft heals");
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        // Removing the namespace removes the veth pair with it.
        let _ = sh(&["ip", "netns", "del", &self.ns]);
    }
}

async fn lookup(node: &typact_remote::Node, name: &str) -> ActorRef<Counter> {
    tokio::time::timeout(GUARD, async {
        loop {
            if let Ok(found) = node.lookup::<Counter>(name).await {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("found")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_partition_with_network_namespaces_and_nftables() {
    let tag = std::process::id() % 100_000;
    let net = match Net::make(tag) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("partition test skipped: cannot make a network namespace here: {e}");
            return;
        }
    };
    if let Err(e) = sh(&["nft", "--version"]) {
        eprintln!("partition test skipped: no nftables: {e}");
        return;
    }
    let ns = net.ns.clone();
    let hosts = ["10.231.7.1".to_owned(), "10.231.7.2".to_owned()];
    let cluster = Cluster::start_on("part", &["b"], &hosts, |_| {
        Some((
            vec!["ip".into(), "netns".into(), "exec".into(), ns.clone()],
            "10.231.7.2".into(),
        ))
    });
    let a = cluster.node("a").await;
    a.wait_for("b", GUARD).await.unwrap();
    let far = lookup(&a, "counter-b").await;
    let mut seq = 0u64;
    for _ in 0..200 {
        far.tell(counter::Log { seq }).await.unwrap();
        seq += 1;
    }
    assert_eq!(far.seen().await.unwrap(), (0..200).collect::<Vec<_>>());

    // The partition.
    net.cut();
    let cut = Instant::now();
    // Tells in flight: lost or delivered, never twice.
    for _ in 0..20 {
        let _ = far.tell(counter::Log { seq }).await;
        seq += 1;
    }
    // R3: an ask fails within its timeout.
    let err = far.ask(counter::Get).await.unwrap_err();
    let ask_failed = cut.elapsed();
    assert_eq!(err, AskError::Unreachable);
    assert!(ask_failed < typact::DEFAULT_ASK_TIMEOUT);
    // R2: a watch set during the partition fires.
    let watcher = Watcher::default().spawn();
    watcher.follow(far.clone()).await.unwrap();
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
    .expect("the watch fires during the partition");
    let watch_fired = cut.elapsed();
    assert!(
        matches!(&seen[0], StopReason::NodeDown { node } if &**node == "b"),
        "{seen:?}"
    );
    assert!(a.lookup::<Counter>("counter-b").await.is_err());

    // Heal: the nodes find each other again and a new lookup works.
    net.heal();
    let healed = Instant::now();
    a.wait_for("b", GUARD).await.unwrap();
    let again = lookup(&a, "counter-b").await;
    let reconnected = healed.elapsed();
    for _ in 0..200 {
        again.tell(counter::Log { seq }).await.unwrap();
        seq += 1;
    }
    // R1: strictly increasing, so no duplicates and in order; everything
    // sent before the partition and after it arrived.
    let seen = again.seen().await.unwrap();
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert!(seen.starts_with(&(0..200).collect::<Vec<_>>()));
    assert!(seen.ends_with(&((seq - 200)..seq).collect::<Vec<_>>()));
    assert_eq!(again.get().await.unwrap(), 0);
    eprintln!(
        "partition figures: ask failed after {ask_failed:.2?} (timeout {:?}), watch fired after {watch_fired:.2?} (lease {:?}), reconnected {reconnected:.2?} after the heal, {} of 20 in-flight tells delivered, {} lost",
        typact::DEFAULT_ASK_TIMEOUT,
        typact_remote::DEFAULT_ZENOH_LEASE,
        seen.len() - 400,
        420 - seen.len()
    );
}
