use typact::prelude::*;

// A module of the name `#[actor]` gives `Counter`'s messages: the fix is
// `#[actor(module = counter_messages)]` (see pass/module_argument.rs).
mod counter {
    pub fn helper() -> u64 {
        1
    }
}

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        self.count + counter::helper()
    }
}

fn main() {}
