//! The test kit: a probe that stands in for an actor, and waits that fail
//! instead of hanging, under tokio's paused clock.

use std::time::Duration;

use typact::prelude::*;
use typact::testkit::{TestProbe, within};

#[derive(Debug, PartialEq)]
struct Tick(u32);

impl Message for Tick {
    type Reply = u32;
}

/// Sends `Tick`s to a recipient: at once, after a delay, or every period.
struct Ticker {
    out: Recipient<Tick>,
}

#[actor]
impl Ticker {
    #[handler]
    async fn now(&mut self, n: u32) {
        let _ = self.out.tell(Tick(n)).await;
    }

    #[handler]
    async fn ask_out(&mut self, n: u32) -> Result<u32, AskError> {
        self.out.ask(Tick(n)).await
    }

    #[handler]
    fn later(&mut self, n: u32, after: Duration, ctx: &mut Context<Self>) {
        ctx.send_after(Now { n }, after);
    }

    #[handler]
    fn every(&mut self, period: Duration, ctx: &mut Context<Self>) {
        let mut n = 0;
        ctx.send_interval(period, move || {
            n += 1;
            Now { n }
        });
    }

    #[handler]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

fn ticker(probe: &TestProbe<Tick>) -> ActorRef<Ticker> {
    Ticker {
        out: probe.recipient(),
    }
    .spawn()
}

#[tokio::test]
async fn a_probe_receives_what_it_is_sent() {
    let mut probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    ticker.now(1).await.unwrap();
    assert_eq!(probe.expect_msg().await, Tick(1));
    // The probe is a recipient itself.
    probe.tell(Tick(2)).await.unwrap();
    assert_eq!(probe.expect_msg().await, Tick(2));
}

#[tokio::test]
async fn a_probe_answers_an_ask_through_its_request() {
    let mut probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    let ask = ticker.ask_out(5);
    let (tick, reply) = probe.expect_request().await;
    assert_eq!(tick, Tick(5));
    reply.send(50);
    assert_eq!(ask.await, Ok(Ok(50)));
}

#[tokio::test(start_paused = true)]
async fn timers_run_on_the_paused_clock() {
    let mut probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    ticker.later(7, Duration::from_secs(3600)).await.unwrap();
    // An hour of quiet, checked without waiting an hour.
    probe.expect_no_msg(Duration::from_secs(3599)).await;
    assert_eq!(
        probe.expect_msg_within(Duration::from_secs(2)).await,
        Tick(7)
    );
}

#[tokio::test(start_paused = true)]
async fn fish_for_skips_until_a_match() {
    let mut probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    ticker.every(Duration::from_secs(1)).await.unwrap();
    let third = probe.fish_for_within(Duration::from_secs(10), |t| t.0 == 3);
    assert_eq!(third.await, Tick(3));
    assert_eq!(probe.expect_msg().await, Tick(4));
}

#[tokio::test]
async fn expect_terminated_returns_the_reason() {
    let probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    ticker.quit().await.unwrap();
    assert!(probe.expect_terminated(&ticker).await.is_normal());
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "expected a message within 3s, got none")]
async fn expect_msg_fails_the_test_when_nothing_comes() {
    let mut probe = TestProbe::<Tick>::new();
    probe.expect_msg().await;
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "expected no message for 1s, got one")]
async fn expect_no_msg_fails_the_test_when_something_comes() {
    let mut probe = TestProbe::<Tick>::new();
    probe.tell(Tick(1)).await.unwrap();
    probe.expect_no_msg(Duration::from_secs(1)).await;
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "to stop within 3s")]
async fn expect_terminated_fails_the_test_when_the_actor_runs_on() {
    let probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    probe.expect_terminated(&ticker).await;
}

#[tokio::test(start_paused = true)]
async fn an_ask_timeout_runs_on_the_paused_clock() {
    let mut probe = TestProbe::<Tick>::new();
    let ticker = ticker(&probe);
    // The probe holds the ask unanswered; the ask's own timeout fires.
    let ask = probe.ask(Tick(1)).timeout(Duration::from_secs(30));
    let (_tick, _reply) = probe.expect_request().await;
    assert_eq!(ask.await, Err(AskError::Timeout));
    assert_eq!(
        within(Duration::from_secs(1), ticker.now(2)).await,
        Some(Ok(()))
    );
}
