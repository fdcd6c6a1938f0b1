//! A system to look at: a small shop with a supervision tree, a pool and a
//! topic, made attachable with one call, `typact::inspect::serve`.
//!
//! ```text
//! /shop (one-for-one)
//! ├── inventory          stock per item; history on
//! ├── orders             takes orders, publishes each on a topic
//! ├── audit              subscribes to the topic
//! └── packing (one-for-one)
//!     ├── packer-1       packs orders
//!     └── packer-2
//! shippers               a pool of 2 to 4 workers
//! ```
//!
//! A load generator places an order every 50 ms. Every actor but the
//! audit is `#[actor(inspect)]`, so the shell can `send` and `ask` it JSON;
//! each gives a one-line `#[inspect] fn summary`, which `ls` shows; the
//! inventory and the first packer keep a history of their last messages. Run it,
//! then attach from another terminal with the command it prints:
//!
//! ```text
//! cargo run --example observed
//! cargo run -p typact-shell -- --socket /tmp/typact-<pid>.sock
//! cargo run -p typact-shell -- --socket /tmp/typact-<pid>.sock --web 127.0.0.1:8080
//! ```
//!
//! It runs until Ctrl-C, or for `--exit-after SECS` (or
//! `TYPACT_EXIT_AFTER=SECS`; 2 s when `CI` is set and neither is given),
//! checking before it exits that its own server lists the tree. The
//! socket is `$TYPACT_INSPECT` when set.

use std::collections::BTreeMap;
use std::error::Error;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use typact::inspect::{Endpoint, Server};
use typact::prelude::*;
use typact::{Autoscale, Supervisor};

/// Stock per item.
#[derive(Default)]
struct Inventory {
    stock: BTreeMap<String, u32>,
}

#[actor(inspect)]
impl Inventory {
    /// Adds `count` of `item`.
    #[handler]
    fn restock(&mut self, item: String, count: u32) {
        *self.stock.entry(item).or_default() += count;
    }

    /// Takes one `item`, if there is one.
    #[handler]
    fn take(&mut self, item: String) -> bool {
        match self.stock.get_mut(&item) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// How many of `item` are left.
    #[handler]
    fn count(&self, item: String) -> u32 {
        self.stock.get(&item).copied().unwrap_or(0)
    }

    #[inspect]
    fn summary(&self) -> String {
        let items: Vec<String> = self.stock.iter().map(|(k, n)| format!("{k} {n}")).collect();
        items.join(", ")
    }
}

/// An order was placed.
#[derive(Clone, Debug)]
struct Placed {
    id: u64,
}

impl Message for Placed {
    type Reply = ();
}

/// Takes orders and publishes each.
struct Orders {
    next: u64,
    refused: u64,
    inventory: ActorRef<Inventory>,
    placed: Topic<Placed>,
}

#[actor(inspect)]
impl Orders {
    /// Places an order for one `item`: its number, or 0 when out of stock.
    #[handler]
    async fn place(&mut self, item: String) -> u64 {
        if !self.inventory.take(item).await.unwrap_or(false) {
            self.refused += 1;
            return 0;
        }
        self.next += 1;
        self.placed.publish(Placed { id: self.next });
        self.next
    }

    #[inspect]
    fn summary(&self) -> String {
        format!("{} placed, {} refused", self.next, self.refused)
    }
}

/// Counts what it saw on the topic.
#[derive(Default)]
struct Audit {
    seen: u64,
    last: u64,
}

#[actor]
impl Audit {
    #[handler(message)]
    fn placed(&mut self, placed: Placed) {
        self.seen += 1;
        self.last = placed.id;
    }

    #[inspect]
    fn summary(&self) -> String {
        format!("saw {} orders, the last #{}", self.seen, self.last)
    }
}

/// Packs orders.
#[derive(Default)]
struct Packer {
    packed: u64,
}

#[actor(inspect)]
impl Packer {
    /// Packs order `id`.
    #[handler]
    async fn pack(&mut self, id: u64) {
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.packed += 1;
        let _ = id;
    }

    #[inspect]
    fn summary(&self) -> String {
        format!("packed {}", self.packed)
    }
}

/// Ships packed orders; a pool of these.
#[derive(Default)]
struct Shipper {
    shipped: u64,
}

#[actor(inspect)]
impl Shipper {
    /// Ships order `id`.
    #[handler]
    async fn ship(&mut self, id: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        self.shipped += 1;
        id
    }

    #[inspect]
    fn summary(&self) -> String {
        format!("shipped {}", self.shipped)
    }
}

const ITEMS: [&str; 3] = ["apple", "pear", "plum"];

/// How long to run: `--exit-after SECS`, or `TYPACT_EXIT_AFTER`.
fn exit_after() -> Result<Option<Duration>, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut secs = std::env::var("TYPACT_EXIT_AFTER").ok();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--exit-after" => secs = Some(args.next().ok_or("--exit-after needs seconds")?),
            other => {
                return Err(format!("unknown argument {other:?}; try --exit-after SECS").into());
            }
        }
    }
    // Under CI (which sets `CI`), never wait for a Ctrl-C that will not
    // come.
    if secs.is_none() && std::env::var_os("CI").is_some_and(|ci| !ci.is_empty()) {
        secs = Some("2".into());
    }
    Ok(match secs {
        Some(s) => Some(Duration::from_secs_f64(s.parse()?)),
        None => None,
    })
}

/// Attaches to our own server as the shell would, and checks it lists
/// the tree.
async fn self_check(server: &Server) -> Result<usize, Box<dyn Error>> {
    let path = server.socket_path().ok_or("a Unix endpoint")?;
    let stream = tokio::net::UnixStream::connect(path).await?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write
        .write_all(b"{\"op\":\"hello\",\"protocol\":1}\n{\"op\":\"list\",\"under\":\"/shop\"}\n")
        .await?;
    let hello = lines.next_line().await?.ok_or("no hello")?;
    let list = lines.next_line().await?.ok_or("no list")?;
    if !hello.contains("\"ok\"") || !list.contains("/shop/packing/packer-1") {
        return Err(format!("the server does not list the tree: {list}").into());
    }
    Ok(list.matches("\"path\":").count())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let exit_after = exit_after()?;
    // First, so that every actor spawned after it is listed.
    let server = typact::inspect::serve(Endpoint::from_env())?;

    let placed = Topic::<Placed>::new();
    let packing = Supervisor::builder();
    let packers = [
        packing.child(Packer::default).name("packer-1").add(),
        packing.child(Packer::default).name("packer-2").add(),
    ];
    let shop = Supervisor::builder().name("shop");
    let inventory = shop.child(Inventory::default).name("inventory").add();
    let orders = {
        let (inventory, placed) = (inventory.clone(), placed.clone());
        shop.child(move || Orders {
            next: 0,
            refused: 0,
            inventory: inventory.clone(),
            placed: placed.clone(),
        })
        .name("orders")
        .add()
    };
    let audit = shop.child(Audit::default).name("audit").add();
    shop.child(packing.into_factory()).name("packing").add();
    let shop = shop.spawn().await?;
    placed.subscribe(&audit);
    let shippers = Pool::builder(Shipper::default)
        .name("shippers")
        .autoscale(Autoscale::new(2, 4))
        .spawn()
        .await?;

    for item in ITEMS {
        inventory.restock(item.into(), 1_000).await?;
    }
    // The last messages of the inventory and of the first packer are kept
    // (`history /shop/inventory` in the shell); the others' switch on with
    // `history PATH --on N`.
    typact::inspect::set_history(inventory.id(), 50);
    typact::inspect::set_history(packers[0].id(), 20);

    // The load: an order every 50 ms, packed and shipped.
    let load = {
        let (orders, shippers) = (orders.clone(), shippers.clone());
        tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                n += 1;
                let Ok(id) = orders.place(ITEMS[n % ITEMS.len()].into()).await else {
                    continue;
                };
                if id > 0 {
                    let _ = packers[n % packers.len()].pack(id).await;
                    let _ = shippers.tell(Ship { id }).await;
                }
            }
        })
    };

    let socket = server.socket_path().ok_or("a Unix endpoint")?.display();
    println!("the shop is open; attach with:");
    println!("  cargo run -p typact-shell -- --socket {socket}");
    println!("  cargo run -p typact-shell -- --socket {socket} --web 127.0.0.1:8080");
    match exit_after {
        Some(after) => {
            println!("(exiting after {} s)", after.as_secs_f64());
            tokio::time::sleep(after).await;
            let listed = self_check(&server).await?;
            println!("self-check: the server lists {listed} actors below /shop");
        }
        None => {
            println!("(Ctrl-C to stop)");
            tokio::signal::ctrl_c().await?;
        }
    }
    load.abort();
    shop.stop();
    shop.wait_for_stop().await;
    server.shutdown();
    println!("closed");
    Ok(())
}
