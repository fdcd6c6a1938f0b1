use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(message)]
    fn add(&mut self, a: Add, b: Add) {
        self.count += a.0 + b.0;
    }
}

struct Add(u64);

impl Message for Add {
    type Reply = ();
}

fn main() {}
