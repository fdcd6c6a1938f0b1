//! Context, lifecycle hooks, stop reasons, failure isolation and the
//! accounting of messages left behind.

use std::future::pending;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use typact::prelude::*;

/// A shared log the tests read after the actors are gone.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl Events {
    fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Worker {
    name: &'static str,
    events: Events,
    handled: u64,
    fail_start: bool,
    panic_start: bool,
}

impl Worker {
    fn new(name: &'static str, events: &Events) -> Self {
        Worker {
            name,
            events: events.clone(),
            handled: 0,
            fail_start: false,
            panic_start: false,
        }
    }
}

#[actor]
impl Worker {
    #[on_start]
    async fn start(&mut self) -> Result<(), String> {
        if self.panic_start {
            panic!("cannot start {}", self.name);
        }
        if self.fail_start {
            return Err(format!("{} refused to start", self.name));
        }
        self.events.push(format!("{} started", self.name));
        Ok(())
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.events.push(format!("{} stopped: {reason}", self.name));
    }

    #[handler]
    fn work(&mut self) -> u64 {
        self.handled += 1;
        self.handled
    }

    #[handler]
    fn note(&mut self) {
        self.handled += 1;
    }

    #[handler]
    fn crash(&mut self) -> u64 {
        panic!("{} crashed on purpose", self.name)
    }

    #[handler]
    async fn crash_later(&mut self) -> u64 {
        tokio::task::yield_now().await;
        panic!("{} crashed after an await", self.name)
    }

    /// Signals `entered`, then waits for `release` before replying.
    #[handler]
    async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) -> u64 {
        let _ = entered.send(());
        let _ = release.await;
        self.handled
    }

    #[handler]
    async fn hang(&mut self, entered: oneshot::Sender<()>) -> u64 {
        let _ = entered.send(());
        pending::<()>().await;
        0
    }

    #[handler]
    async fn ask_myself(&mut self, ctx: &mut Context<Self>) -> Result<u64, AskError> {
        ctx.myself().work().await
    }

    #[handler]
    fn me(&mut self, ctx: &mut Context<Self>) -> ActorRef<Self> {
        ctx.myself()
    }

    #[handler]
    fn stop_me(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    #[handler]
    fn handled(&self) -> u64 {
        self.handled
    }
}

async fn hold(
    w: &ActorRef<Worker>,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<u64, AskError>>,
) {
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    let w = w.clone();
    let task = tokio::spawn(async move { w.hold(entered_tx, release_rx).await });
    entered_rx.await.unwrap();
    (release_tx, task)
}

#[tokio::test]
async fn on_start_runs_before_messages_and_on_stop_gets_the_reason() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    assert_eq!(w.work().await, Ok(1));
    w.stop();
    assert!(w.wait_for_stop().await.is_normal());
    assert_eq!(events.get(), ["w started", "w stopped: stopped normally"]);
}

#[tokio::test]
async fn a_failing_on_start_is_reported_by_spawn_ready() {
    let events = Events::default();
    let mut w = Worker::new("w", &events);
    w.fail_start = true;
    let err = w.builder().spawn_ready().await.unwrap_err();
    assert!(matches!(err.reason(), StopReason::StartFailed(_)));
    assert_eq!(
        err.to_string(),
        "the actor did not start: failed to start: w refused to start"
    );
    let source = std::error::Error::source(&err).expect("the hook's error is the source");
    assert_eq!(source.to_string(), "w refused to start");
    // `on_stop` does not run for an actor that never started.
    assert!(events.get().is_empty());
}

#[tokio::test]
async fn a_failing_on_start_fails_queued_asks_and_sets_the_stop_reason() {
    let events = Events::default();
    let mut w = Worker::new("w", &events);
    w.fail_start = true;
    let w = w.spawn();
    let queued = w.work().await;
    assert_eq!(queued, Err(AskError::Stopped));
    match w.wait_for_stop().await {
        StopReason::StartFailed(err) => assert_eq!(err.to_string(), "w refused to start"),
        other => panic!("expected StartFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_on_start_is_a_start_failure() {
    let events = Events::default();
    let mut w = Worker::new("p", &events);
    w.panic_start = true;
    let err = w.builder().spawn_ready().await.unwrap_err();
    match err.reason() {
        StopReason::StartFailed(e) => assert!(e.to_string().contains("cannot start p"), "{e}"),
        other => panic!("expected StartFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn stop_finishes_the_current_message_then_fails_the_queue() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    let before = typact::dead_letters();
    let (release, in_flight) = hold(&w).await;
    // Queue asks and tells behind the message being handled.
    let queued_asks: Vec<_> = (0..3)
        .map(|_| {
            let w = w.clone();
            tokio::spawn(async move { w.work().await })
        })
        .collect();
    for _ in 0..5 {
        w.tell(Note).await.unwrap();
    }
    tokio::task::yield_now().await;
    w.stop();
    release.send(()).unwrap();

    assert_eq!(
        in_flight.await.unwrap(),
        Ok(0),
        "the current message is finished"
    );
    for ask in queued_asks {
        assert_eq!(ask.await.unwrap(), Err(AskError::Stopped));
    }
    assert!(w.wait_for_stop().await.is_normal());
    assert_eq!(w.dead_letters(), 5);
    assert!(typact::dead_letters() >= before + 5);
    assert_eq!(events.get().last().unwrap(), "w stopped: stopped normally");
}

#[tokio::test]
async fn context_stop_stops_after_the_handler() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    w.tell(StopMe).await.unwrap();
    assert!(w.wait_for_stop().await.is_normal());
    assert_eq!(w.work().await, Err(AskError::Stopped));
}

#[tokio::test]
async fn kill_before_the_first_poll_still_stops_the_actor() {
    // On a current-thread runtime the actor's task has not run yet here.
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    w.tell(Note).await.unwrap();
    w.kill();
    assert!(matches!(w.wait_for_stop().await, StopReason::Killed));
    assert_eq!(w.work().await, Err(AskError::Stopped));
    assert_eq!(w.dead_letters(), 1, "the queued tell is a dead letter");
    assert!(
        events.get().is_empty(),
        "neither hook ran: {:?}",
        events.get()
    );
}

#[tokio::test]
async fn kill_aborts_a_hanging_handler_and_skips_on_stop() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    let (entered_tx, entered_rx) = oneshot::channel();
    let hanging = {
        let w = w.clone();
        tokio::spawn(async move { w.hang(entered_tx).await })
    };
    entered_rx.await.unwrap();
    let queued = {
        let w = w.clone();
        tokio::spawn(async move { w.work().await })
    };
    w.tell(Note).await.unwrap();
    tokio::task::yield_now().await;
    w.kill();
    assert!(matches!(w.wait_for_stop().await, StopReason::Killed));
    assert_eq!(hanging.await.unwrap(), Err(AskError::Stopped));
    assert_eq!(queued.await.unwrap(), Err(AskError::Stopped));
    assert_eq!(w.dead_letters(), 1);
    assert_eq!(
        events.get(),
        ["w started"],
        "on_stop must not run after kill"
    );
}

#[tokio::test]
async fn a_panic_stops_only_that_actor_and_fails_every_pending_ask() {
    let events = Events::default();
    let victim = Worker::new("victim", &events).spawn();
    let bystander = Worker::new("bystander", &events).spawn();

    let (release, in_flight) = hold(&victim).await;
    let crash = {
        let v = victim.clone();
        tokio::spawn(async move { v.crash().await })
    };
    let queued: Vec<_> = (0..3)
        .map(|_| {
            let v = victim.clone();
            tokio::spawn(async move { v.work().await })
        })
        .collect();
    tokio::task::yield_now().await;
    victim.tell(Note).await.unwrap();
    release.send(()).unwrap();

    assert_eq!(in_flight.await.unwrap(), Ok(0));
    assert_eq!(crash.await.unwrap(), Err(AskError::Panicked));
    for q in queued {
        assert_eq!(q.await.unwrap(), Err(AskError::Stopped));
    }
    match victim.wait_for_stop().await {
        StopReason::Panicked(msg) => assert_eq!(&*msg, "victim crashed on purpose"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(victim.dead_letters(), 1);
    assert_eq!(bystander.work().await, Ok(1), "another actor is unaffected");
    assert!(
        events
            .get()
            .contains(&"victim stopped: panicked: victim crashed on purpose".to_owned())
    );
}

#[tokio::test]
async fn a_panic_after_an_await_is_reported_to_the_asker() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    assert_eq!(w.crash_later().await, Err(AskError::Panicked));
    assert!(matches!(w.wait_for_stop().await, StopReason::Panicked(_)));
}

#[tokio::test]
async fn asking_yourself_fails_at_once() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    assert_eq!(w.ask_myself().await, Ok(Err(AskError::SelfAsk)));
    // The actor is still alive and well.
    assert_eq!(w.work().await, Ok(1));
}

#[tokio::test]
async fn myself_is_the_same_actor() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    let me = w.me().await.unwrap();
    assert_eq!(me, w);
    assert_eq!(me.work().await, Ok(1));
}

#[tokio::test]
async fn an_actor_without_references_handles_its_mailbox_then_stops() {
    let events = Events::default();
    let w = Worker::new("orphan", &events).spawn();
    let (release, in_flight) = hold(&w).await;
    for _ in 0..10 {
        w.tell(Note).await.unwrap();
    }
    let observer: Recipient<Note> = w.recipient();
    drop(w);
    release.send(()).unwrap();
    assert_eq!(in_flight.await.unwrap(), Ok(0));
    // A recipient is a reference too: the actor is still alive.
    observer.tell(Note).await.unwrap();
    assert!(observer.is_alive());
    drop(observer);
    // No reference left: it drains its mailbox and stops by itself.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !events.get().iter().any(|e| e.starts_with("orphan stopped")) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the orphan never stopped"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(
        events.get().last().unwrap(),
        "orphan stopped: stopped normally"
    );
}

#[derive(Default)]
struct Ticker {
    ticks: u32,
    timer: Option<typact::TimerHandle>,
}

#[actor]
impl Ticker {
    #[handler]
    fn tick(&mut self) {
        self.ticks += 1;
    }

    #[handler]
    fn ticks(&self) -> u32 {
        self.ticks
    }

    #[handler]
    fn after(&mut self, delay: Duration, ctx: &mut Context<Self>) {
        ctx.send_after(Tick, delay);
    }

    #[handler]
    fn every(&mut self, period: Duration, ctx: &mut Context<Self>) {
        self.timer = Some(ctx.send_interval(period, || Tick));
    }

    #[handler]
    fn cancel(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.cancel();
        }
    }

    #[handler]
    fn timer(&self) -> Option<typact::TimerHandle> {
        self.timer.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn send_after_delivers_after_the_delay() {
    let t = Ticker::default().spawn();
    t.after(Duration::from_secs(5)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(4_999)).await;
    assert_eq!(t.ticks().await, Ok(0));
    tokio::time::sleep(Duration::from_millis(2)).await;
    assert_eq!(t.ticks().await, Ok(1));
}

#[tokio::test(start_paused = true)]
async fn intervals_tick_until_cancelled() {
    let t = Ticker::default().spawn();
    t.every(Duration::from_millis(100)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    assert_eq!(t.ticks().await, Ok(10));
    t.cancel().await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(t.ticks().await, Ok(10));
}

#[tokio::test(start_paused = true)]
async fn timers_end_with_the_actor() {
    let t = Ticker::default().spawn();
    t.every(Duration::from_millis(100)).await.unwrap();
    let timer = t.timer().await.unwrap().expect("a timer was set");
    t.after(Duration::from_secs(60)).await.unwrap();
    assert!(!timer.is_finished());
    t.stop();
    t.wait_for_stop().await;
    tokio::task::yield_now().await;
    assert!(timer.is_finished(), "the interval outlived its actor");
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(t.dead_letters(), 0, "a cancelled timer sends nothing");
}

struct Parent {
    events: Events,
    children: Vec<ActorRef<Worker>>,
}

#[actor]
impl Parent {
    #[on_start]
    fn start(&mut self, ctx: &mut Context<Self>) {
        for name in ["child-a", "child-b"] {
            let child = ctx.spawn(Worker::new(name, &self.events));
            self.children.push(child);
        }
    }

    #[on_stop]
    fn stopped(&mut self) {
        self.events.push("parent stopped");
    }

    #[handler]
    fn children(&self) -> Vec<ActorRef<Worker>> {
        self.children.clone()
    }

    #[handler]
    fn spawn_named(&mut self, name: String, ctx: &mut Context<Self>) -> ActorRef<Worker> {
        let _ = name;
        ctx.spawn_with(Worker::new("child-c", &self.events).builder().name("c"))
    }
}

#[tokio::test]
async fn children_stop_before_their_parent_finishes() {
    let events = Events::default();
    let parent = Parent {
        events: events.clone(),
        children: Vec::new(),
    }
    .spawn();
    let mut children = parent.children().await.unwrap();
    children.push(parent.spawn_named("c".into()).await.unwrap());
    assert_eq!(children[2].name(), Some("c"));
    for child in &children {
        assert_eq!(child.work().await, Ok(1));
    }
    parent.stop();
    assert!(parent.wait_for_stop().await.is_normal());
    for child in &children {
        assert!(!child.is_alive());
        assert!(child.wait_for_stop().await.is_normal());
    }
    let log = events.get();
    let parent_at = log.iter().position(|e| e == "parent stopped").unwrap();
    for child in ["child-a", "child-b", "child-c"] {
        let at = log
            .iter()
            .position(|e| e.starts_with(&format!("{child} stopped")))
            .unwrap_or_else(|| panic!("{child} never stopped: {log:?}"));
        assert!(at < parent_at, "{child} stopped after its parent: {log:?}");
    }
    // Children stop in reverse order of spawning.
    let pos = |name: &str| log.iter().position(|e| e.starts_with(name)).unwrap();
    assert!(pos("child-c stopped") < pos("child-b stopped"));
}

#[tokio::test]
async fn wait_for_stop_returns_at_once_for_a_stopped_actor() {
    let events = Events::default();
    let w = Worker::new("w", &events).spawn();
    w.stop();
    let first = w.wait_for_stop().await;
    let second = w.wait_for_stop().await;
    assert!(first.is_normal() && second.is_normal());
}

/// An actor whose handlers and hooks are all synchronous: its task is the
/// runtime's hand-written future rather than an `async` block, so the
/// lifecycle tests above run again on it.
struct Plain {
    name: &'static str,
    events: Events,
    fail_start: bool,
    count: u64,
}

impl Plain {
    fn new(name: &'static str, events: &Events) -> Self {
        Plain {
            name,
            events: events.clone(),
            fail_start: false,
            count: 0,
        }
    }
}

#[actor]
impl Plain {
    #[on_start]
    fn start(&mut self) -> Result<(), String> {
        if self.fail_start {
            return Err(format!("{} refused to start", self.name));
        }
        self.events.push(format!("{} started", self.name));
        Ok(())
    }

    #[on_stop]
    fn stop(&mut self, reason: &StopReason) {
        self.events.push(format!("{} stopped: {reason}", self.name));
    }

    #[handler]
    fn bump(&mut self) -> u64 {
        self.count += 1;
        self.count
    }

    #[handler]
    fn explode(&mut self) -> u64 {
        panic!("{} exploded", self.name);
    }
}

#[tokio::test]
async fn a_synchronous_actor_starts_serves_and_stops_with_its_hooks() {
    let events = Events::default();
    let p = Plain::new("p", &events)
        .builder()
        .spawn_ready()
        .await
        .unwrap();
    assert_eq!(p.bump().await, Ok(1));
    assert_eq!(p.bump().await, Ok(2));
    p.stop();
    assert!(p.wait_for_stop().await.is_normal());
    assert_eq!(events.get(), ["p started", "p stopped: stopped normally"]);
}

#[tokio::test]
async fn a_synchronous_actor_whose_start_fails_fails_its_queued_asks() {
    let events = Events::default();
    let mut p = Plain::new("p", &events);
    p.fail_start = true;
    let p = p.spawn();
    assert_eq!(p.bump().await, Err(AskError::Stopped));
    match p.wait_for_stop().await {
        StopReason::StartFailed(err) => assert_eq!(err.to_string(), "p refused to start"),
        other => panic!("expected StartFailed, got {other:?}"),
    }
    assert!(events.get().is_empty(), "on_stop ran: {:?}", events.get());
}

#[tokio::test]
async fn a_panic_in_a_synchronous_handler_fails_that_ask_and_the_queue() {
    let events = Events::default();
    let p = Plain::new("p", &events).spawn();
    // Queued together, before the actor runs: the panic is in the middle.
    let (before, boom, after) = tokio::join!(p.bump(), p.explode(), p.bump());
    assert_eq!(before, Ok(1));
    assert_eq!(boom, Err(AskError::Panicked));
    assert_eq!(after, Err(AskError::Stopped));
    match p.wait_for_stop().await {
        StopReason::Panicked(msg) => assert_eq!(&*msg, "p exploded"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(
        events.get(),
        ["p started", "p stopped: panicked: p exploded"]
    );
}

#[tokio::test]
async fn killing_an_idle_synchronous_actor_skips_on_stop() {
    let events = Events::default();
    let p = Plain::new("p", &events).spawn();
    assert_eq!(p.bump().await, Ok(1));
    p.kill();
    assert!(matches!(p.wait_for_stop().await, StopReason::Killed));
    assert_eq!(p.bump().await, Err(AskError::Stopped));
    assert_eq!(events.get(), ["p started"]);
}
