//! Unit tests of the mailbox.

use std::task::Poll;

use super::*;

fn test_channel<T>(kind: MailboxKind) -> (Tx<T>, Rx<T>) {
    channel(kind, Cell::new(&"Test", None))
}

fn poll_recv<T>(rx: &mut Rx<T>) -> Poll<Option<T>> {
    let waker = Waker::noop();
    rx.poll_recv(&mut TaskContext::from_waker(waker))
}

#[test]
fn fifo_across_swaps() {
    let (tx, mut rx) = test_channel::<u32>(MailboxKind::Unbounded);
    for i in 0..10 {
        tx.try_send(i).ok().unwrap();
    }
    assert!(matches!(poll_recv(&mut rx), Poll::Ready(Some(0))));
    for i in 10..20 {
        tx.try_send(i).ok().unwrap();
    }
    let mut got = vec![0];
    while let Poll::Ready(Some(v)) = poll_recv(&mut rx) {
        got.push(v);
    }
    assert_eq!(got, (0..20).collect::<Vec<_>>());
}

/// Sends `n` entries and receives them all; returns the capacities of
/// the receiver's buffer and the shared one, once it is idle again.
fn round(tx: &Tx<u32>, rx: &mut Rx<u32>, n: u32) -> (usize, usize) {
    for i in 0..n {
        tx.try_send(i).ok().unwrap();
    }
    for i in 0..n {
        assert!(matches!(poll_recv(rx), Poll::Ready(Some(v)) if v == i));
    }
    // Two idle looks, as the actor's task makes after a burst: the
    // first wakes the task again, the second trims.
    assert!(poll_recv(rx).is_pending());
    assert!(poll_recv(rx).is_pending());
    (rx.local.capacity(), rx.shared.lock().rest.capacity())
}

#[test]
fn the_trim_waits_for_the_second_idle_look() {
    let (tx, mut rx) = test_channel::<u32>(MailboxKind::Unbounded);
    for i in 0..10_000 {
        tx.try_send(i).ok().unwrap();
    }
    for _ in 0..10_000 {
        assert!(matches!(poll_recv(&mut rx), Poll::Ready(Some(_))));
    }
    let woken = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    struct Flag(std::sync::Arc<std::sync::atomic::AtomicBool>);
    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let waker = Waker::from(std::sync::Arc::new(Flag(woken.clone())));
    let first = rx.poll_recv(&mut TaskContext::from_waker(&waker));
    assert!(first.is_pending());
    assert!(
        rx.local.capacity() >= 10_000,
        "the first look keeps the buffer"
    );
    assert!(
        woken.load(std::sync::atomic::Ordering::SeqCst),
        "and wakes the task"
    );
    assert!(poll_recv(&mut rx).is_pending());
    assert!(
        rx.local.capacity() <= 4 * TRIM_FLOOR,
        "the second look trims"
    );
}

#[test]
fn a_drained_burst_is_given_back_and_a_steady_load_keeps_its_buffers() {
    let (tx, mut rx) = test_channel::<u32>(MailboxKind::Unbounded);
    let (local, rest) = round(&tx, &mut rx, 100_000);
    assert!(
        local <= 4 * TRIM_FLOOR && rest <= 4 * TRIM_FLOOR,
        "kept {local} and {rest} places after a burst"
    );

    // A steady load of 1,000 per round settles within a few rounds,
    // then keeps its buffers: the same capacities round after round.
    for _ in 0..16 {
        round(&tx, &mut rx, 1_000);
    }
    let settled = round(&tx, &mut rx, 1_000);
    for _ in 0..16 {
        assert_eq!(round(&tx, &mut rx, 1_000), settled);
    }
    assert!(settled.0 >= 1_000 && settled.1 >= 1_000, "{settled:?}");
}

#[test]
fn the_typical_batch_moves_by_at_most_a_factor_of_two() {
    assert_eq!(next_typical(0, 1_000_000), 1);
    assert_eq!(next_typical(500, 1_000_000), 1_000);
    assert_eq!(next_typical(500, 0), 250);
    assert_eq!(next_typical(500, 510), 510);
    assert_eq!(next_typical(u32::MAX, usize::MAX), u32::MAX);
}

#[test]
fn the_bound_counts_queued_and_taken_but_unhandled_entries() {
    let (tx, mut rx) = test_channel::<u32>(MailboxKind::Bounded(2));
    tx.try_send(1).ok().unwrap();
    tx.try_send(2).ok().unwrap();
    assert!(matches!(tx.try_send(3), Err(TrySend::Full(3))));
    assert!(matches!(poll_recv(&mut rx), Poll::Ready(Some(1))));
    // One place is free again, the other still holds `2`.
    tx.try_send(3).ok().unwrap();
    assert!(matches!(tx.try_send(4), Err(TrySend::Full(4))));
}

#[tokio::test]
async fn close_hands_values_back_and_keeps_the_queue_for_draining() {
    let (tx, mut rx) = test_channel::<u32>(MailboxKind::Bounded(1));
    tx.try_send(1).ok().unwrap();
    let waiting = tokio::spawn({
        let tx = tx.clone();
        async move { tx.send(2).await }
    });
    tokio::task::yield_now().await;
    rx.close();
    assert_eq!(waiting.await.unwrap(), Err(2));
    assert!(matches!(tx.try_send(3), Err(TrySend::Closed(3))));
    assert!(matches!(rx.try_recv(), TryRecv::Value(1)));
    assert!(matches!(rx.try_recv(), TryRecv::Closed));
}

#[tokio::test]
async fn a_pending_receiver_is_woken_by_a_send() {
    let (tx, mut rx) = test_channel::<u32>(MailboxKind::default());
    let receiver = tokio::spawn(async move { std::future::poll_fn(|cx| rx.poll_recv(cx)).await });
    tokio::task::yield_now().await;
    tx.send(7).await.unwrap();
    assert_eq!(receiver.await.unwrap(), Some(7));
}

#[test]
#[should_panic(expected = "attempted to block the current thread")]
fn blocking_inside_a_task_panics_with_advice() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let result = rt.block_on(rt.spawn(async {
        let (tx, _rx) = test_channel::<u32>(MailboxKind::default());
        let _ = tx.blocking_send(1);
    }));
    if let Err(err) = result {
        std::panic::resume_unwind(err.into_panic());
    }
}

#[test]
#[should_panic(expected = "attempted to block the current thread")]
fn blocking_on_the_thread_driving_a_runtime_panics() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, _rx) = test_channel::<u32>(MailboxKind::Bounded(1));
        let _ = tx.blocking_send(1);
    });
}

#[test]
fn blocking_in_spawn_blocking_waits_for_space() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = test_channel::<u32>(MailboxKind::Bounded(1));
        tx.send(1).await.unwrap();
        // The mailbox is full: the blocking send waits until the
        // receiver below makes room.
        let sender = tokio::task::spawn_blocking(move || tx.blocking_send(2));
        assert_eq!(std::future::poll_fn(|cx| rx.poll_recv(cx)).await, Some(1));
        assert_eq!(sender.await.unwrap(), Ok(()));
        assert_eq!(std::future::poll_fn(|cx| rx.poll_recv(cx)).await, Some(2));
    });
}
