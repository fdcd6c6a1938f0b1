//! What users rely on, pinned at compile time: which public types are
//! `Send`, `Sync`, `Unpin` and `Clone`, which must not be `Clone` (or
//! `Sync`), what the errors convert into, and how wide a reference is. A
//! refactor that silently changes one of these fails to compile here.

use std::error::Error;
use std::future::Future;

use static_assertions::{assert_eq_size, assert_impl_all, assert_not_impl_any};
use typact::prelude::*;
use typact::{
    Ask, BoxError, Permit, RecipientPermit, SupervisorClient, SupervisorError, TimerHandle,
};

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) -> u64 {
        self.count += by;
        self.count
    }

    #[handler]
    async fn slow(&mut self, note: String) -> usize {
        note.len()
    }
}

/// A message that is `Send` but not `Sync`.
struct Unshared(#[allow(dead_code)] std::cell::Cell<u32>);

impl Message for Unshared {
    type Reply = ();
}

// References: cheap to clone and share, one pointer wide (`Option` too).
assert_impl_all!(ActorRef<Counter>: Send, Sync, Unpin, Clone, std::fmt::Debug, Eq, std::hash::Hash);
assert_impl_all!(WeakActorRef<Counter>: Send, Sync, Unpin, Clone, std::fmt::Debug, Eq);
assert_impl_all!(Recipient<Add>: Send, Sync, Unpin, Clone, std::fmt::Debug);
assert_impl_all!(Recipient<Unshared>: Send, Sync, Unpin, Clone);
assert_impl_all!(WeakRecipient<Add>: Send, Sync, Unpin, Clone, std::fmt::Debug);
assert_impl_all!(SupervisorClient: Send, Sync);
assert_eq_size!(ActorRef<Counter>, usize);
assert_eq_size!(Option<ActorRef<Counter>>, usize);
assert_eq_size!(WeakActorRef<Counter>, usize);

// The ask: an owned future, so it can be spawned, stored and returned. It
// sends once, so it is not `Clone`.
assert_impl_all!(Ask<Add, u64>: Future<Output = Result<u64, AskError>>, Send, Unpin, std::fmt::Debug);
assert_impl_all!(Ask<Slow, usize>: Send, Unpin);
assert_not_impl_any!(Ask<Add, u64>: Clone);

/// `'static`, so `tokio::spawn` takes it: checked by a bound, which
/// `static_assertions` has no form for.
#[allow(dead_code)]
fn an_ask_is_static(counter: &ActorRef<Counter>) -> impl Future + Send + 'static {
    counter.add(1)
}

// Errors: usable with `?` into `Box<dyn Error + Send + Sync>` (`BoxError`,
// which takes only `'static` errors) and anyhow.
assert_impl_all!(AskError: Error, Send, Sync, Unpin, Clone, PartialEq, Eq, Into<BoxError>);
assert_impl_all!(TellError<Add>: Error, Send, Sync, Into<BoxError>);
// Whatever the message: the error keeps it where only its owner reaches it.
assert_impl_all!(TellError<Unshared>: Error, Send, Sync, Into<BoxError>);
assert_impl_all!(SpawnError: Error, Send, Sync, Clone, Into<BoxError>);
assert_impl_all!(SupervisorError: Error, Send, Sync, Into<BoxError>);
assert_impl_all!(StopReason: Send, Sync, Clone, std::fmt::Display);
assert_impl_all!(ActorId: Copy, Send, Sync, Eq, Ord, std::hash::Hash, std::fmt::Display);

// One reply per ask: a reply handle moves (into a task, a message, another
// actor's mailbox) but is never duplicated.
assert_impl_all!(ReplyTo<u64>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(ReplyTo<Unshared>: Send, Sync);
assert_not_impl_any!(ReplyTo<u64>: Clone, Copy);
assert_eq_size!(ReplyTo<u64>, [usize; 2]);

// A reserved place is used once; a context belongs to one running actor.
assert_not_impl_any!(Permit<'static, Counter>: Clone, Copy);
assert_not_impl_any!(RecipientPermit<'static, Add>: Clone, Copy);
assert_impl_all!(Context<Counter>: Send);
assert_not_impl_any!(Context<Counter>: Clone);
assert_impl_all!(TimerHandle: Send, Sync);

// What `#[actor]` generates travels between threads.
assert_impl_all!(Add: Message, Send);
assert_impl_all!(Slow: Message, Send);
assert_impl_all!(<Counter as Actor>::Mailbox: Send);

#[test]
fn the_assertions_above_compile() {}
