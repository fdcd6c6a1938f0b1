use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(deferred)]
    fn reset(&mut self) {
        self.count = 0;
    }
}

fn main() {}
