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
    // Both actors generate a `Get`: name it `counter::Get` or `cache::Get`.
    let _ = counter.ask(Get).await;
}
