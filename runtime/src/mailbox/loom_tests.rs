//! Model checks of the mailbox protocol under loom.

use std::future::poll_fn;

use super::*;

fn test_channel<T>(kind: MailboxKind) -> (Tx<T>, Rx<T>) {
    channel(kind, Cell::new(&"Test", None))
}

/// Explores the interleavings with at most a few preemptions each,
/// which finds the usual lost-wakeup and lost-value bugs while keeping
/// the run short.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

/// Values sent from two threads each arrive exactly once, a sender's
/// own in order, and the receiver never sleeps through a push:
/// `block_on` would report a deadlock.
#[test]
fn no_value_lost_and_no_wakeup_missed() {
    model(|| {
        let (tx, mut rx) = test_channel::<u32>(MailboxKind::Unbounded);
        let other = tx.clone();
        let sender = loom::thread::spawn(move || {
            other.try_send(10).ok().unwrap();
        });
        tx.try_send(0).ok().unwrap();
        tx.try_send(1).ok().unwrap();
        drop(tx);
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(loom::future::block_on(poll_fn(|cx| rx.poll_recv(cx))).unwrap());
        }
        sender.join().unwrap();
        let mine: Vec<u32> = got.iter().copied().filter(|v| *v < 10).collect();
        assert_eq!(mine, vec![0, 1]);
        assert!(got.contains(&10));
    });
}

/// A close racing with a send: the value is either received, or handed
/// back to the sender, never both and never neither.
#[test]
fn a_send_racing_a_close_is_delivered_or_handed_back() {
    model(|| {
        let (tx, mut rx) = test_channel::<u32>(MailboxKind::Unbounded);
        let sender = loom::thread::spawn(move || tx.try_send(7).is_ok());
        rx.close();
        let accepted = sender.join().unwrap();
        let received = matches!(rx.try_recv(), TryRecv::Value(7));
        assert_eq!(accepted, received);
        assert!(matches!(rx.try_recv(), TryRecv::Closed));
    });
}

/// A receiver waiting on an empty mailbox is woken by a send from
/// another thread.
#[test]
fn a_waiting_receiver_is_woken() {
    model(|| {
        let (tx, mut rx) = test_channel::<u32>(MailboxKind::Unbounded);
        let sender = loom::thread::spawn(move || {
            tx.try_send(1).ok().unwrap();
        });
        let got = loom::future::block_on(poll_fn(|cx| rx.poll_recv(cx)));
        assert_eq!(got, Some(1));
        sender.join().unwrap();
    });
}
