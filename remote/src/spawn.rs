//! Actor factories: spawning a typed actor on another node.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use typact::ActorRef;
use typact::wire::{Format, Wire};

use crate::codec::Postcard;
use crate::envelope::Frame;
use crate::error::RemoteError;
use crate::node::export::Export;
use crate::node::link::{Link, call_to_remote};
use crate::node::served::{Served, actor_type};
use crate::node::{Node, NodeInner};
use crate::transport::valid_chunk;

/// A factory registered on a node, at the level of bytes.
pub(crate) trait Factory: Send + Sync + 'static {
    /// The type of the actors it makes.
    fn actor_type(&self) -> &str;
    /// Decodes the arguments and spawns; the new actor's id and export.
    fn spawn(&self, args: &[u8]) -> Result<(u64, Arc<dyn Export>), String>;
}

struct Typed<A, Args, F> {
    make: F,
    handle: tokio::runtime::Handle,
    _types: PhantomData<fn(Args) -> A>,
}

impl<A, Args, F> Factory for Typed<A, Args, F>
where
    A: Wire,
    Args: DeserializeOwned + 'static,
    F: Fn(Args) -> ActorRef<A> + Send + Sync + 'static,
{
    fn actor_type(&self) -> &str {
        actor_type::<A>()
    }

    fn spawn(&self, args: &[u8]) -> Result<(u64, Arc<dyn Export>), String> {
        let args: Args = Postcard::decode(args).map_err(|e| e.to_string())?;
        let _runtime = self.handle.enter();
        let actor = (self.make)(args);
        let id = actor.id().as_u64();
        Ok((id, Served::new(actor, &self.handle)))
    }
}

impl NodeInner {
    /// Spawns an actor with `factory` on `peer`; a link to it, held.
    pub(crate) async fn spawn_link(
        self: &Arc<Self>,
        peer: &str,
        factory: &str,
        actor: &str,
        args: &[u8],
    ) -> Result<Link, RemoteError> {
        let frame = Frame::Spawn {
            from: &self.name,
            factory,
            actor,
            args,
        }
        .encode();
        let reply = self
            .call(peer, frame, self.ask_timeout)
            .await
            .map_err(|e| call_to_remote(e, peer, actor))?;
        let id = <[u8; 8]>::try_from(reply.as_slice())
            .map(u64::from_le_bytes)
            .map_err(|_| RemoteError::Refused {
                node: peer.to_owned(),
                reason: "a spawn reply without an id".to_owned(),
            })?;
        self.set_peer_seen(peer);
        Ok(Link {
            inner: self.clone(),
            peer: peer.to_owned(),
            id,
        })
    }
}

impl Node {
    /// Lets other nodes spawn `A`s here by `name`:
    /// [`spawn_on`](Self::spawn_on) sends the arguments, `make` spawns the
    /// actor (on this node's runtime) and returns its ref. A spawned actor
    /// lives while some node holds a ref to it.
    ///
    /// # Errors
    ///
    /// [`RemoteError::InvalidName`], or [`RemoteError::Taken`] when a
    /// factory of that name exists.
    pub fn register_factory<A, Args, F>(&self, name: &str, make: F) -> Result<(), RemoteError>
    where
        A: Wire,
        Args: DeserializeOwned + 'static,
        F: Fn(Args) -> ActorRef<A> + Send + Sync + 'static,
    {
        if !valid_chunk(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
        let factory = Typed {
            make,
            handle: self.inner().handle.clone(),
            _types: PhantomData,
        };
        if self.inner().add_factory(name, Arc::new(factory)) {
            Ok(())
        } else {
            Err(RemoteError::Taken(name.to_owned()))
        }
    }

    /// Spawns an `A` on node `peer` with its factory `factory` and `args`,
    /// and returns a typed ref to it.
    ///
    /// # Errors
    ///
    /// [`RemoteError::NoFactory`], [`RemoteError::WrongType`] when the
    /// factory makes another type, [`RemoteError::Unreachable`], and
    /// [`RemoteError::Refused`] when the arguments do not decode there.
    pub async fn spawn_on<A: Wire, Args: Serialize + ?Sized>(
        &self,
        peer: &str,
        factory: &str,
        args: &Args,
    ) -> Result<ActorRef<A>, RemoteError> {
        let args = Postcard::encode(args).map_err(|e| RemoteError::Encode(e.to_string()))?;
        let inner = self.inner().clone();
        let (peer, factory) = (peer.to_owned(), factory.to_owned());
        self.run(async move {
            let link = inner
                .spawn_link(&peer, &factory, actor_type::<A>(), &args)
                .await?;
            Ok(crate::proxy::remote_ref::<A>(link, None))
        })
        .await
    }
}
