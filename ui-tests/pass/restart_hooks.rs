use std::time::Duration;

use typact::prelude::*;
use typact::{Backoff, Supervisor};

#[derive(Default)]
struct Conn {
    restarts: u32,
}

#[actor]
impl Conn {
    #[before_restart]
    async fn release(&mut self, reason: &StopReason, ctx: &mut Context<Self>) {
        let _ = (reason, ctx.id());
    }

    #[after_restart]
    fn reconnected(&mut self) {
        self.restarts += 1;
    }

    #[handler]
    fn restarts(&self) -> u32 {
        self.restarts
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sup = Supervisor::builder().backoff(Backoff::none());
    let conn: ActorRef<Conn> = sup.child(Conn::default).shutdown(Duration::from_secs(1)).add();
    let _sup = sup.spawn().await.unwrap();
    assert_eq!(conn.restarts().await, Ok(0));
}
