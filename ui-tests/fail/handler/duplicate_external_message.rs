use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(message)]
    fn on_ping(&mut self, _msg: Ping) {}

    #[handler(message)]
    fn also_ping(&mut self, _msg: Ping) {}
}

struct Ping;

impl Message for Ping {
    type Reply = ();
}

fn main() {}
