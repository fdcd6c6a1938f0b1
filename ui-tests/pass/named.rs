//! `#[handler(name = Reset)]` names the generated message struct; the client
//! method keeps the method's name.
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

    #[handler(name = Reset)]
    fn clear(&mut self) -> u64 {
        std::mem::take(&mut self.count)
    }

    #[handler(name = Current)]
    fn get(&self) -> u64 {
        self.count
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let counter = Counter::default().spawn();
    counter.add(5).await?;
    assert_eq!(counter.ask(Reset).await?, 5);
    counter.add(2).await?;
    assert_eq!(counter.clear().await?, 2);
    assert_eq!(counter.ask(Current).await?, 0);
    Ok(())
}
