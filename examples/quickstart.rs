//! The quickstart: a counter actor, told and asked, through typed messages.
//!
//! Run it with `cargo run --example quickstart`.

use std::time::Duration;

use typact::prelude::*;

/// The actor's private state: nothing else can touch it.
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    /// Adds `by` to the count.
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    /// The current count.
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }

    /// Waits a little, as a slow service would, then answers.
    #[handler]
    async fn slow_get(&self, delay_ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        self.count
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counter: ActorRef<Counter> = Counter::default().spawn();

    // tell: enqueue and go on; it waits only if the mailbox is full.
    counter.tell(Add { by: 2 }).await?;

    // ask: a typed future of the handler's return type.
    let n: u64 = counter.ask(Get).await?;
    println!("after tell(Add {{ by: 2 }}): count = {n}");

    // The same through the generated client methods.
    counter.add(40).await?;
    println!("after add(40): count = {}", counter.get().await?);

    // An ask with a deadline.
    match counter
        .slow_get(500)
        .timeout(Duration::from_millis(50))
        .await
    {
        Err(AskError::Timeout) => {
            println!("slow_get(500) with a 50 ms timeout: timed out, as expected")
        }
        other => println!("slow_get: unexpected {other:?}"),
    }

    // Stop it and learn why it stopped.
    counter.stop();
    let reason = counter.wait_for_stop().await;
    println!("counter stopped: {reason}");
    Ok(())
}
