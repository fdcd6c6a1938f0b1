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
}

struct Reset;

#[tokio::main]
async fn main() -> Result<(), AskError> {
    let counter = Counter::default().spawn();
    counter.ask(Reset).await?;
    Ok(())
}
