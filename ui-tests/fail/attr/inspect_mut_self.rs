// A summary reads the state; it cannot change it.
use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }

    #[inspect]
    fn summary(&mut self) -> String {
        self.count.to_string()
    }
}

fn main() {}
