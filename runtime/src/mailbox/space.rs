//! [`Space`]: the places of a bounded mailbox.
//!
//! A place is taken by each entry a sender enqueues and given back by the
//! receiver as it takes the entry out, so it is given back once per
//! message: that side must be cheap. tokio's `Semaphore` takes a lock on
//! every `add_permits`, waiters or not (about a hundred instructions per
//! message, measured with callgrind); here giving a place back is one
//! atomic add and one load while no sender waits.
//!
//! Free places are a counter. A sender that finds none announces itself
//! in `waiting`, then looks again; the receiver adds the place, then looks
//! at `waiting`. Both steps are sequentially consistent, so of a give-back
//! and an announcement that race, at least one side sees the other: either
//! the sender's second look finds the place, or the receiver sees the
//! waiter and wakes one through a [`Notify`]. A woken sender competes for
//! the place like any other (a sender that never waited may take it
//! first; it then gives it back in turn), so no place and no wake-up is
//! lost. A `Notified` dropped after its wake-up passes it on (tokio's
//! guarantee for `notify_one`).

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};

use tokio::sync::{Notify, TryAcquireError};

/// The places of a bounded mailbox; see the module's documentation.
///
/// Two 32-bit counters and a `Notify`: the size of tokio's semaphore, which
/// every bounded mailbox had before.
pub(crate) struct Space {
    free: AtomicU32,
    /// Senders waiting for a place (between their announcement and their
    /// return), and [`CLOSED`] in the top bit.
    waiting: AtomicU32,
    wake: Notify,
}

/// The bit of `Space::waiting` set once the mailbox has closed.
const CLOSED: u32 = 1 << 31;

/// The mailbox closed while a sender waited for a place.
#[derive(Debug)]
pub(crate) struct Closed;

impl Space {
    /// The most places a mailbox can have.
    pub(crate) const MAX: usize = (CLOSED - 1) as usize;

    /// `capacity` free places (at most [`MAX`](Self::MAX)).
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = u32::try_from(capacity.min(Self::MAX)).expect("clamped to MAX");
        Space {
            free: AtomicU32::new(capacity),
            waiting: AtomicU32::new(0),
            wake: Notify::new(),
        }
    }

    /// Takes a place if one is free.
    ///
    /// # Errors
    ///
    /// `NoPermits` if none is, `Closed` if the mailbox has closed.
    #[inline]
    pub(crate) fn try_acquire(&self) -> Result<(), TryAcquireError> {
        if self.is_closed() {
            Err(TryAcquireError::Closed)
        } else if self.take() {
            Ok(())
        } else {
            Err(TryAcquireError::NoPermits)
        }
    }

    /// Whether the mailbox has closed: then no place is taken, free or not.
    #[inline]
    fn is_closed(&self) -> bool {
        self.waiting.load(SeqCst) & CLOSED != 0
    }

    #[inline]
    fn take(&self) -> bool {
        let mut free = self.free.load(SeqCst);
        while free > 0 {
            match self
                .free
                .compare_exchange_weak(free, free - 1, SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(now) => free = now,
            }
        }
        false
    }

    /// Takes a place, waiting for one.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the mailbox closes first.
    ///
    /// # Cancel safety
    ///
    /// Dropped while it waits, it takes nothing (and passes on a wake-up
    /// it received).
    pub(crate) async fn acquire(&self) -> Result<(), Closed> {
        if self.is_closed() {
            return Err(Closed);
        }
        if self.take() {
            return Ok(());
        }
        /// Withdraws the announcement however the wait ends.
        struct Announced<'a>(&'a AtomicU32);
        impl Drop for Announced<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, SeqCst);
            }
        }
        loop {
            let notified = self.wake.notified();
            let mut notified = std::pin::pin!(notified);
            // Registered before the announcement, so that a wake-up sent
            // after it finds this waiter.
            notified.as_mut().enable();
            let announced = Announced(&self.waiting);
            self.waiting.fetch_add(1, SeqCst);
            if self.is_closed() {
                return Err(Closed);
            }
            if self.take() {
                return Ok(());
            }
            notified.await;
            drop(announced);
        }
    }

    /// Gives `n` places back, waking waiting senders.
    #[inline]
    pub(crate) fn add_permits(&self, n: usize) {
        // At most the capacity is ever out, so `n` fits and the sum stays
        // at most the capacity.
        let n32 = u32::try_from(n).unwrap_or(u32::MAX);
        self.free.fetch_add(n32, SeqCst);
        // Waiters, or a closed mailbox (rare: then nobody waits either).
        if self.waiting.load(SeqCst) != 0 {
            self.wake_waiters(n);
        }
    }

    #[cold]
    fn wake_waiters(&self, n: usize) {
        for _ in 0..n {
            self.wake.notify_one();
        }
    }

    /// How many places are free now.
    pub(crate) fn available_permits(&self) -> usize {
        self.free.load(SeqCst) as usize
    }

    /// Refuses every later wait; waiting senders return [`Closed`].
    pub(crate) fn close(&self) {
        self.waiting.fetch_or(CLOSED, SeqCst);
        self.wake.notify_waiters();
    }
}

#[cfg(all(test, not(typact_loom)))]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn places_are_taken_and_given_back() {
        let space = Space::new(2);
        assert!(space.try_acquire().is_ok());
        assert!(space.try_acquire().is_ok());
        assert!(matches!(
            space.try_acquire(),
            Err(TryAcquireError::NoPermits)
        ));
        space.add_permits(1);
        assert_eq!(space.available_permits(), 1);
        space.close();
        assert!(
            matches!(space.try_acquire(), Err(TryAcquireError::Closed)),
            "a closed mailbox gives no place, free or not"
        );
    }

    /// Many senders through one place on two threads: every wait ends
    /// (a lost wake-up would hang, caught by the timeout), and the places
    /// add up at the end.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_wake_up_is_lost_under_contention() {
        let space = Arc::new(Space::new(1));
        let rounds = 2_000;
        let senders: Vec<_> = (0..4)
            .map(|_| {
                let space = space.clone();
                tokio::spawn(async move {
                    for _ in 0..rounds {
                        space.acquire().await.expect("open");
                        tokio::task::yield_now().await;
                        space.add_permits(1);
                    }
                })
            })
            .collect();
        let all = futures_util::future::join_all(senders);
        tokio::time::timeout(std::time::Duration::from_secs(60), all)
            .await
            .expect("a sender waited forever: a lost wake-up");
        assert_eq!(space.available_permits(), 1);
        assert_eq!(space.waiting.load(SeqCst), 0);
        assert_eq!(size_of::<Space>(), size_of::<tokio::sync::Semaphore>());
    }

    /// A waiter dropped after its wake-up passes it on.
    #[tokio::test]
    async fn a_cancelled_waiter_passes_its_wake_up_on() {
        let space = Arc::new(Space::new(1));
        space.try_acquire().unwrap();
        let first = tokio::spawn({
            let space = space.clone();
            async move { space.acquire().await }
        });
        let second = tokio::spawn({
            let space = space.clone();
            async move { space.acquire().await }
        });
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
        // The place's wake-up goes to the first waiter, which is then
        // dropped before it runs.
        space.add_permits(1);
        first.abort();
        let _ = first.await;
        tokio::time::timeout(std::time::Duration::from_secs(10), second)
            .await
            .expect("the second waiter was never woken")
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn closing_ends_every_wait() {
        let space = Arc::new(Space::new(1));
        space.try_acquire().unwrap();
        let waiter = tokio::spawn({
            let space = space.clone();
            async move { space.acquire().await }
        });
        tokio::task::yield_now().await;
        space.close();
        assert!(waiter.await.unwrap().is_err());
    }
}
