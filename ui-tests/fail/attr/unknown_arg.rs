use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(foo)]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
