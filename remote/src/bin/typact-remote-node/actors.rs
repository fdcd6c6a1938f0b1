//! The actors a `typact-remote-node` process serves. The multi-process
//! tests and the `cluster` example include this file too, so both sides
//! declare the same actors (a node checks an actor's type by its name).

use std::time::Duration;

use typact::prelude::*;

/// A counter, registered as `counter-<node>`.
#[derive(Default)]
pub(crate) struct Counter {
    count: u64,
    seen: Vec<u64>,
}

#[actor(remote)]
impl Counter {
    /// Adds `by`.
    #[handler]
    pub(crate) fn add(&mut self, by: u64) {
        self.count += by;
    }

    /// The count.
    #[handler]
    pub(crate) fn get(&self) -> u64 {
        self.count
    }

    /// Records `seq`, to check order and duplicates.
    #[handler]
    pub(crate) fn log(&mut self, seq: u64) {
        self.seen.push(seq);
    }

    /// Every `seq` logged, in order.
    #[handler]
    pub(crate) fn seen(&self) -> Vec<u64> {
        self.seen.clone()
    }

    /// Answers after `ms` milliseconds.
    #[handler]
    pub(crate) async fn slow(&self, ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }

    /// Stops the actor.
    #[handler]
    pub(crate) fn quit(&self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// A pool worker, made by the factory `worker` with its node's name.
pub(crate) struct Worker {
    /// The node it runs on.
    pub(crate) node: String,
}

#[actor(remote)]
impl Worker {
    /// Which node handled the job, and `n` squared.
    #[handler]
    pub(crate) fn work(&self, n: u64) -> (String, u64) {
        (self.node.clone(), n * n)
    }
}
