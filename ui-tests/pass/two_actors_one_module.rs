//! Two actors in one module with the same handler name both compile; each
//! message is reachable through its actor's module.

use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }
}

#[derive(Default)]
struct Cache {
    value: Option<String>,
}

#[actor]
impl Cache {
    #[handler]
    fn get(&self) -> Option<String> {
        self.value.clone()
    }
}

#[tokio::main]
async fn main() {
    let counter = Counter::default().spawn();
    let cache = Cache::default().spawn();
    assert_eq!(counter.ask(counter::Get).await.unwrap(), 0);
    assert_eq!(cache.ask(cache::Get).await.unwrap(), None);
    assert_eq!(counter.get().await.unwrap(), 0);
}
