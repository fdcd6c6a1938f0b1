//! Passing a pending reply on (`forward`) and mapping it (`ReplyTo::map`):
//! the worker answers the original asker, with no task in between.

use tokio::sync::oneshot;
use typact::prelude::*;

#[derive(Default)]
struct Worker {
    handled: u64,
}

#[actor]
impl Worker {
    #[handler]
    fn double(&mut self, n: u64) -> u64 {
        self.handled += 1;
        2 * n
    }

    /// Signals `entered`, parks the worker until `release` fires, then
    /// answers.
    #[handler]
    async fn slow(
        &mut self,
        n: u64,
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
    ) -> u64 {
        let _ = entered.send(());
        let _ = release.await;
        n
    }

    #[handler]
    fn boom(&mut self) -> u64 {
        panic!("the worker failed")
    }

    #[handler(deferred)]
    fn drop_it(&mut self, reply: ReplyTo<u64>) {
        drop(reply);
    }
}

/// Hands jobs to its workers; the first one that takes a job answers it.
struct Router {
    workers: Vec<ActorRef<Worker>>,
}

#[actor]
impl Router {
    #[handler(deferred)]
    async fn job(&mut self, n: u64, reply: ReplyTo<u64>) {
        let mut pending = (Double { n }, reply);
        for worker in &self.workers {
            match worker.forward(pending.0, pending.1).await {
                Ok(()) => return,
                // Stopped: try the next one with the same job and reply.
                Err(err) => pending = err.into_inner(),
            }
        }
    }

    #[handler(deferred)]
    async fn describe(&mut self, n: u64, reply: ReplyTo<String>) {
        let reply = reply.map(move |doubled: u64| format!("2 × {n} = {doubled}"));
        let _ = self.workers[0].forward(Double { n }, reply).await;
    }

    #[handler(deferred)]
    async fn slow_job(
        &mut self,
        n: u64,
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
        reply: ReplyTo<u64>,
    ) {
        let job = Slow {
            n,
            entered,
            release,
        };
        let _ = self.workers[0].forward(job, reply).await;
    }

    #[handler(deferred)]
    async fn failing_job(&mut self, reply: ReplyTo<String>) {
        let reply = reply.map(|n: u64| n.to_string());
        let _ = self.workers[0].forward(Boom, reply).await;
    }

    #[handler(deferred)]
    async fn dropped_job(&mut self, reply: ReplyTo<String>) {
        let reply = reply.map(|n: u64| n.to_string());
        let _ = self.workers[0].forward(DropIt, reply).await;
    }
}

fn router(n: usize) -> (ActorRef<Router>, Vec<ActorRef<Worker>>) {
    let workers: Vec<_> = (0..n).map(|_| Worker::default().spawn()).collect();
    let router = Router {
        workers: workers.clone(),
    }
    .spawn();
    (router, workers)
}

#[tokio::test]
async fn a_forwarded_ask_is_answered_by_the_worker() {
    let (router, _workers) = router(1);
    assert_eq!(router.job(21).await, Ok(42));
}

#[tokio::test]
async fn a_refused_forward_hands_back_the_message_and_the_reply() {
    let (router, workers) = router(2);
    workers[0].stop();
    workers[0].wait_for_stop().await;
    // The router gets the job and the reply back from the stopped worker
    // and passes them to the next one.
    assert_eq!(router.job(5).await, Ok(10));
}

#[tokio::test]
async fn a_mapped_reply_reaches_the_asker_converted() {
    let (router, _workers) = router(1);
    assert_eq!(router.describe(4).await.as_deref(), Ok("2 × 4 = 8"));
}

#[tokio::test]
async fn a_mapped_reply_fails_as_the_worker_does() {
    let (router, _workers) = router(1);
    assert_eq!(router.dropped_job().await, Err(AskError::NoReply));
    assert_eq!(router.failing_job().await, Err(AskError::Panicked));
}

#[tokio::test]
async fn a_map_of_a_tells_handle_is_empty() {
    let reply: ReplyTo<String> = ReplyTo::none();
    let mapped = reply.map(|n: u64| n.to_string());
    assert!(!mapped.is_ask());
    mapped.send(1);
}

/// No relay task: while the worker holds a forwarded ask, the runtime runs
/// the two actors and nothing else.
#[tokio::test(flavor = "current_thread")]
async fn forwarding_spawns_no_task() {
    let (router, _workers) = router(1);
    let metrics = tokio::runtime::Handle::current().metrics();
    assert_eq!(metrics.num_alive_tasks(), 2);
    let (entered_tx, entered) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    // Sent as it is made; the router forwards it and the worker takes it.
    let ask = router.slow_job(3, entered_tx, release_rx);
    entered.await.unwrap();
    assert_eq!(metrics.num_alive_tasks(), 2);
    release.send(()).unwrap();
    assert_eq!(ask.await, Ok(3));
}
