//! `#[on_start]` returning `()`, with and without the context.
use typact::prelude::*;

#[derive(Default)]
struct Greeter {
    greeting: String,
}

#[actor]
impl Greeter {
    #[on_start]
    fn start(&mut self) {
        self.greeting = "hello".to_owned();
    }

    #[handler]
    fn greeting(&self) -> String {
        self.greeting.clone()
    }
}

#[derive(Default)]
struct Me {
    id: Option<ActorId>,
}

#[actor]
impl Me {
    #[on_start]
    fn start(&mut self, ctx: &mut Context<Self>) {
        self.id = Some(ctx.id());
    }

    #[handler]
    fn started_as(&self) -> Option<ActorId> {
        self.id
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let greeter = Greeter::default().spawn();
    assert_eq!(greeter.greeting().await?, "hello");
    let me = Me::default().spawn();
    assert_eq!(me.ask(StartedAs).await?, Some(me.id()));
    Ok(())
}
