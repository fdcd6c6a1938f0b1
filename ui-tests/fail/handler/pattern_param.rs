use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add_pair(&mut self, (a, b): (u64, u64)) {
        self.count += a + b;
    }
}

fn main() {}
