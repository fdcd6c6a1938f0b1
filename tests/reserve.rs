//! Waiting for mailbox space without losing the message: `reserve` and its
//! permits, and the trace a cancelled `tell` leaves (a dead letter).
//!
//! Each test fills a bounded mailbox while its actor is parked in a handler,
//! then polls a send once to see it wait.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use tokio::sync::oneshot;
use typact::ReserveError;
use typact::prelude::*;

#[derive(Default)]
struct Store {
    total: u64,
}

#[actor]
impl Store {
    #[handler]
    fn add(&mut self, by: u64) {
        self.total += by;
    }

    #[handler]
    fn total(&self) -> u64 {
        self.total
    }

    /// Signals `entered`, then waits for `release`.
    #[handler]
    async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }
}

/// A store with a mailbox of one place, parked in `hold`, its one place
/// taken by an `Add { by: 1 }`; send on the sender to let it go on.
async fn full_store() -> (ActorRef<Store>, oneshot::Sender<()>) {
    let store = Store::default().builder().capacity(1).spawn();
    let (entered, is_in) = oneshot::channel();
    let (release, gate) = oneshot::channel();
    store
        .tell(Hold {
            entered,
            release: gate,
        })
        .await
        .unwrap();
    is_in.await.unwrap();
    store.try_tell(Add { by: 1 }).unwrap();
    assert!(store.try_tell(Add { by: 1 }).unwrap_err().is_full());
    (store, release)
}

/// Polls `fut` once; whether it is still pending.
async fn pending_after_one_poll<F: Future>(fut: std::pin::Pin<&mut F>) -> bool {
    let mut fut = fut;
    poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_pending())).await
}

#[tokio::test(flavor = "current_thread")]
async fn a_tell_cancelled_while_waiting_for_space_is_a_dead_letter() {
    let (store, release) = full_store().await;
    assert_eq!(store.dead_letters(), 0, "the tells that found room");
    {
        let tell = pin!(store.tell(Add { by: 10 }));
        assert!(
            pending_after_one_poll(tell).await,
            "the mailbox should be full"
        );
    }
    assert_eq!(
        store.dead_letters(),
        1,
        "a tell dropped while it waited for space left no trace"
    );
    release.send(()).unwrap();
    assert_eq!(store.total().await.unwrap(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_recipient_tell_cancelled_while_waiting_for_space_is_a_dead_letter() {
    let (store, release) = full_store().await;
    let recipient: Recipient<Add> = store.recipient();
    {
        let tell = pin!(recipient.tell(Add { by: 10 }));
        assert!(
            pending_after_one_poll(tell).await,
            "the mailbox should be full"
        );
    }
    assert_eq!(store.dead_letters(), 1);
    release.send(()).unwrap();
    assert_eq!(store.total().await.unwrap(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn reserve_waits_for_room_then_sends_without_waiting() {
    let (store, release) = full_store().await;
    let mut reserve = pin!(store.reserve());
    assert!(pending_after_one_poll(reserve.as_mut()).await);
    release.send(()).unwrap();
    let permit = reserve.await.unwrap();
    permit.tell(Add { by: 10 }).unwrap();
    assert_eq!(store.total().await.unwrap(), 11);
}

#[tokio::test(flavor = "current_thread")]
async fn a_cancelled_reserve_loses_nothing() {
    let (store, release) = full_store().await;
    let msg = Add { by: 10 };
    {
        let reserve = pin!(store.reserve());
        assert!(pending_after_one_poll(reserve).await);
    }
    assert_eq!(store.dead_letters(), 0);
    release.send(()).unwrap();
    // The message never left our hands.
    store.tell(msg).await.unwrap();
    assert_eq!(store.total().await.unwrap(), 11);
}

#[tokio::test(flavor = "current_thread")]
async fn a_permit_holds_its_place_until_used_or_dropped() {
    let store = Store::default().builder().capacity(1).spawn();
    let permit = store.reserve().await.unwrap();
    assert!(store.try_tell(Add { by: 1 }).unwrap_err().is_full());
    drop(permit);
    store.try_tell(Add { by: 1 }).unwrap();
    assert_eq!(store.total().await.unwrap(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn reserve_fails_once_the_actor_has_stopped() {
    for store in [
        Store::default().builder().capacity(1).spawn(),
        Store::default().builder().unbounded().spawn(),
    ] {
        store.stop();
        store.wait_for_stop().await;
        assert_eq!(store.reserve().await.unwrap_err(), ReserveError);
        let recipient: Recipient<Add> = store.recipient();
        assert_eq!(recipient.reserve().await.unwrap_err(), ReserveError);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_permit_of_a_stopped_actor_hands_the_message_back() {
    let store = Store::default().builder().capacity(2).spawn();
    let permit = store.reserve().await.unwrap();
    store.stop();
    store.wait_for_stop().await;
    let err = permit.tell(Add { by: 7 }).unwrap_err();
    assert_eq!(err.into_inner().by, 7);
}

#[tokio::test(flavor = "current_thread")]
async fn a_recipient_reserves_and_sends_through_its_permit() {
    let (store, release) = full_store().await;
    let recipient: Recipient<Add> = store.recipient();
    let mut reserve = pin!(recipient.reserve());
    assert!(pending_after_one_poll(reserve.as_mut()).await);
    release.send(()).unwrap();
    reserve.await.unwrap().tell(Add { by: 5 }).unwrap();
    assert_eq!(store.total().await.unwrap(), 6);
}
