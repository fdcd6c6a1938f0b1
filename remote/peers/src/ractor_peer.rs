//! The ractor_cluster side: a counter actor whose messages cross the
//! network (`RactorClusterMessage`), found through a process group that
//! ractor_cluster's node sessions keep in sync between nodes.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use ractor_cluster::{NodeServer, NodeServerMessage, RactorClusterMessage};

/// The process group the server's counter joins, and the client looks in.
pub const GROUP: &str = "typact-bench-counter";

/// The cookie both nodes authenticate with.
pub const COOKIE: &str = "typact-bench";

/// What the counter handles: a tell (`cast`) of `Add` and an ask (`call`)
/// of `Get`.
#[derive(Debug, RactorClusterMessage)]
pub enum CounterMsg {
    /// Adds its `u64`.
    Add(u64),
    /// Answers the count.
    #[rpc]
    Get(RpcReplyPort<u64>),
}

/// A counter of `u64`s.
#[derive(Debug, Default)]
pub struct Counter;

impl Actor for Counter {
    type Msg = CounterMsg;
    type State = u64;
    type Arguments = ();

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        _args: (),
    ) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        count: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            CounterMsg::Add(by) => *count += by,
            CounterMsg::Get(reply) => {
                // The asker may have given up: nothing to do then.
                let _ = reply.send(*count);
            }
        }
        Ok(())
    }
}

/// Starts this process's ractor_cluster node, named `name`, listening on
/// `127.0.0.1:port` over plain TCP (ractor_cluster's `Raw` mode).
pub async fn start_node(
    name: &str,
    port: u16,
) -> Result<ActorRef<NodeServerMessage>, Box<dyn std::error::Error>> {
    let server = NodeServer::new(
        port,
        COOKIE.into(),
        name.into(),
        "localhost".into(),
        None,
        None,
    )
    .with_listen_addr(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let (node, _) = Actor::spawn(None, server, ()).await?;
    Ok(node)
}

/// Serves a counter: spawns it and puts it in [`GROUP`].
pub async fn serve_counter() -> Result<ActorRef<CounterMsg>, Box<dyn std::error::Error>> {
    let (counter, _) = Actor::spawn(None, Counter, ()).await?;
    ractor::pg::join(GROUP.to_owned(), vec![counter.get_cell()]);
    Ok(counter)
}

/// Connects `node` to the node at `addr` and waits (up to `within`) until
/// the far counter shows up in [`GROUP`]; answers a ref to it.
pub async fn connect(
    node: &ActorRef<NodeServerMessage>,
    addr: &str,
    within: Duration,
) -> Result<ActorRef<CounterMsg>, Box<dyn std::error::Error>> {
    ractor_cluster::client_connect(node, addr).await?;
    let deadline = Instant::now() + within;
    loop {
        let far = ractor::pg::get_members(&GROUP.to_owned())
            .into_iter()
            .find(|cell| !cell.get_id().is_local());
        if let Some(cell) = far {
            return Ok(cell.into());
        }
        if Instant::now() > deadline {
            return Err(format!("no remote member of {GROUP} after {within:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
