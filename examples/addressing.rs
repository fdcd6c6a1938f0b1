//! Addressing: a protocol with two implementations behind one registry
//! key, found again by name and by path.
//!
//! Run with `cargo run --example addressing`. Each part is a function of
//! its own, so that pools and topics can join as parts beside them.

use std::collections::HashMap;

use futures_util::StreamExt;
use typact::prelude::*;

/// Any key-value store.
#[protocol]
pub trait Storage {
    /// The value under `key`.
    fn get(&self, key: String) -> Option<String>;
    /// Stores `value` under `key`.
    fn put(&mut self, key: String, value: String);
}

/// A store in memory.
#[derive(Default)]
struct Memory {
    map: HashMap<String, String>,
}

#[actor]
impl Memory {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<String> {
        self.map.get(&msg.key).cloned()
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.map.insert(msg.key, msg.value);
    }
}

/// A store on a (pretend) disk.
#[derive(Default)]
struct Disk {
    map: HashMap<String, String>,
}

#[actor]
impl Disk {
    #[handler(message)]
    fn get(&self, msg: storage::Get) -> Option<String> {
        self.map.get(&msg.key).map(|v| format!("{v} (from disk)"))
    }

    #[handler(message)]
    fn put(&mut self, msg: storage::Put) {
        self.map.insert(msg.key, msg.value);
    }
}

/// Two implementations of one protocol behind one registry key, and a
/// subscriber that sees them join and leave.
async fn protocols_and_registry() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::new();
    let key = ServiceKey::<Storage>::new("stores");
    let mut listings = registry.subscribe_stream(&key);

    let memory = Memory::default().spawn();
    let disk = Disk::default().spawn();
    registry.register(&key, &memory)?;
    registry.register(&key, &disk)?;
    registry.register("primary", &disk)?;

    for store in registry.find(&key) {
        store.put("greeting".into(), "hello".into()).await?;
        println!(
            "{store}: greeting = {:?}",
            store.get("greeting".into()).await?
        );
    }
    let primary = registry.lookup::<Disk>("primary")?;
    println!("primary is {primary}");
    if let Err(err) = registry.lookup::<Memory>("primary") {
        println!("typed lookup: {err}");
    }

    memory.stop();
    memory.wait_for_stop().await;
    println!(
        "after memory stopped: {} store(s) listed",
        registry.find(&key).len()
    );
    for _ in 0..4 {
        let listing = listings.next().await.expect("the registry is alive");
        println!("listing: {} member(s)", listing.len());
    }
    Ok(())
}

/// Paths through the supervision tree.
async fn paths() -> Result<(), Box<dyn std::error::Error>> {
    let ui = Supervisor::builder();
    let store = ui.child(Memory::default).name("store-1").add();
    let app = Supervisor::builder().name("app");
    app.child(ui.into_factory()).name("ui").add();
    let app = app.spawn().await?;

    println!("{store} sits at {:?}", store.path().map(ActorPath::as_str));
    let found = typact::registry().lookup_path::<Memory>("/app/ui/store-1")?;
    assert_eq!(found, store);
    app.stop();
    app.wait_for_stop().await;
    assert!(
        typact::registry()
            .lookup_path::<Memory>("/app/ui/store-1")
            .is_err()
    );
    println!("after the tree stopped, /app/ui/store-1 is free again");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    protocols_and_registry().await?;
    paths().await?;
    Ok(())
}
