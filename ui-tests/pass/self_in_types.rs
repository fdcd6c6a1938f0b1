//! `Self` in a reply type and in a parameter type: the generated message and
//! reply name the actor type instead.
use typact::prelude::*;

#[derive(Default)]
struct Node {
    next: Option<ActorRef<Self>>,
    value: u32,
}

#[actor]
impl Node {
    #[handler]
    fn link(&mut self, next: ActorRef<Self>) {
        self.next = Some(next);
    }

    #[handler]
    fn next(&self) -> Option<ActorRef<Self>> {
        self.next.clone()
    }

    #[handler]
    fn me(&self, ctx: &mut Context<Self>) -> ActorRef<Self> {
        ctx.myself()
    }

    #[handler]
    fn value(&self) -> u32 {
        self.value
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let a = Node {
        next: None,
        value: 1,
    }
    .spawn();
    let b = Node {
        next: None,
        value: 2,
    }
    .spawn();
    a.link(b.clone()).await?;
    let next: Option<ActorRef<Node>> = a.ask(Next).await?;
    let next = next.expect("linked");
    assert_eq!(next, b);
    assert_eq!(next.value().await?, 2);
    assert_eq!(b.me().await?, b);
    assert!(b.next().await?.is_none());
    Ok(())
}
