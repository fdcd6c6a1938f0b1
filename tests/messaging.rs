//! Tell, ask, timeouts, blocking calls, recipients, deferred replies and
//! ordering.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;
use typact::prelude::*;

/// An actor whose `hold` handler parks it until released, so that tests can
/// fill its mailbox.
#[derive(Default)]
struct Store {
    total: u64,
    log: Vec<(u32, u32)>,
    pending: Vec<ReplyTo<u64>>,
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

    #[handler]
    async fn slow_total(&self, delay: Duration) -> u64 {
        tokio::time::sleep(delay).await;
        self.total
    }

    #[handler]
    fn checked_div(&self, by: u64) -> Result<u64, String> {
        self.total
            .checked_div(by)
            .ok_or_else(|| "division by zero".to_owned())
    }

    #[handler]
    fn record(&mut self, sender: u32, seq: u32) {
        self.log.push((sender, seq));
    }

    #[handler]
    fn take_log(&mut self) -> Vec<(u32, u32)> {
        std::mem::take(&mut self.log)
    }

    /// Answers later, when `release_totals` is told.
    #[handler(deferred)]
    fn total_later(&mut self, reply: ReplyTo<u64>) {
        self.pending.push(reply);
    }

    #[handler]
    fn release_totals(&mut self) -> usize {
        let n = self.pending.len();
        for reply in self.pending.drain(..) {
            reply.send(self.total);
        }
        n
    }

    #[handler]
    fn pending(&self) -> usize {
        self.pending.len()
    }

    #[handler]
    fn drop_pending(&mut self) {
        self.pending.clear();
    }

    /// Answers from a spawned task, after `delay`.
    #[handler(deferred)]
    fn total_from_task(&mut self, delay: Duration, reply: ReplyTo<u64>, ctx: &mut Context<Self>) {
        let total = self.total;
        let _ = ctx.id();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            reply.send(total);
        });
    }
}

/// Parks `store` in its `hold` handler; returns the release trigger.
async fn park(store: &ActorRef<Store>) -> oneshot::Sender<()> {
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    store
        .tell(Hold {
            entered: entered_tx,
            release: release_rx,
        })
        .await
        .unwrap();
    entered_rx.await.unwrap();
    release_tx
}

#[tokio::test]
async fn tell_then_ask_sees_the_effect() {
    let store = Store::default().spawn();
    store.tell(Add { by: 2 }).await.unwrap();
    store.tell(Add { by: 3 }).await.unwrap();
    assert_eq!(store.ask(Total).await.unwrap(), 5);
}

#[tokio::test]
async fn generated_client_methods_ask() {
    let store = Store::default().spawn();
    store.add(4).await.unwrap();
    let total: u64 = store.total().await.unwrap();
    assert_eq!(total, 4);
}

#[tokio::test]
async fn result_replies_are_typed() {
    let store = Store::default().spawn();
    store.add(10).await.unwrap();
    assert_eq!(store.checked_div(2).await.unwrap(), Ok(5));
    assert_eq!(
        store.checked_div(0).await.unwrap(),
        Err("division by zero".to_owned())
    );
}

#[tokio::test]
async fn try_tell_on_a_full_mailbox_hands_the_message_back() {
    let store = Store::default().builder().capacity(1).spawn();
    let release = park(&store).await;
    store.try_tell(Add { by: 1 }).unwrap();
    match store.try_tell(Add { by: 7 }) {
        Err(err @ TryTellError::Full(_)) => {
            assert!(err.is_full());
            assert_eq!(err.into_inner().by, 7);
        }
        other => panic!("expected Full, got {other:?}"),
    }
    release.send(()).unwrap();
    assert_eq!(store.total().await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn tell_waits_for_mailbox_space() {
    let store = Store::default().builder().capacity(1).spawn();
    let release = park(&store).await;
    store.tell(Add { by: 1 }).await.unwrap();
    // The mailbox is full: a tell cannot complete while the actor is parked.
    let blocked = tokio::time::timeout(Duration::from_secs(60), store.tell(Add { by: 100 })).await;
    assert!(blocked.is_err(), "tell completed on a full mailbox");
    // Once space frees up, the tell goes through.
    let pending = {
        let store = store.clone();
        tokio::spawn(async move { store.tell(Add { by: 2 }).await })
    };
    release.send(()).unwrap();
    pending.await.unwrap().unwrap();
    assert_eq!(store.total().await.unwrap(), 3);
}

#[tokio::test(start_paused = true)]
async fn ask_waits_for_mailbox_space_then_replies() {
    let store = Store::default().builder().capacity(1).spawn();
    let release = park(&store).await;
    store.tell(Add { by: 1 }).await.unwrap();
    let asker = {
        let store = store.clone();
        tokio::spawn(async move { store.ask(Total).await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!asker.is_finished());
    release.send(()).unwrap();
    assert_eq!(asker.await.unwrap(), Ok(1));
}

#[tokio::test]
async fn sending_to_a_stopped_actor_hands_the_message_back() {
    let store = Store::default().spawn();
    store.stop();
    assert!(store.wait_for_stop().await.is_normal());
    assert!(!store.is_alive());

    let err = store.tell(Add { by: 5 }).await.unwrap_err();
    assert_eq!(err.into_inner().by, 5);
    match store.try_tell(Add { by: 6 }) {
        Err(TryTellError::Closed(msg)) => assert_eq!(msg.by, 6),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(store.ask(Total).await, Err(AskError::Stopped));
    assert_eq!(store.total().await, Err(AskError::Stopped));
}

#[tokio::test(start_paused = true)]
async fn ask_timeout_expires() {
    let store = Store::default().spawn();
    let started = tokio::time::Instant::now();
    let result = store
        .ask(SlowTotal {
            delay: Duration::from_secs(10),
        })
        .timeout(Duration::from_millis(50))
        .await;
    assert_eq!(result, Err(AskError::Timeout));
    // Paused time: the virtual clock moved by the timeout, not the delay.
    assert_eq!(started.elapsed(), Duration::from_millis(50));
    // The request is still handled; the actor then answers a later ask.
    assert_eq!(
        store
            .slow_total(Duration::from_millis(1))
            .timeout(Duration::from_secs(20))
            .await,
        Ok(0)
    );
}

#[tokio::test(start_paused = true)]
async fn ask_timeout_does_not_fire_when_the_reply_is_in_time() {
    let store = Store::default().spawn();
    store.add(9).await.unwrap();
    let result = store
        .ask(SlowTotal {
            delay: Duration::from_millis(10),
        })
        .timeout(Duration::from_millis(50))
        .await;
    assert_eq!(result, Ok(9));
}

#[test]
fn blocking_tell_and_ask_work_outside_async() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = rt.block_on(async { Store::default().spawn() });
    let from_thread = std::thread::spawn({
        let store = store.clone();
        move || {
            store.blocking_tell(Add { by: 20 }).unwrap();
            store.blocking_ask(Total)
        }
    });
    assert_eq!(from_thread.join().unwrap(), Ok(20));
    let recipient: Recipient<Add> = store.recipient();
    let from_thread = std::thread::spawn(move || recipient.blocking_ask(Add { by: 1 }));
    assert_eq!(from_thread.join().unwrap(), Ok(()));
    assert_eq!(store.blocking_ask(Total), Ok(21));
    // `spawn_blocking` threads have entered the runtime but may block.
    let from_pool = rt.block_on(rt.spawn_blocking({
        let store = store.clone();
        move || {
            store.blocking_tell(Add { by: 1 }).unwrap();
            store.blocking_ask(Total)
        }
    }));
    assert_eq!(from_pool.unwrap(), Ok(22));
    store.stop();
    assert_eq!(store.blocking_ask(Total), Err(AskError::Stopped));
    assert!(rt.block_on(store.wait_for_stop()).is_normal());
    assert_eq!(
        store
            .blocking_tell(Add { by: 1 })
            .unwrap_err()
            .into_inner()
            .by,
        1
    );
}

struct Greet {
    name: String,
}

impl Message for Greet {
    type Reply = String;
}

#[derive(Default)]
struct English {
    greeted: u32,
}

#[actor]
impl English {
    #[handler(message)]
    fn greet(&mut self, msg: Greet) -> String {
        self.greeted += 1;
        format!("hello, {}", msg.name)
    }

    #[handler]
    fn greeted(&self) -> u32 {
        self.greeted
    }
}

#[derive(Default)]
struct French;

#[actor]
impl French {
    #[handler(message)]
    async fn greet(&mut self, msg: Greet) -> String {
        format!("bonjour, {}", msg.name)
    }
}

#[tokio::test]
async fn recipients_reach_different_actor_types() {
    let english = English::default().spawn();
    let french = French.spawn();
    let recipients: Vec<Recipient<Greet>> = vec![english.recipient(), french.recipient()];
    assert_eq!(recipients[0].id(), english.id());
    assert_eq!(recipients[1].id(), french.id());

    let mut answers = Vec::new();
    for r in &recipients {
        answers.push(r.ask(Greet { name: "Ada".into() }).await.unwrap());
    }
    assert_eq!(answers, ["hello, Ada", "bonjour, Ada"]);

    recipients[0]
        .tell(Greet { name: "Bob".into() })
        .await
        .unwrap();
    recipients[0].try_tell(Greet { name: "Cy".into() }).unwrap();
    assert_eq!(english.greeted().await.unwrap(), 3);
    assert!(format!("{:?}", recipients[0]).contains("English"));
}

#[tokio::test]
async fn a_recipient_hands_messages_back_when_the_actor_is_gone() {
    let french = French.spawn();
    let r: Recipient<Greet> = french.recipient();
    french.stop();
    french.wait_for_stop().await;
    assert!(!r.is_alive());
    let err = r
        .tell(Greet {
            name: "late".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.into_inner().name, "late");
    match r.try_tell(Greet {
        name: "later".into(),
    }) {
        Err(TryTellError::Closed(msg)) => assert_eq!(msg.name, "later"),
        other => panic!("expected Closed, got {:?}", other.map_err(|e| e.is_full())),
    }
    assert_eq!(
        r.ask(Greet { name: "x".into() }).await,
        Err(AskError::Stopped)
    );
}

#[tokio::test]
async fn deferred_replies_do_not_block_the_mailbox() {
    let store = Store::default().spawn();
    store.add(3).await.unwrap();
    let waiting: Vec<_> = (0..3)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.total_later().await })
        })
        .collect();
    // While the three asks wait for their deferred replies, the actor goes
    // on handling other messages.
    while store.pending().await.unwrap() < 3 {
        store.add(0).await.unwrap();
        tokio::task::yield_now().await;
    }
    assert!(waiting.iter().all(|w| !w.is_finished()));
    assert_eq!(store.total().await.unwrap(), 3);
    assert_eq!(store.release_totals().await.unwrap(), 3);
    for w in waiting {
        assert_eq!(w.await.unwrap(), Ok(3));
    }
}

#[tokio::test(start_paused = true)]
async fn deferred_reply_from_another_task() {
    let store = Store::default().spawn();
    store.add(8).await.unwrap();
    let reply = store.total_from_task(Duration::from_secs(5)).await;
    assert_eq!(reply, Ok(8));
}

#[tokio::test]
async fn a_dropped_reply_handle_fails_the_ask_with_no_reply() {
    let store = Store::default().spawn();
    let asker = {
        let store = store.clone();
        tokio::spawn(async move { store.total_later().await })
    };
    while store.pending().await.unwrap() < 1 {
        tokio::task::yield_now().await;
    }
    store.drop_pending().await.unwrap();
    assert_eq!(asker.await.unwrap(), Err(AskError::NoReply));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_from_one_sender_arrive_in_order() {
    const SENDERS: u32 = 4;
    const PER_SENDER: u32 = 2_000;
    let store = Store::default().builder().capacity(16).spawn();
    let tasks: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let store = store.clone();
            tokio::spawn(async move {
                for seq in 0..PER_SENDER {
                    if seq % 2 == 0 {
                        store.tell(Record { sender, seq }).await.unwrap();
                    } else {
                        store.record(sender, seq).await.unwrap();
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let log = store.take_log().await.unwrap();
    assert_eq!(log.len() as u32, SENDERS * PER_SENDER);
    let mut per_sender: HashMap<u32, Vec<u32>> = HashMap::new();
    for (sender, seq) in log {
        per_sender.entry(sender).or_default().push(seq);
    }
    for (sender, seqs) in per_sender {
        let expected: Vec<u32> = (0..PER_SENDER).collect();
        assert_eq!(
            seqs, expected,
            "sender {sender} saw its messages out of order"
        );
    }
}

#[tokio::test]
async fn unbounded_mailboxes_never_report_full() {
    let store = Store::default().builder().unbounded().spawn();
    let release = park(&store).await;
    for _ in 0..10_000 {
        store.try_tell(Add { by: 1 }).unwrap();
    }
    release.send(()).unwrap();
    assert_eq!(store.total().await.unwrap(), 10_000);
}

#[tokio::test]
async fn refs_are_cheap_clone_send_sync_and_compare_by_id() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<ActorRef<Store>>();
    assert_send_sync::<Recipient<Greet>>();

    let a = Store::default().builder().name("a").spawn();
    let b = Store::default().spawn();
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    assert_ne!(a.id(), b.id());
    assert_eq!(a.name(), Some("a"));
    assert_eq!(b.name(), None);
    assert!(format!("{a:?}").contains("Store(a)"));
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn a_zero_capacity_is_refused() {
    let _ = Store::default().builder().capacity(0);
}

/// Counts the ticks it handles before `raised` is set, with a synchronous
/// handler.
struct Busy {
    raised: Arc<AtomicBool>,
    before: u32,
}

#[actor]
impl Busy {
    #[handler]
    fn tick(&mut self) {
        if !self.raised.load(Ordering::Relaxed) {
            self.before += 1;
        }
    }

    #[handler]
    fn ticks_before(&self) -> u32 {
        self.before
    }
}

/// [`Busy`] with an `async` handler.
struct AsyncBusy {
    raised: Arc<AtomicBool>,
    before: u32,
}

#[actor]
impl AsyncBusy {
    #[handler]
    async fn step(&mut self) {
        if !self.raised.load(Ordering::Relaxed) {
            self.before += 1;
        }
    }

    #[handler]
    fn steps_before(&self) -> u32 {
        self.before
    }
}

const QUEUED: u32 = 10_000;

/// Spawns the actor `make` builds around a shared flag, with an unbounded
/// mailbox; queues `QUEUED` messages to it with `queue`, then spawns a task
/// that raises the flag; and checks what `before` reads: the messages the
/// actor handled before that task ran. The actor's task is queued ahead of
/// the other, so on one thread that task runs before the actor has handled
/// everything only if the actor yields part-way through its mailbox.
async fn assert_yields_while_busy<A: Actor>(
    make: impl FnOnce(Arc<AtomicBool>) -> A,
    queue: impl Fn(&ActorRef<A>),
    before: impl AsyncFnOnce(&ActorRef<A>) -> u32,
) {
    let raised = Arc::new(AtomicBool::new(false));
    let actor = make(raised.clone()).builder().unbounded().spawn();
    for _ in 0..QUEUED {
        queue(&actor);
    }
    let raise = tokio::spawn(async move { raised.store(true, Ordering::Relaxed) });
    let handled = before(&actor).await;
    raise.await.unwrap();
    assert!(
        handled < QUEUED,
        "the actor handled all {handled} messages before any other task ran"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_busy_actor_lets_other_tasks_run() {
    assert_yields_while_busy(
        |raised| Busy { raised, before: 0 },
        |busy| busy.try_tell(Tick).unwrap(),
        async |busy| busy.ask(TicksBefore).await.unwrap(),
    )
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_busy_actor_with_async_handlers_lets_other_tasks_run() {
    assert_yields_while_busy(
        |raised| AsyncBusy { raised, before: 0 },
        |busy| busy.try_tell(Step).unwrap(),
        async |busy| busy.ask(StepsBefore).await.unwrap(),
    )
    .await;
}
