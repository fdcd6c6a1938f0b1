use typact::prelude::*;

#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

impl Counter {
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {
    let _ = Counter::default().get();
}
