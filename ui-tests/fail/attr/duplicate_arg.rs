use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(deferred, deferred)]
    fn get(&self, reply: ReplyTo<u64>) {
        reply.send(self.count);
    }
}

fn main() {}
