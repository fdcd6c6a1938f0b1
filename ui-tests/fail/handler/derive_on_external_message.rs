use typact::prelude::*;

#[derive(Clone)]
struct Ping;

impl Message for Ping {
    type Reply = ();
}

#[derive(Default)]
struct Echo;

#[actor]
impl Echo {
    #[handler(message, derive(Clone))]
    fn ping(&mut self, _ping: Ping) {}
}

fn main() {}
