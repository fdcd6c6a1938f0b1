//! Supervision: restarts behind stable references, strategies, intensity,
//! backoff, nesting, dynamic children, watches and links.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use typact::prelude::*;
use typact::{Backoff, Restart, Strategy, Supervisor, SupervisorError};

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Worker {
    name: &'static str,
    log: Log,
    handled: u32,
}

impl Worker {
    fn factory(
        name: &'static str,
        log: &Log,
        starts: &Arc<AtomicU32>,
    ) -> impl FnMut() -> Worker + Send + 'static {
        let log = log.clone();
        let starts = starts.clone();
        move || {
            starts.fetch_add(1, Ordering::SeqCst);
            Worker {
                name,
                log: log.clone(),
                handled: 0,
            }
        }
    }
}

#[actor]
impl Worker {
    #[on_start]
    fn start(&mut self) {
        self.log.push(format!("{} start", self.name));
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.log.push(format!("{} stop: {reason}", self.name));
    }

    #[handler]
    fn work(&mut self) -> u32 {
        self.handled += 1;
        self.handled
    }

    #[handler]
    fn crash(&mut self) -> u32 {
        panic!("{} crashed", self.name)
    }

    #[handler]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

#[tokio::test]
async fn one_for_one_restarts_behind_the_same_ref() {
    let log = Log::default();
    let starts = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder().backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &starts)).add();
    let b = sup
        .child(Worker::factory("b", &log, &Arc::new(AtomicU32::new(0))))
        .add();
    let sup = sup.spawn().await.unwrap();
    let id = a.id();

    assert_eq!(a.work().await, Ok(1));
    assert_eq!(a.work().await, Ok(2));
    assert_eq!(b.work().await, Ok(1));
    assert_eq!(a.crash().await, Err(AskError::Panicked));
    assert_eq!(a.work().await, Ok(1), "fresh state after the restart");
    assert_eq!(a.id(), id);
    assert_eq!(b.work().await, Ok(2), "the sibling was not restarted");
    assert_eq!(starts.load(Ordering::SeqCst), 2);

    sup.stop();
    assert!(sup.wait_for_stop().await.is_normal());
    assert!(a.wait_for_stop().await.is_normal());
    assert!(!b.is_alive());
    let log = log.get();
    // Children stop in reverse order.
    let pos = |s: &str| log.iter().rposition(|e| e.starts_with(s)).unwrap();
    assert!(pos("b stop") < pos("a stop"), "{log:?}");
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_fails_the_supervisor() {
    let log = Log::default();
    let starts = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder()
        .intensity(2, Duration::from_secs(10))
        .backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &starts)).add();
    let sup = sup.spawn().await.unwrap();
    for _ in 0..3 {
        assert_eq!(a.crash().await, Err(AskError::Panicked));
    }
    match sup.wait_for_stop().await {
        StopReason::Failed(err) => {
            let err = err
                .downcast_ref::<SupervisorError>()
                .expect("a SupervisorError");
            assert!(
                matches!(err, SupervisorError::IntensityExceeded { restarts: 2, .. }),
                "{err}"
            );
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    // The child whose crash exhausted the intensity keeps that crash as its
    // reason.
    assert!(matches!(a.wait_for_stop().await, StopReason::Panicked(_)));
    assert_eq!(a.work().await, Err(AskError::Stopped));
}

#[tokio::test]
async fn dynamic_children() {
    let log = Log::default();
    let sup = Supervisor::builder()
        .backoff(Backoff::none())
        .spawn()
        .await
        .unwrap();
    let starts = Arc::new(AtomicU32::new(0));
    let w = sup
        .child(Worker::factory("dyn", &log, &starts))
        .restart(Restart::Transient)
        .start()
        .await
        .unwrap();
    assert_eq!(w.work().await, Ok(1));
    assert_eq!(sup.children().await.unwrap(), vec![w.id()]);
    assert_eq!(w.crash().await, Err(AskError::Panicked));
    assert_eq!(w.work().await, Ok(1));
    w.quit().await.unwrap();
    assert!(w.wait_for_stop().await.is_normal());
    assert!(sup.children().await.unwrap().is_empty());
}

#[tokio::test]
async fn one_for_all_restarts_everyone() {
    let log = Log::default();
    let (sa, sb, sc) = (
        Arc::new(AtomicU32::new(0)),
        Arc::new(AtomicU32::new(0)),
        Arc::new(AtomicU32::new(0)),
    );
    let sup = Supervisor::builder()
        .strategy(Strategy::OneForAll)
        .backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &sa)).add();
    let b = sup.child(Worker::factory("b", &log, &sb)).add();
    let c = sup
        .child(Worker::factory("c", &log, &sc))
        .restart(Restart::Temporary)
        .add();
    let _sup = sup.spawn().await.unwrap();
    assert_eq!(a.work().await, Ok(1));
    assert_eq!(c.work().await, Ok(1));
    assert_eq!(b.crash().await, Err(AskError::Panicked));
    assert_eq!(a.work().await, Ok(1));
    assert_eq!(b.work().await, Ok(1));
    assert_eq!(
        c.work().await,
        Err(AskError::Stopped),
        "temporary children are not restarted"
    );
    assert_eq!(
        (
            sa.load(Ordering::SeqCst),
            sb.load(Ordering::SeqCst),
            sc.load(Ordering::SeqCst)
        ),
        (2, 2, 1)
    );
}

mod restart_hooks {
    use super::*;

    struct Hooked {
        log: Log,
    }

    #[actor]
    impl Hooked {
        #[before_restart]
        fn before(&mut self, reason: &StopReason) {
            self.log.push(format!("before_restart: {reason}"));
        }

        #[after_restart]
        async fn after(&mut self, reason: &StopReason, ctx: &mut Context<Self>) {
            let _ = ctx.id();
            self.log.push(format!("after_restart: {reason}"));
        }

        #[on_stop]
        fn stopped(&mut self) {
            self.log.push("on_stop");
        }

        #[handler]
        fn crash(&mut self) {
            panic!("boom")
        }

        #[handler]
        fn ping(&self) {}
    }

    #[tokio::test]
    async fn restart_hooks_run_around_a_restart() {
        let log = Log::default();
        let sup = Supervisor::builder().backoff(Backoff::none());
        let factory_log = log.clone();
        let h = sup
            .child(move || Hooked {
                log: factory_log.clone(),
            })
            .add();
        let sup = sup.spawn().await.unwrap();
        h.ping().await.unwrap();
        assert!(
            log.get().is_empty(),
            "no hook runs on a first start: {:?}",
            log.get()
        );
        assert_eq!(h.crash().await, Err(AskError::Panicked));
        h.ping().await.unwrap();
        assert_eq!(
            log.get(),
            vec![
                "before_restart: panicked: boom",
                "after_restart: panicked: boom"
            ],
            "`before_restart` replaces `on_stop` on the old instance; `after_restart` runs on the new one"
        );
        sup.stop();
        sup.wait_for_stop().await;
        assert_eq!(log.get().last().map(String::as_str), Some("on_stop"));
    }
}

#[derive(Default)]
struct Watcher {
    seen: Vec<(ActorId, String)>,
}

#[actor]
impl Watcher {
    #[handler]
    fn follow(&mut self, target: ActorRef<Worker>, ctx: &mut Context<Self>) {
        ctx.watch(&target);
    }

    #[handler(message)]
    fn down(&mut self, t: Terminated) {
        self.seen.push((t.id, t.reason.to_string()));
    }

    #[handler]
    fn seen(&self) -> Vec<(ActorId, String)> {
        self.seen.clone()
    }
}

/// Lets the watch tasks run and deliver.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn watch_fires_once_when_the_actor_stops_for_good_not_on_restarts() {
    let log = Log::default();
    let starts = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder().backoff(Backoff::none());
    let w = sup.child(Worker::factory("w", &log, &starts)).add();
    let sup = sup.spawn().await.unwrap();
    let watcher = Watcher::default().spawn();
    watcher.follow(w.clone()).await.unwrap();

    assert_eq!(w.crash().await, Err(AskError::Panicked));
    assert_eq!(w.work().await, Ok(1));
    settle().await;
    assert!(
        watcher.seen().await.unwrap().is_empty(),
        "a restart is not a stop"
    );

    sup.stop();
    w.wait_for_stop().await;
    settle().await;
    assert_eq!(
        watcher.seen().await.unwrap(),
        vec![(w.id(), "stopped normally".to_owned())]
    );

    // Watching an actor that is already gone delivers at once, once.
    watcher.follow(w.clone()).await.unwrap();
    settle().await;
    assert_eq!(watcher.seen().await.unwrap().len(), 2);
    settle().await;
    assert_eq!(watcher.seen().await.unwrap().len(), 2);
}

mod links {
    use super::*;

    #[derive(Default)]
    struct Peer;

    #[actor]
    impl Peer {
        #[handler]
        fn join(&mut self, other: ActorRef<Peer>, ctx: &mut Context<Self>) {
            ctx.link(&other);
        }

        #[handler]
        fn crash(&mut self) {
            panic!("peer down")
        }

        #[handler]
        fn fail_with(&mut self, why: String, ctx: &mut Context<Self>) {
            ctx.fail(why);
        }

        #[handler]
        fn quit(&mut self, ctx: &mut Context<Self>) {
            ctx.stop();
        }
    }

    #[tokio::test]
    async fn links_propagate_failures_both_ways_but_not_normal_stops() {
        // A panic on either side takes the other down.
        for crash_first in [true, false] {
            let (a, b) = (Peer.spawn(), Peer.spawn());
            a.join(b.clone()).await.unwrap();
            let (failing, other) = if crash_first { (&a, &b) } else { (&b, &a) };
            assert_eq!(failing.crash().await, Err(AskError::Panicked));
            assert!(matches!(
                failing.wait_for_stop().await,
                StopReason::Panicked(_)
            ));
            match other.wait_for_stop().await {
                StopReason::Linked { peer } => assert_eq!(peer, failing.id()),
                other => panic!("expected Linked, got {other:?}"),
            }
        }

        // `Context::fail` is a failure too.
        let (a, b) = (Peer.spawn(), Peer.spawn());
        b.join(a.clone()).await.unwrap();
        a.fail_with("disk full".to_owned()).await.unwrap();
        assert_eq!(a.wait_for_stop().await.to_string(), "failed: disk full");
        assert!(matches!(b.wait_for_stop().await, StopReason::Linked { .. }));

        // A normal stop is not.
        let (a, b) = (Peer.spawn(), Peer.spawn());
        a.join(b.clone()).await.unwrap();
        a.quit().await.unwrap();
        assert!(a.wait_for_stop().await.is_normal());
        settle().await;
        assert!(b.is_alive());
        b.quit().await.unwrap();
        assert!(b.wait_for_stop().await.is_normal());
    }
}

#[tokio::test]
async fn a_killed_child_is_restarted_behind_its_reference() {
    let log = Log::default();
    let starts = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder().backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &starts)).add();
    let _sup = sup.spawn().await.unwrap();
    assert_eq!(a.work().await, Ok(1));
    a.kill();
    // The ask waits in the mailbox for the restarted instance.
    assert_eq!(a.work().await, Ok(1), "fresh state after the kill");
    assert_eq!(starts.load(Ordering::SeqCst), 2);
    assert!(a.is_alive());
}
