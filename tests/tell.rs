//! A tell cannot be dropped by accident (issue 13, point 8): `tell`
//! enqueues at the call when the mailbox has room, and the returned `Tell`
//! only waits for room; a `Tell` dropped while the mailbox is full counts
//! its message as a dead letter.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

// `let _ = tell(..)` is the very mistake these tests make on purpose;
// clippy's `let_underscore_future` flags it in user code.
#[tokio::test]
#[allow(clippy::let_underscore_future)]
async fn a_tell_that_is_never_awaited_is_still_sent() {
    let counter = Counter::default().spawn();
    let _ = counter.tell(Add { by: 1 });
    drop(counter.tell(Add { by: 2 }));
    assert_eq!(counter.get().await.unwrap(), 3);
    assert_eq!(counter.dead_letters(), 0);
}

/// The same for a generated client method (an ask): made and dropped
/// unawaited, it is still sent when the mailbox has room; only its reply is
/// lost.
#[tokio::test]
#[allow(clippy::let_underscore_future)]
async fn a_client_method_that_is_never_awaited_is_still_sent() {
    let counter = Counter::default().spawn();
    let _ = counter.add(1);
    drop(counter.add(2));
    assert_eq!(counter.get().await.unwrap(), 3);
}

#[tokio::test]
async fn a_tell_is_in_the_mailbox_before_it_is_awaited() {
    let counter = Counter::default().spawn();
    let first = counter.tell(Add { by: 1 });
    let second = counter.tell(Add { by: 10 });
    // Awaited in the other order: the messages went in at the calls.
    second.await.unwrap();
    first.await.unwrap();
    assert_eq!(counter.get().await.unwrap(), 11);
}

#[tokio::test]
async fn a_tell_to_a_stopped_actor_is_refused_at_once() {
    let counter = Counter::default().spawn();
    counter.stop();
    counter.wait_for_stop().await;
    let tell = counter.tell(Add { by: 4 });
    let err = tell.await.unwrap_err();
    assert_eq!(err.into_inner().by, 4);
}

/// Handles one message at a time, each only once a permit is released.
struct Gate {
    open: Arc<Semaphore>,
    seen: u32,
}

#[actor]
impl Gate {
    #[handler]
    async fn pass(&mut self) {
        self.open.acquire().await.unwrap().forget();
        self.seen += 1;
    }

    #[handler]
    fn seen(&self) -> u32 {
        self.seen
    }
}

#[tokio::test]
#[allow(clippy::let_underscore_future)]
async fn a_tell_dropped_while_the_mailbox_is_full_is_a_dead_letter() {
    let open = Arc::new(Semaphore::new(0));
    let gate = Gate {
        open: open.clone(),
        seen: 0,
    }
    .builder()
    .capacity(1)
    .spawn();
    // The first message holds the actor, the second fills the mailbox.
    gate.tell(Pass).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    gate.tell(Pass).await.unwrap();

    let _ = gate.tell(Pass); // full: not sent, and counted
    assert_eq!(gate.dead_letters(), 1);

    // A tell that waits for room gets in once there is some.
    let waiting = gate.tell(Pass);
    open.add_permits(1);
    waiting.await.unwrap();
    open.add_permits(10);
    assert_eq!(gate.seen().await.unwrap(), 3);
    assert_eq!(gate.dead_letters(), 1);
}
