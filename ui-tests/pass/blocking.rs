//! `blocking_tell` and `blocking_ask` from a plain thread outside the runtime.
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

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let counter = rt.block_on(async { Counter::default().spawn() });
    let n = std::thread::spawn(move || {
        counter
            .blocking_tell(Add { by: 2 })
            .map_err(|_| "stopped")
            .unwrap();
        counter.blocking_ask(Add { by: 3 }).unwrap();
        counter.blocking_ask(Get).unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(n, 5);
}
