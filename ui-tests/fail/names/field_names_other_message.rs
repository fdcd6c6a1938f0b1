use typact::prelude::*;

/// A type of the user's, named like a message the actor also generates.
struct Total(u64);

#[derive(Default)]
struct Ledger {
    total: u64,
}

#[actor]
impl Ledger {
    #[handler]
    fn total(&self) -> u64 {
        self.total
    }

    #[handler]
    fn restore(&mut self, saved: Total) {
        self.total = saved.0;
    }
}

fn main() {}
