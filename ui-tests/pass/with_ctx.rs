//! A `&mut Context<Self>` parameter is the actor's context, not a message
//! field, wherever it stands among the parameters; sync and async handlers
//! take it alike.
use typact::prelude::*;

#[derive(Default)]
struct Registry {
    total: u64,
}

#[actor]
impl Registry {
    /// The actor's own id, read from its context.
    #[handler]
    fn whoami(&self, ctx: &mut Context<Self>) -> ActorId {
        ctx.id()
    }

    /// The context between two message fields.
    #[handler]
    fn add(&mut self, a: u64, ctx: &mut Context<Self>, b: u64) -> ActorId {
        self.total += a + b;
        ctx.id()
    }

    #[handler]
    async fn fetch(&mut self, key: String, ctx: &mut Context<Self>) -> Result<u64, String> {
        let _ = ctx.id();
        tokio::task::yield_now().await;
        if key == "total" {
            Ok(self.total)
        } else {
            Err(format!("no key {key}"))
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let registry = Registry::default().spawn();
    assert_eq!(registry.whoami().await?, registry.id());
    assert_eq!(registry.ask(Add { a: 1, b: 2 }).await?, registry.id());
    assert_eq!(registry.fetch("total".to_owned()).await?, Ok(3));
    assert_eq!(
        registry
            .ask(Fetch {
                key: "x".to_owned()
            })
            .await?,
        Err("no key x".to_owned())
    );
    Ok(())
}
