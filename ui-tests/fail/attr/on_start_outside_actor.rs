use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

impl Counter {
    #[on_start]
    fn start(&mut self) {
        self.count = 1;
    }
}

fn main() {
    Counter::default().start();
}
