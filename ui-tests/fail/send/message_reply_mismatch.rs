use typact::prelude::*;

struct Ping;
struct Pong;

impl Message for Ping {
    type Reply = Pong;
}

#[derive(Default)]
struct Server;

#[actor]
impl Server {
    #[handler(message)]
    fn ping(&mut self, _msg: Ping) -> u32 {
        0
    }
}

fn main() {}
