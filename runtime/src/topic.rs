//! [`Topic`]: publish one message to every subscriber.
//!
//! A topic is a typed bus (Akka Typed's `Topic`): actors subscribe with a
//! [`Recipient<M>`] (or anything that converts into one, such as an
//! [`ActorRef`](crate::ActorRef) of an actor that handles `M`), and
//! [`Topic::publish`] puts a copy of the message into every subscriber's
//! mailbox.
//!
//! - Subscribers are held weakly: subscribing never keeps an actor alive.
//! - An actor that stops for good leaves every topic at once, as part of
//!   its stop (through its end hooks), so a publish never counts it.
//! - A publish never waits: a subscriber whose bounded mailbox is full
//!   does not get its copy, which is counted as dropped (per topic and per
//!   subscriber), reported in the returned [`Published`], and logged at
//!   `warn` level.
//! - `M: Clone` is the only requirement on the message.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::actor::Message;
use crate::bonds::HookKey;
use crate::cell::{ActorId, Cell};
use crate::error::TryTellError;
use crate::recipient::Recipient;
use crate::weak::WeakRecipient;

/// A typed publish-subscribe channel of `M`.
///
/// Cloning a `Topic` gives another handle on the same subscribers.
///
/// - Subscribers are held weakly: subscribing never keeps an actor alive.
/// - An actor that stops for good leaves every topic at once, as part of
///   its stop, so a publish never counts it.
/// - A publish never waits: a subscriber whose bounded mailbox is full
///   does not get its copy, which is counted as dropped (per topic and per
///   subscriber), reported in the returned [`Published`], and logged at
///   `warn` level.
/// - `M: Clone` is the only requirement on the message.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Clone)]
/// struct Price(u32);
/// impl Message for Price {
///     type Reply = ();
/// }
///
/// #[derive(Default)]
/// struct Ticker {
///     last: u32,
/// }
///
/// #[actor]
/// impl Ticker {
///     #[handler(message)]
///     fn price(&mut self, p: Price) {
///         self.last = p.0;
///     }
///     #[handler]
///     fn last(&self) -> u32 {
///         self.last
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), AskError> {
/// let prices = Topic::<Price>::new();
/// let (a, b) = (Ticker::default().spawn(), Ticker::default().spawn());
/// prices.subscribe(&a);
/// prices.subscribe(&b);
/// let report = prices.publish(Price(42));
/// assert_eq!((report.delivered, report.dropped), (2, 0));
/// assert_eq!(a.last().await?, 42);
/// assert_eq!(b.last().await?, 42);
/// # Ok(()) }
/// ```
pub struct Topic<M: Message + Clone> {
    inner: Arc<Inner<M>>,
}

struct Inner<M: Message> {
    subscribers: Mutex<HashMap<ActorId, Subscriber<M>>>,
    dropped: AtomicU64,
}

struct Subscriber<M: Message> {
    target: WeakRecipient<M>,
    /// The end hook that takes the subscriber out when it stops.
    hook: HookKey,
    dropped: u64,
}

/// What one [`Topic::publish`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Published {
    /// Subscribers whose mailbox took a copy.
    pub delivered: usize,
    /// Subscribers whose bounded mailbox was full: their copy was dropped.
    pub dropped: usize,
}

impl<M: Message> Inner<M> {
    fn lock(&self) -> MutexGuard<'_, HashMap<ActorId, Subscriber<M>>> {
        // Nothing panics while the lock is held, but a poisoned map is
        // still a consistent one.
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<M: Message + Clone> Topic<M> {
    /// A topic with no subscribers.
    pub fn new() -> Self {
        Topic {
            inner: Arc::new(Inner {
                subscribers: Mutex::new(HashMap::new()),
                dropped: AtomicU64::new(0),
            }),
        }
    }

    /// Subscribes an actor that handles `M`: an
    /// [`ActorRef`](crate::ActorRef) (by reference or by value), a
    /// [`Recipient<M>`], or anything else that converts into one. The
    /// topic keeps only a weak reference, and the subscriber leaves it by
    /// itself when it stops for good. Subscribing again is a no-op.
    ///
    /// Returns `false`, subscribing nothing, if the actor has already
    /// stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # #[derive(Clone)] struct Tick;
    /// # impl Message for Tick { type Reply = (); }
    /// # #[derive(Default)] struct Clock;
    /// # #[actor] impl Clock { #[handler(message)] fn tick(&mut self, _: Tick) {} }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let ticks = Topic::<Tick>::new();
    /// let clock = Clock.spawn();
    /// assert!(ticks.subscribe(&clock));
    /// assert!(ticks.subscribe(clock.recipient::<Tick>())); // the same actor: still one
    /// assert_eq!(ticks.len(), 1);
    /// clock.stop();
    /// clock.wait_for_stop().await;
    /// assert_eq!(ticks.len(), 0); // left as it stopped
    /// assert!(!ticks.subscribe(&clock));
    /// # }
    /// ```
    pub fn subscribe(&self, subscriber: impl Into<Recipient<M>>) -> bool {
        let subscriber: Recipient<M> = subscriber.into();
        let id = subscriber.id();
        let cell = subscriber.cell().clone();
        let mut subscribers = self.inner.lock();
        if subscribers.contains_key(&id) {
            return true;
        }
        let topic: Weak<Inner<M>> = Arc::downgrade(&self.inner);
        let leave = Box::new(move |id: ActorId, _: &crate::StopReason| {
            if let Some(topic) = topic.upgrade() {
                topic.lock().remove(&id);
            }
        });
        // Added under the topic's lock: a hook that runs at once (the
        // actor stops meanwhile) waits for the entry below to be in place,
        // then takes it out.
        let Ok(hook) = cell.bonds().on_end(leave) else {
            return false;
        };
        subscribers.insert(
            id,
            Subscriber {
                target: subscriber.downgrade(),
                hook,
                dropped: 0,
            },
        );
        true
    }

    /// Takes a subscriber out, by its actor's id; returns whether it was
    /// subscribed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # #[derive(Clone)] struct Tick;
    /// # impl Message for Tick { type Reply = (); }
    /// # #[derive(Default)] struct Clock;
    /// # #[actor] impl Clock { #[handler(message)] fn tick(&mut self, _: Tick) {} }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let ticks = Topic::<Tick>::new();
    /// let clock = Clock.spawn();
    /// ticks.subscribe(&clock);
    /// assert!(ticks.unsubscribe(clock.id()));
    /// assert!(!ticks.unsubscribe(clock.id()));
    /// assert_eq!(ticks.publish(Tick).delivered, 0);
    /// # }
    /// ```
    pub fn unsubscribe(&self, subscriber: ActorId) -> bool {
        let Some(sub) = self.inner.lock().remove(&subscriber) else {
            return false;
        };
        sub.leave();
        true
    }

    /// Puts a copy of `msg` into every subscriber's mailbox, without
    /// waiting: the message is cloned once per subscriber but the last.
    ///
    /// A subscriber whose bounded mailbox is full does not get its copy:
    /// the copy is dropped and counted (in the returned [`Published`], in
    /// [`dropped`](Self::dropped) and in
    /// [`dropped_for`](Self::dropped_for)), and a `warn` is logged. A
    /// subscriber that has stopped is taken out and not counted.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # #[derive(Clone)] struct Tick;
    /// # impl Message for Tick { type Reply = (); }
    /// let ticks = Topic::<Tick>::new();
    /// let report = ticks.publish(Tick); // no one listens: nothing to do
    /// assert_eq!((report.delivered, report.dropped), (0, 0));
    /// ```
    pub fn publish(&self, msg: M) -> Published {
        let mut report = Published::default();
        let mut gone = Vec::new();
        let mut subscribers = self.inner.lock();
        let mut msg = Some(msg);
        let mut left = subscribers.len();
        for (id, sub) in subscribers.iter_mut() {
            left -= 1;
            let Some(target) = sub.target.upgrade() else {
                gone.push(*id);
                continue;
            };
            let copy = if left == 0 {
                msg.take()
                    .expect("the original goes to the last subscriber")
            } else {
                msg.clone().expect("taken only by the last subscriber")
            };
            match target.try_tell(copy) {
                Ok(()) => report.delivered += 1,
                Err(TryTellError::Full(_)) => {
                    report.dropped += 1;
                    sub.dropped += 1;
                    tracing::warn!(
                        subscriber = %target.cell(),
                        message = std::any::type_name::<M>(),
                        "topic subscriber's mailbox is full; its copy was dropped"
                    );
                }
                Err(TryTellError::Closed(_)) => gone.push(*id),
            }
        }
        // Stopped, but their end hooks have not run yet: they run soon and
        // find nothing; taking them out here keeps the count exact.
        let gone: Vec<Subscriber<M>> = gone
            .into_iter()
            .filter_map(|id| subscribers.remove(&id))
            .collect();
        drop(subscribers);
        for sub in gone {
            sub.leave();
        }
        self.inner
            .dropped
            .fetch_add(report.dropped as u64, Ordering::Relaxed);
        report
    }

    /// How many subscribers there are.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// Whether there is no subscriber.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the actor `id` is subscribed.
    pub fn contains(&self, id: ActorId) -> bool {
        self.inner.lock().contains_key(&id)
    }

    /// How many copies were dropped, over every publish so far, because a
    /// subscriber's mailbox was full.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// How many copies were dropped for one subscriber since it
    /// subscribed; `None` if it is not subscribed.
    pub fn dropped_for(&self, id: ActorId) -> Option<u64> {
        self.inner.lock().get(&id).map(|sub| sub.dropped)
    }
}

impl<M: Message> Subscriber<M> {
    /// Takes back the end hook of a subscriber taken out of the topic.
    /// Called with the topic's lock released.
    fn leave(self) {
        let cell: &Arc<Cell> = self.target.cell();
        cell.bonds().remove_hook(self.hook);
    }
}

impl<M: Message + Clone> Default for Topic<M> {
    fn default() -> Self {
        Topic::new()
    }
}

impl<M: Message + Clone> Clone for Topic<M> {
    fn clone(&self) -> Self {
        Topic {
            inner: self.inner.clone(),
        }
    }
}

impl<M: Message + Clone> fmt::Debug for Topic<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topic")
            .field("message", &std::any::type_name::<M>())
            .field("subscribers", &self.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}
