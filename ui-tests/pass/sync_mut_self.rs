//! `#[handler] fn add(&mut self, by: u64)`: a sync handler that changes
//! state, reached through `tell`, `try_tell`, `ask` and the client method.
use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counter = Counter::default().spawn();
    counter
        .tell(Add { by: 1 })
        .await
        .map_err(|_| "tell failed")?;
    counter
        .try_tell(Add { by: 2 })
        .map_err(|_| "try_tell failed")?;
    let () = counter.ask(Add { by: 3 }).await?;
    counter.add(4).await?;
    assert_eq!(counter.ask(Get).await?, 10);
    Ok(())
}
