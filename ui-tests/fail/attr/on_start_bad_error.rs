use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

/// An error type that is not `std::error::Error`.
#[derive(Debug)]
struct NotReady;

#[actor]
impl Counter {
    #[on_start]
    async fn start(&mut self) -> Result<(), NotReady> {
        if self.count > 0 {
            Ok(())
        } else {
            Err(NotReady)
        }
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
