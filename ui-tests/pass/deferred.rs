//! `#[handler(deferred)]`: the handler returns at once and answers later
//! through its `ReplyTo`, from another task.
use std::time::Duration;

use typact::prelude::*;

#[derive(Default)]
struct Slow {
    started: u32,
}

#[actor]
impl Slow {
    #[handler(deferred)]
    fn double(&mut self, x: u32, reply: ReplyTo<u32>) {
        self.started += 1;
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            reply.send(x * 2);
        });
    }

    #[handler]
    fn started(&self) -> u32 {
        self.started
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let slow = Slow::default().spawn();
    let (a, b) = tokio::join!(slow.ask(Double { x: 1 }), slow.double(20));
    assert_eq!((a?, b?), (2, 40));
    assert_eq!(slow.started().await?, 2);
    Ok(())
}
