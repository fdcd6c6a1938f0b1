use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add<T: Into<u64>>(&mut self, by: T) {
        self.count += by.into();
    }
}

fn main() {}
