//! `#[handler(deferred, message)]`: an external message answered later.
use typact::prelude::*;

struct Resolve(String);

impl Message for Resolve {
    type Reply = Option<u16>;
}

struct Resolver;

#[actor]
impl Resolver {
    #[handler(deferred, message)]
    fn resolve(&mut self, msg: Resolve, reply: ReplyTo<Option<u16>>) {
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            reply.send(if msg.0 == "http" { Some(80) } else { None });
        });
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let resolver = Resolver.spawn();
    assert_eq!(resolver.ask(Resolve("http".to_owned())).await?, Some(80));
    let recipient: Recipient<Resolve> = resolver.recipient();
    assert_eq!(recipient.ask(Resolve("gopher".to_owned())).await?, None);
    assert_eq!(
        resolver.resolve(Resolve("http".to_owned())).await?,
        Some(80)
    );
    Ok(())
}
