// An actor declared `remote` whose external message has no serde: one
// error, at the message's type.
use typact::prelude::*;

struct Job {
    id: u64,
}

impl Message for Job {
    type Reply = u64;
}

#[derive(Default)]
struct Worker;

#[actor(remote)]
impl Worker {
    #[handler(message)]
    fn run(&mut self, job: Job) -> u64 {
        job.id
    }
}

fn main() {}
