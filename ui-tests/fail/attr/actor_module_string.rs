use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor(module = "counter_messages")]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
