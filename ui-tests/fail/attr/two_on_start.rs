use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[on_start]
    fn start(&mut self) {}

    #[on_start]
    fn also_start(&mut self) {}

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
