use typact::prelude::*;

#[protocol]
struct Storage;

fn main() {}
