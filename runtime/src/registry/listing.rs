//! [`Listing`]: the actors registered under a key at one moment, as told to
//! subscribers; [`ListingStream`]: the same as a stream.

use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_util::Stream;
use tokio::sync::mpsc;

use crate::actor::Message;
use crate::cell::ActorId;
use crate::protocol::{Protocol, Ref, WeakRef};
use crate::registry::keys::ServiceKey;

/// The actors registered under a [`ServiceKey`] at one moment: what
/// [`Registry::subscribe`](crate::Registry::subscribe) delivers, once at
/// once and again after every change.
///
/// It holds its members weakly, so a listing waiting in a mailbox or a
/// stream keeps no actor alive; [`refs`](Self::refs) upgrades those still
/// running.
pub struct Listing<P: Protocol> {
    key: ServiceKey<P>,
    members: Vec<WeakRef<P>>,
}

impl<P: Protocol> Listing<P> {
    pub(crate) fn new(key: ServiceKey<P>, members: Vec<WeakRef<P>>) -> Self {
        Listing { key, members }
    }

    /// The key listed.
    pub fn key(&self) -> &ServiceKey<P> {
        &self.key
    }

    /// The members still running, as strong refs, in registration order.
    pub fn refs(&self) -> Vec<Ref<P>> {
        self.members.iter().filter_map(WeakRef::upgrade).collect()
    }

    /// The members as weak refs, in registration order.
    pub fn weak_refs(&self) -> &[WeakRef<P>] {
        &self.members
    }

    /// The ids of the members, in registration order.
    pub fn ids(&self) -> Vec<ActorId> {
        self.members.iter().map(WeakRef::id).collect()
    }

    /// Whether actor `id` is listed.
    pub fn contains(&self, id: ActorId) -> bool {
        self.members.iter().any(|m| m.id() == id)
    }

    /// How many actors are listed.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the listing is empty.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

// Kept out of the "types that implement `Message`" lists in errors about
// user messages.
#[diagnostic::do_not_recommend]
impl<P: Protocol> Message for Listing<P> {
    type Reply = ();
}

impl<P: Protocol> Clone for Listing<P> {
    fn clone(&self) -> Self {
        Listing {
            key: self.key.clone(),
            members: self.members.clone(),
        }
    }
}

impl<P: Protocol> fmt::Debug for Listing<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listing")
            .field("key", &self.key)
            .field("members", &self.members)
            .finish()
    }
}

/// The listings of a key as a [`Stream`]: the current one first, then
/// one after every change, in order. Made by
/// [`Registry::subscribe_stream`](crate::Registry::subscribe_stream).
///
/// Every change is kept until it is read; the listings hold their
/// members weakly, so a stream read late keeps no actor alive. Dropping
/// the stream ends the subscription. It ends when the registry is dropped.
pub struct ListingStream<P: Protocol> {
    rx: mpsc::UnboundedReceiver<Listing<P>>,
}

impl<P: Protocol> ListingStream<P> {
    pub(crate) fn new(rx: mpsc::UnboundedReceiver<Listing<P>>) -> Self {
        ListingStream { rx }
    }
}

impl<P: Protocol> Stream for ListingStream<P> {
    type Item = Listing<P>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Listing<P>>> {
        self.rx.poll_recv(cx)
    }
}

impl<P: Protocol> fmt::Debug for ListingStream<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ListingStream<{}>", P::NAME)
    }
}
