use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[on_stop]
    fn stopped(&mut self, reason: StopReason) {
        let _ = reason;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
