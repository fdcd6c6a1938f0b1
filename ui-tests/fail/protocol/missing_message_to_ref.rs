// The same through `to_ref`, with the list form over `impl Message` types.
use typact::prelude::*;

struct Get;
impl Message for Get {
    type Reply = u64;
}

struct Reset;
impl Message for Reset {
    type Reply = ();
}

typact::protocol_of!(Resettable = Get + Reset);

struct Counter;

#[actor]
impl Counter {
    #[handler(message)]
    fn get(&self, _: Get) -> u64 {
        0
    }
}

#[tokio::main]
async fn main() {
    let counter = Counter.spawn();
    let _ = counter.to_ref::<Resettable>();
}
