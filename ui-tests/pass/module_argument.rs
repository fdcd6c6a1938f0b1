//! `#[actor(module = name)]` names the module of the messages, for an
//! actor whose default module name (`counter`) is taken.

use typact::prelude::*;

mod counter {
    pub fn start() -> u64 {
        1
    }
}

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor(module = counter_messages)]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.count + counter::start()
    }
}

#[tokio::main]
async fn main() {
    let c = Counter::default().spawn();
    c.tell(counter_messages::Add { by: 2 }).await.unwrap();
    c.tell(Add { by: 3 }).await.unwrap();
    assert_eq!(c.get().await.unwrap(), 6);
}
