//! The server side of the peers bench's ractor_cluster and kameo rows.
//!
//! ```text
//! typact-peers-node ractor PORT          # a ractor_cluster node on 127.0.0.1:PORT
//! typact-peers-node kameo MULTIADDR      # a kameo swarm listening on MULTIADDR
//! ```
//!
//! Either serves a counter (ractor: in the process group
//! `typact-bench-counter`; kameo: registered as `typact-bench-counter`),
//! prints `ready ractor`, or `ready kameo PEER_ID`, on stdout, and runs
//! until its standard input closes or says `quit`. Both run on a tokio
//! runtime of two worker threads (the machine's two cores, as zenoh's own
//! runtimes may use them).

#[cfg(not(feature = "peers"))]
fn main() {
    eprintln!(
        "typact-peers-node: built without the peers; pass `--features peers` \
         (cargo build --release -p typact-remote-peers --features peers)"
    );
    std::process::exit(2);
}

#[cfg(feature = "peers")]
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["ractor", port] => ractor(port).await,
        ["kameo", addr] => kameo(addr).await,
        _ => {
            eprintln!("usage: typact-peers-node (ractor PORT | kameo MULTIADDR)");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("typact-peers-node: {e}");
        std::process::exit(1);
    }
}

#[cfg(feature = "peers")]
async fn ractor(port: &str) -> Result<(), Box<dyn std::error::Error>> {
    use typact_remote_peers::ractor_peer;
    let node = ractor_peer::start_node("ractor-server", port.parse()?).await?;
    let counter = ractor_peer::serve_counter().await?;
    println!("ready ractor");
    tokio::task::spawn_blocking(typact_remote_peers::wait_for_quit).await?;
    counter.stop(None);
    node.stop(None);
    Ok(())
}

#[cfg(feature = "peers")]
async fn kameo(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    use typact_remote_peers::kameo_peer;
    let me = kameo_peer::start_swarm(Some(addr.parse()?))?;
    let _counter = kameo_peer::serve_counter().await?;
    println!("ready kameo {me}");
    tokio::task::spawn_blocking(typact_remote_peers::wait_for_quit).await?;
    Ok(())
}
