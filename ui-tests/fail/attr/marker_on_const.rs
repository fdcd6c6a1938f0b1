use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    const ZERO: u64 = 0;

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
