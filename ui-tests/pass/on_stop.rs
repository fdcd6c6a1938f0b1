//! `#[on_stop]` with both parameters, with only one, and with none; sync and
//! async.
use std::sync::{Arc, Mutex};

use typact::prelude::*;

type Log = Arc<Mutex<Vec<String>>>;

struct Full {
    log: Log,
}

#[actor]
impl Full {
    #[on_stop]
    fn stopped(&mut self, reason: &StopReason, ctx: &mut Context<Self>) {
        let _ = ctx.id();
        self.log.lock().unwrap().push(format!("full: {reason}"));
    }

    #[handler]
    fn ping_full(&self) {}
}

struct ReasonOnly {
    log: Log,
}

#[actor]
impl ReasonOnly {
    #[on_stop]
    async fn stopped(&mut self, reason: &StopReason) {
        tokio::task::yield_now().await;
        self.log
            .lock()
            .unwrap()
            .push(format!("reason only: normal={}", reason.is_normal()));
    }

    #[handler]
    fn ping_reason(&self) {}
}

struct Bare {
    log: Log,
}

#[actor]
impl Bare {
    #[on_stop]
    fn stopped(&mut self) {
        self.log.lock().unwrap().push("bare".to_owned());
    }

    #[handler]
    fn ping_bare(&self) {}
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let log = Log::default();

    let full = Full { log: log.clone() }.spawn();
    full.ping_full().await?;
    full.stop();
    assert!(full.wait_for_stop().await.is_normal());

    let reason_only = ReasonOnly { log: log.clone() }.spawn();
    reason_only.ping_reason().await?;
    reason_only.stop();
    reason_only.wait_for_stop().await;

    let bare = Bare { log: log.clone() }.spawn();
    bare.ping_bare().await?;
    bare.stop();
    bare.wait_for_stop().await;

    assert_eq!(
        *log.lock().unwrap(),
        ["full: stopped normally", "reason only: normal=true", "bare"]
    );
    Ok(())
}
