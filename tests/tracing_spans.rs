//! One `tracing` span per handled message: named `Actor::handler`, with
//! the actor as fields, entered around sync and async handlers, parented
//! to the sender's span across actors, and never nesting without bound
//! (kameo#346: self-sends; two actors messaging each other).

#[path = "common/record.rs"]
mod record;

use std::time::Duration;

use record::Recorder;
use typact::prelude::*;

#[derive(Default)]
struct Counter {
    n: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) -> u64 {
        tracing::info!(by, "adding");
        self.n += by;
        self.n
    }

    #[handler]
    async fn slow_add(&mut self, by: u64) -> u64 {
        tokio::task::yield_now().await;
        tracing::info!(by, "adding slowly");
        self.n += by;
        self.n
    }
}

struct Front {
    counter: ActorRef<Counter>,
}

#[actor]
impl Front {
    #[handler]
    async fn relay(&mut self, by: u64) -> u64 {
        self.counter.add(by).await.unwrap()
    }

    #[handler]
    fn pass_on(&mut self, by: u64) {
        self.counter.try_tell(Add { by }).unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn each_handled_message_has_a_span_named_after_actor_and_handler() {
    let (rec, _guard) = Recorder::install();
    let counter = Counter::default().builder().name("hits").spawn();
    for by in 1..=3 {
        counter.add(by).await.unwrap();
    }
    let spans = rec.spans("Counter::add");
    assert_eq!(spans.len(), 3);
    for span in &spans {
        assert_eq!(span.fields["actor.id"], counter.id().as_u64().to_string());
        assert!(
            span.fields["actor"].contains("Counter(hits)"),
            "{:?}",
            span.fields
        );
        assert_eq!(span.fields["ask"], "true");
    }
    // The handler's own event is inside its message's span.
    let adding = rec.events("adding");
    assert_eq!(adding.len(), 3);
    for (event, span) in adding.iter().zip(&spans) {
        assert_eq!(event.span, Some(span.id));
    }
    // The closing event carries the handling time.
    let handled = rec.events("message handled");
    assert_eq!(handled.len(), 3);
    assert!(handled[0].fields.contains_key("took_us"));
}

#[tokio::test(flavor = "current_thread")]
async fn an_async_handler_is_inside_its_span_across_awaits() {
    let (rec, _guard) = Recorder::install();
    let counter = Counter::default().spawn();
    counter.slow_add(5).await.unwrap();
    let spans = rec.spans("Counter::slow_add");
    assert_eq!(spans.len(), 1);
    let events = rec.events("adding slowly");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].span, Some(spans[0].id));
}

#[tokio::test(flavor = "current_thread")]
async fn the_senders_span_is_the_parent_across_actors() {
    let (rec, _guard) = Recorder::install();
    let counter = Counter::default().spawn();
    let front = Front {
        counter: counter.clone(),
    }
    .spawn();
    let request = tracing::info_span!("request");
    {
        let _entered = request.enter();
        // Sent inside the request's span: the ask, then a tell.
        let ask = front.relay(2);
        let tell = front.tell(PassOn { by: 3 });
        drop(_entered);
        ask.await.unwrap();
        tell.await.unwrap();
    }
    counter.add(0).await.unwrap();
    let request_id = rec.spans("request")[0].id;
    let relay = &rec.spans("Front::relay")[0];
    assert_eq!(relay.parent, Some(request_id));
    let pass_on = &rec.spans("Front::pass_on")[0];
    assert_eq!(pass_on.parent, Some(request_id));
    let adds = rec.spans("Counter::add");
    // The ask from Front's async handler, the tell from its sync one, and
    // the last ask from the test, outside any span.
    assert_eq!(adds.len(), 3);
    assert_eq!(adds[0].parent, Some(relay.id));
    assert_eq!(adds[1].parent, Some(pass_on.id));
    assert_eq!(adds[2].parent, None);
    assert_eq!(rec.depth(adds[0].id), 2);
}

struct Looper {
    left: u32,
}

#[actor]
impl Looper {
    #[handler]
    fn step(&mut self, ctx: &mut Context<Self>) {
        if self.left > 0 {
            self.left -= 1;
            ctx.myself().try_tell(Step).unwrap();
        } else {
            ctx.stop();
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn self_sends_follow_from_instead_of_nesting() {
    let (rec, _guard) = Recorder::install();
    let looper = Looper { left: 200 }.spawn();
    let root = tracing::info_span!("kick");
    root.in_scope(|| looper.try_tell(Step).unwrap());
    looper.wait_for_stop().await;
    let steps = rec.spans("Looper::step");
    assert_eq!(steps.len(), 201);
    // The first is the kick's child; each later one a root linked to the
    // one before.
    assert_eq!(steps[0].parent, Some(rec.spans("kick")[0].id));
    for pair in steps.windows(2) {
        assert_eq!(pair[1].parent, None, "a self-send must not nest");
        assert_eq!(pair[1].follows, vec![pair[0].id]);
    }
}

struct Pinger {
    peer: Option<ActorRef<Pinger>>,
    left: u32,
}

#[actor]
impl Pinger {
    #[handler]
    fn meet(&mut self, peer: ActorRef<Pinger>) {
        self.peer = Some(peer);
    }

    #[handler]
    fn ball(&mut self, ctx: &mut Context<Self>) {
        if self.left == 0 {
            ctx.stop();
            if let Some(peer) = self.peer.take() {
                peer.stop();
            }
            return;
        }
        self.left -= 1;
        if let Some(peer) = &self.peer {
            peer.try_tell(Ball).unwrap();
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn two_actors_messaging_each_other_nest_at_most_max_depth() {
    let (rec, _guard) = Recorder::install();
    let a = Pinger {
        peer: None,
        left: 100,
    }
    .spawn();
    let b = Pinger {
        peer: None,
        left: 100,
    }
    .spawn();
    a.meet(b.clone()).await.unwrap();
    b.meet(a.clone()).await.unwrap();
    a.tell(Ball).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), a.wait_for_stop())
        .await
        .expect("the rally ends");
    let balls = rec.spans("Pinger::ball");
    assert!(balls.len() > 100);
    let deepest = balls.iter().map(|s| rec.depth(s.id)).max().unwrap();
    assert!(deepest <= 32, "nesting must be bounded, got {deepest}");
    // Past the bound, a span starts a new tree linked to its sender.
    assert!(
        balls
            .iter()
            .any(|s| s.parent.is_none() && !s.follows.is_empty())
    );
}

#[tokio::test(flavor = "current_thread")]
async fn lifecycle_events_name_the_actor() {
    let (rec, _guard) = Recorder::install();
    let counter = Counter::default().builder().name("life").spawn();
    counter.add(1).await.unwrap();
    counter.stop();
    counter.wait_for_stop().await;
    let started = rec.events("actor started");
    assert!(
        started
            .iter()
            .any(|e| e.fields["actor"].contains("Counter(life)"))
    );
    let stopped = rec.events("actor stopped");
    assert!(
        stopped
            .iter()
            .any(|e| e.fields["actor"].contains("Counter(life)"))
    );
}
