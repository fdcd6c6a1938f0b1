//! `__private::Entry`, the generated mailbox's variant payload, is `Send`
//! by an `unsafe impl`: its only constructor requires `M: Message<Reply =
//! R>`, whose message and reply are `Send` by `Message`'s own bounds (see
//! the SAFETY comment in `lib.rs`). These tests move entries across
//! threads; they pass under miri too (run by hand, since CI has no nightly
//! toolchain: `cargo +nightly miri test -p typact-runtime --test
//! entry_send`).

use typact_runtime::__private::Entry;
use typact_runtime::{Message, ReplyTo};

struct Put {
    key: String,
    value: Vec<u8>,
}

impl Message for Put {
    type Reply = Option<Vec<u8>>;
}

#[test]
fn an_entry_crosses_threads_intact() {
    let entry = Entry::new(
        Put {
            key: "k".into(),
            value: vec![1, 2, 3],
        },
        ReplyTo::none(),
    );
    let (key, value, was_ask) = std::thread::spawn(move || {
        let (msg, reply) = entry.into_parts();
        (msg.key, msg.value, reply.is_ask())
    })
    .join()
    .unwrap();
    assert_eq!(
        (key.as_str(), value.as_slice(), was_ask),
        ("k", &[1u8, 2, 3][..], false)
    );
}

#[test]
fn entries_dropped_on_another_thread_free_their_parts() {
    let entries: Vec<_> = (0..4)
        .map(|i| {
            Entry::new(
                Put {
                    key: i.to_string(),
                    value: vec![i; 8],
                },
                ReplyTo::none(),
            )
        })
        .collect();
    std::thread::spawn(move || {
        let mut entries = entries;
        let last = entries.pop().unwrap().into_message();
        assert_eq!(last.key, "3");
        drop(entries);
    })
    .join()
    .unwrap();
}
