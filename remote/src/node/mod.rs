//! A node: one member of a cluster, on one transport, on its own runtime.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::runtime::{Handle, Runtime};
use tokio::sync::{mpsc, watch};
use typact::StopReason;

use crate::envelope::{DEFAULT_MAX_FRAME, Failure, Frame, Reply};
use crate::error::RemoteError;
use crate::transport::{
    Guard, Inbound, Responder, TokenEvent, Transport, TransportError, valid_chunk,
};

pub(crate) mod export;
pub(crate) mod link;
pub(crate) mod reason;
pub(crate) mod served;
#[cfg(test)]
mod tests;

use export::{Export, Slot};
pub use reason::RemoteFailure;

/// The key of a node's liveliness token.
pub(crate) fn node_key(node: &str) -> String {
    format!("node/{node}")
}

/// Handles to what a node runs, kept by every [`Node`] clone; the last one
/// dropped closes the node.
struct Owner {
    inner: Arc<NodeInner>,
    runtime: OwnRuntime,
}

impl Drop for Owner {
    fn drop(&mut self) {
        let inner = self.inner.clone();
        match self.runtime.0.take() {
            // zenoh's handles must be dropped on a multi-thread runtime: close
            // on the node's own, from a thread of its own, so that a node can
            // be dropped anywhere, async code on a current-thread runtime
            // included.
            Some(rt) => {
                let closing = std::thread::Builder::new()
                    .name("typact-remote-close".into())
                    .spawn(move || {
                        rt.block_on(async move {
                            inner.shut();
                            let _ = tokio::time::timeout(
                                Duration::from_secs(2),
                                inner.transport.close(),
                            )
                            .await;
                        });
                        rt.shutdown_background();
                    });
                if let Err(e) = closing {
                    tracing::warn!("typact-remote: cannot close a node: {e}");
                }
            }
            // A memory transport closes at the call.
            None => {
                inner.shut();
                drop(inner.transport.close());
            }
        }
    }
}

/// The node's own runtime, if it has one: shut down without blocking when
/// dropped, so that a node can be dropped from async code.
struct OwnRuntime(Option<Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// One member of a cluster. See the [crate docs](crate).
///
/// Cheap to clone; the node closes when the last clone is dropped (or at
/// [`shutdown`](Node::shutdown)), and the other nodes then see its actors
/// and registrations leave.
#[derive(Clone)]
pub struct Node {
    owner: Arc<Owner>,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.inner().name)
            .field("transport", &self.inner().transport)
            .finish_non_exhaustive()
    }
}

pub(crate) struct NodeInner {
    pub(crate) name: String,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) handle: Handle,
    pub(crate) max_frame: usize,
    pub(crate) ask_timeout: Duration,
    state: Mutex<State>,
    dead_letters: AtomicU64,
    closed: watch::Sender<bool>,
}

#[derive(Default)]
struct State {
    exports: HashMap<u64, Slot>,
    /// Proxies of remote actors: (node, id) -> the bridges to finish.
    proxies: HashMap<(String, u64), Vec<mpsc::UnboundedSender<StopReason>>>,
    /// Whether each peer is reachable: `None` not seen yet, then seen
    /// joining (`Some(true)`) or leaving (`Some(false)`).
    peers: HashMap<String, watch::Sender<Option<bool>>>,
    /// This node's registrations: name -> (actor id, token).
    names: HashMap<String, (u64, Guard)>,
    factories: HashMap<String, Arc<dyn crate::spawn::Factory>>,
    guards: Vec<Guard>,
    /// Calls in flight, by peer: failed at once when the peer is lost.
    calls: HashMap<String, HashMap<u64, Arc<link::Pending>>>,
    next_call: u64,
}

/// What a [`NodeBuilder`] opens the node on.
enum Network {
    Memory(crate::transport::memory::Fabric),
    Zenoh(crate::config::ZenohConfig),
}

/// Configures and opens a [`Node`]: `Node::builder("n1")`.
#[must_use = "a builder does nothing until `open` is awaited"]
pub struct NodeBuilder {
    name: String,
    cluster: String,
    max_frame: usize,
    ask_timeout: Duration,
    network: Option<Network>,
    own_runtime: Option<bool>,
}

impl fmt::Debug for NodeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeBuilder")
            .field("name", &self.name)
            .field("cluster", &self.cluster)
            .finish_non_exhaustive()
    }
}

impl NodeBuilder {
    /// The cluster's name (default `"default"`): nodes see only the nodes
    /// of their own cluster.
    pub fn cluster(mut self, cluster: impl Into<String>) -> Self {
        self.cluster = cluster.into();
        self
    }

    /// The largest frame this node sends or accepts (default
    /// [`DEFAULT_MAX_FRAME`]). Set the same on every node.
    pub fn max_frame(mut self, bytes: usize) -> Self {
        self.max_frame = bytes;
        self
    }

    /// How long an ask through this node may take end to end (default
    /// [`typact::DEFAULT_ASK_TIMEOUT`]): the zenoh query's timeout. An ask
    /// with a shorter `.timeout(d)` still times out after `d` on the
    /// asker's side.
    pub fn ask_timeout(mut self, timeout: Duration) -> Self {
        self.ask_timeout = timeout;
        self
    }

    /// Runs on an in-memory network, for tests. The node then runs on the
    /// runtime that opens it (so tokio's paused clock drives it) unless
    /// [`own_runtime`](Self::own_runtime) says otherwise.
    pub fn memory(mut self, fabric: &crate::transport::memory::Fabric) -> Self {
        self.network = Some(Network::Memory(fabric.clone()));
        self
    }

    /// Runs on zenoh, with `config` (TLS with mutual authentication unless
    /// it says plain TCP). The node always runs on a runtime of its own.
    pub fn zenoh(mut self, config: crate::config::ZenohConfig) -> Self {
        self.network = Some(Network::Zenoh(config));
        self
    }

    /// Whether the node runs its tasks on a multi-thread runtime of its own
    /// (always with zenoh) or on the runtime that opens it.
    pub fn own_runtime(mut self, own: bool) -> Self {
        self.own_runtime = Some(own);
        self
    }

    /// Opens the node: joins the network, announces itself, and starts
    /// serving. Works from any tokio runtime, current-thread included.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InvalidName`] for a bad node or cluster name, and
    /// what the network reports when it cannot be joined.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or without [`memory`](Self::memory) or
    /// [`zenoh`](Self::zenoh).
    pub async fn open(self) -> Result<Node, RemoteError> {
        for name in [&self.name, &self.cluster] {
            if !valid_chunk(name) {
                return Err(RemoteError::InvalidName(name.clone()));
            }
        }
        let network = self
            .network
            .expect("NodeBuilder::open needs .memory(..) or .zenoh(..)");
        let own = match network {
            Network::Zenoh(_) => true,
            Network::Memory(_) => self.own_runtime.unwrap_or(false),
        };
        let runtime = OwnRuntime(if own {
            Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name(format!("typact-remote-{}", self.name))
                    .enable_all()
                    .build()
                    .map_err(|e| RemoteError::Transport(TransportError::Other(e.to_string())))?,
            )
        } else {
            None
        });
        let handle = runtime
            .0
            .as_ref()
            .map_or_else(Handle::current, |rt| rt.handle().clone());
        let (name, cluster) = (self.name.clone(), self.cluster.clone());
        let (max_frame, ask_timeout) = (self.max_frame, self.ask_timeout);
        let spawned = handle.clone();
        let inner = handle
            .spawn(async move {
                let transport: Arc<dyn Transport> = match network {
                    Network::Memory(fabric) => Arc::new(fabric.join(&name)),
                    Network::Zenoh(config) => Arc::new(
                        crate::transport::zenoh::ZenohTransport::open(
                            config.to_zenoh(&name)?,
                            &cluster,
                            &name,
                        )
                        .await?,
                    ),
                };
                NodeInner::start(name, transport, spawned, max_frame, ask_timeout).await
            })
            .await
            .map_err(|e| RemoteError::Transport(TransportError::Other(e.to_string())))??;
        Ok(Node {
            owner: Arc::new(Owner { inner, runtime }),
        })
    }
}

impl Node {
    /// A builder for node `name` (unique in its cluster).
    pub fn builder(name: impl Into<String>) -> NodeBuilder {
        NodeBuilder {
            name: name.into(),
            cluster: "default".to_owned(),
            max_frame: DEFAULT_MAX_FRAME,
            ask_timeout: typact::DEFAULT_ASK_TIMEOUT,
            network: None,
            own_runtime: None,
        }
    }

    pub(crate) fn inner(&self) -> &Arc<NodeInner> {
        &self.owner.inner
    }

    /// This node's name.
    pub fn name(&self) -> &str {
        &self.inner().name
    }

    /// The nodes of the cluster this node sees now, itself included, sorted.
    ///
    /// # Errors
    ///
    /// When the network cannot be asked.
    pub async fn nodes(&self) -> Result<Vec<String>, RemoteError> {
        let inner = self.inner().clone();
        self.run(async move {
            let keys = inner.transport.tokens("node/").await?;
            Ok(keys
                .iter()
                .filter_map(|k| k.strip_prefix("node/"))
                .map(str::to_owned)
                .collect())
        })
        .await
    }

    /// Waits until node `peer` is seen, or `timeout` passes.
    ///
    /// # Errors
    ///
    /// [`RemoteError::Unreachable`] when it was not seen in time.
    pub async fn wait_for(&self, peer: &str, timeout: Duration) -> Result<(), RemoteError> {
        let mut alive = self.inner().peer(peer);
        let seen = tokio::time::timeout(timeout, alive.wait_for(|seen| *seen == Some(true))).await;
        match seen {
            Ok(Ok(_)) => Ok(()),
            _ => Err(RemoteError::Unreachable(peer.to_owned())),
        }
    }

    /// How many tells this node knows were lost: sent to a node already
    /// seen as down, to an actor that no longer exists here, or that could
    /// not be encoded or decoded.
    pub fn dead_letters(&self) -> u64 {
        self.inner().dead_letters.load(Ordering::Relaxed)
    }

    /// Leaves the cluster: this node's registrations and actors vanish for
    /// the others, and the proxies on this node finish with
    /// [`StopReason::Killed`].
    pub async fn shutdown(self) {
        let closing = self.inner().clone();
        let _ = self
            .run(async move {
                closing.shut();
                closing.transport.close().await;
                Ok(())
            })
            .await;
    }

    /// Runs `fut` on the node's runtime and waits for it from any runtime.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = Result<T, RemoteError>> + Send + 'static,
    ) -> Result<T, RemoteError> {
        self.inner()
            .handle
            .spawn(fut)
            .await
            .map_err(|e| RemoteError::Transport(TransportError::Other(e.to_string())))?
    }
}

/// The transport's way in. Every frame is handled where it arrives, on
/// the transport's thread and in arrival order, without waiting: a tell
/// goes into the actor's mailbox (or behind the jobs queued for it), an
/// ask too, with its reply sent from the thread that replies. Only a
/// spawn request goes to the node's dispatcher task, because it starts a
/// user's actor, which must live on the node's runtime, not zenoh's.
struct Door {
    inner: std::sync::Weak<NodeInner>,
    spawns: mpsc::UnboundedSender<(Vec<u8>, Option<Responder>)>,
}

impl Inbound for Door {
    fn frame(&self, frame: Vec<u8>, reply: Option<Responder>) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        match Frame::decode(&frame, inner.max_frame) {
            Ok(Frame::Spawn { .. }) => {
                let _ = self.spawns.send((frame, reply));
            }
            decoded => inner.handle_decoded(decoded, reply),
        }
    }
}

impl NodeInner {
    async fn start(
        name: String,
        transport: Arc<dyn Transport>,
        handle: Handle,
        max_frame: usize,
        ask_timeout: Duration,
    ) -> Result<Arc<NodeInner>, RemoteError> {
        let (closed, _) = watch::channel(false);
        let inner = Arc::new(NodeInner {
            name,
            transport,
            handle,
            max_frame,
            ask_timeout,
            state: Mutex::new(State::default()),
            dead_letters: AtomicU64::new(0),
            closed,
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let door = Door {
            inner: Arc::downgrade(&inner),
            spawns: tx,
        };
        inner.transport.start(Arc::new(door)).await?;
        tokio::spawn(dispatch(inner.clone(), rx));
        let (tx, rx) = mpsc::unbounded_channel();
        let watch = inner.transport.watch_tokens("node/", tx).await?;
        tokio::spawn(watch_peers(inner.clone(), rx));
        let token = inner
            .transport
            .declare_token(&node_key(&inner.name))
            .await?;
        inner.lock().guards.extend([watch, token]);
        Ok(inner)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn count_dead_letter(&self) {
        self.dead_letters.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks the node closed: its tasks end and its proxies finish.
    fn shut(&self) {
        self.closed.send_replace(true);
        let mut state = self.lock();
        let proxies: Vec<_> = state.proxies.drain().flat_map(|(_, v)| v).collect();
        state.exports.clear();
        state.names.clear();
        state.guards.clear();
        drop(state);
        for bridge in proxies {
            let _ = bridge.send(StopReason::Killed);
        }
    }

    pub(crate) fn closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Whether `peer` is reachable, as a watch (see `State::peers`).
    pub(crate) fn peer(&self, peer: &str) -> watch::Receiver<Option<bool>> {
        let mut state = self.lock();
        state
            .peers
            .entry(peer.to_owned())
            .or_insert_with(|| watch::channel(None).0)
            .subscribe()
    }

    /// A peer that answered is up, unless already seen otherwise.
    pub(crate) fn set_peer_seen(&self, peer: &str) {
        let mut state = self.lock();
        state
            .peers
            .entry(peer.to_owned())
            .or_insert_with(|| watch::channel(None).0)
            .send_if_modified(|seen| {
                let unknown = seen.is_none();
                if unknown {
                    *seen = Some(true);
                }
                unknown
            });
    }

    fn set_peer(&self, peer: &str, up: bool) {
        let mut state = self.lock();
        let entry = state
            .peers
            .entry(peer.to_owned())
            .or_insert_with(|| watch::channel(None).0);
        entry.send_replace(Some(up));
    }

    /// Serves `export` under actor id `id` (again: a second export of one
    /// actor keeps the first).
    pub(crate) fn export(self: &Arc<Self>, id: u64, export: Arc<dyn Export>) {
        let mut state = self.lock();
        if state.exports.contains_key(&id) {
            return;
        }
        let stopped = export.stopped();
        let (served, released) = tokio::sync::oneshot::channel::<()>();
        state.exports.insert(id, Slot::new(export, served));
        drop(state);
        let inner = self.clone();
        self.handle.spawn(async move {
            let mut closed = inner.closed();
            tokio::select! {
                reason = stopped => inner.actor_stopped(id, &reason).await,
                () = until_closed(&mut closed) => {}
                _ = released => {}
            }
        });
    }

    /// The actor served as `id` stopped: tell every holder, drop its names.
    async fn actor_stopped(&self, id: u64, reason: &StopReason) {
        let Some(slot) = self.lock().exports.remove(&id) else {
            return;
        };
        {
            let mut state = self.lock();
            for name in &slot.names {
                state.names.remove(name);
            }
        }
        let mut buf = String::new();
        let frame = Frame::Down {
            from: &self.name,
            id,
            reason: reason::encode(reason, &mut buf),
        }
        .encode();
        for holder in slot.holders.keys() {
            let _ = self.transport.send(holder, frame.clone()).await;
        }
    }

    pub(crate) fn exported<T: 'static + Clone>(&self, id: u64) -> Option<T> {
        let state = self.lock();
        state
            .exports
            .get(&id)
            .and_then(|slot| slot.export.as_any().downcast_ref::<T>().cloned())
    }

    /// Registers `name` for served actor `id` under `key`'s token.
    pub(crate) fn add_name(&self, name: &str, id: u64, token: Guard) -> bool {
        let mut state = self.lock();
        let Some(slot) = state.exports.get_mut(&id) else {
            return false;
        };
        slot.names.push(name.to_owned());
        state.names.insert(name.to_owned(), (id, token));
        true
    }

    pub(crate) fn has_name(&self, name: &str) -> bool {
        self.lock().names.contains_key(name)
    }

    /// Drops this node's registration of `name`; whether there was one.
    pub(crate) fn remove_name(&self, name: &str) -> bool {
        let mut state = self.lock();
        let Some((id, token)) = state.names.remove(name) else {
            return false;
        };
        drop(token);
        if let Some(slot) = state.exports.get_mut(&id) {
            slot.names.retain(|n| n != name);
            if slot.unused() {
                state.exports.remove(&id);
            }
        }
        true
    }

    pub(crate) fn add_factory(&self, name: &str, factory: Arc<dyn crate::spawn::Factory>) -> bool {
        let mut state = self.lock();
        if state.factories.contains_key(name) {
            return false;
        }
        state.factories.insert(name.to_owned(), factory);
        true
    }

    /// Lets bridge `tx` be finished when actor `id` of `peer` stops.
    pub(crate) fn add_proxy(&self, peer: &str, id: u64, tx: mpsc::UnboundedSender<StopReason>) {
        self.lock()
            .proxies
            .entry((peer.to_owned(), id))
            .or_default()
            .push(tx);
    }

    pub(crate) fn remove_proxy(&self, peer: &str, id: u64, tx: &mpsc::UnboundedSender<StopReason>) {
        let mut state = self.lock();
        let key = (peer.to_owned(), id);
        if let Some(list) = state.proxies.get_mut(&key) {
            list.retain(|t| !t.same_channel(tx));
            if list.is_empty() {
                state.proxies.remove(&key);
            }
        }
    }

    /// `peer` was lost: its proxies finish with `NodeDown`, and what only it
    /// held is no longer served.
    /// Keeps `pending` until [`remove_call`](Self::remove_call) or the
    /// loss of `peer`; returns its key.
    pub(crate) fn add_call(&self, peer: &str, pending: Arc<link::Pending>) -> u64 {
        let mut state = self.lock();
        state.next_call += 1;
        let id = state.next_call;
        state
            .calls
            .entry(peer.to_owned())
            .or_default()
            .insert(id, pending);
        id
    }

    pub(crate) fn remove_call(&self, peer: &str, id: u64) {
        if let Some(calls) = self.lock().calls.get_mut(peer) {
            calls.remove(&id);
        }
    }

    fn peer_down(&self, peer: &str) {
        let mut state = self.lock();
        let calls = state.calls.remove(peer).unwrap_or_default();
        let lost: Vec<_> = state
            .proxies
            .extract_if(|(node, _), _| node == peer)
            .flat_map(|(_, v)| v)
            .collect();
        state.exports.retain(|_, slot| {
            if slot.holders.remove(peer).is_some() {
                !slot.unused()
            } else {
                true
            }
        });
        drop(state);
        for call in calls.into_values() {
            call.give(Err(link::CallError::Unreachable));
        }
        for bridge in lost {
            let _ = bridge.send(crate::node_down(peer));
        }
    }

    fn handle(self: &Arc<Self>, bytes: &[u8], reply: Option<Responder>) {
        self.handle_decoded(Frame::decode(bytes, self.max_frame), reply);
    }

    fn handle_decoded(
        self: &Arc<Self>,
        frame: Result<Frame<'_>, crate::envelope::DecodeError>,
        reply: Option<Responder>,
    ) {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                tracing::warn!(node = %self.name, "typact-remote: dropped a frame: {e}");
                if let Some(reply) = reply {
                    respond_err(reply, &e.to_string());
                } else {
                    self.count_dead_letter();
                }
                return;
            }
        };
        match frame {
            Frame::Tell {
                to,
                message,
                payload,
                ..
            } => {
                let export = self.lock().exports.get(&to).map(|s| s.export.clone());
                match export {
                    Some(export) => {
                        if let Err(e) = export.tell(message, payload) {
                            tracing::debug!(node = %self.name, "typact-remote: tell {message} to {to} lost: {e}");
                            self.count_dead_letter();
                        }
                    }
                    None => self.count_dead_letter(),
                }
            }
            Frame::Batch { to, tells, .. } => {
                let export = self.lock().exports.get(&to).map(|s| s.export.clone());
                for item in crate::envelope::batch_tells(tells) {
                    let delivered = match (&export, item) {
                        (Some(export), Ok((message, payload))) => export.tell(message, payload),
                        (None, Ok(_)) => Err("no such actor".to_owned()),
                        (_, Err(e)) => Err(e.to_string()),
                    };
                    if let Err(e) = delivered {
                        tracing::debug!(node = %self.name, "typact-remote: a tell to {to} was lost: {e}");
                        self.count_dead_letter();
                    }
                }
            }
            Frame::Ask {
                to,
                message,
                timeout_ms,
                payload,
                ..
            } => {
                let Some(reply) = reply else { return };
                let export = self.lock().exports.get(&to).map(|s| s.export.clone());
                let Some(export) = export else {
                    respond(reply, Reply::Err(Failure::NoSuchActor));
                    return;
                };
                export.ask(
                    message,
                    payload,
                    Duration::from_millis(timeout_ms),
                    Box::new(move |answer| match answer {
                        Ok(bytes) => respond(reply, Reply::Ok(&bytes)),
                        Err(failure) => respond(reply, Reply::Err(failure.to_wire())),
                    }),
                );
            }
            Frame::Attach { from, to, actor } => {
                let Some(reply) = reply else { return };
                let mut state = self.lock();
                let Some(slot) = state.exports.get_mut(&to) else {
                    drop(state);
                    respond(reply, Reply::Err(Failure::NoSuchActor));
                    return;
                };
                if slot.export.actor_type() != actor {
                    let text = format!("wrong type:{}", slot.export.actor_type());
                    drop(state);
                    respond_err(reply, &text);
                    return;
                }
                *slot.holders.entry(from.to_owned()).or_default() += 1;
                drop(state);
                respond(reply, Reply::Ok(&[]));
            }
            Frame::Detach { from, to } => {
                let mut state = self.lock();
                if let Some(slot) = state.exports.get_mut(&to) {
                    if let Some(n) = slot.holders.get_mut(from) {
                        *n -= 1;
                        if *n == 0 {
                            slot.holders.remove(from);
                        }
                    }
                    if slot.unused() {
                        state.exports.remove(&to);
                    }
                }
            }
            Frame::Stop { to, kill, .. } => {
                let export = self.lock().exports.get(&to).map(|s| s.export.clone());
                if let Some(export) = export {
                    export.stop(kill);
                }
            }
            Frame::Down { from, id, reason } => {
                let bridges = self.lock().proxies.remove(&(from.to_owned(), id));
                let reason = reason::decode(&reason, from);
                for bridge in bridges.into_iter().flatten() {
                    let _ = bridge.send(reason.clone());
                }
            }
            Frame::Spawn {
                from,
                factory,
                actor,
                args,
            } => {
                let Some(reply) = reply else { return };
                let found = self.lock().factories.get(factory).cloned();
                let Some(found) = found else {
                    respond_err(reply, &format!("no factory:{factory}"));
                    return;
                };
                if found.actor_type() != actor {
                    respond_err(reply, &format!("wrong type:{}", found.actor_type()));
                    return;
                }
                match found.spawn(args) {
                    Ok((id, export)) => {
                        self.export(id, export);
                        if let Some(slot) = self.lock().exports.get_mut(&id) {
                            *slot.holders.entry(from.to_owned()).or_default() += 1;
                        }
                        respond(reply, Reply::Ok(&id.to_le_bytes()));
                    }
                    Err(e) => respond_err(reply, &format!("spawn failed:{e}")),
                }
            }
            Frame::Reply(_) => {
                tracing::debug!(node = %self.name, "typact-remote: a reply came as a frame; dropped");
            }
        }
    }
}

fn respond(reply: Responder, answer: Reply<'_>) {
    reply.send(Frame::Reply(answer).encode());
}

fn respond_err(reply: Responder, text: &str) {
    respond(reply, Reply::Err(Failure::Other(text)));
}

async fn dispatch(
    inner: Arc<NodeInner>,
    mut rx: mpsc::UnboundedReceiver<(Vec<u8>, Option<Responder>)>,
) {
    let mut closed = inner.closed();
    loop {
        tokio::select! {
            biased;
            () = until_closed(&mut closed) => return,
            next = rx.recv() => match next {
                Some((bytes, reply)) => inner.handle(&bytes, reply),
                None => return,
            },
        }
    }
}

async fn watch_peers(inner: Arc<NodeInner>, mut rx: mpsc::UnboundedReceiver<TokenEvent>) {
    let mut closed = inner.closed();
    loop {
        let event = tokio::select! {
            biased;
            () = until_closed(&mut closed) => return,
            event = rx.recv() => match event {
                Some(event) => event,
                None => return,
            },
        };
        match event {
            TokenEvent::Join(key) => {
                if let Some(peer) = key.strip_prefix("node/") {
                    inner.set_peer(peer, true);
                }
            }
            TokenEvent::Leave(key) => {
                if let Some(peer) = key.strip_prefix("node/")
                    && peer != inner.name
                {
                    tracing::info!(node = %inner.name, "typact-remote: node {peer} is down");
                    inner.set_peer(peer, false);
                    inner.peer_down(peer);
                }
            }
        }
    }
}

/// Resolves once the node is closed.
pub(crate) async fn until_closed(closed: &mut watch::Receiver<bool>) {
    let _ = closed.wait_for(|c| *c).await;
}
