use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn take(self) -> u64 {
        self.count
    }
}

fn main() {}
