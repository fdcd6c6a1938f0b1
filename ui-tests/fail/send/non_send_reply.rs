use std::rc::Rc;

use typact::prelude::*;

#[derive(Default)]
struct Store {
    total: u32,
}

#[actor]
impl Store {
    #[handler]
    fn get(&self) -> Rc<u32> {
        Rc::new(self.total)
    }
}

fn main() {}
