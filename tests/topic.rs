//! Topics: delivery to every subscriber, a stopped subscriber (gone at
//! once, not a drop), a full one (the publisher goes on, the drop is
//! counted), many subscribers, unsubscribing, weak holding.

use std::sync::Arc;

use tokio::sync::Semaphore;
use typact::prelude::*;

#[derive(Clone, Debug, PartialEq)]
struct Event(u32);

impl Message for Event {
    type Reply = ();
}

struct Listener {
    seen: Vec<u32>,
    gate: Option<Arc<Semaphore>>,
}

impl Listener {
    fn new() -> Self {
        Listener {
            seen: Vec::new(),
            gate: None,
        }
    }
}

#[actor]
impl Listener {
    #[handler(message)]
    async fn event(&mut self, e: Event) {
        if let Some(gate) = &self.gate {
            gate.acquire().await.unwrap().forget();
        }
        self.seen.push(e.0);
    }

    #[handler]
    fn seen(&self) -> Vec<u32> {
        self.seen.clone()
    }
}

#[tokio::test]
async fn every_subscriber_gets_every_event_in_order() {
    let topic = Topic::<Event>::new();
    let listeners: Vec<_> = (0..3).map(|_| Listener::new().spawn()).collect();
    for l in &listeners {
        assert!(topic.subscribe(l));
    }
    for n in 0..5 {
        let report = topic.publish(Event(n));
        assert_eq!((report.delivered, report.dropped), (3, 0));
    }
    for l in &listeners {
        assert_eq!(l.seen().await.unwrap(), vec![0, 1, 2, 3, 4]);
    }
}

#[tokio::test]
async fn a_stopped_subscriber_leaves_at_once_and_is_not_a_drop() {
    let topic = Topic::<Event>::new();
    let stays = Listener::new().spawn();
    let leaves = Listener::new().spawn();
    topic.subscribe(&stays);
    topic.subscribe(leaves.recipient::<Event>());
    assert_eq!(topic.len(), 2);
    leaves.stop();
    leaves.wait_for_stop().await;
    assert_eq!(topic.len(), 1, "removed as part of its stop");
    assert!(!topic.contains(leaves.id()));
    let report = topic.publish(Event(1));
    assert_eq!((report.delivered, report.dropped), (1, 0));
    assert_eq!(topic.dropped(), 0);
    assert_eq!(stays.seen().await.unwrap(), vec![1]);
}

#[tokio::test]
async fn a_full_subscriber_does_not_stall_the_publisher_and_its_drops_are_counted() {
    let topic = Topic::<Event>::new();
    let gate = Arc::new(Semaphore::new(0));
    let slow = Listener {
        seen: Vec::new(),
        gate: Some(gate.clone()),
    }
    .builder()
    .capacity(2)
    .spawn();
    let fast = Listener::new().spawn();
    topic.subscribe(&slow);
    topic.subscribe(&fast);
    // The slow one runs the first event and can queue two more; every
    // publish returns at once.
    let mut dropped = 0;
    for n in 0..10 {
        let report = topic.publish(Event(n));
        assert_eq!(report.delivered + report.dropped, 2);
        dropped += report.dropped;
        tokio::task::yield_now().await;
    }
    assert!(dropped >= 7, "only {dropped} dropped");
    assert_eq!(topic.dropped(), dropped as u64);
    assert_eq!(topic.dropped_for(slow.id()), Some(dropped as u64));
    assert_eq!(topic.dropped_for(fast.id()), Some(0));
    assert_eq!(fast.seen().await.unwrap(), (0..10).collect::<Vec<_>>());
    gate.add_permits(10);
    assert_eq!(slow.seen().await.unwrap().len(), 10 - dropped);
}

#[tokio::test]
async fn many_subscribers_and_unsubscribe() {
    let topic = Topic::<Event>::new();
    let listeners: Vec<_> = (0..200).map(|_| Listener::new().spawn()).collect();
    for l in &listeners {
        topic.subscribe(l);
    }
    assert_eq!(topic.len(), 200);
    assert_eq!(topic.publish(Event(1)).delivered, 200);
    for l in &listeners[..100] {
        assert!(topic.unsubscribe(l.id()));
    }
    assert!(!topic.unsubscribe(listeners[0].id()), "already gone");
    assert_eq!(topic.publish(Event(2)).delivered, 100);
    for (i, l) in listeners.iter().enumerate() {
        let expected = if i < 100 { vec![1] } else { vec![1, 2] };
        assert_eq!(l.seen().await.unwrap(), expected);
    }
    // An unsubscribed actor that stops later changes nothing.
    listeners[0].stop();
    listeners[0].wait_for_stop().await;
    assert_eq!(topic.len(), 100);
}

#[tokio::test]
async fn subscribing_keeps_no_actor_alive() {
    let topic = Topic::<Event>::new();
    let listener = Listener::new().spawn();
    let weak = listener.downgrade();
    topic.subscribe(&listener);
    drop(listener);
    // With no reference left, it stops by itself, and leaves the topic.
    for _ in 0..10_000 {
        if !weak.is_alive() {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(!weak.is_alive(), "the topic kept the listener alive");
    assert_eq!(topic.len(), 0);
    assert_eq!(topic.publish(Event(3)).delivered, 0);
}

#[tokio::test]
async fn a_stopped_actor_cannot_subscribe() {
    let topic = Topic::<Event>::new();
    let listener = Listener::new().spawn();
    listener.stop();
    listener.wait_for_stop().await;
    assert!(!topic.subscribe(&listener));
    assert!(topic.is_empty());
}
