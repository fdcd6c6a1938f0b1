use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[on_stop]
    fn stopped(&mut self) -> bool {
        true
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
