//! Weak references: they do not keep an actor alive, and upgrade only
//! while it is.

use std::time::Duration;

use typact::prelude::*;

#[derive(Default)]
struct Service {
    hits: u32,
}

#[actor]
impl Service {
    #[handler]
    fn hit(&mut self) -> u32 {
        self.hits += 1;
        self.hits
    }
}

/// A child that keeps a weak reference back to its parent.
struct Child {
    parent: WeakActorRef<Parent>,
}

#[actor]
impl Child {
    #[handler]
    fn parent_alive(&self) -> bool {
        self.parent.upgrade().is_some()
    }
}

#[derive(Default)]
struct Parent {
    child: Option<ActorRef<Child>>,
}

#[actor]
impl Parent {
    #[handler]
    fn hire(&mut self, ctx: &mut Context<Self>) -> ActorRef<Child> {
        let parent = ctx.myself().downgrade();
        let child = ctx.spawn(Child { parent });
        self.child = Some(child.clone());
        child
    }
}

/// Waits until `alive` says no; the timeout only keeps a broken build
/// from hanging.
async fn until_stopped(alive: impl Fn() -> bool) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while alive() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the actor should have stopped");
}

#[tokio::test]
async fn a_weak_ref_upgrades_while_the_actor_lives() {
    let service = Service::default().spawn();
    let weak = service.downgrade();
    let strong = weak.upgrade().expect("the actor is alive");
    assert_eq!(strong, service);
    assert_eq!(strong.hit().await, Ok(1));
    assert_eq!(weak.id(), service.id());
    assert!(weak.is_alive());
}

#[tokio::test]
async fn a_weak_ref_does_not_keep_the_actor_alive() {
    let service = Service::default().spawn();
    let weak = service.downgrade();
    let weaks: Vec<_> = (0..3).map(|_| weak.clone()).collect();
    drop(service);
    until_stopped(|| weak.is_alive()).await;
    assert!(weak.upgrade().is_none());
    assert!(weaks.iter().all(|w| w.upgrade().is_none()));
}

#[tokio::test]
async fn a_weak_ref_does_not_upgrade_after_a_stop() {
    let service = Service::default().spawn();
    let weak = service.downgrade();
    service.stop();
    service.wait_for_stop().await;
    // A strong reference still exists, but the actor has stopped.
    assert!(weak.upgrade().is_none());
}

#[tokio::test]
async fn a_childs_weak_back_reference_does_not_keep_its_parent_alive() {
    let parent = Parent::default().spawn();
    let child = parent.hire().await.unwrap();
    assert_eq!(child.parent_alive().await, Ok(true));
    let weak_parent = parent.downgrade();
    drop(parent);
    until_stopped(|| weak_parent.is_alive()).await;
    // The parent stopped its child as it stopped.
    child.wait_for_stop().await;
    assert!(weak_parent.upgrade().is_none());
}

struct Event;

impl Message for Event {
    type Reply = u32;
}

#[derive(Default)]
struct Listener;

#[actor]
impl Listener {
    #[handler(message)]
    fn event(&mut self, _: Event) -> u32 {
        7
    }
}

#[tokio::test]
async fn a_weak_recipient_does_not_keep_the_actor_alive() {
    let listener = Listener.spawn();
    let recipient: Recipient<Event> = listener.recipient();
    let weak: WeakRecipient<Event> = recipient.downgrade();
    assert_eq!(weak.upgrade().unwrap().ask(Event).await, Ok(7));
    drop(recipient);
    // The `ActorRef` still holds it up.
    assert!(weak.upgrade().is_some());
    drop(listener);
    until_stopped(|| weak.is_alive()).await;
    assert!(weak.upgrade().is_none());
    assert_eq!(weak.clone().id(), weak.id());
}
