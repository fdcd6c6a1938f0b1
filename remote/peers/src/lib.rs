//! typact-remote and raw zenoh against the remote layers of two Rust
//! peers, [ractor_cluster](https://docs.rs/ractor_cluster) and
//! [kameo](https://docs.rs/kameo)'s `remote` feature, between two
//! processes on loopback. See `README.md` beside this crate.
//!
//! Everything here is behind the `peers` feature: without it the crate is
//! empty, and its bench and binary say to pass `--features peers`. With it,
//! this library holds what the server binary (`typact-peers-node`) and the
//! bench (`benches/peers.rs`) must both declare: each peer's counter actor,
//! its messages, and how a node of it is opened.

#[cfg(feature = "peers")]
pub mod kameo_peer;
#[cfg(feature = "peers")]
pub mod ractor_peer;

/// Reads standard input until it closes or says `quit`: how a server
/// process of the bench knows to stop.
pub fn wait_for_quit() {
    use std::io::BufRead;
    for line in std::io::stdin().lock().lines() {
        match line {
            Ok(line) if line.trim() == "quit" => return,
            Ok(_) => {}
            Err(_) => return,
        }
    }
}
