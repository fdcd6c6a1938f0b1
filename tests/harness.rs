//! The synchronous harness: one handler at a time from a plain `#[test]`,
//! with its effects (self-sends, children, timers, stop) visible between
//! messages.

use std::time::Duration;

use typact::prelude::*;
use typact::testkit::{Harness, TestProbe};

#[derive(Default)]
struct Worker;

#[actor]
impl Worker {
    #[handler]
    fn work(&self, n: u32) -> u32 {
        n * 2
    }
}

struct Alert(u32);

impl Message for Alert {
    type Reply = ();
}

#[derive(Default)]
struct Boss {
    started: bool,
    seen: Vec<u32>,
    workers: Vec<ActorRef<Worker>>,
    alerts: Option<Recipient<Alert>>,
}

#[actor]
impl Boss {
    #[on_start]
    fn start(&mut self) {
        self.started = true;
    }

    #[handler]
    fn note(&mut self, n: u32, ctx: &mut Context<Self>) {
        self.seen.push(n);
        if n > 0 {
            // Counts down through its own mailbox.
            let me = ctx.myself();
            me.try_tell(Note { n: n - 1 }).expect("room");
        }
    }

    #[handler]
    fn hire(&mut self, ctx: &mut Context<Self>) -> usize {
        let worker = ctx.spawn(Worker);
        self.workers.push(worker);
        self.workers.len()
    }

    #[handler]
    fn remind(&mut self, after: Duration, ctx: &mut Context<Self>) {
        ctx.send_after(Note { n: 0 }, after);
    }

    #[handler]
    async fn delegate(&mut self, n: u32) -> Result<u32, AskError> {
        let worker = self.workers.first().expect("hired first").clone();
        worker.work(n).await
    }

    #[handler]
    fn watch_with(&mut self, alerts: Recipient<Alert>) {
        self.alerts = Some(alerts);
    }

    #[handler]
    async fn raise(&mut self, level: u32) {
        if let Some(alerts) = &self.alerts {
            alerts.tell(Alert(level)).await.expect("probe alive");
        }
    }

    #[handler]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

#[test]
fn on_start_runs_and_the_state_is_visible_between_messages() {
    let mut boss = Harness::new(Boss::default());
    assert!(boss.actor().started);
    boss.tell(Note { n: 0 });
    assert_eq!(boss.actor().seen, [0]);
    boss.actor_mut().seen.clear();
    assert!(boss.actor().seen.is_empty());
}

#[test]
fn messages_sent_to_itself_wait_until_run() {
    let mut boss = Harness::new(Boss::default());
    boss.tell(Note { n: 3 });
    assert_eq!(boss.actor().seen, [3]);
    assert_eq!(boss.queued(), 1, "Note {{ n: 2 }} waits");
    assert_eq!(boss.run_queued(), 3, "2, then 1, then 0");
    assert_eq!(boss.actor().seen, [3, 2, 1, 0]);
    assert_eq!(boss.queued(), 0);
}

#[test]
fn children_and_their_replies() {
    let mut boss = Harness::new(Boss::default());
    assert_eq!(boss.children(), 0);
    assert_eq!(boss.ask(Hire), Ok(1));
    assert_eq!(boss.ask(Hire), Ok(2));
    assert_eq!(boss.children(), 2);
    // An async handler awaiting a child's reply.
    assert_eq!(boss.ask(Delegate { n: 21 }), Ok(Ok(42)));
}

#[test]
fn timers_are_counted_and_fire_into_the_mailbox() {
    let mut boss = Harness::new(Boss::default());
    boss.tell(Remind {
        after: Duration::from_millis(1),
    });
    assert_eq!(boss.timers(), 1);
    assert_eq!(boss.queued(), 0, "not yet fired");
    // Let the timer's task run on the harness's runtime until it fires
    // (bounded, so that a timer that never fires fails the test).
    for _ in 0..10_000 {
        if boss.queued() > 0 {
            break;
        }
        boss.block_on(async { tokio::time::sleep(Duration::from_millis(1)).await });
    }
    assert_eq!(boss.queued(), 1);
    assert_eq!(boss.run_queued(), 1);
    assert_eq!(boss.timers(), 0, "a fired one-shot timer leaves the books");
    assert_eq!(boss.actor().seen, [0]);
}

#[test]
fn messages_to_other_actors_reach_a_probe() {
    let mut boss = Harness::new(Boss::default());
    let mut probe = boss.block_on(async { TestProbe::<Alert>::new() });
    boss.tell(WatchWith {
        alerts: probe.recipient(),
    });
    boss.tell(Raise { level: 7 });
    let alert = boss.block_on(probe.expect_msg());
    assert_eq!(alert.0, 7);
}

#[test]
fn a_stop_request_is_visible_and_stop_gives_the_actor_back() {
    let mut boss = Harness::new(Boss::default());
    assert!(!boss.stop_requested());
    boss.tell(Quit);
    assert!(boss.stop_requested());
    let state = boss.stop(StopReason::Normal);
    assert!(state.started);
}
