use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[on_start(early)]
    fn start(&mut self) {}

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
