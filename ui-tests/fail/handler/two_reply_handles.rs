use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(deferred)]
    fn get(&self, a: ReplyTo<u64>, b: ReplyTo<u64>) {
        a.send(self.count);
        b.send(self.count);
    }
}

fn main() {}
