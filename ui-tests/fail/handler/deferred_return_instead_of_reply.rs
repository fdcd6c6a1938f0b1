use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler(deferred)]
    fn get(&mut self) -> Result<u64, Box<dyn std::error::Error + Send>> {
        Ok(self.count)
    }
}

fn main() {}
