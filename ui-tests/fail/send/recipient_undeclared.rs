use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

/// A message declared outside any actor, which `Counter` does not handle.
struct Reset;

impl Message for Reset {
    type Reply = ();
}

#[tokio::main]
async fn main() {
    let counter = Counter::default().spawn();
    let _recipient: Recipient<Reset> = counter.recipient::<Reset>();
}
