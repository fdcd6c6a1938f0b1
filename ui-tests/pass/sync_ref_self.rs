//! `#[handler] fn get(&self) -> u64`: a sync handler that only reads state.
use typact::prelude::*;

struct Clock {
    now: u64,
}

#[actor]
impl Clock {
    /// The current time.
    #[handler]
    fn now(&self) -> u64 {
        self.now
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let clock = Clock { now: 42 }.spawn();
    let t: u64 = clock.ask(Now).await?;
    assert_eq!(t, 42);
    assert_eq!(clock.now().await?, 42);
    Ok(())
}
