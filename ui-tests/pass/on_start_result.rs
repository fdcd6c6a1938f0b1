//! `#[on_start]` returning `Result<(), E>`: an error stops the actor before
//! its first message, and `spawn_ready` reports it.
use typact::prelude::*;

struct Config {
    port: u16,
}

#[actor]
impl Config {
    #[on_start]
    fn validate(&mut self, ctx: &mut Context<Self>) -> Result<(), String> {
        let _ = ctx.id();
        if self.port == 0 {
            Err("port 0 is not allowed".to_owned())
        } else {
            Ok(())
        }
    }

    #[handler]
    fn port(&self) -> u16 {
        self.port
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let good = Config { port: 80 }.builder().spawn_ready().await?;
    assert_eq!(good.port().await?, 80);

    let err = Config { port: 0 }
        .builder()
        .spawn_ready()
        .await
        .unwrap_err();
    assert!(matches!(err.reason(), StopReason::StartFailed(_)));
    assert!(err.to_string().contains("port 0 is not allowed"));
    Ok(())
}
