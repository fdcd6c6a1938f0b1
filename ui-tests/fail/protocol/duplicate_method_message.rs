// Two methods that make the same message.
use typact::prelude::*;

#[protocol]
trait Storage {
    fn get_value(&self) -> u64;
    fn get__value(&self) -> u64;
}

fn main() {}
