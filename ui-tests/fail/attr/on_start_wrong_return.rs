use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[on_start]
    fn start(&mut self) -> u64 {
        self.count
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
