use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(deferred)]
    fn get(&mut self, reply: ReplyTo<u64>) -> u64 {
        reply.send(self.count);
        self.count
    }
}

fn main() {}
