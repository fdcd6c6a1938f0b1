// A handler named like an `ActorRef` method is refused once, at its name;
// code that sends its message reports nothing more.
use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn stop(&mut self) -> u64 {
        std::mem::take(&mut self.count)
    }
}

#[tokio::main]
async fn main() -> Result<(), AskError> {
    let counter = Counter::default().spawn();
    let last: u64 = counter.ask(Stop).await?;
    println!("{last}");
    Ok(())
}
