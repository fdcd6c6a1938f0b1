//! A pool spread over nodes: one typed ref, workers on several nodes.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::mpsc;
use typact::wire::{Format, ProxyInbox, Wire, proxy};
use typact::{ActorRef, MailboxKind, StopReason};

use crate::codec::Postcard;
use crate::error::RemoteError;
use crate::node::Node;
use crate::node::link::Link;
use crate::node::served::actor_type;

struct Worker {
    link: Link,
    alive: bool,
}

impl Node {
    /// Spawns `per_node` workers with factory `factory` and `args` on each
    /// of `nodes`, and returns one ref that spreads its messages over them
    /// round robin. A worker that stops, or whose node is lost, leaves the
    /// pool, which carries on with the others; the pool's ref stops (with
    /// the last worker's reason) when none is left.
    ///
    /// Messages to one worker keep their order; messages to the pool are
    /// spread, so two of them may be handled in either order, as in a
    /// local [`typact::Pool`].
    ///
    /// # Errors
    ///
    /// As [`spawn_on`](Self::spawn_on), for the first worker that fails to
    /// spawn (the workers spawned before it are stopped).
    pub async fn spawn_pool<A: Wire, Args: Serialize + ?Sized>(
        &self,
        factory: &str,
        nodes: &[&str],
        per_node: usize,
        args: &Args,
    ) -> Result<ActorRef<A>, RemoteError> {
        let args = Postcard::encode(args).map_err(|e| RemoteError::Encode(e.to_string()))?;
        let inner = self.inner().clone();
        let factory = factory.to_owned();
        let nodes: Vec<String> = nodes.iter().map(|n| (*n).to_owned()).collect();
        self.run(async move {
            let mut workers = Vec::new();
            for _ in 0..per_node {
                for node in &nodes {
                    match inner
                        .spawn_link(node, &factory, actor_type::<A>(), &args)
                        .await
                    {
                        Ok(link) => workers.push(link),
                        Err(e) => {
                            for w in &workers {
                                w.stop(false).await;
                            }
                            return Err(e);
                        }
                    }
                }
            }
            let (actor, inbox) = proxy::<A>(
                Some(Arc::from(format!("pool:{factory}"))),
                MailboxKind::Bounded(crate::proxy::PROXY_CAPACITY),
            );
            let (ended_tx, ended) = mpsc::unbounded_channel();
            for (i, w) in workers.iter().enumerate() {
                let (tx, mut rx) = mpsc::unbounded_channel();
                inner.add_proxy(&w.peer, w.id, tx);
                let ended_tx = ended_tx.clone();
                tokio::spawn(async move {
                    if let Some(reason) = rx.recv().await {
                        let _ = ended_tx.send((i, reason));
                    }
                });
            }
            let workers = workers
                .into_iter()
                .map(|link| Worker { link, alive: true })
                .collect();
            tokio::spawn(run::<A>(workers, inbox, ended));
            Ok(actor)
        })
        .await
    }
}

async fn run<A: Wire>(
    mut workers: Vec<Worker>,
    mut inbox: ProxyInbox<A>,
    mut ended: mpsc::UnboundedReceiver<(usize, StopReason)>,
) {
    let mut next = 0usize;
    let mut last = StopReason::Normal;
    let reason = loop {
        if workers.iter().all(|w| !w.alive) {
            break last;
        }
        tokio::select! {
            biased;
            Some((i, reason)) = ended.recv() => {
                tracing::info!("typact-remote: pool worker {}/{} left: {reason}", workers[i].link.peer, workers[i].link.id);
                workers[i].alive = false;
                last = reason;
            }
            entry = inbox.recv() => match entry {
                Some(entry) => {
                    let n = workers.len();
                    let pick = (0..n).map(|k| (next + k) % n).find(|&k| workers[k].alive);
                    if let Some(k) = pick {
                        next = k + 1;
                        crate::proxy::forward::<A>(&workers[k].link, entry).await;
                    }
                }
                None => {
                    let kill = inbox.stop_requested();
                    for w in workers.iter().filter(|w| w.alive) {
                        match kill {
                            Some(kill) => w.link.stop(kill).await,
                            None => w.link.detach().await,
                        }
                    }
                    break StopReason::Normal;
                }
            },
        }
    };
    inbox.finish(reason);
}
