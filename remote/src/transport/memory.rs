//! A deterministic in-memory network: the test double behind [`Transport`].
//!
//! A [`Fabric`] is one network; [`Fabric::join`] makes a node's
//! [`MemoryTransport`] on it. Between every two nodes the fabric keeps one
//! ordered link per direction, with an injectable delay, frames to drop and
//! a partition switch. Everything runs on tokio's clock, so under
//! `#[tokio::test(start_paused = true)]` a test with delays, leases and
//! timeouts runs in milliseconds and replays exactly.
//!
//! Liveliness follows zenoh's: a node sees another's tokens while the two
//! are connected. When a partition starts (or a node crashes), the others
//! see its tokens leave once the lease has passed without the partition
//! healing; they come back as soon as it heals. A frame sent into a
//! partition is lost; a request to a node already seen as gone fails at
//! once with [`TransportError::Unreachable`], one sent before that times
//! out, as on a real network.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{
    BoxFuture, Guard, Inbound, PendingReply, Responder, TokenEvent, Transport, TransportError,
};

/// How long a lost node's tokens stay visible by default: 1 s of tokio time.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(1);

/// One in-memory network. Clones share it.
#[derive(Clone, Default)]
pub struct Fabric {
    inner: Arc<Mutex<State>>,
}

impl fmt::Debug for Fabric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Fabric")
            .field("nodes", &state.nodes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    lease: Option<Duration>,
    nodes: HashMap<String, NodeState>,
    /// Directed links, made on first use.
    links: HashMap<(String, String), Link>,
    /// Unordered pairs cut by a partition.
    cut: HashSet<(String, String)>,
    /// Ordered pairs (observer, owner) where the observer has lost sight
    /// of the owner's tokens.
    unseen: HashSet<(String, String)>,
    tokens: HashMap<u64, (String, String)>,
    watchers: HashMap<u64, Watcher>,
    next_id: u64,
    /// Partition epochs per unordered pair, so that an old lease timer
    /// does not act on a newer partition.
    epochs: HashMap<(String, String), u64>,
    dropped: u64,
}

struct NodeState {
    inbound: Option<Arc<dyn Inbound>>,
    up: bool,
}

struct Watcher {
    node: String,
    prefix: String,
    events: mpsc::UnboundedSender<TokenEvent>,
}

struct Link {
    queue: mpsc::UnboundedSender<Delivery>,
    delay: Duration,
    drop_next: u64,
}

enum Delivery {
    /// A frame for the receiving node's inbound (a request with its responder).
    Frame(Vec<u8>, Option<Responder>),
    /// The reply to a request the receiving node made.
    Reply(Vec<u8>, oneshot::Sender<Vec<u8>>),
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

impl Fabric {
    /// A new, empty network with the [`DEFAULT_LEASE`].
    pub fn new() -> Self {
        Fabric::default()
    }

    /// Sets how long a lost node's tokens stay visible.
    pub fn set_lease(&self, lease: Duration) {
        self.lock().lease = Some(lease);
    }

    fn lease(&self) -> Duration {
        self.lock().lease.unwrap_or(DEFAULT_LEASE)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes the transport of node `name` on this network.
    ///
    /// # Panics
    ///
    /// If a node of that name is up on it already.
    pub fn join(&self, name: &str) -> MemoryTransport {
        let mut state = self.lock();
        if let Some(old) = state.nodes.get(name) {
            assert!(!old.up, "node {name} is already on this fabric");
        }
        state.nodes.insert(
            name.to_owned(),
            NodeState {
                inbound: None,
                up: true,
            },
        );
        // A node that comes back is seen again by everyone it is connected to.
        state.unseen.retain(|(a, b)| a != name && b != name);
        drop(state);
        MemoryTransport {
            fabric: self.clone(),
            node: name.to_owned(),
        }
    }

    /// Cuts `a` from `b` (both ways). Frames already in flight and frames
    /// sent from now on are lost; after the lease each side sees the
    /// other's tokens leave.
    pub fn partition(&self, a: &str, b: &str) {
        let key = pair(a, b);
        let epoch = {
            let mut state = self.lock();
            state.cut.insert(key.clone());
            let epoch = state.epochs.entry(key.clone()).or_default();
            *epoch += 1;
            *epoch
        };
        let fabric = self.clone();
        let lease = self.lease();
        tokio::spawn(async move {
            tokio::time::sleep(lease).await;
            let mut state = fabric.lock();
            if state.cut.contains(&key) && state.epochs.get(&key) == Some(&epoch) {
                let (a, b) = key;
                state.lose_sight(&a, &b);
                state.lose_sight(&b, &a);
            }
        });
    }

    /// Heals a partition made by [`partition`](Self::partition): frames
    /// flow again, and each side sees the other's tokens again at once.
    pub fn heal(&self, a: &str, b: &str) {
        let key = pair(a, b);
        let mut state = self.lock();
        state.cut.remove(&key);
        *state.epochs.entry(key).or_default() += 1;
        state.regain_sight(a, b);
        state.regain_sight(b, a);
    }

    /// Stops node `name` as a crash would: it receives nothing more, and
    /// the others see its tokens leave after the lease.
    pub fn crash(&self, name: &str) {
        let peers: Vec<String> = {
            let mut state = self.lock();
            if let Some(node) = state.nodes.get_mut(name) {
                node.up = false;
                node.inbound = None;
            }
            // Its own watchers are gone with it.
            state.watchers.retain(|_, w| w.node != name);
            state.nodes.keys().filter(|n| *n != name).cloned().collect()
        };
        let fabric = self.clone();
        let lease = self.lease();
        let name = name.to_owned();
        tokio::spawn(async move {
            tokio::time::sleep(lease).await;
            let mut state = fabric.lock();
            if state.nodes.get(&name).is_some_and(|n| !n.up) {
                for peer in &peers {
                    state.lose_sight(peer, &name);
                }
                state.tokens.retain(|_, (owner, _)| *owner != name);
            }
        });
    }

    /// Sets the delay of every frame from `from` to `to` from now on.
    /// Frames stay in order.
    pub fn set_delay(&self, from: &str, to: &str, delay: Duration) {
        let mut state = self.lock();
        state.link(self, from, to).delay = delay;
    }

    /// Drops the next `n` frames (requests and replies included) from
    /// `from` to `to`.
    pub fn drop_next(&self, from: &str, to: &str, n: u64) {
        let mut state = self.lock();
        state.link(self, from, to).drop_next += n;
    }

    /// How many frames the fabric has dropped (partitions and
    /// [`drop_next`](Self::drop_next)).
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Queues a frame from `from` to `to`, or drops it.
    fn push(&self, from: &str, to: &str, delivery: Delivery) -> bool {
        let mut state = self.lock();
        if state.cut.contains(&pair(from, to)) || !state.nodes.get(to).is_some_and(|n| n.up) {
            state.dropped += 1;
            return false;
        }
        let link = state.link(self, from, to);
        if link.drop_next > 0 {
            link.drop_next -= 1;
            state.dropped += 1;
            return false;
        }
        let _ = link.queue.send(delivery);
        true
    }

    fn is_unseen(&self, observer: &str, owner: &str) -> bool {
        let state = self.lock();
        state
            .unseen
            .contains(&(observer.to_owned(), owner.to_owned()))
            || !state.nodes.contains_key(owner)
    }
}

impl State {
    fn link(&mut self, fabric: &Fabric, from: &str, to: &str) -> &mut Link {
        let key = (from.to_owned(), to.to_owned());
        self.links.entry(key.clone()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run_link(fabric.clone(), key, rx));
            Link {
                queue: tx,
                delay: Duration::ZERO,
                drop_next: 0,
            }
        })
    }

    fn visible(&self, observer: &str, owner: &str) -> bool {
        owner == observer
            || !self
                .unseen
                .contains(&(observer.to_owned(), owner.to_owned()))
    }

    fn tell_watchers(&self, observer: &str, owner: &str, join: bool) {
        for (owner_of_token, key) in self.tokens.values() {
            if owner_of_token != owner {
                continue;
            }
            self.notify(observer, key, join);
        }
    }

    fn notify(&self, observer: &str, key: &str, join: bool) {
        for w in self.watchers.values() {
            if w.node == observer && key.starts_with(&w.prefix) {
                let event = if join {
                    TokenEvent::Join(key.to_owned())
                } else {
                    TokenEvent::Leave(key.to_owned())
                };
                let _ = w.events.send(event);
            }
        }
    }

    fn lose_sight(&mut self, observer: &str, owner: &str) {
        if self.unseen.insert((observer.to_owned(), owner.to_owned())) {
            self.tell_watchers(observer, owner, false);
        }
    }

    fn regain_sight(&mut self, observer: &str, owner: &str) {
        if self.unseen.remove(&(observer.to_owned(), owner.to_owned()))
            && self.nodes.get(owner).is_some_and(|n| n.up)
        {
            self.tell_watchers(observer, owner, true);
        }
    }
}

async fn run_link(
    fabric: Fabric,
    (from, to): (String, String),
    mut rx: mpsc::UnboundedReceiver<Delivery>,
) {
    while let Some(delivery) = rx.recv().await {
        let delay = fabric
            .lock()
            .links
            .get(&(from.clone(), to.clone()))
            .map_or(Duration::ZERO, |l| l.delay);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let inbound = {
            let mut state = fabric.lock();
            let cut = state.cut.contains(&pair(&from, &to));
            match state.nodes.get(&to) {
                Some(node) if node.up && !cut => node.inbound.clone(),
                _ => {
                    state.dropped += 1;
                    None
                }
            }
        };
        if let Some(inbound) = inbound {
            match delivery {
                Delivery::Frame(frame, reply) => inbound.frame(frame, reply),
                Delivery::Reply(frame, tx) => {
                    let _ = tx.send(frame);
                }
            }
        }
    }
}

/// One node's end of a [`Fabric`].
pub struct MemoryTransport {
    fabric: Fabric,
    node: String,
}

impl fmt::Debug for MemoryTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTransport")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

struct TokenGuard {
    fabric: Fabric,
    id: u64,
}

impl Drop for TokenGuard {
    fn drop(&mut self) {
        let mut state = self.fabric.lock();
        if let Some((owner, key)) = state.tokens.remove(&self.id) {
            let observers: Vec<String> = state.nodes.keys().cloned().collect();
            for observer in observers {
                if state.visible(&observer, &owner) {
                    state.notify(&observer, &key, false);
                }
            }
        }
    }
}

struct WatchGuard {
    fabric: Fabric,
    id: u64,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.fabric.lock().watchers.remove(&self.id);
    }
}

impl Transport for MemoryTransport {
    fn node(&self) -> &str {
        &self.node
    }

    fn start(&self, inbound: Arc<dyn Inbound>) -> BoxFuture<'_, Result<(), TransportError>> {
        let mut state = self.fabric.lock();
        if let Some(node) = state.nodes.get_mut(&self.node) {
            node.inbound = Some(inbound);
        }
        Box::pin(async { Ok(()) })
    }

    fn send(&self, to: &str, frame: Vec<u8>) -> BoxFuture<'_, Result<(), TransportError>> {
        // Lost frames are not errors: the network does not say.
        self.fabric
            .push(&self.node, to, Delivery::Frame(frame, None));
        Box::pin(async { Ok(()) })
    }

    fn request(
        &self,
        to: &str,
        frame: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<PendingReply, TransportError>> {
        if self.fabric.is_unseen(&self.node, to) {
            return Box::pin(async { Err(TransportError::Unreachable) });
        }
        let (tx, rx) = oneshot::channel();
        let fabric = self.fabric.clone();
        let (me, them) = (self.node.clone(), to.to_owned());
        let responder = Responder::new(move |reply| {
            // The reply travels back on the reverse link, in order with
            // the frames the answering node sends.
            fabric.push(&them, &me, Delivery::Reply(reply, tx));
        });
        self.fabric
            .push(&self.node, to, Delivery::Frame(frame, Some(responder)));
        let deadline = tokio::time::Instant::now() + timeout;
        let pending: PendingReply = Box::pin(async move {
            match tokio::time::timeout_at(deadline, rx).await {
                Ok(Ok(reply)) => Ok(reply),
                // Lost on the way: the asker hears nothing until the timeout.
                Ok(Err(_)) => {
                    tokio::time::sleep_until(deadline).await;
                    Err(TransportError::Timeout)
                }
                Err(_) => Err(TransportError::Timeout),
            }
        });
        Box::pin(async move { Ok(pending) })
    }

    fn declare_token(&self, key: &str) -> BoxFuture<'_, Result<Guard, TransportError>> {
        let mut state = self.fabric.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.tokens.insert(id, (self.node.clone(), key.to_owned()));
        let observers: Vec<String> = state.nodes.keys().cloned().collect();
        for observer in observers {
            if state.visible(&observer, &self.node) {
                state.notify(&observer, key, true);
            }
        }
        let guard: Guard = Box::new(TokenGuard {
            fabric: self.fabric.clone(),
            id,
        });
        Box::pin(async move { Ok(guard) })
    }

    fn tokens(&self, prefix: &str) -> BoxFuture<'_, Result<Vec<String>, TransportError>> {
        let state = self.fabric.lock();
        let mut keys: Vec<String> = state
            .tokens
            .values()
            .filter(|(owner, key)| key.starts_with(prefix) && state.visible(&self.node, owner))
            .map(|(_, key)| key.clone())
            .collect();
        keys.sort();
        Box::pin(async move { Ok(keys) })
    }

    fn watch_tokens(
        &self,
        prefix: &str,
        events: mpsc::UnboundedSender<TokenEvent>,
    ) -> BoxFuture<'_, Result<Guard, TransportError>> {
        let mut state = self.fabric.lock();
        let mut alive: Vec<&String> = state
            .tokens
            .values()
            .filter(|(owner, key)| key.starts_with(prefix) && state.visible(&self.node, owner))
            .map(|(_, key)| key)
            .collect();
        alive.sort();
        for key in alive {
            let _ = events.send(TokenEvent::Join(key.clone()));
        }
        state.next_id += 1;
        let id = state.next_id;
        state.watchers.insert(
            id,
            Watcher {
                node: self.node.clone(),
                prefix: prefix.to_owned(),
                events,
            },
        );
        let guard: Guard = Box::new(WatchGuard {
            fabric: self.fabric.clone(),
            id,
        });
        Box::pin(async move { Ok(guard) })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        let mut state = self.fabric.lock();
        if let Some(node) = state.nodes.get_mut(&self.node) {
            node.up = false;
            node.inbound = None;
        }
        let mine: Vec<String> = state
            .tokens
            .values()
            .filter(|(owner, _)| *owner == self.node)
            .map(|(_, key)| key.clone())
            .collect();
        state.tokens.retain(|_, (owner, _)| *owner != self.node);
        state.watchers.retain(|_, w| w.node != self.node);
        let observers: Vec<String> = state.nodes.keys().cloned().collect();
        for observer in observers {
            if observer != self.node
                && !state
                    .unseen
                    .contains(&(observer.clone(), self.node.clone()))
            {
                for key in &mine {
                    state.notify(&observer, key, false);
                }
            }
        }
        Box::pin(async {})
    }
}
