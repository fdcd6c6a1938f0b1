//! # typact-remote: typed actor refs across processes, on Eclipse Zenoh
//!
//! For typact users whose actors talk across processes and machines. The
//! core crate does not depend on this one; local refs pay nothing for it.
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
