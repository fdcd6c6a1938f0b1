//! `#[handler(message)]`: two actors handle one message type declared
//! outside both, reached through `Recipient`.
use typact::prelude::*;

struct Greet {
    name: String,
}

impl Message for Greet {
    type Reply = String;
}

struct English;

#[actor]
impl English {
    #[handler(message)]
    fn greet(&mut self, msg: Greet) -> String {
        format!("hello {}", msg.name)
    }
}

struct French {
    greeted: u32,
}

#[actor]
impl French {
    /// The context may come with the message.
    #[handler(message)]
    async fn greet(&mut self, ctx: &mut Context<Self>, msg: Greet) -> String {
        let _ = ctx.id();
        self.greeted += 1;
        format!("bonjour {}", msg.name)
    }

    #[handler]
    fn greeted(&self) -> u32 {
        self.greeted
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let english = English.spawn();
    let french = French { greeted: 0 }.spawn();
    let greeters: Vec<Recipient<Greet>> = vec![english.recipient(), french.recipient()];
    let mut answers = Vec::new();
    for greeter in &greeters {
        answers.push(
            greeter
                .ask(Greet {
                    name: "Ada".to_owned(),
                })
                .await?,
        );
    }
    assert_eq!(answers, ["hello Ada", "bonjour Ada"]);
    greeters[1]
        .tell(Greet {
            name: "Bob".to_owned(),
        })
        .await
        .map_err(|_| AskError::Stopped)?;
    assert_eq!(
        french
            .greet(Greet {
                name: "Cy".to_owned()
            })
            .await?,
        "bonjour Cy"
    );
    assert_eq!(french.greeted().await?, 3);
    Ok(())
}
