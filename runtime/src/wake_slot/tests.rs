//! The slot's contract: a wake after a registration wakes the registered
//! waker, a wake with nothing armed does nothing, and the waker stays in
//! the slot. The plain tests also run under miri
//! (`cargo +nightly miri test -p typact-runtime --lib wake_slot`); the
//! loom models check the protocol's interleavings
//! (`RUSTFLAGS="--cfg typact_loom" cargo test -p typact-runtime --lib --release loom`).

use super::*;

#[cfg(not(typact_loom))]
mod plain {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    use super::WakeSlot;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counting() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    fn wakes(count: &Count) -> usize {
        count.0.load(Ordering::SeqCst)
    }

    #[test]
    fn a_wake_with_nothing_registered_does_nothing() {
        let slot = WakeSlot::new();
        slot.wake();
        let (count, waker) = counting();
        // SAFETY: one thread.
        unsafe { slot.register(&waker) };
        assert_eq!(wakes(&count), 0, "registering does not wake");
    }

    #[test]
    fn one_registration_is_woken_once() {
        let slot = WakeSlot::new();
        let (count, waker) = counting();
        // SAFETY: one thread.
        unsafe { slot.register(&waker) };
        slot.wake();
        slot.wake();
        assert_eq!(wakes(&count), 1, "the second wake finds nothing armed");
    }

    #[test]
    fn the_waker_stays_and_each_arming_is_woken() {
        let slot = WakeSlot::new();
        let (count, waker) = counting();
        for n in 1..=3 {
            // SAFETY: one thread.
            unsafe { slot.register(&waker) };
            slot.wake();
            assert_eq!(wakes(&count), n);
        }
        // The slot holds one clone: the test's waker, the count's Arc and
        // the slot's.
        drop(waker);
        assert_eq!(Arc::strong_count(&count), 2);
        drop(slot);
        assert_eq!(Arc::strong_count(&count), 1, "the slot drops its waker");
    }

    #[test]
    fn a_new_waker_replaces_the_old_one() {
        let slot = WakeSlot::new();
        let (first, first_waker) = counting();
        let (second, second_waker) = counting();
        // SAFETY: one thread.
        unsafe {
            slot.register(&first_waker);
            slot.register(&second_waker);
        }
        slot.wake();
        assert_eq!((wakes(&first), wakes(&second)), (0, 1));
        drop(first_waker);
        assert_eq!(Arc::strong_count(&first), 1, "the old waker is dropped");
    }

    #[test]
    fn clearing_drops_the_waker_and_disarms() {
        let slot = WakeSlot::new();
        let (count, waker) = counting();
        // SAFETY: one thread.
        unsafe { slot.register(&waker) };
        drop(waker);
        assert_eq!(Arc::strong_count(&count), 2);
        // SAFETY: one thread.
        unsafe { slot.clear() };
        assert_eq!(Arc::strong_count(&count), 1, "the slot let go of the waker");
        slot.wake();
        assert_eq!(wakes(&count), 0, "nothing is armed after a clear");
    }

    /// The race the re-arming loop of a wake is for, played on one thread:
    /// while a wake borrows the waker, the receiver re-arms it and a
    /// second sender's wake finds the borrow and leaves the wake to the
    /// first. The first must then wake the receiver again.
    #[test]
    fn a_rearming_during_a_wake_is_woken_again() {
        struct Racing {
            slot: std::sync::OnceLock<Arc<WakeSlot>>,
            wakes: AtomicUsize,
        }
        impl Wake for Racing {
            fn wake(self: Arc<Self>) {
                self.wake_by_ref();
            }
            fn wake_by_ref(self: &Arc<Self>) {
                if self.wakes.fetch_add(1, Ordering::SeqCst) == 0 {
                    let slot = self.slot.get().unwrap();
                    // SAFETY: one thread registers (this test's).
                    unsafe { slot.register(&Waker::from(self.clone())) };
                    slot.wake();
                }
            }
        }
        let racing = Arc::new(Racing {
            slot: std::sync::OnceLock::new(),
            wakes: AtomicUsize::new(0),
        });
        let slot = Arc::new(WakeSlot::new());
        racing.slot.set(slot.clone()).ok().unwrap();
        // SAFETY: one thread.
        unsafe { slot.register(&Waker::from(racing.clone())) };
        slot.wake();
        assert_eq!(racing.wakes.load(Ordering::SeqCst), 2);
        // The slot's waker holds `racing`, which holds the slot: break the
        // cycle.
        // SAFETY: one thread.
        unsafe { slot.clear() };
    }

    /// A receiver that arms, then checks a flag, then sleeps, against
    /// threads that set the flag, then wake: it never sleeps through a
    /// set flag. Each round ends only if the receiver saw the flag, so a
    /// lost wakeup hangs the test.
    #[test]
    fn no_wakeup_is_lost_between_threads() {
        let slot = Arc::new(WakeSlot::new());
        let flag = Arc::new(AtomicBool::new(false));
        let rounds = if cfg!(miri) { 20 } else { 20_000 };
        let thread = std::thread::current();
        struct Unpark(std::thread::Thread);
        impl Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(thread)));
        let sender = {
            let (slot, flag) = (slot.clone(), flag.clone());
            std::thread::spawn(move || {
                for _ in 0..rounds {
                    while flag.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    flag.store(true, Ordering::Release);
                    slot.wake();
                }
            })
        };
        for _ in 0..rounds {
            loop {
                // SAFETY: only this thread registers.
                unsafe { slot.register(&waker) };
                if flag.load(Ordering::Acquire) {
                    break;
                }
                std::thread::park();
            }
            flag.store(false, Ordering::Release);
        }
        sender.join().unwrap();
    }
}

#[cfg(typact_loom)]
mod loom_models {
    use std::future::poll_fn;
    use std::sync::Arc;
    use std::task::Poll;

    use loom::sync::atomic::{AtomicBool, Ordering};

    use super::WakeSlot;

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(f);
    }

    /// Waits until `flag` is set, as the mailbox's receiver does: arm,
    /// look, sleep. `block_on` reports a deadlock if a wake is lost.
    fn wait(slot: &WakeSlot, flag: &AtomicBool) {
        loom::future::block_on(poll_fn(|cx| {
            // SAFETY: only the model's main thread registers.
            unsafe { slot.register(cx.waker()) };
            if flag.load(Ordering::Relaxed) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
    }

    /// One sender, one receiver: the receiver is woken.
    #[test]
    fn a_waiting_receiver_is_woken() {
        model(|| {
            let slot = Arc::new(WakeSlot::new());
            let flag = Arc::new(AtomicBool::new(false));
            let sender = {
                let (slot, flag) = (slot.clone(), flag.clone());
                loom::thread::spawn(move || {
                    flag.store(true, Ordering::Relaxed);
                    slot.wake();
                })
            };
            wait(&slot, &flag);
            sender.join().unwrap();
        });
    }

    /// Two waits in a row, each with a waker of its own (a new
    /// `block_on`), so the second replaces the first while a wake of the
    /// first may still borrow it; two senders, each waking once.
    #[test]
    fn a_replaced_waker_misses_no_wakeup() {
        model(|| {
            let slot = Arc::new(WakeSlot::new());
            let first = Arc::new(AtomicBool::new(false));
            let second = Arc::new(AtomicBool::new(false));
            let senders: Vec<_> = [first.clone(), second.clone()]
                .into_iter()
                .map(|flag| {
                    let slot = slot.clone();
                    loom::thread::spawn(move || {
                        flag.store(true, Ordering::Relaxed);
                        slot.wake();
                    })
                })
                .collect();
            wait(&slot, &first);
            wait(&slot, &second);
            for sender in senders {
                sender.join().unwrap();
            }
        });
    }
}
