use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn tell(&mut self, by: u64) {
        self.count += by;
    }
}

fn main() {}
