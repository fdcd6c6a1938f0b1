//! Ask cycles fail instead of hanging: an ask made from a handler that
//! would close a cycle of actors waiting on each other's replies is refused
//! at once with `AskError::Deadlock`, naming the cycle; and every ask made
//! from a handler has a timeout, so that a wait the graph cannot see (a
//! reply that never comes) does not stop an actor for good.

mod common;

use std::time::Duration;

use common::within;
use typact::prelude::*;

/// A node of a ring of askers: `relay(hops)` asks the next node to relay
/// `hops - 1`, and answers 0 at the end of the line.
struct Node {
    next: Option<ActorRef<Node>>,
    relayed: u32,
}

#[actor]
impl Node {
    #[handler]
    fn link(&mut self, next: ActorRef<Node>) {
        self.next = Some(next);
    }

    #[handler]
    async fn relay(&mut self, hops: u32) -> Result<u32, AskError> {
        self.relayed += 1;
        if hops == 0 {
            return Ok(0);
        }
        let next = self.next.clone().expect("linked first");
        Ok(next.relay(hops - 1).await?? + 1)
    }

    #[handler]
    fn relayed(&self) -> u32 {
        self.relayed
    }
}

/// A ring of `n` named nodes, each linked to the next, the last to the first.
async fn ring(n: usize) -> Vec<ActorRef<Node>> {
    let nodes: Vec<ActorRef<Node>> = (0..n)
        .map(|i| {
            Node {
                next: None,
                relayed: 0,
            }
            .builder()
            .name(format!("n{i}"))
            .spawn()
        })
        .collect();
    for (i, node) in nodes.iter().enumerate() {
        node.link(nodes[(i + 1) % n].clone()).await.unwrap();
    }
    nodes
}

fn deadlock(result: Result<u32, AskError>) -> typact::Deadlock {
    match result {
        Err(AskError::Deadlock(cycle)) => cycle,
        other => panic!("expected AskError::Deadlock, got {other:?}"),
    }
}

#[tokio::test]
async fn two_actors_asking_each_other_fail_at_once_and_name_the_cycle() {
    let nodes = ring(2).await;
    // n0 asks n1 (2 hops left: n1 would ask n0 back, closing the cycle).
    let out = within("the ask cycle", nodes[0].relay(2)).await.unwrap();
    let cycle = deadlock(out);
    // Refused in n1's handler: n1 asks n0, which waits on n1.
    assert_eq!(cycle.actors().len(), 2);
    assert!(cycle.actors()[0].starts_with("Node(n1)#"), "{cycle:?}");
    assert!(cycle.actors()[1].starts_with("Node(n0)#"), "{cycle:?}");
    let text = AskError::Deadlock(cycle).to_string();
    assert!(
        text.contains("Node(n0)") && text.contains("Node(n1)"),
        "{text}"
    );
    assert!(text.contains("tell"), "the error says what to do: {text}");
    // Both are alive and serve; the refused ask never reached n0.
    assert!(nodes.iter().all(ActorRef::is_alive));
    assert_eq!(nodes[0].relayed().await.unwrap(), 1);
    assert_eq!(nodes[1].relayed().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_of_five_is_caught_on_the_multi_thread_runtime() {
    let nodes = ring(5).await;
    let out = within("the ask cycle", nodes[0].relay(5)).await.unwrap();
    let cycle = deadlock(out);
    let names: Vec<&str> = cycle
        .actors()
        .iter()
        .map(|a| a.split('#').next().unwrap())
        .collect();
    // Refused in n4, which would ask n0; n0 waits on n1, ..., n3 on n4.
    assert_eq!(
        names,
        ["Node(n4)", "Node(n0)", "Node(n1)", "Node(n2)", "Node(n3)"]
    );
    for node in &nodes {
        assert_eq!(node.relayed().await.unwrap(), 1, "each relayed once");
    }
}

#[tokio::test]
async fn a_chain_that_does_not_close_a_cycle_is_not_refused() {
    let nodes = ring(4).await;
    // Three hops: n0 -> n1 -> n2 -> n3, which answers; no actor is asked
    // while it waits.
    assert_eq!(nodes[0].relay(3).await.unwrap(), Ok(3));
    // Many chains at once, all ending at n3 before the ring closes: the
    // waits cross but form no cycle. (Asks from outside are no waits.)
    let asks: Vec<_> = (0..60)
        .map(|i| nodes[i % 3].relay(3 - (i % 3) as u32))
        .collect();
    for (i, ask) in asks.into_iter().enumerate() {
        let hops = 3 - (i % 3) as u32;
        assert_eq!(within("an outside ask", ask).await.unwrap(), Ok(hops));
    }
}

/// Starts two asks at once from one handler.
#[derive(Default)]
struct Fan {
    peers: Vec<ActorRef<Node>>,
}

#[actor]
impl Fan {
    #[handler]
    fn add(&mut self, peer: ActorRef<Node>) {
        self.peers.push(peer);
    }

    #[handler]
    async fn both(&mut self) -> Vec<Result<u32, AskError>> {
        let asks: Vec<_> = self.peers.iter().map(|p| p.relay(0)).collect();
        let mut out = Vec::new();
        for ask in asks {
            out.push(ask.await.and_then(|r| r));
        }
        out
    }

    /// Moves an ask into a task of its own: this actor does not wait on it.
    #[handler]
    fn detach(&mut self, peer: ActorRef<Node>) {
        let ask = peer.relay(1);
        tokio::spawn(async move {
            let _ = ask.await;
        });
    }
}

#[tokio::test]
async fn an_ask_moved_out_of_the_handler_is_not_a_wait() {
    let nodes = ring(2).await;
    let fan = Fan::default().spawn();
    // The spawned ask: n0 relays 1 hop to n1. No actor waits on n0 in a
    // handler, so n0's own ask to n1 is fine.
    fan.detach(nodes[0].clone()).await.unwrap();
    within("the detached relay", async {
        while nodes[1].relayed().await.unwrap() == 0 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    // And the fan, not waiting on anything, can be asked by anyone.
    fan.add(nodes[0].clone()).await.unwrap();
    fan.add(nodes[1].clone()).await.unwrap();
    assert_eq!(fan.both().await.unwrap(), [Ok(0), Ok(0)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cycles_that_form_at_once_on_two_threads_never_hang() {
    // Both ends start at the same moment: whichever ask comes second is
    // refused (or the first has finished and there is no cycle); never a
    // hang. 300 rounds.
    let mut refused = 0;
    for round in 0..300 {
        let nodes = ring(2).await;
        let (a, b) = within(&format!("round {round}"), async {
            tokio::join!(nodes[0].relay(2), nodes[1].relay(2))
        })
        .await;
        for out in [a.unwrap(), b.unwrap()] {
            match out {
                Ok(_) => {}
                Err(AskError::Deadlock(_)) => refused += 1,
                Err(other) => panic!("round {round}: {other:?}"),
            }
        }
    }
    // Each relay(2) is refused in the second actor on its own, so every
    // round refuses at least once per started chain.
    assert!(refused >= 300, "refused {refused} times in 300 rounds");
}

/// Keeps its requests' reply handles and never answers.
#[derive(Default)]
struct Sink {
    kept: Vec<ReplyTo<u32>>,
}

#[actor]
impl Sink {
    #[handler(deferred)]
    fn hold(&mut self, reply: ReplyTo<u32>) {
        self.kept.push(reply);
    }
}

struct Caller {
    sink: ActorRef<Sink>,
}

#[actor]
impl Caller {
    #[handler]
    async fn call(&mut self) -> Result<u32, AskError> {
        self.sink.hold().await
    }

    #[handler]
    async fn call_within(&mut self, limit: Duration) -> Result<u32, AskError> {
        self.sink.hold().timeout(limit).await
    }

    #[handler]
    fn set_limit(&mut self, limit: Option<Duration>, ctx: &mut Context<Self>) {
        ctx.set_ask_timeout(limit);
    }
}

#[tokio::test(start_paused = true)]
async fn an_ask_from_a_handler_times_out_after_the_default() {
    let caller = Caller {
        sink: Sink::default().spawn(),
    }
    .spawn();
    let start = tokio::time::Instant::now();
    assert_eq!(caller.call().await.unwrap(), Err(AskError::Timeout));
    // Paused time: the clock moved exactly to the deadline.
    assert_eq!(start.elapsed(), typact::DEFAULT_ASK_TIMEOUT);
    assert!(caller.is_alive());
}

#[tokio::test(start_paused = true)]
async fn the_timeout_is_set_per_actor_and_an_asks_own_wins() {
    let sink = Sink::default().spawn();
    let quick = Caller { sink: sink.clone() }
        .builder()
        .ask_timeout(Duration::from_secs(2))
        .spawn();
    let start = tokio::time::Instant::now();
    assert_eq!(quick.call().await.unwrap(), Err(AskError::Timeout));
    assert_eq!(start.elapsed(), Duration::from_secs(2));

    // The ask's own timeout wins over the actor's.
    let start = tokio::time::Instant::now();
    let out = quick.call_within(Duration::from_secs(7)).await.unwrap();
    assert_eq!(
        (out, start.elapsed()),
        (Err(AskError::Timeout), Duration::from_secs(7))
    );

    // Changed from inside; `None` turns it off.
    quick.set_limit(Some(Duration::from_secs(1))).await.unwrap();
    let start = tokio::time::Instant::now();
    assert_eq!(quick.call().await.unwrap(), Err(AskError::Timeout));
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    quick.set_limit(None).await.unwrap();
    let waiting = tokio::time::timeout(Duration::from_secs(3600), quick.call()).await;
    assert!(waiting.is_err(), "no timeout: still waiting after an hour");
}

#[tokio::test(start_paused = true)]
async fn asks_made_outside_any_actor_have_no_default_timeout() {
    let sink = Sink::default().spawn();
    let waiting = tokio::time::timeout(Duration::from_secs(3600), sink.hold()).await;
    assert!(
        waiting.is_err(),
        "an outside ask waits until told otherwise"
    );
}
