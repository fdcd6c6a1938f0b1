use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor(capacity = 8)]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
