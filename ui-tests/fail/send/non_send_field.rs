use std::rc::Rc;

use typact::prelude::*;

#[derive(Default)]
struct Store {
    total: u32,
}

#[actor]
impl Store {
    #[handler]
    fn put(&mut self, value: Rc<u32>) {
        self.total += *value;
    }
}

fn main() {}
