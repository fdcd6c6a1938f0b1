//! Heap allocations per message, counted by a global allocator: a `tell`
//! allocates nothing in steady state, an `ask` at most its reply slot; and
//! the heap bytes an idle actor holds.
//!
//! This file is its own test binary so that its allocator counts nothing
//! but these tests. The count is per thread, and every test runs its actors
//! on a current-thread runtime, so it sees exactly the allocations of the
//! senders and the actors, and none of the test harness's threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use typact::prelude::*;

struct Counting;

thread_local! {
    // Const-initialised and without a destructor, so using it inside the
    // allocator never allocates or recurses.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
}

fn note_allocation() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn note_bytes(delta: i64) {
    let _ = LIVE_BYTES.try_with(|n| n.set(n.get() + delta));
}

fn bytes(layout: Layout) -> i64 {
    i64::try_from(layout.size()).expect("no allocation is that large")
}

// SAFETY: every method forwards to `System` with the same arguments; the
// counter is a thread-local integer that never affects the memory returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        note_bytes(bytes(layout));
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_bytes(-bytes(layout));
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        note_bytes(bytes(layout));
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        note_bytes(i64::try_from(new_size).expect("no allocation is that large") - bytes(layout));
        // SAFETY: forwarded unchanged; `ptr` came from this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn live_bytes() -> i64 {
    LIVE_BYTES.with(Cell::get)
}

#[derive(Default)]
struct Sum {
    total: u64,
}

#[actor]
impl Sum {
    #[handler]
    fn add(&mut self, by: u64) {
        self.total += by;
    }

    #[handler]
    async fn add_async(&mut self, by: u64) {
        self.total += by;
    }

    #[handler]
    fn total(&self) -> u64 {
        self.total
    }
}

struct Bump(u64);

impl Message for Bump {
    type Reply = u64;
}

#[derive(Default)]
struct Bumper {
    total: u64,
}

#[actor]
impl Bumper {
    #[handler(message)]
    fn bump(&mut self, msg: Bump) -> u64 {
        self.total += msg.0;
        self.total
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

const WARMUP: u64 = 10_000;
const MEASURED: u64 = 100_000;

/// Tells per round; each round ends with an ask, so that an unbounded
/// mailbox's queue stays as deep as a round, as in a steady stream.
const ROUND: u64 = 500;

/// The most heap bytes an idle actor may hold: a 256-byte task (tokio's
/// header and trailer around the actor's 88-byte future), a 120-byte cell
/// and a 136-byte mailbox whose queue, having never held two entries at
/// once, has no buffer.
const IDLE_ACTOR_BYTES: i64 = 512;

/// The same for an actor with an `async` handler: its task is 384 bytes, as
/// its future keeps room for the handler's future (for this handler; a
/// handler that holds more across an `.await` makes it larger).
const IDLE_ASYNC_ACTOR_BYTES: i64 = 640;

/// The same for a supervised child: a task that runs instance after
/// instance, the cell and mailbox of any actor, and the supervisor's slot
/// for the child with its entry in the supervisor's list. The slot keeps
/// the decision its task has not taken yet, the reason its last instance
/// ended and the child's decider, which the exact give-up and park
/// semantics need (912 bytes before them).
const IDLE_CHILD_BYTES: i64 = 1088;

/// Runs `send` `n` times in rounds, waiting after each round until the actor
/// has handled it; returns the allocations counted, minus the one reply slot
/// of each round's ask.
async fn count<F, Fut>(sum: &ActorRef<Sum>, n: u64, mut send: F) -> u64
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let before = allocations();
    let mut rounds = 0;
    for i in 0..n {
        send(i).await;
        if i % ROUND == ROUND - 1 {
            sum.ask(Total).await.unwrap();
            rounds += 1;
        }
    }
    let spent = allocations() - before;
    spent.saturating_sub(rounds)
}

#[test]
fn a_tell_allocates_nothing_in_steady_state() {
    runtime().block_on(async {
        for kind in ["bounded", "unbounded", "async handler", "try_tell"] {
            let builder = Sum::default().builder();
            let sum = if kind == "unbounded" {
                builder.unbounded().spawn()
            } else {
                builder.spawn()
            };
            let send = |i: u64| {
                let sum = sum.clone();
                async move {
                    match kind {
                        "async handler" => sum.tell(AddAsync { by: i }).await.unwrap(),
                        "try_tell" => {
                            if let Err(TryTellError::Full(msg)) = sum.try_tell(Add { by: i }) {
                                sum.tell(msg).await.unwrap();
                            }
                        }
                        _ => sum.tell(Add { by: i }).await.unwrap(),
                    }
                }
            };
            count(&sum, WARMUP, send).await;
            let spent = count(&sum, MEASURED, send).await;
            println!("{kind}: {spent} allocations for {MEASURED} tells");
            assert_eq!(
                spent, 0,
                "{kind}: tells allocated {spent} times in steady state"
            );
        }
    });
}

#[test]
fn an_ask_allocates_only_its_reply_slot() {
    runtime().block_on(async {
        let sum = Sum::default().spawn();
        for _ in 0..WARMUP {
            sum.ask(Add { by: 1 }).await.unwrap();
        }
        let before = allocations();
        for _ in 0..MEASURED {
            sum.ask(Add { by: 1 }).await.unwrap();
        }
        let per_ask = (allocations() - before) as f64 / MEASURED as f64;
        println!("ask: {per_ask:.3} allocations per ask");
        assert!(per_ask <= 1.0, "an ask allocated {per_ask} times");

        // Through a generated client method, and through a recipient.
        let before = allocations();
        for _ in 0..MEASURED {
            sum.add(1).await.unwrap();
        }
        let per_ask = (allocations() - before) as f64 / MEASURED as f64;
        assert!(
            per_ask <= 1.0,
            "a client-method ask allocated {per_ask} times"
        );

        let bumper: Recipient<Bump> = Bumper::default().spawn().recipient();
        for _ in 0..WARMUP {
            bumper.ask(Bump(1)).await.unwrap();
        }
        let before = allocations();
        for _ in 0..MEASURED {
            bumper.ask(Bump(1)).await.unwrap();
        }
        let per_ask = (allocations() - before) as f64 / MEASURED as f64;
        println!("recipient ask: {per_ask:.3} allocations per ask");
        assert!(per_ask <= 1.0, "a recipient ask allocated {per_ask} times");
    });
}

#[test]
fn a_recipient_tell_allocates_nothing_in_steady_state() {
    runtime().block_on(async {
        let bumper = Bumper::default().spawn();
        let r: Recipient<Bump> = bumper.recipient();
        for _ in 0..WARMUP {
            r.tell(Bump(1)).await.unwrap();
        }
        r.ask(Bump(0)).await.unwrap();
        let before = allocations();
        for _ in 0..MEASURED {
            r.tell(Bump(1)).await.unwrap();
        }
        let total = r.ask(Bump(0)).await.unwrap();
        let spent = allocations() - before - 1;
        assert_eq!(total, WARMUP + MEASURED);
        println!("recipient tell: {spent} allocations for {MEASURED} tells");
        assert_eq!(spent, 0, "recipient tells allocated {spent} times");
    });
}

/// An actor whose handlers are all synchronous, with a `u64` of state.
#[derive(Default)]
struct Idle {
    seen: u64,
}

#[actor]
impl Idle {
    #[handler]
    fn seen(&mut self) -> u64 {
        self.seen += 1;
        self.seen
    }
}

/// Heap bytes (as requested from the allocator, before its own rounding)
/// held by one spawned actor of synchronous handlers that has answered one
/// ask and is idle: its task, its cell and its mailbox.
#[test]
fn an_idle_actor_holds_few_heap_bytes() {
    runtime().block_on(async {
        // The runtime's own structures grow with its first tasks.
        let warm: Vec<_> = (0..64).map(|_| Idle::default().spawn()).collect();
        for actor in &warm {
            actor.ask(Seen).await.unwrap();
        }
        let before = live_bytes();
        let actor = Idle::default().spawn();
        assert_eq!(actor.ask(Seen).await.unwrap(), 1);
        let held = live_bytes() - before;
        println!("an idle actor holds {held} heap bytes");
        assert!(
            held <= IDLE_ACTOR_BYTES,
            "an idle actor holds {held} heap bytes, more than {IDLE_ACTOR_BYTES}"
        );
        drop(warm);
    });
}

/// [`Idle`] with an `async` handler.
#[derive(Default)]
struct IdleAsync {
    seen: u64,
}

#[actor]
impl IdleAsync {
    #[handler]
    async fn seen_async(&mut self) -> u64 {
        self.seen += 1;
        self.seen
    }
}

/// The same for an actor with an `async` handler, whose task keeps room
/// for the handler's future.
#[test]
fn an_idle_actor_with_async_handlers_holds_few_heap_bytes() {
    runtime().block_on(async {
        let warm: Vec<_> = (0..64).map(|_| IdleAsync::default().spawn()).collect();
        for actor in &warm {
            actor.ask(SeenAsync).await.unwrap();
        }
        let before = live_bytes();
        let actor = IdleAsync::default().spawn();
        assert_eq!(actor.ask(SeenAsync).await.unwrap(), 1);
        let held = live_bytes() - before;
        println!("an idle actor with async handlers holds {held} heap bytes");
        assert!(
            held <= IDLE_ASYNC_ACTOR_BYTES,
            "an idle actor with async handlers holds {held} heap bytes, more than {IDLE_ASYNC_ACTOR_BYTES}"
        );
        drop(warm);
    });
}

/// An ask that finds the mailbox full allocates its reply slot and the
/// future that waits for a place, and nothing more; the reply it was first
/// offered with waits with it.
#[test]
fn an_ask_to_a_full_mailbox_allocates_its_reply_slot_once() {
    use std::future::{IntoFuture, poll_fn};
    use std::task::Poll;

    runtime().block_on(async {
        let sum = Sum::default().builder().capacity(1).spawn();
        sum.ask(Total).await.unwrap();
        // The actor cannot run until this task waits, so one tell fills it.
        sum.try_tell(Add { by: 2 }).unwrap();
        // An ask is sent (or, here, finds the mailbox full) as it is made:
        // count from there.
        let before = allocations();
        let mut ask = std::pin::pin!(sum.ask(Total).into_future());
        let first = poll_fn(|cx| Poll::Ready(ask.as_mut().poll(cx))).await;
        let spent = allocations() - before;
        assert!(first.is_pending(), "the mailbox should have been full");
        assert_eq!(
            spent, 2,
            "an ask to a full mailbox allocated {spent} times, not its reply slot and its wait"
        );
        assert_eq!(ask.await.unwrap(), 2);
    });
}

/// The same for a supervised child: its task runs instance after instance,
/// so it is larger, and the supervisor keeps a slot for it.
#[test]
fn an_idle_supervised_child_holds_few_heap_bytes() {
    runtime().block_on(async {
        let sup = typact::Supervisor::builder().spawn().await.unwrap();
        let warm = sup.child(Idle::default).start().await.unwrap();
        warm.ask(Seen).await.unwrap();
        let before = live_bytes();
        let child = sup.child(Idle::default).start().await.unwrap();
        assert_eq!(child.ask(Seen).await.unwrap(), 1);
        let held = live_bytes() - before;
        println!("an idle supervised child holds {held} heap bytes");
        assert!(
            held <= IDLE_CHILD_BYTES,
            "an idle supervised child holds {held} heap bytes, more than {IDLE_CHILD_BYTES}"
        );
    });
}

/// Hands every ask on to a `Bumper`, directly or mapped.
struct Forwarder {
    bumper: ActorRef<Bumper>,
}

#[actor]
impl Forwarder {
    #[handler(deferred)]
    async fn pass(&mut self, by: u64, reply: ReplyTo<u64>) {
        let _ = self.bumper.forward(Bump(by), reply).await;
    }

    #[handler(deferred)]
    async fn pass_mapped(&mut self, by: u64, reply: ReplyTo<u64>) {
        let reply = reply.map(|total: u64| total + 1);
        let _ = self.bumper.forward(Bump(by), reply).await;
    }
}

/// A forwarded ask allocates only the reply slot its ask made: the worker
/// answers through the very same slot. A mapped one adds its two boxes.
#[test]
fn a_forwarded_ask_allocates_only_its_reply_slot() {
    runtime().block_on(async {
        let forwarder = Forwarder {
            bumper: Bumper::default().spawn(),
        }
        .spawn();
        for _ in 0..WARMUP {
            forwarder.pass(1).await.unwrap();
        }
        let before = allocations();
        for _ in 0..MEASURED {
            forwarder.pass(1).await.unwrap();
        }
        let per_ask = (allocations() - before) as f64 / MEASURED as f64;
        println!("forwarded ask: {per_ask:.3} allocations per ask");
        assert!(per_ask <= 1.0, "a forwarded ask allocated {per_ask} times");

        let before = allocations();
        for _ in 0..MEASURED {
            forwarder.pass_mapped(1).await.unwrap();
        }
        let per_ask = (allocations() - before) as f64 / MEASURED as f64;
        println!("forwarded and mapped ask: {per_ask:.3} allocations per ask");
        assert!(per_ask <= 3.0, "a mapped ask allocated {per_ask} times");
    });
}

// Protocol refs: the same pins as for `ActorRef` and `Recipient`.

typact::protocol_of!(Summing = sum::Add + sum::Total);

#[test]
fn a_protocol_ref_tell_allocates_nothing_in_steady_state() {
    runtime().block_on(async {
        let sum = Sum::default().spawn();
        let before = allocations();
        let summing: Ref<Summing> = sum.to_ref();
        let weak = summing.downgrade();
        let again = weak.upgrade().expect("the actor is running");
        let copy = again.clone();
        let spent = allocations() - before;
        assert_eq!(
            spent, 0,
            "converting, downgrading, upgrading and cloning allocated {spent} times"
        );
        drop((again, copy));

        let send = |i: u64| {
            let summing = summing.clone();
            async move { summing.tell(Add { by: i }).await.unwrap() }
        };
        count(&sum, WARMUP, send).await;
        let spent = count(&sum, MEASURED, send).await;
        println!("protocol ref tell: {spent} allocations for {MEASURED} tells");
        assert_eq!(spent, 0, "protocol ref tells allocated {spent} times");

        let try_send = |i: u64| {
            let summing = summing.clone();
            async move {
                if let Err(TryTellError::Full(msg)) = summing.try_tell(Add { by: i }) {
                    summing.tell(msg).await.unwrap();
                }
            }
        };
        let spent = count(&sum, MEASURED, try_send).await;
        assert_eq!(spent, 0, "protocol ref try_tells allocated {spent} times");
    });
}

#[test]
fn a_protocol_ref_ask_allocates_only_its_reply_slot() {
    runtime().block_on(async {
        let sum = Sum::default().spawn();
        let summing: Ref<Summing> = sum.to_ref();
        for _ in 0..WARMUP {
            summing.ask(Add { by: 1 }).await.unwrap();
        }
        let before = allocations();
        for _ in 0..MEASURED {
            summing.ask(Add { by: 1 }).await.unwrap();
        }
        let per_ask = (allocations() - before) as f64 / MEASURED as f64;
        println!("protocol ref ask: {per_ask:.3} allocations per ask");
        assert!(
            per_ask <= 1.0,
            "a protocol ref ask allocated {per_ask} times"
        );
        assert_eq!(summing.ask(Total).await.unwrap(), WARMUP + MEASURED);
    });
}
