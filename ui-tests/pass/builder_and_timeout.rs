//! The builder (name, capacity, `spawn_ready`) and `ask(..).timeout(..)`.
use std::time::Duration;

use typact::prelude::*;

struct Echo;

#[actor]
impl Echo {
    #[handler]
    fn say(&self, text: String) -> String {
        text
    }

    #[handler]
    async fn slow(&self) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let echo = Echo.builder().name("echo").capacity(8).spawn();
    assert_eq!(echo.name(), Some("echo"));
    let reply = echo
        .ask(Say {
            text: "hi".to_owned(),
        })
        .timeout(Duration::from_secs(5))
        .await?;
    assert_eq!(reply, "hi");

    let ready = Echo.builder().unbounded().spawn_ready().await?;
    let err = ready
        .ask(Slow)
        .timeout(Duration::from_millis(10))
        .await
        .unwrap_err();
    assert!(matches!(err, AskError::Timeout));
    Ok(())
}
