//! Links: linking to an actor that has already stopped acts at once, and
//! linking a pair again adds nothing (no task per link at all).
//!
//! The tests run on a current-thread runtime: an actor then runs only when
//! the test waits, so the order of what it handles is known.

use tokio::runtime::Handle;
use typact::prelude::*;

#[derive(Default)]
struct Peer {
    handled: u32,
}

#[actor]
impl Peer {
    #[handler]
    fn join(&mut self, other: ActorRef<Peer>, ctx: &mut Context<Self>) {
        ctx.link(&other);
    }

    /// Links to `other` `times` times over.
    #[handler]
    fn join_again(&mut self, other: ActorRef<Peer>, times: u32, ctx: &mut Context<Self>) {
        for _ in 0..times {
            ctx.link(&other);
        }
    }

    #[handler]
    fn bump(&mut self) -> u32 {
        self.handled += 1;
        self.handled
    }

    #[handler]
    fn crash(&mut self) {
        panic!("peer down");
    }
}

/// An actor that has failed (panicked) and stopped.
async fn failed_peer() -> ActorRef<Peer> {
    let dead = Peer::default().spawn();
    assert_eq!(dead.crash().await, Err(AskError::Panicked));
    dead.wait_for_stop().await;
    dead
}

#[tokio::test(flavor = "current_thread")]
async fn linking_to_a_stopped_actor_acts_at_once_on_a_failure_only() {
    // A normal stop never propagates: linking to such an actor does nothing.
    let normal = Peer::default().spawn();
    normal.stop();
    assert!(normal.wait_for_stop().await.is_normal());
    let a = Peer::default().spawn();
    a.tell(Join { other: normal }).await.unwrap();
    assert_eq!(a.bump().await, Ok(1));

    // A failure does, at once: queued together, `a` handles `join`, then
    // must not handle `bump`.
    let dead = failed_peer().await;
    a.tell(Join {
        other: dead.clone(),
    })
    .await
    .unwrap();
    assert_eq!(
        a.bump().await,
        Err(AskError::Stopped),
        "the link to a failed actor should stop this one before its next message"
    );
    match a.wait_for_stop().await {
        StopReason::Linked { peer } => assert_eq!(peer, dead.id()),
        other => panic!("expected Linked, got {other}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn relinking_a_pair_spawns_no_task() {
    let (a, b) = (Peer::default().spawn(), Peer::default().spawn());
    let metrics = Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    a.join_again(b.clone(), 10_000).await.unwrap();
    b.join_again(a.clone(), 10_000).await.unwrap();
    let after = metrics.num_alive_tasks();
    assert_eq!(
        after,
        before,
        "20,000 links of one pair left {} tasks behind",
        after - before
    );

    // Still linked, once: a failure of one takes the other down.
    assert_eq!(b.crash().await, Err(AskError::Panicked));
    match a.wait_for_stop().await {
        StopReason::Linked { peer } => assert_eq!(peer, b.id()),
        other => panic!("expected Linked, got {other}"),
    }
}
