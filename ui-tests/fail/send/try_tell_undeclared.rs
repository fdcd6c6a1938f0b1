use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

struct Reset;

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let counter = rt.block_on(async { Counter::default().spawn() });
    let _ = counter.try_tell(Reset);
}
