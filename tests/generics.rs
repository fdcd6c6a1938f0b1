//! Generic actors (issue 13, point 1): type parameters with bounds and a
//! where clause; generated messages generic over the parameters their
//! fields or reply use, plain otherwise. And code generic over actors that
//! names only the message (point 10).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use typact::prelude::*;

/// A cache generic over its keys and values.
struct Cache<K, V> {
    entries: HashMap<K, V>,
}

#[actor]
impl<K: Eq + Hash + Send + 'static, V: Clone + Send + 'static> Cache<K, V> {
    /// Stores `value` under `key`; the previous value comes back.
    #[handler]
    fn put(&mut self, key: K, value: V) -> Option<V> {
        self.entries.insert(key, value)
    }

    /// `K` in the fields, `V` only in the reply.
    #[handler]
    fn get(&self, key: K) -> Option<V> {
        self.entries.get(&key).cloned()
    }

    /// Uses no parameter: a plain message.
    #[handler]
    fn len(&self) -> usize {
        self.entries.len()
    }

    /// `V` only in the reply, and no fields.
    #[handler]
    fn values(&self) -> Vec<V> {
        self.entries.values().cloned().collect()
    }
}

fn cache<K: Eq + Hash + Send + 'static, V: Clone + Send + 'static>() -> ActorRef<Cache<K, V>> {
    Cache {
        entries: HashMap::new(),
    }
    .spawn()
}

#[tokio::test]
async fn a_generic_actor_handles_messages_of_its_parameters() {
    let strings = cache::<String, u32>();
    assert_eq!(strings.put("a".into(), 1).await.unwrap(), None);
    assert_eq!(strings.put("a".into(), 2).await.unwrap(), Some(1));
    assert_eq!(strings.get("a".into()).await.unwrap(), Some(2));
    assert_eq!(strings.len().await.unwrap(), 1);

    // The same actor at other parameters is another actor type.
    let numbers = cache::<u8, &'static str>();
    numbers.put(7, "seven").await.unwrap();
    assert_eq!(numbers.values().await.unwrap(), vec!["seven"]);
    assert_eq!(numbers.get(8).await.unwrap(), None);
}

#[tokio::test]
async fn generic_messages_are_generic_only_where_the_handler_uses_the_parameters() {
    let c = cache::<u64, String>();
    // `Put<K, V>`: both in the fields, built like any struct.
    let put: cache::Put<u64, String> = cache::Put {
        key: 1,
        value: "one".into(),
    };
    c.tell(put).await.unwrap();
    // `Len` uses no parameter: plain, the same type for every `Cache`.
    let len: cache::Len = cache::Len;
    assert_eq!(c.ask(len).await.unwrap(), 1);
    // `Get<K, V>`: `V` appears only in the reply, carried by a marker;
    // `new` builds it from the fields.
    let get = cache::Get::<u64, String>::new(1);
    assert_eq!(c.ask(get).await.unwrap().as_deref(), Some("one"));
    let values = cache::Values::<String>::new();
    assert_eq!(c.ask(values).await.unwrap(), vec!["one".to_string()]);
}

/// A dependency-injected storage: the actor is generic over it.
trait Storage: Send + 'static {
    fn load(&self, key: &str) -> Option<String>;
}

struct Memory(HashMap<String, String>);

impl Storage for Memory {
    fn load(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
}

/// A test double that records what was asked of it.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<Vec<String>>>);

impl Storage for Recording {
    fn load(&self, key: &str) -> Option<String> {
        self.0.lock().unwrap().push(key.to_owned());
        None
    }
}

struct Service<S> {
    storage: S,
    hits: u64,
}

#[actor]
impl<S> Service<S>
where
    S: Storage,
{
    #[handler]
    fn fetch(&mut self, key: String) -> Option<String> {
        let found = self.storage.load(&key);
        self.hits += u64::from(found.is_some());
        found
    }

    #[handler]
    fn hits(&self) -> u64 {
        self.hits
    }
}

#[tokio::test]
async fn a_service_takes_its_storage_as_a_type_parameter() {
    let mut data = HashMap::new();
    data.insert("k".to_string(), "v".to_string());
    let real = Service {
        storage: Memory(data),
        hits: 0,
    }
    .spawn();
    assert_eq!(real.fetch("k".into()).await.unwrap().as_deref(), Some("v"));
    assert_eq!(real.hits().await.unwrap(), 1);

    let recording = Recording::default();
    let double = Service {
        storage: recording.clone(),
        hits: 0,
    }
    .spawn();
    // `Fetch` does not use `S`: one message type for both services.
    let fetch = |key: &str| service::Fetch { key: key.into() };
    assert_eq!(double.ask(fetch("x")).await.unwrap(), None);
    assert_eq!(real.ask(fetch("k")).await.unwrap().as_deref(), Some("v"));
    assert_eq!(*recording.0.lock().unwrap(), ["x"]);
}

/// A generic test probe: records every message of type `M` it is sent.
struct Probe<M> {
    seen: Vec<M>,
}

#[actor]
impl<M: Clone + Send + 'static> Probe<M> {
    #[handler]
    fn record(&mut self, msg: M) {
        self.seen.push(msg);
    }

    #[handler]
    fn seen(&self) -> Vec<M> {
        self.seen.clone()
    }
}

#[tokio::test]
async fn a_generic_probe_records_what_it_is_sent() {
    let probe = Probe::<(u8, char)> { seen: Vec::new() }.spawn();
    probe.tell(probe::Record { msg: (1, 'a') }).await.unwrap();
    probe.record((2, 'b')).await.unwrap();
    assert_eq!(probe.seen().await.unwrap(), vec![(1, 'a'), (2, 'b')]);
}

/// Point 10: code generic over actors names the message only.
async fn total<A: Handler<cache::Len>>(actors: &[ActorRef<A>]) -> usize {
    let mut sum = 0;
    for actor in actors {
        // `ask` resolves to `Len`'s reply type, with no `Reply = usize`.
        let n: usize = actor.ask(cache::Len).await.unwrap();
        // And so does a recipient.
        let r: Recipient<cache::Len> = actor.recipient();
        assert_eq!(r.ask(cache::Len).await.unwrap(), n);
        sum += n;
    }
    sum
}

#[tokio::test]
async fn bounds_on_handler_infer_the_reply() {
    let a = cache::<u8, u8>();
    let b = cache::<u8, u8>();
    a.put(1, 1).await.unwrap();
    b.put(1, 1).await.unwrap();
    b.put(2, 2).await.unwrap();
    assert_eq!(total(&[a, b]).await, 3);
}

/// A generic actor with an async handler and a deferred one whose reply
/// type is a parameter.
struct Echo<T> {
    last: Option<T>,
}

#[actor]
impl<T: Clone + Send + Sync + 'static> Echo<T> {
    #[handler]
    async fn say(&mut self, value: T) -> T {
        tokio::task::yield_now().await;
        self.last = Some(value.clone());
        value
    }

    #[handler(deferred)]
    fn later(&mut self, reply: ReplyTo<Option<T>>) {
        let last = self.last.clone();
        tokio::spawn(async move { reply.send(last) });
    }
}

#[tokio::test]
async fn generic_async_and_deferred_handlers() {
    let echo = Echo::<String> { last: None }.spawn();
    assert_eq!(echo.later().await.unwrap(), None);
    assert_eq!(echo.say("hi".into()).await.unwrap(), "hi");
    assert_eq!(echo.later().await.unwrap().as_deref(), Some("hi"));
    assert_eq!(
        echo.ask(echo::Later::<String>::new())
            .await
            .unwrap()
            .as_deref(),
        Some("hi")
    );
}
