//! Protocol refs: any actor that handles every message of a protocol
//! converts into a `Ref<P>`; actors of several types sit behind one
//! `Ref<P>`, which tells, asks, offers the generated client methods, and
//! compares, hashes, prints and downgrades like an `ActorRef`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use typact::prelude::*;

#[protocol]
pub trait Storage {
    /// The value under `key`.
    fn get(&self, key: String) -> Option<Vec<u8>>;
    /// Stores `value` under `key`.
    fn put(&mut self, key: String, value: Vec<u8>);
}

/// A store in memory.
#[derive(Default)]
struct Memory {
    map: HashMap<String, Vec<u8>>,
}

#[actor]
impl Memory {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<Vec<u8>> {
        self.map.get(&msg.key).cloned()
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.map.insert(msg.key, msg.value);
    }

    /// Not part of the protocol.
    #[handler]
    fn size(&self) -> usize {
        self.map.len()
    }
}

/// A "disk" store: answers everything with its own marker.
#[derive(Default)]
struct Disk {
    writes: u32,
}

#[actor]
impl Disk {
    #[handler(message)]
    fn get(&self, _msg: storage::Get) -> Option<Vec<u8>> {
        Some(b"disk".to_vec())
    }

    #[handler(message)]
    fn put(&mut self, _msg: storage::Put) {
        self.writes += 1;
    }
}

/// A test probe: records every message it is sent.
#[derive(Default)]
struct Probe {
    seen: Arc<Mutex<Vec<String>>>,
}

#[actor]
impl Probe {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<Vec<u8>> {
        self.seen.lock().unwrap().push(format!("get {}", msg.key));
        None
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.seen.lock().unwrap().push(format!("put {}", msg.key));
    }
}

#[tokio::test]
async fn three_actor_types_sit_behind_one_ref_in_one_vec() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let memory = Memory::default().spawn();
    let stores: Vec<Ref<Storage>> = vec![
        memory.clone().into(),
        Disk::default().spawn().into(),
        Probe { seen: seen.clone() }.spawn().into(),
    ];
    for store in &stores {
        store.put("k".into(), b"v".to_vec()).await.unwrap();
    }
    let mut answers = Vec::new();
    for store in &stores {
        answers.push(store.get("k".into()).await.unwrap());
    }
    assert_eq!(answers, [Some(b"v".to_vec()), Some(b"disk".to_vec()), None]);
    assert_eq!(*seen.lock().unwrap(), ["put k", "get k"]);
    assert_eq!(memory.size().await.unwrap(), 1);
    let types: Vec<_> = stores.iter().map(Ref::actor_type).collect();
    assert_eq!(types, ["Memory", "Disk", "Probe"]);
}

#[tokio::test]
async fn tell_and_ask_take_the_protocols_messages() {
    let memory = Memory::default().spawn();
    let store: Ref<Storage> = memory.to_ref();
    store
        .tell(storage::Put {
            key: "a".into(),
            value: vec![1],
        })
        .await
        .unwrap();
    store
        .try_tell(storage::Put {
            key: "b".into(),
            value: vec![2],
        })
        .unwrap();
    let a = store.ask(storage::Get { key: "a".into() }).await.unwrap();
    assert_eq!(a, Some(vec![1]));
    assert_eq!(store.get("b".into()).await.unwrap(), Some(vec![2]));
    let getter: Recipient<storage::Get> = store.recipient();
    assert_eq!(
        getter.ask(storage::Get { key: "a".into() }).await.unwrap(),
        Some(vec![1])
    );
}

#[tokio::test]
async fn a_tell_to_a_stopped_actor_gives_the_message_back() {
    let memory = Memory::default().spawn();
    let store: Ref<Storage> = memory.to_ref();
    memory.stop();
    memory.wait_for_stop().await;
    let err = store
        .tell(storage::Put {
            key: "lost".into(),
            value: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(err.into_inner().key, "lost");
    assert!(matches!(
        store.get("x".into()).await,
        Err(AskError::Stopped)
    ));
    assert!(!store.is_alive());
}

#[tokio::test]
async fn equality_hash_and_debug_follow_the_actor() {
    let memory = Memory::default().builder().name("mem").spawn();
    let a: Ref<Storage> = memory.to_ref();
    let b: Ref<Storage> = Ref::from(&memory);
    let other: Ref<Storage> = Disk::default().spawn().into();
    assert_eq!(a, b);
    assert_ne!(a, other);
    assert_eq!(a.id(), memory.id());
    assert_eq!(a.name(), Some("mem"));
    let set: HashSet<Ref<Storage>> = [a.clone(), b.clone(), other.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    let shown = format!("{a:?}");
    assert!(shown.starts_with("Ref<Storage>(Memory(mem)#"), "{shown}");
    assert_eq!(a.downcast::<Memory>(), Some(memory.clone()));
    assert_eq!(a.downcast::<Disk>(), None);
}

#[tokio::test]
async fn a_weak_ref_does_not_keep_the_actor_alive() {
    let memory = Memory::default().spawn();
    let store: Ref<Storage> = memory.into_ref();
    let weak = store.downgrade();
    assert_eq!(weak.upgrade(), Some(store.clone()));
    assert_eq!(weak.clone(), weak);
    assert!(format!("{weak:?}").starts_with("WeakRef<Storage>(Memory#"));
    let id = store.id();
    drop(store); // the last strong reference
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while weak.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(stopped.is_ok(), "the actor should stop without strong refs");
    assert!(weak.upgrade().is_none());
    assert_eq!(weak.id(), id);
}

#[tokio::test]
async fn a_ref_counts_as_a_reference() {
    let memory = Memory::default().spawn();
    let weak = memory.downgrade();
    let store: Ref<Storage> = memory.into_ref();
    tokio::task::yield_now().await;
    // The `ActorRef` is gone; the `Ref` alone keeps the actor running.
    let actor = weak.upgrade().expect("the Ref keeps it alive");
    assert_eq!(actor.size().await.unwrap(), 0);
    drop(actor);
    assert_eq!(store.get("none".into()).await.unwrap(), None);
}

// The list form, over messages declared elsewhere: here `impl Message`
// types and the ones `#[actor]` generated.

struct Ping;
impl Message for Ping {
    type Reply = &'static str;
}

typact::protocol_of! {
    /// Anything that answers a ping.
    Pingable = Ping
}

#[derive(Default)]
struct Counter(u64);

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) {
        self.0 += by;
    }

    #[handler]
    fn get(&self) -> u64 {
        self.0
    }

    #[handler(message)]
    fn ping(&self, _: Ping) -> &'static str {
        "counter"
    }
}

struct Echo;

#[actor]
impl Echo {
    #[handler(message)]
    fn ping(&self, _: Ping) -> &'static str {
        "echo"
    }
}

typact::protocol_of!(Counting = counter::Add + counter::Get);

#[tokio::test]
async fn the_list_form_takes_existing_messages() {
    let counter = Counter::default().spawn();
    let counting: Ref<Counting> = counter.to_ref();
    counting.tell(counter::Add { by: 2 }).await.unwrap();
    assert_eq!(counting.ask(counter::Get).await.unwrap(), 2);

    let pingers: Vec<Ref<Pingable>> = vec![counter.to_ref(), Echo.spawn().into()];
    let mut answers = Vec::new();
    for p in &pingers {
        answers.push(p.ask(Ping).await.unwrap());
    }
    assert_eq!(answers, ["counter", "echo"]);
    assert_eq!(<Pingable as typact::Protocol>::NAME, "Pingable");
}

#[test]
fn a_ref_is_small_and_thread_safe() {
    static_assertions::assert_impl_all!(Ref<Storage>: Send, Sync, Clone);
    static_assertions::assert_impl_all!(WeakRef<Storage>: Send, Sync, Clone);
    assert!(std::mem::size_of::<Ref<Storage>>() <= 3 * std::mem::size_of::<usize>());
}
