use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: impl Into<u64>) {
        self.count += by.into();
    }
}

fn main() {}
