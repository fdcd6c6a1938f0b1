// A `Ref<P>` accepts exactly the protocol's messages.
use typact::prelude::*;

struct Get;
impl Message for Get {
    type Reply = u64;
}

struct Reset;
impl Message for Reset {
    type Reply = ();
}

typact::protocol_of!(Reader = Get);

struct Counter;

#[actor]
impl Counter {
    #[handler(message)]
    fn get(&self, _: Get) -> u64 {
        0
    }

    #[handler(message)]
    fn reset(&mut self, _: Reset) {}
}

#[tokio::main]
async fn main() {
    let reader: Ref<Reader> = Counter.spawn().into();
    let _ = reader.tell(Reset).await;
}
