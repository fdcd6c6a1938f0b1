use typact::prelude::*;

#[derive(Default)]
struct Counter;

#[actor(remote, inspect)]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        0
    }
}

fn main() {}
