use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

trait Get {
    fn get(&self) -> u64;
}

#[actor]
impl Get for Counter {
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
