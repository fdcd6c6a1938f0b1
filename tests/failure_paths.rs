//! Failure paths lose nothing and never hang: kills with replies parked,
//! restart storms, panicking hooks, panics in `Drop` of every piece of user
//! code the runtime drops, and supervisors that cannot be wedged.
//!
//! Races loop on the multi-thread runtime; nothing asserts a timing. An
//! outcome that would hang is bounded by `within`, which fails the test.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use typact::prelude::*;
use typact::{Backoff, Supervisor, SupervisorError};

mod common;
use common::{quiet, within};

/// Spawns an ask of `msg` on its own task, holding its own reference.
fn spawn_ask<A, M>(
    actor: &ActorRef<A>,
    msg: M,
) -> tokio::task::JoinHandle<Result<M::Reply, AskError>>
where
    A: Handler<M>,
    M: Message,
{
    let actor = actor.clone();
    tokio::spawn(async move { actor.ask(msg).await })
}

// ---------------------------------------------------------------------------
// 1. A deferred reply kept in the state of a killed actor fails `Stopped`
// ---------------------------------------------------------------------------

/// Keeps every deferred reply in its state, never answering.
#[derive(Default)]
struct Hoarder {
    parked: Vec<ReplyTo<u32>>,
}

#[actor]
impl Hoarder {
    #[handler(deferred)]
    fn later(&mut self, reply: ReplyTo<u32>) {
        self.parked.push(reply);
    }

    #[handler]
    fn parked(&self) -> usize {
        self.parked.len()
    }
}

/// The same with an async handler.
#[derive(Default)]
struct AsyncHoarder {
    parked: Vec<ReplyTo<u32>>,
}

#[actor]
impl AsyncHoarder {
    #[handler(deferred)]
    async fn later_async(&mut self, reply: ReplyTo<u32>) {
        tokio::task::yield_now().await;
        self.parked.push(reply);
    }

    #[handler]
    async fn parked_async(&self) -> usize {
        self.parked.len()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_reply_of_a_killed_actor_fails_with_stopped_every_time() {
    for round in 0..200 {
        // Synchronous handlers.
        let actor = Hoarder::default().spawn();
        let ask = spawn_ask(&actor, Later);
        while actor.parked().await != Ok(1) {}
        actor.kill();
        assert_eq!(
            within("the parked ask", ask).await.unwrap(),
            Err(AskError::Stopped),
            "sync, round {round}"
        );

        // Async handlers.
        let actor = AsyncHoarder::default().spawn();
        let ask = spawn_ask(&actor, LaterAsync);
        while actor.parked_async().await != Ok(1) {}
        actor.kill();
        assert_eq!(
            within("the parked ask", ask).await.unwrap(),
            Err(AskError::Stopped),
            "async, round {round}"
        );

        // A supervised child, killed: restarted, its parked reply fails.
        let sup = Supervisor::builder().backoff(Backoff::none());
        let child = sup.child(Hoarder::default).add();
        let sup = sup.spawn().await.unwrap();
        let ask = spawn_ask(&child, Later);
        while child.parked().await != Ok(1) {}
        child.kill();
        assert_eq!(
            within("the parked ask", ask).await.unwrap(),
            Err(AskError::Stopped),
            "supervised, round {round}"
        );
        sup.kill();
    }
}

/// The tokio runtime dropped while a reply is parked: the asker, on another
/// runtime, gets `Stopped`.
#[test]
fn a_parked_reply_fails_with_stopped_when_the_runtime_is_dropped() {
    // The askers run on a runtime of their own, whose worker keeps them
    // going while the actors' runtime is driven and then dropped.
    let outside = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for flavor in ["current_thread", "multi_thread"] {
        let rt = match flavor {
            "current_thread" => tokio::runtime::Builder::new_current_thread(),
            _ => tokio::runtime::Builder::new_multi_thread(),
        }
        .enable_all()
        .build()
        .unwrap();
        let (actor, async_actor) =
            rt.block_on(async { (Hoarder::default().spawn(), AsyncHoarder::default().spawn()) });
        let (ask, async_ask) = outside.block_on(async {
            (
                spawn_ask(&actor, Later),
                spawn_ask(&async_actor, LaterAsync),
            )
        });
        rt.block_on(async {
            while actor.parked().await != Ok(1) {}
            while async_actor.parked_async().await != Ok(1) {}
        });
        drop(rt);
        outside.block_on(async {
            assert_eq!(ask.await.unwrap(), Err(AskError::Stopped), "{flavor}");
            assert_eq!(async_ask.await.unwrap(), Err(AskError::Stopped), "{flavor}");
        });
    }
}

// ---------------------------------------------------------------------------
// 2. Restart storms: every ask resolves, with or without backoff
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Doomed;

#[actor]
impl Doomed {
    #[handler]
    fn doom(&mut self) -> u32 {
        panic!("doomed on purpose")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_storm_answers_every_ask_with_or_without_backoff() {
    quiet();
    for backoff in [
        Backoff::none(),
        Backoff::exponential(Duration::from_millis(1), Duration::from_millis(5)),
    ] {
        let sup = Supervisor::builder()
            .intensity(20, Duration::from_secs(5))
            .backoff(backoff);
        let children: Vec<ActorRef<Doomed>> =
            (0..100).map(|_| sup.child(Doomed::default).add()).collect();
        let sup = sup.spawn().await.unwrap();
        let asks: Vec<_> = children
            .iter()
            .flat_map(|c| (0..6).map(move |_| spawn_ask(c, Doom)))
            .collect();
        assert_eq!(asks.len(), 600);
        let mut panicked = 0;
        let mut stopped = 0;
        for ask in asks {
            match within("a storm ask", ask).await.unwrap() {
                Err(AskError::Panicked) => panicked += 1,
                Err(AskError::Stopped) => stopped += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(panicked + stopped, 600);
        assert!(panicked > 20, "{panicked} panicked");
        let reason = within("the supervisor", sup.wait_for_stop()).await;
        assert!(reason.is_shutdown(), "{reason:?}");
        for child in &children {
            within("a child's stop", child.wait_for_stop()).await;
        }
    }
}

// ---------------------------------------------------------------------------
// 3. Restart hooks that panic until the supervisor gives up
// ---------------------------------------------------------------------------

struct BadHooks {
    in_after: bool,
}

#[actor]
impl BadHooks {
    #[before_restart]
    fn before(&mut self) {
        assert!(self.in_after, "before_restart panics on purpose");
    }

    #[after_restart]
    fn after(&mut self) {
        assert!(!self.in_after, "after_restart panics on purpose");
    }

    #[handler]
    fn crash(&mut self) -> u32 {
        panic!("crashed on purpose")
    }

    #[handler]
    fn answer(&self) -> u32 {
        1
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_queued_behind_panicking_restart_hooks_resolves() {
    quiet();
    for in_after in [true, false] {
        for _ in 0..20 {
            let sup = Supervisor::builder()
                .intensity(2, Duration::from_secs(5))
                .backoff(Backoff::none());
            let child = sup.child(move || BadHooks { in_after }).add();
            let sup = sup.spawn().await.unwrap();
            child.tell(Crash).await.unwrap();
            let queued = spawn_ask(&child, Answer);
            let got = within("the queued ask", queued).await.unwrap();
            if in_after {
                // Every restart fails in `after_restart`: the supervisor
                // gives up and the queued ask fails.
                assert_eq!(got, Err(AskError::Stopped));
                within("the supervisor", sup.wait_for_stop()).await;
            } else {
                // A panicking `before_restart` is logged; the restart goes on.
                assert_eq!(got, Ok(1));
                sup.kill();
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 3b. `kill()` on a supervisor: the asks queued at its children resolve
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Slow;

#[actor]
impl Slow {
    #[handler]
    async fn nap(&self) -> u32 {
        tokio::task::yield_now().await;
        1
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_supervisor_resolves_every_ask_queued_at_its_children() {
    for round in 0..200 {
        let sup = Supervisor::builder();
        let children: Vec<ActorRef<Slow>> =
            (0..4).map(|_| sup.child(Slow::default).add()).collect();
        let sup = sup.spawn().await.unwrap();
        let asks: Vec<_> = children
            .iter()
            .flat_map(|c| (0..8).map(move |_| spawn_ask(c, Nap)))
            .collect();
        tokio::task::yield_now().await;
        sup.kill();
        for ask in asks {
            let got = within("an ask at a killed supervisor's child", ask)
                .await
                .unwrap();
            assert!(
                matches!(got, Ok(1) | Err(AskError::Stopped)),
                "round {round}: {got:?}"
            );
        }
        for child in &children {
            assert!(matches!(
                within("a child's stop", child.wait_for_stop()).await,
                StopReason::Killed
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// 4. A panic in an actor's `Drop`
// ---------------------------------------------------------------------------

struct PanicsOnDrop {
    drops: Arc<AtomicU32>,
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        panic!("dropped on purpose");
    }
}

#[actor]
impl PanicsOnDrop {
    #[handler]
    fn blow(&mut self) -> u32 {
        panic!("crashed on purpose")
    }

    #[handler]
    fn fine(&self) -> u32 {
        7
    }
}

#[tokio::test]
async fn a_panic_in_an_actors_drop_changes_nothing() {
    quiet();
    let drops = Arc::new(AtomicU32::new(0));
    let actor = PanicsOnDrop {
        drops: drops.clone(),
    }
    .spawn();
    assert_eq!(actor.fine().await, Ok(7));
    actor.stop();
    assert!(
        within("the stop", actor.wait_for_stop()).await.is_normal(),
        "stopping normally stays normal"
    );
    assert_eq!(drops.load(Ordering::SeqCst), 1);

    // A permanent child whose `Drop` panics is restarted all the same.
    let sup = Supervisor::builder().backoff(Backoff::none());
    let child = sup
        .child({
            let drops = drops.clone();
            move || PanicsOnDrop {
                drops: drops.clone(),
            }
        })
        .add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(child.blow().await, Err(AskError::Panicked));
    assert_eq!(within("the restarted child", child.fine()).await, Ok(7));
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    sup.stop();
    assert!(within("the stop", sup.wait_for_stop()).await.is_normal());
}

// ---------------------------------------------------------------------------
// 5. A panic in a queued message's `Drop` while the mailbox is drained
// ---------------------------------------------------------------------------

/// A message whose drop panics.
struct Grenade;

impl Drop for Grenade {
    fn drop(&mut self) {
        panic!("a message dropped on purpose");
    }
}

struct Gate {
    log: Arc<Mutex<Vec<String>>>,
}

#[actor]
impl Gate {
    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.log.lock().unwrap().push(format!("on_stop: {reason}"));
    }

    /// Blocks until released, so that messages queue behind it.
    #[handler]
    async fn hold(&mut self, release: tokio::sync::oneshot::Receiver<()>, ctx: &mut Context<Self>) {
        let _ = release.await;
        ctx.stop();
    }

    #[handler]
    fn carry(&mut self, grenade: Grenade) {
        std::mem::forget(grenade);
    }

    #[handler]
    fn plain(&mut self) {}
}

#[tokio::test]
async fn a_panic_in_a_queued_messages_drop_loses_nothing_else() {
    quiet();
    let log = Arc::new(Mutex::new(Vec::new()));
    let gate = Gate { log: log.clone() }.spawn();
    let (release, hold) = tokio::sync::oneshot::channel();
    gate.tell(Hold { release: hold }).await.unwrap();
    // Two grenades (two panics while draining) and three plain tells.
    gate.tell(Carry { grenade: Grenade }).await.unwrap();
    gate.tell(Plain).await.unwrap();
    gate.tell(Carry { grenade: Grenade }).await.unwrap();
    gate.tell(Plain).await.unwrap();
    gate.tell(Plain).await.unwrap();
    release.send(()).unwrap();
    let reason = within("the stop", gate.wait_for_stop()).await;
    assert!(reason.is_normal(), "{reason:?}");
    assert_eq!(gate.dead_letters(), 5);
    assert_eq!(*log.lock().unwrap(), ["on_stop: stopped normally"]);
}

// ---------------------------------------------------------------------------
// 6. A late reply whose `Drop` panics
// ---------------------------------------------------------------------------

/// A reply whose drop panics.
struct Fragile;

impl Drop for Fragile {
    fn drop(&mut self) {
        panic!("a reply dropped on purpose");
    }
}

#[derive(Default)]
struct Sluggish;

#[actor]
impl Sluggish {
    #[handler]
    async fn slow_fragile(&self) -> Fragile {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Fragile
    }

    #[handler]
    fn fragile_now(&self, gate: std::sync::mpsc::Receiver<()>) -> Fragile {
        let _ = gate.recv();
        Fragile
    }

    #[handler]
    fn alive(&self) -> bool {
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_askers_timeout_never_kills_the_actor_it_asked() {
    quiet();
    let actor = Sluggish.spawn();
    let late = actor
        .ask(SlowFragile)
        .timeout(Duration::from_millis(1))
        .await;
    assert!(matches!(late, Err(AskError::Timeout)));
    let (open, gate) = std::sync::mpsc::channel();
    let late = actor.ask(FragileNow { gate });
    let late = tokio::time::timeout(Duration::from_millis(5), late.into_future()).await;
    assert!(late.is_err(), "the asker gave up");
    open.send(()).unwrap();
    assert_eq!(within("the actor", actor.alive()).await, Ok(true));
    assert!(actor.is_alive());
}

// ---------------------------------------------------------------------------
// 7. A panic payload that panics when dropped
// ---------------------------------------------------------------------------

/// A panic payload whose drop panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("a payload dropped on purpose");
    }
}

#[derive(Default)]
struct Thrower;

#[actor]
impl Thrower {
    #[handler]
    fn throw(&self) {
        std::panic::panic_any(Bomb);
    }

    #[handler]
    async fn throw_async(&self) {
        tokio::task::yield_now().await;
        std::panic::panic_any(Bomb);
    }
}

#[tokio::test]
async fn a_payload_that_panics_when_dropped_still_ends_the_actor_panicked() {
    quiet();
    let actor = Thrower.spawn();
    assert_eq!(actor.throw().await, Err(AskError::Panicked));
    assert!(matches!(
        within("the stop", actor.wait_for_stop()).await,
        StopReason::Panicked(_)
    ));
    let actor = Thrower.spawn();
    assert_eq!(actor.throw_async().await, Err(AskError::Panicked));
    assert!(matches!(
        within("the stop", actor.wait_for_stop()).await,
        StopReason::Panicked(_)
    ));
}

// ---------------------------------------------------------------------------
// 9. A supervisor that cannot be wedged by a start that hangs
// ---------------------------------------------------------------------------

struct Hangs {
    hang: bool,
}

#[actor]
impl Hangs {
    #[on_start]
    async fn start(&mut self) {
        if self.hang {
            std::future::pending::<()>().await;
        }
    }

    #[handler]
    fn ping(&self) -> u32 {
        1
    }
}

#[tokio::test(start_paused = true)]
async fn a_start_that_hangs_times_out_and_names_the_child() {
    let sup = Supervisor::builder();
    let _ok = sup.child(|| Hangs { hang: false }).add();
    let stuck = sup
        .child(|| Hangs { hang: true })
        .name("stuck")
        .start_timeout(Duration::from_secs(1))
        .add();
    let err = within("the spawn", sup.spawn()).await.unwrap_err();
    let StopReason::StartFailed(cause) = err.reason() else {
        panic!("{err}");
    };
    let Some(SupervisorError::ChildStartFailed { child, reason }) =
        cause.downcast_ref::<SupervisorError>()
    else {
        panic!("{cause}");
    };
    assert_eq!(*child, stuck.id());
    let timeout = reason.error().unwrap().downcast_ref::<SupervisorError>();
    assert!(
        matches!(timeout, Some(SupervisorError::StartTimeout { name: Some(n), .. }) if &**n == "stuck"),
        "{reason}"
    );
    assert!(reason.to_string().contains("stuck"), "{reason}");
    assert!(matches!(
        within("the stuck child", stuck.wait_for_stop()).await,
        StopReason::StartFailed(_)
    ));

    // On a running supervisor: the dynamic child's start times out, and the
    // supervisor goes on.
    let sup = Supervisor::builder().spawn().await.unwrap();
    let started = sup
        .child(|| Hangs { hang: true })
        .start_timeout(Duration::from_millis(200))
        .start()
        .await;
    assert!(matches!(
        started,
        Err(SupervisorError::ChildStartFailed { .. })
    ));
    let ok = sup.child(|| Hangs { hang: false }).start().await.unwrap();
    assert_eq!(ok.ping().await, Ok(1));
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
}

/// `stop()` on a supervisor whose child's start hangs (no start timeout)
/// ends it within the child's shutdown time.
#[tokio::test(start_paused = true)]
async fn stop_ends_a_supervisor_wedged_in_a_childs_start() {
    let sup = Supervisor::builder().spawn().await.unwrap();
    let adding = tokio::spawn({
        let sup = sup.clone();
        async move {
            sup.child(|| Hangs { hang: true })
                .shutdown(Duration::from_secs(2))
                .start()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let asked = tokio::time::Instant::now();
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
    assert!(asked.elapsed() <= Duration::from_secs(2) + Duration::from_millis(10));
    assert!(within("the add", adding).await.unwrap().is_err());
}

#[derive(Default)]
struct Sibling {
    handled: u32,
}

#[actor]
impl Sibling {
    #[handler]
    fn bump(&mut self) -> u32 {
        self.handled += 1;
        self.handled
    }

    #[handler]
    fn fall(&mut self) -> u32 {
        panic!("fell on purpose")
    }
}

/// A start that hangs does not block its supervisor: a sibling that
/// crashes meanwhile is restarted, child administration answers, and the
/// pending start is resolved when the supervisor stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sibling_is_restarted_while_a_dynamic_start_hangs() {
    quiet();
    let sup = Supervisor::builder().backoff(Backoff::none());
    let sibling = sup.child(Sibling::default).add();
    let sup = sup.spawn().await.unwrap();
    let adding = tokio::spawn({
        let sup = sup.clone();
        async move {
            sup.child(|| Hangs { hang: true })
                .shutdown(Duration::from_millis(100))
                .start()
                .await
        }
    });
    // The hanging start is under way once the supervisor lists the child.
    within("the pending start", async {
        while sup.children().await.unwrap().len() < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(sibling.bump().await, Ok(1));
    assert_eq!(sibling.fall().await, Err(AskError::Panicked));
    assert_eq!(
        within("the restarted sibling", sibling.bump()).await,
        Ok(1),
        "restarted while the other start hangs"
    );
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
    assert!(within("the add", adding).await.unwrap().is_err());
}

/// The same for a restart whose start hangs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sibling_is_restarted_while_another_restart_hangs() {
    quiet();
    let made = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder().backoff(Backoff::none());
    let sibling = sup.child(Sibling::default).add();
    let stuck = sup
        .child({
            let made = made.clone();
            // The first instance starts; every later one hangs in `on_start`.
            move || Hangs {
                hang: made.fetch_add(1, Ordering::SeqCst) > 0,
            }
        })
        .shutdown(Duration::from_millis(100))
        .add();
    let sup = sup.spawn().await.unwrap();
    stuck.kill();
    within("the stuck restart", async {
        while made.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(sibling.fall().await, Err(AskError::Panicked));
    assert_eq!(within("the restarted sibling", sibling.bump()).await, Ok(1));
    sup.stop();
    within("the stop", sup.wait_for_stop()).await;
    assert!(!stuck.is_alive());
}
