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

#[tokio::main]
async fn main() -> Result<(), AskError> {
    let counter = Counter::default().spawn();
    counter.reset().await?;
    Ok(())
}
