//! An ask is an owned future: it can be spawned, stored, joined and
//! returned, and it keeps its actor alive until it is sent.

use std::future::Future;
use std::time::Duration;

use tokio::sync::oneshot;
use typact::Ask;
use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) -> u64 {
        self.count += by;
        self.count
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }

    /// Parks the actor until `release` fires, so that its mailbox fills.
    #[handler]
    async fn hold(&mut self, release: oneshot::Receiver<()>) {
        let _ = release.await;
    }
}

/// Compiles only for a future that owns everything it needs.
fn owned<F: Future + Send + Unpin + 'static>(fut: F) -> F {
    fut
}

/// Returns an ask that outlives the reference it was made from.
fn fetch(counter: ActorRef<Counter>) -> Ask<Get, u64> {
    counter.ask(Get)
}

#[tokio::test]
async fn an_ask_can_be_spawned() {
    let counter = Counter::default().spawn();
    let task = tokio::spawn(owned(counter.ask(Add { by: 3 })));
    assert_eq!(task.await.unwrap(), Ok(3));
    let task = tokio::spawn(counter.add(4));
    assert_eq!(task.await.unwrap(), Ok(7));
}

#[tokio::test]
async fn asks_can_be_stored_and_joined() {
    let counter = Counter::default().spawn();
    let asks: Vec<Ask<Add, u64>> = (1..=4).map(|by| counter.ask(Add { by })).collect();
    let replies = futures_util::future::join_all(asks).await;
    // Joined asks are polled, and so sent, in order.
    assert_eq!(replies, vec![Ok(1), Ok(3), Ok(6), Ok(10)]);
}

#[tokio::test]
async fn an_ask_outlives_the_reference_it_was_made_from() {
    let counter = Counter::default().spawn();
    counter.add(5).await.unwrap();
    let ask = fetch(counter.clone());
    drop(counter);
    // The actor had no reference left but the unsent ask: had the ask not
    // counted as one, the idle actor would have stopped by now.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(ask.await, Ok(5));
}

#[tokio::test]
async fn a_recipients_ask_is_owned_too() {
    let counter = Counter::default().spawn();
    let recipient: Recipient<Add> = counter.recipient();
    let ask = owned(recipient.ask(Add { by: 2 }));
    drop(recipient);
    drop(counter);
    assert_eq!(tokio::spawn(ask).await.unwrap(), Ok(2));
}

#[tokio::test]
async fn a_spawned_ask_waits_for_room_in_a_full_mailbox() {
    let counter = Counter::default().builder().capacity(1).spawn();
    let (release, held) = oneshot::channel();
    counter.tell(Hold { release: held }).await.unwrap();
    // Fill the only place while the actor is held, so that the ask below
    // has to wait for room (the path that owns a boxed push).
    counter.tell(Add { by: 1 }).await.unwrap();
    let ask = tokio::spawn(counter.ask(Add { by: 10 }));
    tokio::task::yield_now().await;
    assert!(!ask.is_finished());
    release.send(()).unwrap();
    assert_eq!(ask.await.unwrap(), Ok(11));
}

#[tokio::test(start_paused = true)]
async fn a_spawned_ask_keeps_its_timeout() {
    let counter = Counter::default().spawn();
    let (_release, held) = oneshot::channel::<()>();
    counter.tell(Hold { release: held }).await.unwrap();
    let ask = tokio::spawn(counter.ask(Get).timeout(Duration::from_secs(1)));
    assert_eq!(ask.await.unwrap(), Err(AskError::Timeout));
}

#[tokio::test]
async fn an_ask_to_a_stopped_actor_fails_stopped() {
    let counter = Counter::default().spawn();
    counter.stop();
    counter.wait_for_stop().await;
    assert_eq!(
        tokio::spawn(counter.get()).await.unwrap(),
        Err(AskError::Stopped)
    );
}

/// An actor that asks itself, once by awaiting (a deadlock, refused) and
/// once through a spawned task (fine).
#[derive(Default)]
struct Selfish {
    count: u64,
}

#[actor]
impl Selfish {
    #[handler]
    fn bump(&mut self) -> u64 {
        self.count += 1;
        self.count
    }

    #[handler]
    async fn ask_and_wait(&mut self, ctx: &mut Context<Self>) -> Result<u64, AskError> {
        ctx.myself().bump().await
    }

    #[handler]
    fn ask_in_a_task(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> tokio::task::JoinHandle<Result<u64, AskError>> {
        tokio::spawn(ctx.myself().bump())
    }
}

#[tokio::test]
async fn a_self_ask_awaited_in_the_handler_fails_and_sends_nothing() {
    let actor = Selfish::default().spawn();
    assert_eq!(actor.ask_and_wait().await, Ok(Err(AskError::SelfAsk)));
    // Nothing was sent: the count is untouched.
    assert_eq!(actor.bump().await, Ok(1));
}

#[tokio::test]
async fn a_self_ask_moved_into_a_task_is_sent_there() {
    let actor = Selfish::default().spawn();
    let task = actor.ask_in_a_task().await.unwrap();
    assert_eq!(task.await.unwrap(), Ok(1));
}
