//! `#[handler] async fn ...`: an async handler, awaited in the actor loop.
use std::collections::HashMap;
use std::time::Duration;

use typact::prelude::*;

#[derive(Default)]
struct Cache {
    entries: HashMap<String, u64>,
}

#[actor]
impl Cache {
    #[handler]
    async fn put(&mut self, key: String, value: u64) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.entries.insert(key, value);
    }

    #[handler]
    async fn lookup(&self, key: String) -> Option<u64> {
        tokio::task::yield_now().await;
        self.entries.get(&key).copied()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let cache = Cache::default().spawn();
    cache.put("a".to_owned(), 1).await?;
    assert_eq!(
        cache
            .ask(Lookup {
                key: "a".to_owned()
            })
            .await?,
        Some(1)
    );
    assert_eq!(cache.lookup("b".to_owned()).await?, None);
    Ok(())
}
