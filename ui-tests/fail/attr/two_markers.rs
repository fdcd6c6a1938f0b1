use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    #[on_start]
    fn get(&mut self) -> u64 {
        self.count
    }
}

fn main() {}
