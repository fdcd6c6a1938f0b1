// A protocol trait has no type parameters, supertraits or `unsafe`, and
// at least one method.
use typact::prelude::*;

#[protocol]
unsafe trait Generic<T>: Send {
    fn get(&self) -> u64;
}

#[protocol]
trait Empty {}

#[protocol(name = Other)]
trait BadArgument {
    fn get(&self) -> u64;
}

fn main() {}
