//! Streams and tasks owned by an actor: their items and results come back
//! as messages, in order, at the mailbox's pace, and they end with the
//! actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use tokio::sync::oneshot;
use typact::prelude::*;
use typact::testkit::within;

/// Records what its stream and tasks send it.
#[derive(Default)]
struct Sink {
    items: Vec<u64>,
    ended: bool,
    results: Vec<String>,
    /// Items the stream has yielded so far, counted by the stream itself.
    pulled: Arc<AtomicU64>,
    /// The most items the stream was ever ahead of the handler.
    max_ahead: u64,
}

#[actor]
impl Sink {
    #[handler]
    fn feed(&mut self, n: u64, ctx: &mut Context<Self>) {
        let pulled = self.pulled.clone();
        let items = stream::iter(0..n).map(move |i| {
            pulled.fetch_add(1, Ordering::SeqCst);
            Item { i }
        });
        ctx.attach_stream(items, End);
    }

    #[handler]
    fn feed_forever(&mut self, guard: oneshot::Sender<()>, ctx: &mut Context<Self>) {
        // Never ends; holds `guard` until the stream is dropped.
        let forever = stream::unfold(guard, |guard| async move {
            tokio::task::yield_now().await;
            Some((Item { i: 0 }, guard))
        });
        ctx.attach_stream(forever, End);
    }

    #[handler]
    fn item(&mut self, i: u64) {
        self.items.push(i);
        let ahead = self.pulled.load(Ordering::SeqCst) - self.items.len() as u64;
        self.max_ahead = self.max_ahead.max(ahead);
    }

    #[handler]
    fn end(&mut self) {
        self.ended = true;
    }

    #[handler]
    fn work(&mut self, label: String, ctx: &mut Context<Self>) {
        ctx.spawn_task(async move {
            tokio::task::yield_now().await;
            Done {
                result: label.to_uppercase(),
            }
        });
    }

    #[handler]
    fn hang(&mut self, guard: oneshot::Sender<()>, ctx: &mut Context<Self>) {
        ctx.spawn_task(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
            Done {
                result: String::new(),
            }
        });
    }

    #[handler]
    fn done(&mut self, result: String) {
        self.results.push(result);
    }

    #[handler]
    fn report(&self) -> (Vec<u64>, bool, Vec<String>, u64) {
        (
            self.items.clone(),
            self.ended,
            self.results.clone(),
            self.max_ahead,
        )
    }
}

/// Asks `sink` for its report until `ready` accepts it.
async fn until(
    sink: &ActorRef<Sink>,
    ready: impl Fn(&(Vec<u64>, bool, Vec<String>, u64)) -> bool,
) -> (Vec<u64>, bool, Vec<String>, u64) {
    within(Duration::from_secs(10), async {
        loop {
            let report = sink.report().await.unwrap();
            if ready(&report) {
                return report;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the actor should have got there")
}

#[tokio::test]
async fn a_streams_items_arrive_in_order_then_its_end() {
    let sink = Sink::default().spawn();
    sink.feed(50).await.unwrap();
    let (items, ended, _, _) = until(&sink, |r| r.1).await;
    assert_eq!(items, (0..50).collect::<Vec<_>>());
    assert!(ended);
}

#[tokio::test]
async fn a_stream_runs_at_the_mailboxs_pace() {
    const CAPACITY: u64 = 4;
    let sink = Sink::default()
        .builder()
        .capacity(CAPACITY as usize)
        .spawn();
    sink.feed(500).await.unwrap();
    let (items, _, _, max_ahead) = until(&sink, |r| r.1).await;
    assert_eq!(items.len(), 500);
    // The feeder holds at most one item while it waits for room, and the
    // mailbox at most its bound (with the end message and the asks of
    // this test sharing it).
    assert!(
        max_ahead <= CAPACITY + 1,
        "the stream ran {max_ahead} items ahead of a mailbox of {CAPACITY}"
    );
}

#[tokio::test]
async fn a_tasks_result_comes_back_as_a_message() {
    let sink = Sink::default().spawn();
    sink.work("a".into()).await.unwrap();
    sink.work("b".into()).await.unwrap();
    let (_, _, mut results, _) = until(&sink, |r| r.2.len() == 2).await;
    results.sort();
    assert_eq!(results, ["A", "B"]);
}

#[tokio::test]
async fn a_feeder_and_a_task_end_with_their_actor() {
    let sink = Sink::default().spawn();
    let (stream_guard, stream_dropped) = oneshot::channel();
    let (task_guard, task_dropped) = oneshot::channel();
    sink.feed_forever(stream_guard).await.unwrap();
    sink.hang(task_guard).await.unwrap();
    sink.stop();
    sink.wait_for_stop().await;
    // Each guard is dropped with the stream or task that held it.
    let dropped = within(Duration::from_secs(10), async {
        (stream_dropped.await.is_err(), task_dropped.await.is_err())
    })
    .await;
    assert_eq!(dropped, Some((true, true)));
}

#[tokio::test(start_paused = true)]
async fn a_supervised_restart_ends_the_old_instances_feeder() {
    let builder = typact::Supervisor::builder();
    let sink: ActorRef<Sink> = builder.child(Sink::default).add();
    let _sup = builder.spawn().await.unwrap();
    let (guard, dropped) = oneshot::channel();
    sink.feed_forever(guard).await.unwrap();
    // Killed, the instance fails and its supervisor restarts it: the old
    // instance's feeder is gone, and the new instance answers.
    sink.kill();
    assert_eq!(
        within(Duration::from_secs(10), dropped)
            .await
            .map(|r| r.is_err()),
        Some(true)
    );
    let (_, ended, _, _) = until(&sink, |_| true).await;
    assert!(!ended);
}
