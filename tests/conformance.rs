//! Supervision conformance, after Erlang/OTP's `supervisor_SUITE` and Akka
//! Typed's `SupervisionSpec` and `WatchSpec`: what a supervisor promises in
//! every interleaving, and where its semantics follow the references.
//!
//! The tests that race run on the multi-thread runtime and loop; none
//! asserts a timing. An ask that would hang is bounded by `within`, which
//! fails the test instead.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use typact::prelude::*;
use typact::{
    Backoff, ChildKey, ChildState, Directive, Ignore, Restart, Supervisor, SupervisorError,
};

mod common;
use common::{quiet, within};

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

/// A child that crashes on request and records its hooks.
struct Crashy {
    log: Log,
    handled: u32,
}

impl Crashy {
    fn factory(log: &Log) -> impl FnMut() -> Crashy + Send + 'static {
        let log = log.clone();
        move || Crashy {
            log: log.clone(),
            handled: 0,
        }
    }
}

#[actor]
impl Crashy {
    #[on_start]
    fn start(&mut self) {
        self.log.push("start");
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.log.push(format!("on_stop: {reason}"));
    }

    #[before_restart]
    fn before(&mut self, reason: &StopReason) {
        self.log.push(format!("before_restart: {reason}"));
    }

    #[handler]
    fn work(&mut self) -> u32 {
        self.handled += 1;
        self.handled
    }

    #[handler]
    fn crash(&mut self) {
        panic!("crashed on purpose")
    }

    /// Crashes after a pause, so that messages sent meanwhile queue behind
    /// the failure.
    #[handler]
    async fn slow_crash(&mut self) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        panic!("crashed slowly on purpose")
    }
}

/// A supervisor of one `Crashy` child that gives up at its second failure:
/// intensity 1 in 5 s.
async fn fragile_pair(log: &Log) -> (ActorRef<Supervisor>, ActorRef<Crashy>) {
    let sup = Supervisor::builder()
        .intensity(1, Duration::from_secs(5))
        .backoff(Backoff::none());
    let child = sup.child(Crashy::factory(log)).add();
    (sup.spawn().await.unwrap(), child)
}

// ---------------------------------------------------------------------------
// Defects 1 and 2: what is queued when a supervisor gives up
// ---------------------------------------------------------------------------

/// Defect 1: three asks queued behind the failure that exhausts the
/// intensity all fail at once with `Stopped`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asks_queued_when_the_supervisor_gives_up_fail_with_stopped() {
    quiet();
    for round in 0..50 {
        let log = Log::default();
        let (sup, child) = fragile_pair(&log).await;
        assert_eq!(child.crash().await, Err(AskError::Panicked));
        // The failure that exhausts the intensity, queued first; the asks
        // queue behind it (one sender's messages keep their order).
        child.tell(SlowCrash).await.unwrap();
        let asks: Vec<_> = (0..3)
            .map(|_| {
                let child = child.clone();
                tokio::spawn(async move { child.work().await })
            })
            .collect();
        for ask in asks {
            let got = within("a queued ask", ask).await.unwrap();
            // An ask that reached the mailbox before the failure fails
            // `Stopped`; one that came after the stop is refused the same.
            assert_eq!(got, Err(AskError::Stopped), "round {round}");
        }
        within("the supervisor's stop", sup.wait_for_stop()).await;
    }
}

/// Defect 2: three tells queued in the same situation are counted as dead
/// letters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tells_queued_when_the_supervisor_gives_up_are_dead_letters() {
    quiet();
    for round in 0..50 {
        let log = Log::default();
        let (sup, child) = fragile_pair(&log).await;
        assert_eq!(child.crash().await, Err(AskError::Panicked));
        child.tell(SlowCrash).await.unwrap();
        let mut sent = 0;
        for _ in 0..3 {
            if child.tell(Work).await.is_ok() {
                sent += 1;
            }
        }
        within("the supervisor's stop", sup.wait_for_stop()).await;
        within("the child's stop", child.wait_for_stop()).await;
        assert_eq!(child.dead_letters(), sent, "round {round}");
    }
}

// ---------------------------------------------------------------------------
// Defect 3: a restarted inner supervisor restarts every grandchild
// ---------------------------------------------------------------------------

/// Defect 3: an outer supervisor restarts an inner one that gave up; every
/// grandchild of the new inner instance runs and answers. 2,000 rounds on
/// the multi-thread runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grandchildren_are_restarted_with_their_supervisor_every_time() {
    quiet();
    let log = Log::default();
    let outer = Supervisor::builder()
        .intensity(1_000_000, Duration::from_secs(1))
        .backoff(Backoff::none());
    let inner = Supervisor::builder()
        .intensity(0, Duration::from_secs(5))
        .backoff(Backoff::none());
    let first = inner.child(Crashy::factory(&log)).add();
    let second = inner.child(Crashy::factory(&log)).add();
    let third = inner.child(Crashy::factory(&log)).add();
    let _inner = outer.child(inner.into_factory()).add();
    let outer = outer.spawn().await.unwrap();
    for round in 0..2_000 {
        // Any failure makes the inner supervisor (intensity 0) give up; the
        // outer one restarts it, which starts all three again.
        let victim = [&first, &second, &third][round % 3];
        assert_eq!(
            within("the crash", victim.crash()).await,
            Err(AskError::Panicked),
            "round {round}"
        );
        for (i, child) in [&first, &second, &third].into_iter().enumerate() {
            let got = within("an ask after the restart", child.work()).await;
            assert!(got.is_ok(), "round {round}, grandchild {i}: {got:?}");
        }
    }
    outer.stop();
    within("the outer stop", outer.wait_for_stop()).await;
    for child in [&first, &second, &third] {
        assert!(!child.is_alive());
    }
}

// ---------------------------------------------------------------------------
// Defect 4: children declared after one that fails to start
// ---------------------------------------------------------------------------

struct Starter {
    fail: bool,
}

#[actor]
impl Starter {
    #[on_start]
    fn start(&mut self) -> Result<(), String> {
        if self.fail {
            Err("refused to start on purpose".into())
        } else {
            Ok(())
        }
    }

    #[handler]
    fn ping(&self) -> u32 {
        1
    }
}

#[derive(Default)]
struct Watcher {
    seen: Vec<(ActorId, StopReason)>,
}

#[actor]
impl Watcher {
    #[handler]
    fn follow(&mut self, target: ActorRef<Starter>, ctx: &mut Context<Self>) {
        ctx.watch(&target);
    }

    #[handler(message)]
    fn down(&mut self, t: Terminated) {
        self.seen.push((t.id, t.reason));
    }

    #[handler]
    fn seen(&self) -> Vec<(ActorId, StopReason)> {
        self.seen.clone()
    }
}

/// Defect 4: a, b, c where b fails to start: spawning fails, a is stopped,
/// and c ends at once with a reason that says it never started, seen by
/// `is_alive`, `wait_for_stop`, asks and a watcher.
#[tokio::test]
async fn children_after_one_that_fails_to_start_end_as_never_started() {
    let sup = Supervisor::builder();
    let a = sup.child(|| Starter { fail: false }).add();
    let b = sup.child(|| Starter { fail: true }).add();
    let c = sup.child(|| Starter { fail: false }).add();
    let watcher = Watcher::default().spawn();
    watcher.follow(c.clone()).await.unwrap();
    let err = sup.spawn().await.unwrap_err();
    assert!(matches!(err.reason(), StopReason::StartFailed(_)), "{err}");

    assert!(within("a's stop", a.wait_for_stop()).await.is_normal());
    assert!(matches!(
        within("b's stop", b.wait_for_stop()).await,
        StopReason::StartFailed(_)
    ));
    let reason = within("c's stop", c.wait_for_stop()).await;
    assert!(matches!(reason, StopReason::NotStarted), "{reason:?}");
    assert!(!c.is_alive());
    assert_eq!(c.ping().await, Err(AskError::Stopped));
    let seen = within("the watcher's Terminated", async {
        loop {
            let seen = watcher.seen().await.unwrap();
            if !seen.is_empty() {
                return seen;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, c.id());
    assert!(matches!(seen[0].1, StopReason::NotStarted));
}

// ---------------------------------------------------------------------------
// Semantics: the crash that exhausts the intensity, and the hooks
// ---------------------------------------------------------------------------

/// Akka's SupervisionSpec: with a restart limit of 2, a child failing three
/// times sees PreRestart, PreRestart, PostStop; its stop reason, for
/// `wait_for_stop` and for a watcher, is the last crash; the supervisor's
/// reason carries `IntensityExceeded`.
#[tokio::test]
async fn the_failure_that_exhausts_the_intensity_keeps_its_reason_and_runs_on_stop() {
    quiet();
    let log = Log::default();
    let sup = Supervisor::builder()
        .intensity(2, Duration::from_secs(5))
        .backoff(Backoff::none());
    let child = sup.child(Crashy::factory(&log)).add();
    let sup = sup.spawn().await.unwrap();
    let watcher = ChildWatcher::default().spawn();
    watcher.follow(child.clone()).await.unwrap();
    for _ in 0..3 {
        assert_eq!(child.crash().await, Err(AskError::Panicked));
    }
    let sup_reason = within("the supervisor's stop", sup.wait_for_stop()).await;
    let StopReason::Failed(err) = &sup_reason else {
        panic!("expected Failed, got {sup_reason:?}");
    };
    assert!(matches!(
        err.downcast_ref::<SupervisorError>(),
        Some(SupervisorError::IntensityExceeded { restarts: 2, .. })
    ));
    assert!(sup_reason.is_shutdown());
    let reason = within("the child's stop", child.wait_for_stop()).await;
    assert!(
        matches!(&reason, StopReason::Panicked(m) if m.contains("on purpose")),
        "{reason:?}"
    );
    let seen = within("the watcher's Terminated", wait_seen(&watcher, 1)).await;
    assert!(matches!(&seen[0].1, StopReason::Panicked(_)), "{seen:?}");
    let hooks: Vec<String> = log
        .get()
        .into_iter()
        .filter(|e| e != "start")
        .map(|e| e.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(hooks, ["before_restart", "before_restart", "on_stop"]);
}

/// Actors of the hook-order tests, in a module of their own so that their
/// messages do not clash with the ones above.
mod family {
    use super::*;

    pub(crate) type Kids = Arc<Mutex<Vec<ActorRef<Grandchild>>>>;

    /// A child that spawns a grandchild of its own with `ctx.spawn`.
    pub(crate) struct Parent {
        pub(crate) log: Log,
        /// Every grandchild spawned, held outside the instances so that
        /// none stops for want of references.
        pub(crate) kids: Kids,
    }

    #[actor]
    impl Parent {
        #[on_start]
        fn start(&mut self, ctx: &mut Context<Self>) {
            let kid = ctx.spawn(Grandchild {
                log: self.log.clone(),
            });
            self.kids.lock().unwrap().push(kid);
        }

        #[before_restart]
        fn before(&mut self) {
            self.log.push("parent before_restart");
        }

        #[on_stop]
        fn stopped(&mut self) {
            self.log.push("parent on_stop");
        }

        #[handler]
        pub(crate) fn crash(&mut self) {
            panic!("parent crashed on purpose")
        }

        #[handler]
        pub(crate) fn ping(&self) {}
    }

    pub(crate) struct Grandchild {
        pub(crate) log: Log,
    }

    #[actor]
    impl Grandchild {
        #[on_stop]
        fn stopped(&mut self) {
            self.log.push("grandchild on_stop");
        }

        #[handler]
        pub(crate) fn poke(&self) {}
    }
}
use family::{Kids, Parent};

/// Akka signals PreRestart before the failed actor's children are stopped,
/// and PostStop after.
#[tokio::test]
async fn before_restart_runs_before_the_children_stop_and_on_stop_after() {
    quiet();
    let log = Log::default();
    let kids = Kids::default();
    let sup = Supervisor::builder().backoff(Backoff::none());
    let parent = sup.child({
        let log = log.clone();
        let kids = kids.clone();
        move || Parent {
            log: log.clone(),
            kids: kids.clone(),
        }
    });
    let parent = parent.add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(parent.crash().await, Err(AskError::Panicked));
    parent.ping().await.unwrap();
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
    assert_eq!(
        log.get(),
        [
            "parent before_restart",
            "grandchild on_stop",
            "grandchild on_stop",
            "parent on_stop",
        ]
    );
}

/// With `stop_children_on_restart(false)` the grandchild spawned by the
/// first instance lives on into the next (Akka's `withStopChildren(false)`);
/// stopping the child for good stops it.
#[tokio::test]
async fn a_restart_can_keep_the_instance_children() {
    quiet();
    let log = Log::default();
    let kids = Kids::default();
    let sup = Supervisor::builder().backoff(Backoff::none());
    let parent = sup
        .child({
            let log = log.clone();
            let kids = kids.clone();
            move || Parent {
                log: log.clone(),
                kids: kids.clone(),
            }
        })
        .stop_children_on_restart(false)
        .add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(parent.crash().await, Err(AskError::Panicked));
    parent.ping().await.unwrap();
    assert_eq!(log.get(), ["parent before_restart"]);
    let first = kids.lock().unwrap()[0].clone();
    assert!(first.is_alive(), "the first instance's grandchild lives on");
    first.poke().await.unwrap();
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
    // Both grandchildren (the first instance's and the second's) stop now.
    assert_eq!(
        log.get(),
        [
            "parent before_restart",
            "grandchild on_stop",
            "grandchild on_stop",
            "parent on_stop",
        ]
    );
}

mod watching {
    use super::*;

    #[derive(Default)]
    pub(crate) struct ChildWatcher {
        seen: Vec<(ActorId, StopReason)>,
    }

    #[actor]
    impl ChildWatcher {
        #[handler]
        pub(crate) fn follow(&mut self, target: ActorRef<Crashy>, ctx: &mut Context<Self>) {
            ctx.watch(&target);
        }

        #[handler]
        pub(crate) fn follow_sup(&mut self, target: ActorRef<Supervisor>, ctx: &mut Context<Self>) {
            ctx.watch(&target);
        }

        #[handler(message)]
        fn down(&mut self, t: Terminated) {
            self.seen.push((t.id, t.reason));
        }

        #[handler]
        pub(crate) fn seen(&self) -> Vec<(ActorId, StopReason)> {
            self.seen.clone()
        }
    }
}
use watching::ChildWatcher;

/// Waits until `watcher` has seen `n` `Terminated` messages.
async fn wait_seen(watcher: &ActorRef<ChildWatcher>, n: usize) -> Vec<(ActorId, StopReason)> {
    loop {
        let seen = watcher.seen().await.unwrap();
        if seen.len() >= n {
            return seen;
        }
        tokio::task::yield_now().await;
    }
}

// ---------------------------------------------------------------------------
// Semantics: a supervisor that gives up ends like OTP's (`shutdown`)
// ---------------------------------------------------------------------------

/// An outer supervisor over an inner one that gives up: as a `Transient`
/// child, the inner one is not restarted (OTP's `shutdown` is not a
/// failure to a transient spec); as a `Permanent` one, it is. A watcher of
/// the inner supervisor still sees `IntensityExceeded`.
#[tokio::test]
async fn a_supervisor_that_gives_up_is_final_for_a_transient_spec_and_restarted_as_permanent() {
    quiet();
    for restart in [Restart::Transient, Restart::Permanent] {
        let log = Log::default();
        let outer = Supervisor::builder().backoff(Backoff::none());
        let inner = Supervisor::builder()
            .intensity(0, Duration::from_secs(5))
            .backoff(Backoff::none());
        let worker = inner.child(Crashy::factory(&log)).add();
        let inner = outer.child(inner.into_factory()).restart(restart).add();
        let outer = outer.spawn().await.unwrap();
        let watcher = ChildWatcher::default().spawn();
        watcher.follow_sup(inner.clone()).await.unwrap();

        assert_eq!(worker.crash().await, Err(AskError::Panicked));
        match restart {
            Restart::Transient => {
                let reason = within("the inner stop", inner.wait_for_stop()).await;
                assert!(reason.is_shutdown(), "{reason:?}");
                let seen = within("the Terminated", wait_seen(&watcher, 1)).await;
                let err = seen[0].1.error().unwrap();
                assert!(matches!(
                    err.downcast_ref::<SupervisorError>(),
                    Some(SupervisorError::IntensityExceeded { .. })
                ));
                assert!(outer.children().await.unwrap().is_empty());
                assert!(!worker.is_alive());
            }
            _ => {
                // Restarted, with the worker behind the same reference.
                assert_eq!(within("the worker", worker.work()).await, Ok(1));
                assert!(inner.is_alive());
                assert_eq!(outer.children().await.unwrap()[0].restarts, 1);
            }
        }
        outer.stop();
        within("the outer stop", outer.wait_for_stop()).await;
    }
}

// ---------------------------------------------------------------------------
// Child administration (OTP's terminate_child, restart_child, delete_child,
// which_children, count_children) and kept specs
// ---------------------------------------------------------------------------

#[tokio::test]
async fn children_reports_each_childs_state_and_restart_count() {
    quiet();
    let log = Log::default();
    let sup = Supervisor::builder().backoff(Backoff::exponential(
        Duration::from_secs(30),
        Duration::from_secs(30),
    ));
    let a = sup.child(Crashy::factory(&log)).name("a").add();
    let b = sup
        .child(Crashy::factory(&log))
        .restart(Restart::Transient)
        .add();
    let sup = sup.spawn().await.unwrap();
    let info = sup.children().await.unwrap();
    assert_eq!(info, [a.id(), b.id()]);
    assert_eq!(info[0].name.as_deref(), Some("a"));
    assert_eq!(info[0].actor, "Crashy");
    assert_eq!(info[1].restart, Restart::Transient);
    assert!(info.iter().all(|c| c.state == ChildState::Running));

    // A crash with a 30 s backoff: restarting.
    assert_eq!(a.crash().await, Err(AskError::Panicked));
    let info = within("children", sup.children()).await.unwrap();
    assert_eq!(info[0].state, ChildState::Restarting);
    assert_eq!(info[1].state, ChildState::Running);
    let counts = sup.count_children().await.unwrap();
    assert_eq!((counts.specs, counts.active, counts.workers), (2, 1, 2));
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
}

#[tokio::test]
async fn terminate_restart_and_delete_child() {
    quiet();
    let log = Log::default();
    let sup = Supervisor::builder();
    let a = sup.child(Crashy::factory(&log)).add();
    let b = sup.child(Crashy::factory(&log)).add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(a.work().await, Ok(1));
    assert_eq!(a.work().await, Ok(2));

    sup.terminate_child(a.id()).await.unwrap();
    assert_eq!(log.get().last().unwrap(), "on_stop: stopped normally");
    assert_eq!(sup.children().await.unwrap()[0].state, ChildState::Stopped);
    // Terminating a stopped child does nothing; restarting a running one,
    // or deleting it, is refused.
    sup.terminate_child(a.id()).await.unwrap();
    assert!(matches!(
        sup.restart_child(b.id()).await,
        Err(SupervisorError::ChildRunning(id)) if id == b.id()
    ));
    assert!(matches!(
        sup.delete_child(b.id()).await,
        Err(SupervisorError::ChildRunning(_))
    ));
    // A tell to the stopped child waits for its restart.
    a.tell(Work).await.unwrap();

    sup.restart_child(a.id()).await.unwrap();
    assert_eq!(
        a.work().await,
        Ok(2),
        "fresh state; the queued tell ran first"
    );
    assert_eq!(sup.children().await.unwrap()[0].state, ChildState::Running);

    // Terminated, a queued ask, then deleted: the ask fails, the child is
    // gone.
    sup.terminate_child(a.id()).await.unwrap();
    let ask = tokio::spawn({
        let a = a.clone();
        async move { a.work().await }
    });
    tokio::task::yield_now().await;
    sup.delete_child(a.id()).await.unwrap();
    assert_eq!(
        within("the queued ask", ask).await.unwrap(),
        Err(AskError::Stopped)
    );
    assert!(within("a's stop", a.wait_for_stop()).await.is_normal());
    assert_eq!(sup.children().await.unwrap(), [b.id()]);
    assert!(matches!(
        sup.restart_child(a.id()).await,
        Err(SupervisorError::NoSuchChild(_))
    ));
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
}

/// The same operations name a child by the name it was given.
#[tokio::test]
async fn child_administration_by_name() {
    let log = Log::default();
    let sup = Supervisor::builder();
    let db = sup.child(Crashy::factory(&log)).name("db").add();
    let sup = sup.spawn().await.unwrap();
    sup.terminate_child("db").await.unwrap();
    assert_eq!(sup.children().await.unwrap()[0].state, ChildState::Stopped);
    sup.restart_child("db").await.unwrap();
    assert_eq!(db.work().await, Ok(1));
    let missing = sup.terminate_child("cache").await.unwrap_err();
    assert!(matches!(&missing, SupervisorError::NoSuchChild(ChildKey::Name(n)) if &**n == "cache"));
    assert!(missing.to_string().contains("\"cache\""), "{missing}");
    sup.terminate_child(String::from("db")).await.unwrap();
    sup.delete_child("db").await.unwrap();
    assert!(!db.is_alive());
}

/// OTP keeps a transient child that stopped normally, for `restart_child`;
/// typact does when the spec says `keep(true)`, and removes it otherwise.
#[tokio::test]
async fn kept_transient_and_temporary_children_keep_their_spec() {
    quiet();
    let log = Log::default();
    let sup = Supervisor::builder();
    let kept = sup
        .child(Quitter::factory(&log))
        .restart(Restart::Transient)
        .keep(true)
        .add();
    let temp = sup
        .child(Quitter::factory(&log))
        .restart(Restart::Temporary)
        .keep(true)
        .add();
    let gone = sup
        .child(Quitter::factory(&log))
        .restart(Restart::Transient)
        .add();
    let sup = sup.spawn().await.unwrap();
    for child in [&kept, &temp, &gone] {
        child.quit().await.unwrap();
    }
    within("gone's stop", gone.wait_for_stop()).await;
    let info = within("children", async {
        loop {
            let info = sup.children().await.unwrap();
            if info.iter().all(|c| c.state == ChildState::Stopped) {
                return info;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(info, [kept.id(), temp.id()]);
    sup.restart_child(kept.id()).await.unwrap();
    assert_eq!(kept.count().await, Ok(0));
    sup.restart_child(temp.id()).await.unwrap();
    assert_eq!(temp.count().await, Ok(0));
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
    assert!(!kept.is_alive() && !temp.is_alive());
}

mod quitter {
    use super::*;

    pub(crate) struct Quitter {
        pub(crate) log: Log,
        pub(crate) count: u32,
    }

    impl Quitter {
        pub(crate) fn factory(log: &Log) -> impl FnMut() -> Quitter + Send + 'static {
            let log = log.clone();
            move || Quitter {
                log: log.clone(),
                count: 0,
            }
        }
    }

    #[actor]
    impl Quitter {
        #[on_stop]
        fn stopped(&mut self, reason: &StopReason) {
            self.log.push(format!("quitter on_stop: {reason}"));
        }

        #[handler]
        pub(crate) fn quit(&mut self, ctx: &mut Context<Self>) {
            ctx.stop();
        }

        #[handler]
        pub(crate) fn count(&mut self) -> u32 {
            self.count
        }
    }
}
use quitter::Quitter;

// ---------------------------------------------------------------------------
// A start that declines (OTP's `ignore`)
// ---------------------------------------------------------------------------

mod decliner {
    use super::*;

    pub(crate) struct Decliner {
        pub(crate) decline: Arc<std::sync::atomic::AtomicBool>,
    }

    #[actor]
    impl Decliner {
        #[on_start]
        fn start(&mut self) -> Result<(), Ignore> {
            if self.decline.load(std::sync::atomic::Ordering::SeqCst) {
                Err(Ignore)
            } else {
                Ok(())
            }
        }

        #[handler]
        pub(crate) fn hello(&self) -> &'static str {
            "hello"
        }
    }
}
use decliner::Decliner;

#[tokio::test]
async fn a_child_that_declines_to_start_is_kept_without_failing_the_supervisor() {
    let decline = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sup = Supervisor::builder();
    let lazy = sup
        .child({
            let decline = decline.clone();
            move || Decliner {
                decline: decline.clone(),
            }
        })
        .add();
    let log = Log::default();
    let after = sup.child(Crashy::factory(&log)).add();
    let sup = sup
        .spawn()
        .await
        .expect("a declined start is not a failure");
    assert_eq!(after.work().await, Ok(1), "the next child started");
    let info = sup.children().await.unwrap();
    assert_eq!(info[0].state, ChildState::Stopped);
    assert_eq!(info[1].state, ChildState::Running);
    // Still declining: restart_child reports it, the child stays kept.
    assert!(matches!(
        sup.restart_child(lazy.id()).await,
        Err(SupervisorError::ChildStartFailed { .. })
    ));
    decline.store(false, std::sync::atomic::Ordering::SeqCst);
    sup.restart_child(lazy.id()).await.unwrap();
    assert_eq!(lazy.hello().await, Ok("hello"));
    // The same on a running supervisor.
    decline.store(true, std::sync::atomic::Ordering::SeqCst);
    let dynamic = sup
        .child({
            let decline = decline.clone();
            move || Decliner {
                decline: decline.clone(),
            }
        })
        .start()
        .await
        .expect("declined, not failed");
    assert_eq!(sup.children().await.unwrap()[2].id, dynamic.id());
    assert_eq!(sup.children().await.unwrap()[2].state, ChildState::Stopped);
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
}

// ---------------------------------------------------------------------------
// Deciders: restart, resume, stop, escalate (Akka's directives)
// ---------------------------------------------------------------------------

mod decided {
    use super::*;

    #[derive(Default)]
    pub(crate) struct Account {
        pub(crate) balance: i64,
    }

    #[actor]
    impl Account {
        #[handler]
        pub(crate) fn deposit(&mut self, amount: i64) -> i64 {
            assert!(amount > 0, "a non-positive deposit, on purpose");
            self.balance += amount;
            self.balance
        }

        #[handler]
        pub(crate) fn refuse(&mut self, why: String, ctx: &mut Context<Self>) {
            ctx.fail(why);
        }

        #[handler]
        pub(crate) fn balance(&self) -> i64 {
            self.balance
        }
    }
}
use decided::Account;

#[tokio::test]
async fn resume_keeps_the_state_and_drops_the_failing_message() {
    quiet();
    let sup = Supervisor::builder();
    let account = sup
        .child(Account::default)
        .on_failure(|_| Directive::Resume)
        .add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(account.deposit(10).await, Ok(10));
    assert_eq!(account.deposit(-1).await, Err(AskError::Panicked));
    account.refuse("not today".into()).await.unwrap();
    assert_eq!(account.deposit(5).await, Ok(15), "the state survived both");
    assert_eq!(sup.children().await.unwrap()[0].restarts, 0);
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
}

#[tokio::test]
async fn a_decider_chooses_per_failure() {
    quiet();
    // Panics restart, `ctx.fail` errors stop the child for good.
    let sup = Supervisor::builder().on_failure(|reason| match reason {
        StopReason::Panicked(_) => Directive::Restart,
        _ => Directive::Stop,
    });
    let account = sup.child(Account::default).add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(account.deposit(10).await, Ok(10));
    assert_eq!(account.deposit(-1).await, Err(AskError::Panicked));
    assert_eq!(account.balance().await, Ok(0), "restarted");
    account.refuse("closed".into()).await.unwrap();
    let reason = within("the stop", account.wait_for_stop()).await;
    assert!(matches!(&reason, StopReason::Failed(e) if e.to_string() == "closed"));
    assert!(sup.children().await.unwrap().is_empty());
    assert!(
        sup.is_alive(),
        "a stopped child is not the supervisor's failure"
    );
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
}

#[tokio::test]
async fn escalate_fails_the_supervisor_at_once() {
    quiet();
    let sup = Supervisor::builder().intensity(100, Duration::from_secs(5));
    let account = sup
        .child(Account::default)
        .on_failure(|_| Directive::Escalate)
        .add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(account.deposit(-1).await, Err(AskError::Panicked));
    let reason = within("the supervisor's stop", sup.wait_for_stop()).await;
    assert!(!reason.is_shutdown(), "an escalation is a failure");
    assert!(matches!(
        reason.error().and_then(|e| e.downcast_ref::<SupervisorError>()),
        Some(SupervisorError::Escalated { child, .. }) if *child == account.id()
    ));
    assert!(matches!(
        within("the child's stop", account.wait_for_stop()).await,
        StopReason::Panicked(_)
    ));
}
