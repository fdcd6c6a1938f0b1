//! Generated message names never clash (issue 13, point 2): each actor's
//! messages live in a module named after it, and are imported beside the
//! actor wherever no other name there is the same.

use typact::prelude::*;

/// Two actors in one module, both with `fn get` (and `fn reset`).
mod shop {
    use typact::prelude::*;

    #[derive(Default)]
    pub(crate) struct Counter {
        count: u64,
    }

    #[actor]
    impl Counter {
        #[handler]
        pub(crate) fn add(&mut self, by: u64) {
            self.count += by;
        }

        #[handler]
        pub(crate) fn get(&self) -> u64 {
            self.count
        }

        #[handler]
        pub(crate) fn reset(&mut self) {
            self.count = 0;
        }
    }

    #[derive(Default)]
    pub(crate) struct Cache {
        value: Option<String>,
    }

    #[actor]
    impl Cache {
        #[handler]
        pub(crate) fn set(&mut self, value: String) {
            self.value = Some(value);
        }

        #[handler]
        pub(crate) fn get(&self) -> Option<String> {
            self.value.clone()
        }

        #[handler(name = Clear)]
        pub(crate) fn reset(&mut self) {
            self.value = None;
        }
    }

    /// Beside the actors, a name only one of them generates is usable bare.
    pub(crate) fn bare_names() -> (Add, Set, Clear) {
        (Add { by: 1 }, Set { value: "x".into() }, Clear)
    }
}

#[tokio::test]
async fn two_actors_with_the_same_handler_name_both_compile() {
    let counter = shop::Counter::default().spawn();
    let cache = shop::Cache::default().spawn();

    // Each `Get` is named through its actor's module.
    counter.tell(shop::counter::Add { by: 2 }).await.unwrap();
    let n: u64 = counter.ask(shop::counter::Get).await.unwrap();
    assert_eq!(n, 2);
    cache
        .tell(shop::cache::Set { value: "v".into() })
        .await
        .unwrap();
    let v: Option<String> = cache.ask(shop::cache::Get).await.unwrap();
    assert_eq!(v.as_deref(), Some("v"));

    // The client methods pick their own actor's message.
    assert_eq!(counter.get().await.unwrap(), 2);
    assert_eq!(cache.get().await.unwrap().as_deref(), Some("v"));
    counter.reset().await.unwrap();
    cache.reset().await.unwrap();
    assert_eq!(counter.get().await.unwrap(), 0);
    assert_eq!(cache.get().await.unwrap(), None);

    // `#[handler(name = Clear)]` names the message in the module too.
    cache.tell(shop::cache::Clear).await.unwrap();
    // Names only one actor generates are re-exported beside it.
    let (add, set, clear) = shop::bare_names();
    counter.tell(add).await.unwrap();
    cache.tell(set).await.unwrap();
    cache.tell(clear).await.unwrap();
    assert_eq!(counter.get().await.unwrap(), 1);
}

/// A lone actor keeps the bare names: `Add { by: 2 }`.
#[derive(Default)]
struct Tally {
    total: u64,
}

#[actor]
impl Tally {
    #[handler]
    fn add(&mut self, by: u64) {
        self.total += by;
    }

    #[handler]
    fn total(&self) -> u64 {
        self.total
    }
}

#[tokio::test]
async fn a_lone_actor_keeps_the_bare_names() {
    let tally = Tally::default().spawn();
    tally.tell(Add { by: 2 }).await.unwrap();
    tally.tell(tally::Add { by: 3 }).await.unwrap();
    assert_eq!(tally.ask(Total).await.unwrap(), 5);
}

/// The usual layout: a module named like its actor that imports its parent.
mod greeter {
    use super::*;

    pub(crate) struct Greeter;

    #[actor]
    impl Greeter {
        #[handler]
        pub(crate) fn greet(&self, name: String) -> String {
            format!("hello, {name}")
        }
    }

    pub(crate) fn message() -> Greet {
        Greet { name: "x".into() }
    }
}

#[tokio::test]
async fn an_actor_in_a_module_of_its_own_name_works() {
    let greeter = greeter::Greeter.spawn();
    assert_eq!(greeter.ask(greeter::message()).await.unwrap(), "hello, x");
    let greet = greeter::greeter::Greet { name: "y".into() };
    assert_eq!(greeter.ask(greet).await.unwrap(), "hello, y");
}

#[tokio::test]
async fn an_actor_inside_a_function_works() {
    struct Local(u8);

    #[actor]
    impl Local {
        #[handler]
        fn double(&self, by: u8) -> u8 {
            self.0 * by
        }
    }

    let local = Local(21).spawn();
    assert_eq!(local.double(2).await.unwrap(), 42);
    assert_eq!(local.ask(local::Double { by: 1 }).await.unwrap(), 21);
}

/// Field types written relative to the actor's module (`self::`, `super::`)
/// and restricted visibilities keep their meaning in the message module.
mod paths {
    use typact::prelude::*;

    pub(crate) struct Local(pub(crate) u8);

    pub(crate) struct Relative;

    #[actor]
    impl Relative {
        #[handler]
        pub(super) fn sum(&self, a: self::Local, b: super::Outer) -> u8 {
            a.0 + b.0
        }

        #[handler]
        fn private(&self) -> u8 {
            1
        }
    }

    /// A private handler's message is usable beside the actor, by both
    /// names.
    pub(crate) async fn ask_private(actor: &ActorRef<Relative>) -> u8 {
        let bare: Private = relative::Private;
        actor.ask(bare).await.unwrap() + actor.private().await.unwrap()
    }
}

pub(crate) struct Outer(u8);

#[tokio::test]
async fn relative_paths_and_visibilities_keep_their_meaning() {
    let actor = paths::Relative.spawn();
    // `pub(super)`: reachable here, one module up, by both names.
    let sum = paths::relative::Sum {
        a: paths::Local(1),
        b: Outer(2),
    };
    assert_eq!(actor.ask(sum).await.unwrap(), 3);
    assert_eq!(
        actor
            .ask(paths::Sum {
                a: paths::Local(3),
                b: Outer(4)
            })
            .await
            .unwrap(),
        7
    );
    assert_eq!(actor.sum(paths::Local(5), Outer(6)).await.unwrap(), 11);
    assert_eq!(paths::ask_private(&actor).await, 2);
}
