#![deny(unused_must_use)]

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
}

#[tokio::main]
async fn main() {
    let counter = Counter::default().spawn();
    // An ask that is never awaited sends nothing.
    counter.add(1);
}
