//! The cluster registry: names on liveliness tokens.
//!
//! `node.register("counter", &actor)` declares the token
//! `typact/<cluster>/reg/counter/<node>/<id>`. Every node sees it while the
//! actor runs and the node is reachable; it goes when the actor stops, the
//! name is unregistered, or the node is lost (zenoh's lease). A lookup asks
//! the network for the tokens alive now, so it is never stale past the
//! lease.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::sync::mpsc;
use typact::ActorRef;
use typact::wire::Wire;

use crate::error::RemoteError;
use crate::node::Node;
use crate::node::link::Link;
use crate::node::served::{Served, actor_type};
use crate::transport::{TokenEvent, valid_chunk};

/// A change in the cluster registry, as [`Node::subscribe`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryEvent {
    /// `name` was registered by actor `id` of `node` (or became reachable).
    Joined {
        /// The name.
        name: String,
        /// The node that registered it.
        node: String,
        /// The actor's id there.
        id: u64,
    },
    /// That registration is gone: unregistered, the actor stopped, or its
    /// node was lost.
    Left {
        /// The name.
        name: String,
        /// The node.
        node: String,
        /// The actor's id there.
        id: u64,
    },
    /// `name` is now registered on more than one node.
    Conflict {
        /// The name.
        name: String,
        /// The nodes that registered it.
        nodes: Vec<String>,
    },
}

/// The registrations a [`Node::subscribe`] reports, in order.
#[derive(Debug)]
pub struct RegistryEvents {
    rx: mpsc::UnboundedReceiver<RegistryEvent>,
    _node: Node,
}

impl RegistryEvents {
    /// The next change; `None` once the node closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no event is lost when the future is dropped.
    pub async fn recv(&mut self) -> Option<RegistryEvent> {
        self.rx.recv().await
    }
}

fn parse(key: &str) -> Option<(String, String, u64)> {
    let rest = key.strip_prefix("reg/")?;
    let mut parts = rest.rsplitn(3, '/');
    let id = parts.next()?.parse().ok()?;
    let node = parts.next()?.to_owned();
    let name = parts.next()?.to_owned();
    Some((name, node, id))
}

impl Node {
    /// Registers `actor` as `name` in the cluster: any node can then
    /// [`lookup`](Self::lookup) it. The entry goes when the actor stops,
    /// at [`unregister`](Self::unregister), or when this node closes or is
    /// lost. The node keeps the actor alive while it is registered.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InvalidName`], [`RemoteError::Taken`] when this node
    /// registered `name` already, and [`RemoteError::Conflict`] when another
    /// node has (a registration that races with another one is reported
    /// to [`subscribe`](Self::subscribe)rs as a [`RegistryEvent::Conflict`]).
    pub async fn register<A: Wire>(
        &self,
        name: &str,
        actor: &ActorRef<A>,
    ) -> Result<(), RemoteError> {
        if !valid_chunk(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
        let inner = self.inner().clone();
        let (name, actor) = (name.to_owned(), actor.clone());
        self.run(async move {
            if inner.has_name(&name) {
                return Err(RemoteError::Taken(name));
            }
            let others: BTreeSet<String> = inner
                .transport
                .tokens(&format!("reg/{name}/"))
                .await?
                .iter()
                .filter_map(|k| parse(k))
                .filter(|(n, node, _)| *n == name && *node != inner.name)
                .map(|(_, node, _)| node)
                .collect();
            if !others.is_empty() {
                let mut nodes: Vec<String> = others.into_iter().collect();
                nodes.push(inner.name.clone());
                nodes.sort();
                return Err(RemoteError::Conflict { name, nodes });
            }
            let id = actor.id().as_u64();
            inner.export(id, Served::new(actor, &inner.handle));
            let token = inner
                .transport
                .declare_token(&format!("reg/{name}/{}/{id}", inner.name))
                .await?;
            if !inner.add_name(&name, id, token) {
                // It stopped meanwhile.
                return Err(RemoteError::NoSuchActor(inner.name.clone()));
            }
            Ok(())
        })
        .await
    }

    /// Takes back this node's registration of `name`; whether there was one.
    pub async fn unregister(&self, name: &str) -> bool {
        let inner = self.inner().clone();
        let name = name.to_owned();
        self.run(async move { Ok(inner.remove_name(&name)) })
            .await
            .unwrap_or(false)
    }

    /// Finds the actor registered as `name` anywhere in the cluster, as a
    /// typed ref. On this node's own registration it is the local ref
    /// itself; elsewhere it is a remote ref, which offers the same API (see
    /// the [crate docs](crate)).
    ///
    /// # Errors
    ///
    /// [`RemoteError::NotFound`], [`RemoteError::Conflict`] when several
    /// nodes registered it, [`RemoteError::WrongType`] when it is not an
    /// `A`, [`RemoteError::Unreachable`] when its node does not answer.
    pub async fn lookup<A: Wire>(&self, name: &str) -> Result<ActorRef<A>, RemoteError> {
        if !valid_chunk(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
        let inner = self.inner().clone();
        let name = name.to_owned();
        self.run(async move {
            let entries: Vec<(String, u64)> = inner
                .transport
                .tokens(&format!("reg/{name}/"))
                .await?
                .iter()
                .filter_map(|k| parse(k))
                .filter(|(n, _, _)| *n == name)
                .map(|(_, node, id)| (node, id))
                .collect();
            let nodes: BTreeSet<&String> = entries.iter().map(|(n, _)| n).collect();
            let (node, id) = match entries.as_slice() {
                [] => return Err(RemoteError::NotFound(name)),
                [one] => one.clone(),
                _ if nodes.len() == 1 => entries[0].clone(),
                _ => {
                    return Err(RemoteError::Conflict {
                        name,
                        nodes: nodes.into_iter().cloned().collect(),
                    });
                }
            };
            if node == inner.name {
                return inner
                    .exported::<ActorRef<A>>(id)
                    .ok_or_else(|| RemoteError::WrongType {
                        expected: actor_type::<A>().to_owned(),
                        found: "another type".to_owned(),
                    });
            }
            let link = Link::attach(&inner, &node, id, actor_type::<A>()).await?;
            Ok(crate::proxy::remote_ref::<A>(link, Some(Arc::from(name))))
        })
        .await
    }

    /// The registrations of the cluster as they come and go: first a
    /// [`RegistryEvent::Joined`] for each alive now, then every change,
    /// with a [`RegistryEvent::Conflict`] whenever a name becomes
    /// registered on more than one node.
    ///
    /// # Errors
    ///
    /// When the network cannot be subscribed to.
    pub async fn subscribe(&self) -> Result<RegistryEvents, RemoteError> {
        let inner = self.inner().clone();
        let (tx, rx) = mpsc::unbounded_channel();
        self.run(async move {
            let (raw_tx, mut raw) = mpsc::unbounded_channel();
            let guard = inner.transport.watch_tokens("reg/", raw_tx).await?;
            let mut closed = inner.closed();
            tokio::spawn(async move {
                let _guard = guard;
                let mut names: BTreeMap<String, BTreeSet<(String, u64)>> = BTreeMap::new();
                loop {
                    let event = tokio::select! {
                        () = crate::node::until_closed(&mut closed) => return,
                        event = raw.recv() => match event {
                            Some(event) => event,
                            None => return,
                        },
                    };
                    let out = match event {
                        TokenEvent::Join(key) => parse(&key).map(|(name, node, id)| {
                            let entry = names.entry(name.clone()).or_default();
                            entry.insert((node.clone(), id));
                            let nodes: BTreeSet<&String> = entry.iter().map(|(n, _)| n).collect();
                            let conflict = (nodes.len() > 1).then(|| RegistryEvent::Conflict {
                                name: name.clone(),
                                nodes: nodes.into_iter().cloned().collect(),
                            });
                            (RegistryEvent::Joined { name, node, id }, conflict)
                        }),
                        TokenEvent::Leave(key) => parse(&key).map(|(name, node, id)| {
                            if let Some(entry) = names.get_mut(&name) {
                                entry.remove(&(node.clone(), id));
                            }
                            (RegistryEvent::Left { name, node, id }, None)
                        }),
                    };
                    if let Some((event, conflict)) = out {
                        if tx.send(event).is_err() {
                            return;
                        }
                        if let Some(conflict) = conflict {
                            tracing::warn!("typact-remote: {conflict:?}");
                            let _ = tx.send(conflict);
                        }
                    }
                }
            });
            Ok(())
        })
        .await?;
        Ok(RegistryEvents {
            rx,
            _node: self.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_parse_back() {
        assert_eq!(
            super::parse("reg/counter/n1/42"),
            Some(("counter".to_owned(), "n1".to_owned(), 42))
        );
        assert_eq!(super::parse("reg/counter/n1/x"), None);
        assert_eq!(super::parse("node/n1"), None);
    }
}
