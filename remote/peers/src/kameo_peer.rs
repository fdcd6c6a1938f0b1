//! The kameo side: a counter actor with `#[remote_message]` handlers,
//! registered by name in kameo's Kademlia registry and found with
//! `RemoteActorRef::lookup`, over a libp2p swarm of its own making.
//!
//! The swarm is kameo's `remote::Behaviour` alone on TCP with yamux, and
//! libp2p's `plaintext` security: no encryption, as the other rows run
//! plain TCP. (kameo's `remote::bootstrap()` would add mDNS discovery and
//! QUIC, and secure TCP with noise; neither discovery by multicast nor a
//! second transport is wanted between two processes on loopback.)

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kameo::prelude::*;
use libp2p::{Multiaddr, PeerId, Swarm, SwarmBuilder, plaintext, tcp, yamux};
use serde::{Deserialize, Serialize};

/// The name the server's counter is registered under.
pub const NAME: &str = "typact-bench-counter";

/// A counter of `u64`s.
#[derive(Actor, RemoteActor, Debug, Default)]
pub struct Counter {
    count: u64,
}

/// Adds `by`: the tell.
#[derive(Debug, Serialize, Deserialize)]
pub struct Add {
    /// How much.
    pub by: u64,
}

/// Answers the count: the ask.
#[derive(Debug, Serialize, Deserialize)]
pub struct Get;

#[remote_message]
impl Message<Add> for Counter {
    type Reply = ();

    async fn handle(&mut self, msg: Add, _ctx: &mut Context<Self, Self::Reply>) -> Self::Reply {
        self.count += msg.by;
    }
}

#[remote_message]
impl Message<Get> for Counter {
    type Reply = u64;

    async fn handle(&mut self, _msg: Get, _ctx: &mut Context<Self, Self::Reply>) -> Self::Reply {
        self.count
    }
}

/// Builds this process's swarm (plain TCP, yamux, kameo's behaviour),
/// makes it kameo's global one, listens on `listen` if given, and drives
/// it on a task of the current tokio runtime. Answers its peer id.
pub fn start_swarm(listen: Option<Multiaddr>) -> Result<PeerId, Box<dyn std::error::Error>> {
    let swarm = build_swarm()?;
    start(swarm, listen, None)
}

/// Like [`start_swarm`] without listening, and dials `peer` at `addr`.
pub fn start_swarm_dialing(
    peer: PeerId,
    addr: Multiaddr,
) -> Result<PeerId, Box<dyn std::error::Error>> {
    let swarm = build_swarm()?;
    start(swarm, None, Some((peer, addr)))
}

fn build_swarm() -> Result<Swarm<kameo::remote::Behaviour>, Box<dyn std::error::Error>> {
    let swarm = SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            |key: &libp2p::identity::Keypair| {
                Ok::<_, std::convert::Infallible>(plaintext::Config::new(key))
            },
            yamux::Config::default,
        )?
        .with_behaviour(|key| {
            kameo::remote::Behaviour::new(
                key.public().to_peer_id(),
                kameo::remote::messaging::Config::default(),
            )
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build();
    Ok(swarm)
}

fn start(
    mut swarm: Swarm<kameo::remote::Behaviour>,
    listen: Option<Multiaddr>,
    dial: Option<(PeerId, Multiaddr)>,
) -> Result<PeerId, Box<dyn std::error::Error>> {
    swarm.behaviour().try_init_global()?;
    if let Some(addr) = listen {
        swarm.listen_on(addr)?;
    }
    if let Some((peer, addr)) = dial {
        // Tells kameo's Kademlia registry where `peer` is, then connects.
        swarm.add_peer_address(peer, addr.clone());
        swarm.dial(
            libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                .addresses(vec![addr])
                .build(),
        )?;
    }
    let me = *swarm.local_peer_id();
    tokio::spawn(async move {
        loop {
            swarm.select_next_some().await;
        }
    });
    Ok(me)
}

/// Spawns a counter and registers it as [`NAME`].
pub async fn serve_counter() -> Result<ActorRef<Counter>, Box<dyn std::error::Error>> {
    let counter = Counter::spawn(Counter::default());
    counter.register(NAME).await?;
    Ok(counter)
}

/// Looks [`NAME`] up until it is found (up to `within`).
pub async fn lookup(
    within: Duration,
) -> Result<RemoteActorRef<Counter>, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + within;
    loop {
        match RemoteActorRef::<Counter>::lookup(NAME).await {
            Ok(Some(far)) => return Ok(far),
            Ok(None) | Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(None) => return Err(format!("{NAME} not found after {within:?}").into()),
            Err(e) => return Err(e.into()),
        }
    }
}
