//! The hand-over of a supervised child's mailbox receiver between the
//! child's tasks and its slot.
//!
//! At any moment the receiver is owned by the child's task or held here,
//! never both. A task that ends (parked, stopped, aborted) gives it back
//! with [`Handover::give_back`]; a start takes it with [`Handover::take`];
//! stopping the child for good ([`Handover::finalize`]) takes whatever is
//! held and marks the hand-over final, after which a receiver given back is
//! returned to the caller to drain instead of kept. So however a task's end
//! and its supervisor's decisions interleave, the receiver is drained
//! exactly once and never left behind: the property the loom models below
//! check.

#[cfg(typact_loom)]
use loom::sync::{Mutex, MutexGuard};
use std::sync::PoisonError;
#[cfg(not(typact_loom))]
use std::sync::{Mutex, MutexGuard};

use crate::error::StopReason;

pub(crate) struct Handover<T> {
    held: Mutex<Held<T>>,
}

struct Held<T> {
    /// The receiver, while no task owns it.
    value: Option<T>,
    /// Stopped for good: a receiver given back from now on is drained.
    finalized: bool,
    /// Why the last instance ended: the next instance's `after_restart`
    /// gets it, and a parked child stopped for good ends with it. While a
    /// task runs it is empty, unless the supervisor aborts the task on
    /// purpose (a start timeout): then it is what the abort ends with.
    last: Option<StopReason>,
}

/// What [`Handover::take`] found.
pub(crate) enum Taken<T> {
    /// The receiver, and the reason the last instance ended.
    Value(T, Option<StopReason>),
    /// A task owns the receiver.
    Busy,
    /// The child has stopped for good.
    Finalized,
}

impl<T> Handover<T> {
    pub(crate) fn new(value: T) -> Self {
        Handover {
            held: Mutex::new(Held {
                value: Some(value),
                finalized: false,
                last: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Held<T>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the receiver for a new task.
    pub(crate) fn take(&self) -> Taken<T> {
        let mut held = self.lock();
        if held.finalized {
            return Taken::Finalized;
        }
        match held.value.take() {
            Some(value) => Taken::Value(value, held.last.take()),
            None => Taken::Busy,
        }
    }

    /// Gives the receiver back from an ending task, with why its instance
    /// ended. Returns it if the child has been stopped for good meanwhile:
    /// the caller drains it.
    #[must_use = "a receiver handed back after the child was finalized must be drained"]
    pub(crate) fn give_back(&self, value: Option<T>, last: StopReason) -> Option<T> {
        let mut held = self.lock();
        held.last = Some(last);
        if held.finalized {
            value
        } else {
            if let Some(value) = value {
                held.value = Some(value);
            }
            None
        }
    }

    /// Stops the hand-over for good: returns the receiver held (to drain)
    /// and the reason the last instance ended.
    pub(crate) fn finalize(&self) -> (Option<T>, Option<StopReason>) {
        let mut held = self.lock();
        held.finalized = true;
        (held.value.take(), held.last.take())
    }

    /// Sets the reason an abort made on purpose ends the running task with.
    pub(crate) fn set_last(&self, reason: StopReason) {
        self.lock().last = Some(reason);
    }

    /// Takes the reason set by [`set_last`](Self::set_last), if any.
    pub(crate) fn take_last(&self) -> Option<StopReason> {
        self.lock().last.take()
    }
}

/// Model checks of the hand-over: run with
/// `RUSTFLAGS="--cfg typact_loom" cargo test -p typact-runtime --lib --release loom`.
#[cfg(all(test, typact_loom))]
mod loom_tests {
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicU8, Ordering};

    use super::*;

    const SERVING: u8 = 1;
    const IDLE: u8 = 0;

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(f);
    }

    /// Defect 3's hand-over: a task parks (gives the receiver back, then
    /// says it is idle) while the supervisor waits for it to be idle and
    /// starts the child again: the start always finds the receiver.
    #[test]
    fn loom_a_start_after_a_park_always_finds_the_receiver() {
        model(|| {
            let handover = Arc::new(Handover::new(7u32));
            let Taken::Value(rx, _) = handover.take() else {
                panic!("the first start takes the receiver");
            };
            let state = Arc::new(AtomicU8::new(SERVING));
            let task = {
                let (handover, state) = (handover.clone(), state.clone());
                loom::thread::spawn(move || {
                    assert!(handover.give_back(Some(rx), StopReason::Normal).is_none());
                    state.store(IDLE, Ordering::Release);
                })
            };
            while state.load(Ordering::Acquire) != IDLE {
                loom::thread::yield_now();
            }
            assert!(matches!(
                handover.take(),
                Taken::Value(7, Some(StopReason::Normal))
            ));
            task.join().unwrap();
        });
    }

    /// A task giving its receiver back races the child being stopped for
    /// good (a killed supervisor's drop): the receiver is drained exactly
    /// once, by one side or the other.
    #[test]
    fn loom_a_give_back_racing_a_finalize_drains_once() {
        model(|| {
            let handover = Arc::new(Handover::new(7u32));
            let Taken::Value(rx, _) = handover.take() else {
                panic!("the first start takes the receiver");
            };
            let task = {
                let handover = handover.clone();
                loom::thread::spawn(move || {
                    handover.give_back(Some(rx), StopReason::Killed).is_some()
                })
            };
            let (held, _) = handover.finalize();
            let drained_by_task = task.join().unwrap();
            assert_eq!(
                u8::from(held.is_some()) + u8::from(drained_by_task),
                1,
                "drained exactly once"
            );
            assert!(matches!(handover.take(), Taken::Finalized));
        });
    }

    /// A start racing a finalize: either the start wins and its task's
    /// receiver is drained when given back, or the finalize drains it; a
    /// start after the finalize never takes it.
    #[test]
    fn loom_a_start_racing_a_finalize_never_loses_the_receiver() {
        model(|| {
            let handover = Arc::new(Handover::new(7u32));
            let starter = {
                let handover = handover.clone();
                loom::thread::spawn(move || match handover.take() {
                    // The task runs, then ends and gives the receiver back.
                    Taken::Value(rx, _) => {
                        u8::from(handover.give_back(Some(rx), StopReason::Normal).is_some())
                    }
                    Taken::Finalized => 0,
                    Taken::Busy => panic!("nobody else owns the receiver"),
                })
            };
            let (held, _) = handover.finalize();
            let drained_by_task = starter.join().unwrap();
            assert_eq!(u8::from(held.is_some()) + drained_by_task, 1);
        });
    }
}
