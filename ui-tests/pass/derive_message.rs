//! `#[handler(derive(...))]`: the generated message derives the traits, so
//! that it can be cloned (a topic or a pool broadcast needs `Clone`),
//! compared and printed.
use typact::prelude::*;

#[derive(Default)]
struct Feed {
    seen: Vec<String>,
}

#[actor]
impl Feed {
    #[handler(derive(Clone, Debug, PartialEq))]
    fn post(&mut self, text: String) {
        self.seen.push(text);
    }

    #[handler(derive(Clone, Copy, Debug))]
    fn count(&self) -> usize {
        self.seen.len()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let post = Post { text: "hi".into() };
    assert_eq!(post.clone(), post);
    assert_eq!(format!("{post:?}"), r#"Post { text: "hi" }"#);
    let feed = Feed::default().spawn();
    let topic: Topic<Post> = Topic::new();
    topic.subscribe(feed.recipient::<Post>());
    topic.publish(post);
    let count = Count;
    let _copy = count;
    assert_eq!(feed.ask(count).await.unwrap(), 1);
}
