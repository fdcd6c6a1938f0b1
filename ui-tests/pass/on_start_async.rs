//! An `async` `#[on_start]` hook, returning `()` or a `Result` whose error
//! is a `std::error::Error`.
use std::time::Duration;

use typact::prelude::*;

#[derive(Default)]
struct Warm {
    ready: bool,
}

#[actor]
impl Warm {
    #[on_start]
    async fn warm_up(&mut self) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.ready = true;
    }

    #[handler]
    fn ready(&self) -> bool {
        self.ready
    }
}

#[derive(Default)]
struct Parsed {
    value: u32,
}

#[actor]
impl Parsed {
    #[on_start]
    async fn parse(&mut self, ctx: &mut Context<Self>) -> Result<(), std::num::ParseIntError> {
        let _ = ctx.id();
        tokio::task::yield_now().await;
        self.value = "17".parse()?;
        Ok(())
    }

    #[handler]
    fn value(&self) -> u32 {
        self.value
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let warm = Warm::default().spawn();
    assert!(warm.ready().await?);
    let parsed = Parsed::default().builder().spawn_ready().await?;
    assert_eq!(parsed.value().await?, 17);
    Ok(())
}
