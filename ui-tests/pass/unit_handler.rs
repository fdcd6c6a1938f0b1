//! A handler with no parameters and no return type: a unit message struct
//! with reply `()`.
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use typact::prelude::*;

struct Pinged {
    pings: Arc<AtomicU32>,
}

#[actor]
impl Pinged {
    #[handler]
    fn ping(&mut self) {
        self.pings.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let pings = Arc::new(AtomicU32::new(0));
    let actor = Pinged {
        pings: pings.clone(),
    }
    .spawn();
    actor.tell(Ping).await.map_err(|_| AskError::Stopped)?;
    let () = actor.ask(Ping).await?;
    actor.ping().await?;
    assert_eq!(pings.load(Ordering::SeqCst), 3);
    Ok(())
}
