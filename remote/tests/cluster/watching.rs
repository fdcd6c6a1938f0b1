//! An actor that watches a node's `Counter` and keeps the reasons it saw.

use typact::prelude::*;

use crate::actors::Counter;

#[derive(Default)]
pub(crate) struct Watcher {
    seen: Vec<StopReason>,
}

#[actor]
impl Watcher {
    #[handler]
    pub(crate) fn follow(&mut self, target: ActorRef<Counter>, ctx: &mut Context<Self>) {
        ctx.watch(&target);
    }

    #[handler(message)]
    fn down(&mut self, t: Terminated) {
        self.seen.push(t.reason);
    }

    #[handler]
    pub(crate) fn seen(&self) -> Vec<StopReason> {
        self.seen.clone()
    }
}
