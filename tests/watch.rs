//! Watches: a cancelled watch takes back its queued message (`cancel`,
//! `unwatch`), and `watch_with` delivers a message of the watcher's choosing.
//!
//! Each test holds the watcher in a handler while the watched actor stops,
//! so that the notification is already queued behind that handler when the
//! watch is cancelled: the case a cancel must still cover.

use tokio::sync::oneshot;
use typact::TimerHandle;
use typact::prelude::*;

#[derive(Default)]
struct Worker;

#[actor]
impl Worker {
    #[handler]
    fn work(&self) {}
}

/// What a watcher has seen: `Terminated` notes and `watch_with` messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Heard {
    terminated: Vec<ActorId>,
    named: Vec<String>,
}

#[derive(Default)]
struct Watcher {
    seen: Heard,
}

#[actor]
impl Watcher {
    #[handler]
    fn follow(&mut self, target: ActorRef<Worker>, ctx: &mut Context<Self>) -> TimerHandle {
        ctx.watch(&target)
    }

    #[handler]
    fn follow_as(
        &mut self,
        target: ActorRef<Worker>,
        name: String,
        ctx: &mut Context<Self>,
    ) -> TimerHandle {
        ctx.watch_with(&target, Gone { name })
    }

    /// Watches `target` with a message of an `async` handler.
    #[handler]
    fn follow_later(
        &mut self,
        target: ActorRef<Worker>,
        name: String,
        ctx: &mut Context<Self>,
    ) -> TimerHandle {
        ctx.watch_with(&target, GoneLater { name })
    }

    /// Parks the watcher until `release`, then unwatches `target`.
    #[handler]
    async fn hold_then_unwatch(
        &mut self,
        release: oneshot::Receiver<()>,
        target: ActorRef<Worker>,
        ctx: &mut Context<Self>,
    ) {
        let _ = release.await;
        ctx.unwatch(&target);
    }

    /// Parks the watcher until `release`.
    #[handler]
    async fn hold(&mut self, release: oneshot::Receiver<()>) {
        let _ = release.await;
    }

    #[handler(message)]
    fn down(&mut self, t: Terminated) {
        self.seen.terminated.push(t.id);
    }

    #[handler]
    fn gone(&mut self, name: String) {
        self.seen.named.push(name);
    }

    #[handler]
    async fn gone_later(&mut self, name: String) {
        tokio::task::yield_now().await;
        self.seen.named.push(name);
    }

    #[handler]
    fn seen(&self) -> Heard {
        self.seen.clone()
    }
}

/// Stops `worker` and waits until every watch in `watches` has sent its
/// message (a watch's task ends once its message is in the mailbox).
async fn stop_and_deliver(worker: &ActorRef<Worker>, watches: &[&TimerHandle]) {
    worker.stop();
    worker.wait_for_stop().await;
    while !watches.iter().all(|w| w.is_finished()) {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn cancelling_a_watch_takes_back_its_queued_terminated() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher.follow(worker.clone()).await.unwrap();

    let (release, gate) = oneshot::channel();
    watcher.tell(Hold { release: gate }).await.unwrap();
    stop_and_deliver(&worker, &[&watch]).await;
    // `Terminated` is queued behind `hold`; the cancel must still reach it.
    watch.cancel();
    release.send(()).unwrap();

    assert_eq!(
        watcher.seen().await.unwrap(),
        Heard::default(),
        "a cancelled watch's `Terminated` was handled"
    );
}

#[tokio::test]
async fn cancelling_one_of_two_watches_keeps_the_other() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let first = watcher.follow(worker.clone()).await.unwrap();
    let second = watcher.follow(worker.clone()).await.unwrap();

    let (release, gate) = oneshot::channel();
    watcher.tell(Hold { release: gate }).await.unwrap();
    stop_and_deliver(&worker, &[&first, &second]).await;
    first.cancel();
    release.send(()).unwrap();

    assert_eq!(
        watcher.seen().await.unwrap().terminated,
        [worker.id()],
        "exactly the watch left on should have been heard from"
    );
}

#[tokio::test]
async fn unwatch_takes_back_a_queued_terminated() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher.follow(worker.clone()).await.unwrap();

    let (release, gate) = oneshot::channel();
    watcher
        .tell(HoldThenUnwatch {
            release: gate,
            target: worker.clone(),
        })
        .await
        .unwrap();
    stop_and_deliver(&worker, &[&watch]).await;
    release.send(()).unwrap();

    assert_eq!(
        watcher.seen().await.unwrap(),
        Heard::default(),
        "`Terminated` was handled after `unwatch`"
    );
}

#[tokio::test]
async fn unwatch_ends_a_watch_before_the_stop() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher.follow(worker.clone()).await.unwrap();
    let (release, gate) = oneshot::channel();
    watcher
        .tell(HoldThenUnwatch {
            release: gate,
            target: worker.clone(),
        })
        .await
        .unwrap();
    release.send(()).unwrap();
    watcher.seen().await.unwrap();
    assert!(watch.is_finished(), "unwatch should end the watch's task");

    worker.stop();
    worker.wait_for_stop().await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(watcher.seen().await.unwrap(), Heard::default());
}

#[tokio::test]
async fn watch_with_delivers_the_watchers_message_once() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher
        .follow_as(worker.clone(), "worker-1".into())
        .await
        .unwrap();
    stop_and_deliver(&worker, &[&watch]).await;

    assert_eq!(
        watcher.seen().await.unwrap(),
        Heard {
            terminated: vec![],
            named: vec!["worker-1".into()],
        },
        "`watch_with` should deliver its own message, and no `Terminated`"
    );
}

#[tokio::test]
async fn watch_with_reaches_an_async_handler() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher
        .follow_later(worker.clone(), "worker-2".into())
        .await
        .unwrap();
    stop_and_deliver(&worker, &[&watch]).await;
    assert_eq!(watcher.seen().await.unwrap().named, ["worker-2"]);
}

#[tokio::test]
async fn watch_with_on_a_stopped_actor_delivers_at_once() {
    let worker = Worker.spawn();
    worker.stop();
    worker.wait_for_stop().await;
    let watcher = Watcher::default().spawn();
    let watch = watcher
        .follow_as(worker.clone(), "late".into())
        .await
        .unwrap();
    while !watch.is_finished() {
        tokio::task::yield_now().await;
    }
    assert_eq!(watcher.seen().await.unwrap().named, ["late"]);
}

#[tokio::test]
async fn cancelling_a_watch_with_takes_back_its_queued_message() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher
        .follow_as(worker.clone(), "worker-1".into())
        .await
        .unwrap();

    let (release, gate) = oneshot::channel();
    watcher.tell(Hold { release: gate }).await.unwrap();
    stop_and_deliver(&worker, &[&watch]).await;
    watch.cancel();
    release.send(()).unwrap();

    assert_eq!(watcher.seen().await.unwrap(), Heard::default());
}

#[tokio::test]
async fn a_flushed_watch_message_is_not_a_dead_letter() {
    let worker = Worker.spawn();
    let watcher = Watcher::default().spawn();
    let watch = watcher.follow(worker.clone()).await.unwrap();

    let (release, gate) = oneshot::channel();
    watcher.tell(Hold { release: gate }).await.unwrap();
    stop_and_deliver(&worker, &[&watch]).await;
    watch.cancel();
    // Stopped with the cancelled `Terminated` still queued.
    watcher.stop();
    release.send(()).unwrap();
    watcher.wait_for_stop().await;
    assert_eq!(watcher.dead_letters(), 0);
}
