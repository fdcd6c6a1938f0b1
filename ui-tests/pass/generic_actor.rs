//! A generic actor: its messages are generic where the handler's types use
//! the parameters, and plain otherwise.

use std::collections::BTreeMap;

use typact::prelude::*;

struct Store<K, V> {
    items: BTreeMap<K, V>,
}

#[actor]
impl<K, V> Store<K, V>
where
    K: Ord + Send + 'static,
    V: Clone + Send + 'static,
{
    #[handler]
    fn insert(&mut self, key: K, value: V) {
        self.items.insert(key, value);
    }

    #[handler]
    fn get(&self, key: K) -> Option<V> {
        self.items.get(&key).cloned()
    }

    #[handler]
    fn len(&self) -> usize {
        self.items.len()
    }
}

#[tokio::main]
async fn main() {
    let store = Store::<u8, String> {
        items: BTreeMap::new(),
    }
    .spawn();
    store.tell(Insert { key: 1, value: "one".to_owned() }).await.unwrap();
    assert_eq!(store.get(1).await.unwrap().as_deref(), Some("one"));
    assert_eq!(store.ask(Len).await.unwrap(), 1);
    assert_eq!(store.ask(Get::<u8, String>::new(2)).await.unwrap(), None);
}
