//! # typact-remote: typed actor refs across processes, on Eclipse Zenoh
//!
//! For typact users whose actors talk across processes and machines. The
//! core crate does not depend on this one, and local refs pay nothing for
//! it.
//!
//! A [`Node`] is one member of a cluster: one zenoh session (TLS with
//! mutual authentication by default), owned on a tokio runtime of its own
//! so that it works from any runtime, current-thread included. An actor
//! declared with `#[actor(remote)]` can be [registered](Node::register) on
//! one node and [looked up](Node::lookup) on any other, which gets a plain
//! [`typact::ActorRef<A>`]: `tell`, `ask` (with `.timeout`), `try_tell`,
//! the generated client methods, `Recipient<M>` and protocol refs `Ref<P>`
//! work on it unchanged, and `ctx.watch(&remote)` delivers `Terminated`
//! when the remote actor stops, or with [`StopReason::NodeDown`](typact::StopReason::NodeDown) when its
//! node is lost.
//!
//! ```no_run
//! use typact::prelude::*;
//! use typact_remote::{CertificateAuthority, Node, ZenohConfig};
//!
//! #[derive(Default)]
//! struct Counter {
//!     count: u64,
//! }
//!
//! #[actor(remote)]
//! impl Counter {
//!     #[handler]
//!     fn add(&mut self, by: u64) {
//!         self.count += by;
//!     }
//!
//!     #[handler]
//!     fn get(&self) -> u64 {
//!         self.count
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In a real cluster each node loads its identity from files.
//! let ca = CertificateAuthority::new("my cluster");
//! let one = Node::builder("one")
//!     .zenoh(ZenohConfig::mutual_tls(ca.identity("one", &["127.0.0.1"])).listen("127.0.0.1:7447"))
//!     .open()
//!     .await?;
//! let two = Node::builder("two")
//!     .zenoh(ZenohConfig::mutual_tls(ca.identity("two", &["127.0.0.1"])).connect("127.0.0.1:7447"))
//!     .open()
//!     .await?;
//! two.wait_for("one", std::time::Duration::from_secs(10)).await?;
//!
//! one.register("counter", &Counter::default().spawn()).await?;
//! let counter: ActorRef<Counter> = two.lookup("counter").await?;
//! counter.add(2).await?;
//! assert_eq!(counter.get().await?, 2);
//! # Ok(()) }
//! ```
//!
//! The same in one process on the deterministic in-memory network, which
//! the tests use (and which runs here as a doctest):
//!
//! ```
//! # use typact::prelude::*;
//! # #[derive(Default)] struct Counter { count: u64 }
//! # #[actor(remote)] impl Counter {
//! #     #[handler] fn add(&mut self, by: u64) { self.count += by; }
//! #     #[handler] fn get(&self) -> u64 { self.count }
//! # }
//! use typact_remote::{Fabric, Node};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let net = Fabric::new();
//! let one = Node::builder("one").memory(&net).open().await?;
//! let two = Node::builder("two").memory(&net).open().await?;
//! one.register("counter", &Counter::default().spawn()).await?;
//! let counter: ActorRef<Counter> = two.lookup("counter").await?;
//! counter.add(40).await?;
//! counter.tell(Add { by: 2 }).await?;
//! assert_eq!(counter.get().await?, 42);
//! # Ok(()) }
//! ```
//!
//! ## How it works
//!
//! - **A remote ref** is made with [`typact::wire::proxy`]: an ordinary
//!   mailbox, which a bridge task on the node's runtime drains. Each entry
//!   is taken apart with `Wire::encode_entry::<Postcard>` and sent in an
//!   [envelope]: magic bytes, a wire version, the message's
//!   stable name (`Counter::add`) and the postcard payload. A tell is a
//!   zenoh put; an ask is a zenoh query with the node's
//!   [ask timeout](NodeBuilder::ask_timeout). The serving node decodes the
//!   entry with `Wire::decode_entry::<Postcard>` (through `tell_bytes` and
//!   `ask_bytes`) into the real actor's mailbox, in the order the frames
//!   arrived, waiting for room when it is full.
//! - **The registry** is zenoh liveliness: `register` declares the token
//!   `typact/<cluster>/reg/<name>/<node>/<id>`, which every node sees while
//!   the actor runs and its node is reachable, and which vanishes when the
//!   actor stops, the name is unregistered, or the node is lost (after
//!   zenoh's lease). A lookup asks for the tokens alive now, so it is never
//!   stale past the lease; a name on two nodes is a
//!   [`RemoteError::Conflict`] (and a [`RegistryEvent::Conflict`] for
//!   [subscribers](Node::subscribe)).
//! - **Watching**: a lookup attaches to the actor (and checks its type).
//!   The serving node tells every attached node when the actor stops, with
//!   its reason; each node also holds a token `typact/<cluster>/node/<name>`,
//!   and when it goes, every proxy of that node's actors finishes with
//!   [`StopReason::NodeDown`](typact::StopReason::NodeDown), so watchers get `Terminated`, and pending
//!   and later asks fail with [`AskError::Unreachable`](typact::AskError::Unreachable). `stop()` and
//!   `kill()` on a remote ref stop the remote actor. A node keeps an actor
//!   alive while it is registered or some node holds a ref to it.
//! - **Spawning elsewhere**: [`register_factory`](Node::register_factory) on
//!   one node, [`spawn_on`](Node::spawn_on) from another;
//!   [`spawn_pool`](Node::spawn_pool) spreads workers over several nodes
//!   behind one ref, and carries on when a node is lost.
//!
//! ## Delivery semantics
//!
//! - **At most once.** Nothing is retried, so nothing is duplicated, also
//!   across a reconnection.
//! - **FIFO per sender and receiver pair.** The messages one node's refs
//!   send to one actor arrive in the order they were sent: the bridge sends
//!   them one after another on one zenoh session (puts and queries alike,
//!   reliable, `CongestionControl::Block`, one priority), and the serving
//!   node enqueues them in arrival order, waiting for room rather than
//!   dropping. (Two refs on one node to one actor are each FIFO; between
//!   them, as for local refs, order is whatever the bridges make it.)
//! - **Lost in a partition.** A tell in flight when the link breaks is
//!   lost; one sent to a node already seen as down is counted in
//!   [`Node::dead_letters`]; tells still queued in a proxy when it finishes
//!   count as its dead letters, as for a local actor.
//! - **Asks fail within their timeout**: with [`AskError::Unreachable`](typact::AskError::Unreachable)
//!   as soon as the node is seen as lost (after the lease), or with
//!   `Timeout` when the remote handler is slow. An ask that is still
//!   waiting for room in the remote mailbox at its deadline is answered
//!   `Timeout` and never handled.
//!
//! ## Security
//!
//! [`ZenohConfig::mutual_tls`] is the only secure constructor, and the
//! default in examples and tests: every node presents a certificate signed
//! by the cluster's authority and accepts only such peers, so a node
//! without a trusted certificate cannot join. Plain TCP
//! ([`ZenohConfig::plain_tcp_insecure`]) logs a warning when a node opens.
//! Frames are bounded ([`NodeBuilder::max_frame`]) and decoded without
//! allocating from a length read off the wire. In zenoh's peer mode each
//! peer enforces its own rules (zenoh#2137): give every node the same
//! authority.
//!
//! ## What location transparency does not hide
//!
//! Latency (a remote ask is a network round trip), partitions (asks fail,
//! watches fire, tells are lost), and the need for every message and reply
//! to be serde (`#[actor(remote)]` checks that at compile time). A remote
//! ask's timeout on the asker's side is its own (`.timeout(d)`); the
//! network's is the node's [`ask_timeout`](NodeBuilder::ask_timeout).
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

mod codec;
mod config;
pub mod envelope;
mod error;
mod node;
mod pool;
mod proxy;
mod registry;
mod spawn;
#[cfg(feature = "certs")]
mod tls;
pub mod transport;

pub use crate::codec::Postcard;
pub use crate::config::{DEFAULT_ZENOH_LEASE, TlsIdentity, ZenohConfig};
pub use crate::error::RemoteError;
pub use crate::node::{Node, NodeBuilder, RemoteFailure};
pub use crate::proxy::PROXY_CAPACITY;
pub use crate::registry::{RegistryEvent, RegistryEvents};
#[cfg(feature = "certs")]
pub use crate::tls::CertificateAuthority;
pub use crate::transport::memory::{DEFAULT_LEASE, Fabric, MemoryTransport};
pub use crate::transport::zenoh::ZenohTransport;

/// The reason a proxy finishes with when its node is lost.
pub(crate) fn node_down(peer: &str) -> typact::StopReason {
    typact::StopReason::NodeDown {
        node: std::sync::Arc::from(peer),
    }
}

/// The book's distribution chapter, whose examples run as doctests of this
/// crate (the `typact` crate, which runs the rest of the book, does not
/// depend on this one).
#[cfg(doctest)]
#[doc = include_str!("../../book/src/distribution.md")]
mod book_distribution {}
