// `Ref<P>` is typed by a protocol, not by an actor.
use typact::prelude::*;

struct Counter;

#[actor]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        0
    }
}

fn takes(_: Ref<Counter>) {}

fn main() {}
