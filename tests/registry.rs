//! The registry: names and protocol keys, typed lookups, explicit
//! conflicts, weak entries, and entries that leave at once when their
//! actor stops, with subscribers (an actor and a stream) told.

#[allow(dead_code, reason = "the shared helpers: this file uses `within` only")]
mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{FutureExt, StreamExt};
use typact::prelude::*;
use typact::{LookupError, RegisterError, Registry, ServiceKey};

use common::within;

#[protocol]
pub trait Storage {
    fn get(&self, key: String) -> Option<u32>;
    fn put(&mut self, key: String, value: u32);
}

#[derive(Default)]
struct Memory {
    map: HashMap<String, u32>,
}

#[actor]
impl Memory {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<u32> {
        self.map.get(&msg.key).copied()
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.map.insert(msg.key, msg.value);
    }
}

#[derive(Default)]
struct Disk;

#[actor]
impl Disk {
    #[handler(message)]
    fn get(&self, _: storage::Get) -> Option<u32> {
        Some(7)
    }

    #[handler(message)]
    fn put(&mut self, _: storage::Put) {}
}

#[derive(Default)]
struct Probe;

#[actor]
impl Probe {
    #[handler(message)]
    fn get(&self, _: storage::Get) -> Option<u32> {
        None
    }

    #[handler(message)]
    fn put(&mut self, _: storage::Put) {}
}

#[derive(Default)]
struct Billing;

#[actor]
impl Billing {
    #[handler]
    fn bill(&self) -> &'static str {
        "billed"
    }
}

/// Counts the listings it is told, and remembers the last one's size.
#[derive(Default)]
struct Watcher {
    seen: Arc<AtomicU64>,
    sizes: Vec<usize>,
}

#[actor]
impl Watcher {
    #[handler(message)]
    fn listing(&mut self, listing: typact::Listing<Storage>) {
        self.seen.fetch_add(1, Ordering::SeqCst);
        self.sizes.push(listing.len());
    }

    #[handler]
    fn sizes(&self) -> Vec<usize> {
        self.sizes.clone()
    }
}

async fn stopped<A: Actor>(actor: &ActorRef<A>) {
    actor.stop();
    within("the actor's stop", actor.wait_for_stop()).await;
}

#[tokio::test]
async fn stale_entries_leave_under_10000_register_stop_cycles() {
    const CYCLES: u64 = 10_000;
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let mut stream = registry.subscribe_stream(&key);
    let seen = Arc::new(AtomicU64::new(0));
    let watcher = Watcher {
        seen: seen.clone(),
        sizes: Vec::new(),
    }
    .builder()
    .unbounded()
    .spawn();
    registry.subscribe(&key, watcher.recipient());

    let mut streamed = 0u64;
    let mut stale_after_stop = 0u64;
    for i in 0..CYCLES {
        let actor = Memory::default().spawn();
        registry.register("store", &actor).unwrap();
        registry.register_key(&key, &actor.to_ref()).unwrap();
        assert_eq!(registry.find(&key).len(), 1, "cycle {i}");
        stopped(&actor).await;
        // Gone as part of the stop, before `wait_for_stop` returned.
        if registry.lookup::<Memory>("store").is_ok() || !registry.find(&key).is_empty() {
            stale_after_stop += 1;
        }
        while let Some(Some(_)) = stream.next().now_or_never() {
            streamed += 1;
        }
    }
    let entries_left = registry.names().len() + registry.find(&key).len();
    // One listing at subscription, then a join and a leave per cycle.
    let expected = 1 + 2 * CYCLES;
    // Any the loop's draining left (tokio's budget may cut a drain short).
    while streamed < expected {
        within("a listing", stream.next()).await.unwrap();
        streamed += 1;
    }
    let extra = stream.next().now_or_never().is_some();
    within("the watcher's listings", async {
        while seen.load(Ordering::SeqCst) < expected {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let sizes = watcher.sizes().await.unwrap();
    println!(
        "{CYCLES} register/stop cycles: entries left = {entries_left}, stale after a stop = \
         {stale_after_stop}, stream listings = {streamed}, actor listings = {}, last listing \
         size = {:?}",
        seen.load(Ordering::SeqCst),
        sizes.last()
    );
    assert_eq!(entries_left, 0);
    assert_eq!(stale_after_stop, 0);
    assert!(!extra, "no listing beyond the expected ones");
    assert_eq!(seen.load(Ordering::SeqCst), expected);
    assert_eq!(sizes.last(), Some(&0));
    assert_eq!(sizes[0], 0);
    assert!(sizes[1..].chunks(2).all(|pair| pair == [1, 0]));
}

#[tokio::test]
async fn a_lookup_of_another_actor_type_names_both_types() {
    let registry = Registry::new();
    let billing = Billing.spawn();
    registry.register("billing", &billing).unwrap();
    let err = registry.lookup::<Memory>("billing").unwrap_err();
    assert_eq!(
        err,
        LookupError::WrongType {
            name: "billing".into(),
            registered: "Billing",
            requested: "Memory",
        }
    );
    assert_eq!(
        err.to_string(),
        "\"billing\" is registered for actor type `Billing`, not `Memory`"
    );
    assert_eq!(
        registry
            .lookup::<Billing>("billing")
            .unwrap()
            .bill()
            .await
            .unwrap(),
        "billed"
    );
}

#[tokio::test]
async fn an_unknown_name_is_not_found() {
    let registry = Registry::new();
    let err = registry.lookup::<Billing>("nobody").unwrap_err();
    assert_eq!(
        err,
        LookupError::NotFound {
            name: "nobody".into()
        }
    );
    assert!(err.to_string().contains("nobody"));
    assert!(matches!(
        registry.lookup_ref::<Storage>("nobody"),
        Err(LookupError::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_taken_name_is_refused_unless_replaced() {
    let registry = Registry::new();
    let first = Billing.builder().name("first").spawn();
    let second = Billing.spawn();
    registry.register("billing", &first).unwrap();
    // The same actor under the same name: no change, no error.
    registry.register("billing", &first).unwrap();
    let err = registry.register("billing", &second).unwrap_err();
    let RegisterError::Taken {
        name,
        holder,
        holder_name,
    } = &err
    else {
        panic!("expected Taken, got {err:?}");
    };
    assert_eq!((&**name, *holder), ("billing", first.id()));
    assert!(holder_name.starts_with("Billing(first)#"), "{holder_name}");
    assert!(err.to_string().contains("billing") && err.to_string().contains("Billing(first)"));
    assert_eq!(registry.lookup::<Billing>("billing").unwrap(), first);

    registry.register_replacing("billing", &second).unwrap();
    assert_eq!(registry.lookup::<Billing>("billing").unwrap(), second);
    // The replaced actor's stop no longer touches the name.
    stopped(&first).await;
    assert_eq!(registry.lookup::<Billing>("billing").unwrap(), second);
    assert!(registry.unregister("billing"));
    assert!(!registry.unregister("billing"));
    assert!(registry.lookup::<Billing>("billing").is_err());
}

#[tokio::test]
async fn a_stopped_actor_is_not_registered() {
    let registry = Registry::new();
    let billing = Billing.spawn();
    let store = Memory::default().spawn();
    let key = ServiceKey::<Storage>::new("stores");
    let as_ref = store.to_ref();
    stopped(&billing).await;
    stopped(&store).await;
    assert!(matches!(
        registry.register("billing", &billing),
        Err(RegisterError::Stopped { .. })
    ));
    assert!(matches!(
        registry.register_key(&key, &as_ref),
        Err(RegisterError::Stopped { .. })
    ));
    assert!(registry.names().is_empty());
    assert!(registry.find(&key).is_empty());
}

#[tokio::test]
async fn entries_are_weak_and_do_not_keep_actors_alive() {
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let store = Memory::default().spawn();
    let weak = store.downgrade();
    registry.register("store", &store).unwrap();
    registry.register_key(&key, &store.to_ref()).unwrap();
    assert_eq!(
        weak.strong_count(),
        1,
        "the registry holds no strong reference"
    );
    drop(store); // the last strong reference: the idle actor stops by itself
    within("the unreferenced actor's stop", async {
        while weak.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(registry.lookup::<Memory>("store").is_err());
    assert!(registry.find(&key).is_empty());
    assert!(registry.names().is_empty());
}

#[tokio::test]
async fn one_key_lists_three_actor_types() {
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let memory = Memory::default().spawn();
    let disk = Disk.spawn();
    let probe = Probe.spawn();
    registry.register_key(&key, &memory.to_ref()).unwrap();
    registry.register_key(&key, &Ref::from(&disk)).unwrap();
    registry.register_key(&key, &probe.to_ref()).unwrap();
    registry.register_key(&key, &memory.to_ref()).unwrap(); // again: no change

    let stores: Vec<Ref<Storage>> = registry.find(&key);
    let types: Vec<_> = stores.iter().map(Ref::actor_type).collect();
    assert_eq!(types, ["Memory", "Disk", "Probe"]);
    for store in &stores {
        store.put("k".into(), 1).await.unwrap();
    }
    let mut answers = Vec::new();
    for store in &stores {
        answers.push(store.get("k".into()).await.unwrap());
    }
    assert_eq!(answers, [Some(1), Some(7), None]);

    // Another protocol's key of the same id is another key.
    assert!(
        registry
            .find(&ServiceKey::<Other>::new("stores"))
            .is_empty()
    );

    assert!(registry.deregister_key(&key, disk.id()));
    assert!(!registry.deregister_key(&key, disk.id()));
    assert_eq!(registry.find(&key).len(), 2);
}

typact::protocol_of!(Other = storage::Get);

#[tokio::test]
async fn subscribers_see_joins_and_leaves() {
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let mut stream = registry.subscribe_stream(&key);
    let watcher = Watcher::default().spawn();
    registry.subscribe(&key, watcher.recipient());
    assert_eq!(registry.subscriber_count(&key), 2);

    let a = Memory::default().spawn();
    let b = Disk.spawn();
    registry.register_key(&key, &a.to_ref()).unwrap();
    registry.register_key(&key, &b.to_ref()).unwrap();
    stopped(&a).await;
    registry.deregister_key(&key, b.id());

    let mut listings = Vec::new();
    for _ in 0..5 {
        listings.push(within("a listing", stream.next()).await.unwrap().ids());
    }
    assert_eq!(
        listings,
        [
            vec![],
            vec![a.id()],
            vec![a.id(), b.id()],
            vec![b.id()],
            vec![]
        ]
    );
    assert!(stream.next().now_or_never().is_none(), "no further listing");

    let sizes = within("the watcher's listings", async {
        loop {
            let sizes = watcher.sizes().await.unwrap();
            if sizes.len() >= 5 {
                return sizes;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(sizes, [0, 1, 2, 1, 0]);

    // A subscriber that stops leaves at once; a dropped stream at the next
    // change.
    stopped(&watcher).await;
    assert_eq!(registry.subscriber_count(&key), 1);
    drop(stream);
    registry.register_key(&key, &b.to_ref()).unwrap();
    assert_eq!(registry.subscriber_count(&key), 0);
}

#[tokio::test]
async fn a_ref_registered_by_name_is_found_by_protocol_and_by_type() {
    let registry = Registry::new();
    let disk = Disk.spawn();
    let as_ref: Ref<Storage> = disk.to_ref();
    registry.register("disk", &as_ref).unwrap();
    let found = registry.lookup_ref::<Storage>("disk").unwrap();
    assert_eq!(found, as_ref);
    assert_eq!(found.get("x".into()).await.unwrap(), Some(7));
    assert_eq!(registry.lookup::<Disk>("disk").unwrap(), disk);
    let err = registry.lookup_ref::<Other>("disk").unwrap_err();
    assert!(
        matches!(
            err,
            LookupError::WrongType {
                registered: "Storage",
                requested: "Other",
                ..
            }
        ),
        "{err:?}"
    );

    registry.register("billing", &Billing.spawn()).unwrap();
    let err = registry.lookup_ref::<Storage>("billing").unwrap_err();
    assert!(
        matches!(
            err,
            LookupError::WrongType {
                registered: "Billing",
                requested: "Storage",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_process_wide_registry_is_one_instance() {
    let billing = Billing.spawn();
    typact::registry()
        .register("registry-test-billing", &billing)
        .unwrap();
    let found = typact::registry()
        .clone()
        .lookup::<Billing>("registry-test-billing")
        .unwrap();
    assert_eq!(found, billing);
    stopped(&billing).await;
    assert!(
        typact::registry()
            .lookup::<Billing>("registry-test-billing")
            .is_err()
    );
}

#[tokio::test]
async fn register_takes_a_name_or_a_service_key() {
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let memory = Memory::default().spawn();
    let disk = Disk.spawn();
    // Under a key: a `Ref<P>`, or an `ActorRef` whose actor speaks `P`.
    registry.register(&key, &memory.to_ref()).unwrap();
    registry.register(key.clone(), &disk).unwrap();
    assert_eq!(
        registry.find(&key).iter().map(Ref::id).collect::<Vec<_>>(),
        [memory.id(), disk.id()]
    );
    // Under a name, in any of its forms.
    registry.register(String::from("memory"), &memory).unwrap();
    registry
        .register(Arc::<str>::from("disk"), &disk.to_ref::<Storage>())
        .unwrap();
    assert_eq!(registry.lookup::<Memory>("memory").unwrap(), memory);
    assert_eq!(
        registry.lookup_ref::<Storage>("disk").unwrap().id(),
        disk.id()
    );
    assert_eq!(format!("{key:?}"), "ServiceKey<Storage>(\"stores\")");
    assert_eq!(key.to_string(), "Storage:stores");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_leave_at_the_stop_on_a_multi_threaded_runtime() {
    const CYCLES: usize = 1_000;
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let mut stream = registry.subscribe_stream(&key);
    let mut stale = 0;
    for i in 0..CYCLES {
        let name = format!("store-{}", i % 3);
        let actor = Memory::default().spawn();
        registry.register(name.as_str(), &actor).unwrap();
        registry.register(&key, &actor).unwrap();
        stopped(&actor).await;
        if registry.lookup::<Memory>(&name).is_ok() || !registry.find(&key).is_empty() {
            stale += 1;
        }
    }
    assert_eq!(stale, 0);
    assert_eq!(registry.names().len() + registry.find(&key).len(), 0);
    // One listing at subscription, then a join and a leave per cycle, and
    // no more.
    let mut last = None;
    for _ in 0..1 + 2 * CYCLES {
        last = Some(within("a listing", stream.next()).await.unwrap());
    }
    assert!(last.unwrap().is_empty());
    assert!(stream.next().now_or_never().is_none());
}
