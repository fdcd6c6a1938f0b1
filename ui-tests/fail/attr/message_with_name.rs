use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(message, name = OnPing)]
    fn ping(&mut self, _msg: Ping) {}
}

struct Ping;

impl Message for Ping {
    type Reply = ();
}

fn main() {}
