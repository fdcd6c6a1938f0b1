//! The waker an actor's task waits with: woken by a push into its mailbox,
//! by its cell's signals, and when its last reference goes.
//!
//! Why not `AtomicWaker`: its `wake` takes the waker out of the slot, so
//! every time an actor goes idle it registers (two compare-exchanges) a
//! clone of its task's waker (one more atomic add on the task), and every
//! wake consumes that clone (`wake_by_val`, one more). An actor's task has
//! the same waker for its whole life, and only that task registers, so
//! here the waker stays in the slot: going idle re-arms it (one atomic
//! `or`), and a wake borrows it (`wake_by_ref`). A ping-pong round trip
//! makes six atomic read-modify-writes fewer; see `book/src/performance.md`.
//!
//! The protocol, on one state word:
//!
//! - [`ARMED`]: the receiver waits; the next wake wakes it. Set by
//!   [`register`](WakeSlot::register), cleared by the wake that takes it.
//! - [`WAKING`]: a waker borrows the slot's waker. Only the wake that took
//!   `ARMED` sets it, so at most one borrows at a time.
//! - [`WRITING`]: the receiver replaces the slot's waker (its first wait,
//!   or a task polled with another waker). Set only when neither of the
//!   others is; while it is set no wake reads the slot.
//!
//! Every access to the state, the wakes that find nothing to do included,
//! is a read-modify-write, so all of them are ordered in the state's
//! modification order: a wake that misses the receiver's arming came
//! before it in that order, and the arming (acquire) then sees what that
//! waker's thread did before (release), such as pushing a message. That
//! is what lets the receiver arm, then look at its mailbox, and sleep if
//! it is empty, without a lost wakeup (checked by the loom models in
//! `tests`, and again in `mailbox::loom_tests`).

use std::task::Waker;

#[cfg(typact_loom)]
use loom::cell::UnsafeCell;
#[cfg(typact_loom)]
use loom::sync::atomic::AtomicUsize;
#[cfg(not(typact_loom))]
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire};

const ARMED: usize = 1;
const WAKING: usize = 2;
const WRITING: usize = 4;

/// See the module's documentation.
pub(crate) struct WakeSlot {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the slot's waker is written only by `register`, which its
// contract keeps to one thread at a time, and only with `WRITING` set,
// which it sets only when no wake holds `WAKING`; a wake reads the waker
// only with `WAKING` set, which it sets only when `ARMED` is, and
// `register` clears `ARMED` as it sets `WRITING`. So a write never
// overlaps another access, and reads (by `register`'s own thread, and by
// the one waking thread) only overlap each other. `Waker` is `Send` and
// `Sync`, so sharing and sending the slot between threads is sound.
unsafe impl Send for WakeSlot {}
// SAFETY: see above.
unsafe impl Sync for WakeSlot {}

impl WakeSlot {
    pub(crate) fn new() -> Self {
        WakeSlot {
            state: AtomicUsize::new(0),
            waker: UnsafeCell::new(None),
        }
    }

    /// Arms the slot with `waker`: the next [`wake`](Self::wake) wakes it.
    ///
    /// # Safety
    ///
    /// Only one thread at a time may call `register` on a slot: in
    /// typact, the task of the slot's actor, which alone receives from its
    /// mailbox.
    #[inline]
    pub(crate) unsafe fn register(&self, waker: &Waker) {
        // SAFETY: only `register` writes the slot, and the caller keeps it
        // to this thread; so nothing writes it while this reads.
        let same = unsafe { self.with_waker(|slot| slot.is_some_and(|w| w.will_wake(waker))) };
        if same {
            // The slot already holds this task's waker: re-arm it. If a
            // wake is still borrowing the waker for an earlier arming, it
            // sees the new one as it finishes and wakes again.
            self.state.fetch_or(ARMED, AcqRel);
            return;
        }
        // SAFETY: as above, the caller keeps `register` to one thread.
        unsafe { self.replace(waker) };
    }

    /// Puts a new waker into the slot and arms it. Cold: once per task, or
    /// for a task polled with changing wakers.
    #[cold]
    unsafe fn replace(&self, waker: &Waker) {
        // SAFETY: the caller's contract is `write`'s.
        let written = unsafe { self.write(ARMED, |slot| slot.replace(waker.clone())) };
        if written.is_none() {
            // A wake borrows the old waker: rather than wait for it, wake
            // the new one, so that its task polls and registers again
            // (`AtomicWaker` does the same). Under loom, that retry is a
            // spin, which the model must be told about.
            #[cfg(typact_loom)]
            loom::thread::yield_now();
            waker.wake_by_ref();
        }
    }

    /// Drops the slot's waker, as its task ends, so that the cell (which
    /// may outlive the task, in weak references and watches) does not keep
    /// the task's memory alive. Leaves it if a wake borrows it right now,
    /// which is rare and only delays that memory until the cell goes.
    ///
    /// # Safety
    ///
    /// As for [`register`](Self::register): only the thread that
    /// registers may call it, not at the same time as a registration.
    pub(crate) unsafe fn clear(&self) {
        // SAFETY: the caller's contract is `write`'s.
        unsafe { self.write(0, Option::take) };
    }

    /// Changes the slot's waker with `f` and leaves the state at `then`;
    /// `None`, with nothing changed, if a wake borrows the waker. The old
    /// waker, if `f` hands it back, is dropped last: a waker's drop may
    /// run code of its own.
    ///
    /// # Safety
    ///
    /// As for [`register`](Self::register).
    unsafe fn write(
        &self,
        then: usize,
        f: impl FnOnce(&mut Option<Waker>) -> Option<Waker>,
    ) -> Option<()> {
        let mut state = self.state.load(Acquire);
        loop {
            if state & WAKING != 0 {
                return None;
            }
            match self
                .state
                .compare_exchange_weak(state, WRITING, AcqRel, Acquire)
            {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        // SAFETY: `WRITING` is set and `ARMED` is not, so no wake reads
        // the slot until the swap below; and no other writer runs (the
        // caller's contract).
        let old = unsafe { self.with_waker_mut(f) };
        // Only `register` sets `ARMED`, and no wake sets anything while it
        // is clear: the state is `WRITING` here. A read-modify-write, for
        // the ordering the module's docs describe.
        self.state.swap(then, AcqRel);
        drop(old);
        Some(())
    }

    /// Wakes the armed waker, if any; does nothing otherwise.
    #[inline]
    pub(crate) fn wake(&self) {
        // A read-modify-write even when there is nothing to wake (it then
        // writes the state back unchanged), so that a registration after
        // it sees what this thread did before it; see the module's docs.
        let mut state = self.state.load(Acquire);
        loop {
            let next = if state & (ARMED | WAKING) == ARMED {
                (state & !ARMED) | WAKING
            } else {
                state
            };
            match self
                .state
                .compare_exchange_weak(state, next, AcqRel, Acquire)
            {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        if state & (ARMED | WAKING) == ARMED {
            self.wake_taken();
        }
    }

    /// Wakes the slot's waker, this thread having taken `ARMED` and set
    /// `WAKING`; wakes again for each re-arming that happened meanwhile.
    fn wake_taken(&self) {
        loop {
            // SAFETY: `WAKING` is set by this thread, so `register` does
            // not write the slot until it is cleared below.
            unsafe {
                self.with_waker(|slot| {
                    if let Some(waker) = slot {
                        waker.wake_by_ref();
                    }
                });
            }
            let mut state = self.state.load(Acquire);
            loop {
                // Re-armed meanwhile: take the new arming too.
                let next = if state & ARMED != 0 {
                    state & !ARMED
                } else {
                    state & !WAKING
                };
                match self
                    .state
                    .compare_exchange_weak(state, next, AcqRel, Acquire)
                {
                    Ok(_) => break,
                    Err(now) => state = now,
                }
            }
            if state & ARMED == 0 {
                return;
            }
        }
    }

    /// Reads the slot's waker.
    ///
    /// # Safety
    ///
    /// Nothing may write the slot meanwhile.
    #[inline]
    unsafe fn with_waker<R>(&self, f: impl FnOnce(Option<&Waker>) -> R) -> R {
        #[cfg(not(typact_loom))]
        {
            // SAFETY: the caller rules out a concurrent write.
            f(unsafe { (*self.waker.get()).as_ref() })
        }
        #[cfg(typact_loom)]
        {
            // SAFETY: the caller rules out a concurrent write.
            self.waker.with(|slot| f(unsafe { (*slot).as_ref() }))
        }
    }

    /// Writes the slot's waker.
    ///
    /// # Safety
    ///
    /// Nothing else may read or write the slot meanwhile.
    unsafe fn with_waker_mut<R>(&self, f: impl FnOnce(&mut Option<Waker>) -> R) -> R {
        #[cfg(not(typact_loom))]
        {
            // SAFETY: the caller rules out any concurrent access.
            f(unsafe { &mut *self.waker.get() })
        }
        #[cfg(typact_loom)]
        {
            // SAFETY: the caller rules out any concurrent access.
            self.waker.with_mut(|slot| f(unsafe { &mut *slot }))
        }
    }
}

#[cfg(not(typact_loom))]
use std::cell::UnsafeCell;

#[cfg(test)]
mod tests;
