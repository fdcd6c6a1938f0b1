//! The mailbox: a queue of mailbox entries behind a mutex, with a counter
//! of places for the bound ([`Space`]).
//!
//! Why not tokio's mpsc: it allocates a block of slots every 32 messages and
//! frees most of them again, so a steady stream of tells keeps allocating.
//! Here the queue is a `VecDeque` that keeps its capacity, and the receiver
//! swaps it for a second one to take everything queued in one lock: in
//! steady state no message allocates, and the lock is held only for a push
//! or a swap. The oldest entry waits in a slot of its own, so an actor that
//! never has more than one message waiting never allocates a buffer at all.
//!
//! Keeping capacity has a cost after a burst: an unbounded mailbox that once
//! held ten million entries would keep room for them for the rest of the
//! actor's life. So the receiver gives memory back when a buffer is empty
//! and far larger than what the mailbox typically holds (see [`trim`]): the
//! typical batch is a running estimate that moves by at most a factor of two
//! per swap, so a steady load keeps its buffers, and a burst's buffers are
//! shrunk as soon as they are drained and the mailbox is quiet again.
//!
//! A receiver that keeps up goes idle after every message, so that look
//! takes no lock: a flag in the cell says whether anything is queued (set
//! by the push that fills an empty queue, cleared by the swap that empties
//! it), and the receiver registers its waker before it reads the flag a
//! second time, so a push it misses wakes it. When a buffer might need a
//! trim, or the mailbox has closed, the look takes the lock as before. The
//! loom models cover the unlocked look.
//!
//! All of it is safe code on std and tokio primitives.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::mem;
use std::sync::PoisonError;
use std::task::{Context as TaskContext, Poll, Wake, Waker};

// Under `--cfg typact_loom`, the queue's lock comes from loom (and so does
// the receiver's waker, in the cell), which then explores every
// interleaving of the unbounded mailbox's protocol (see `loom_tests`
// below). The bound is tokio's semaphore, used as is. The `Arc` around the
// shared part is std's in both builds: asks and recipients see it as an
// `Arc<dyn Sink<M>>`, an unsized coercion loom's `Arc` does not support,
// and its count is not part of the protocol the models check.
#[cfg(typact_loom)]
use loom::sync::{Mutex, MutexGuard};
use std::sync::Arc;
use std::sync::atomic::Ordering;
#[cfg(not(typact_loom))]
use std::sync::{Mutex, MutexGuard};
use tokio::sync::TryAcquireError;

pub(crate) use space::Space;

use crate::cell::Cell;

/// The capacity of a bounded mailbox unless the builder says otherwise.
pub const DEFAULT_MAILBOX_CAPACITY: usize = 1024;

/// How an actor's mailbox is sized.
///
/// # Examples
///
/// ```
/// use typact_runtime::MailboxKind;
/// assert_eq!(MailboxKind::default(), MailboxKind::Bounded(typact_runtime::DEFAULT_MAILBOX_CAPACITY));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailboxKind {
    /// At most this many messages wait; `tell` then waits for space and
    /// `try_tell` hands the message back. This is the default, with
    /// [`DEFAULT_MAILBOX_CAPACITY`].
    Bounded(usize),
    /// No limit: `tell` never waits. Memory grows with a slow actor.
    Unbounded,
}

impl Default for MailboxKind {
    fn default() -> Self {
        MailboxKind::Bounded(DEFAULT_MAILBOX_CAPACITY)
    }
}

/// Queued entries: `first`, then `rest`. `first` is empty only when `rest`
/// is too, because the receiver always takes both at once.
struct Queue<T> {
    first: Option<T>,
    rest: VecDeque<T>,
    closed: bool,
    /// How many entries the receiver typically takes in one swap: follows
    /// each swap's count, by at most a factor of two per swap. A `u32` in
    /// what would be padding after `closed`, so it costs no bytes.
    typical: u32,
    /// The receiver went idle with a buffer to trim and left the trim to
    /// its next look (see [`Rx::poll_recv`]). Padding too.
    trim_due: bool,
}

/// A buffer at most this large (in entries, times four) is never shrunk:
/// small enough not to matter, large enough that a mailbox whose load
/// wobbles between a few and a few dozen messages never reallocates.
const TRIM_FLOOR: usize = 64;

/// Shrinks an empty buffer that is more than four times larger than the
/// typical batch (and than [`TRIM_FLOOR`]) down to that batch. A steady
/// load grows its buffers to less than twice its batch, so it is never
/// shrunk; a burst's buffer is, once drained. Returns whether it shrank.
fn trim<T>(buffer: &mut VecDeque<T>, typical: u32) -> bool {
    if oversized(buffer, typical) {
        buffer.shrink_to(usize::try_from(typical).unwrap_or(usize::MAX));
        true
    } else {
        false
    }
}

/// Whether [`trim`] would shrink `buffer`.
fn oversized<T>(buffer: &VecDeque<T>, typical: u32) -> bool {
    buffer.is_empty() && too_large(buffer.capacity(), typical)
}

/// Whether an empty buffer of `capacity` would be trimmed.
fn too_large(capacity: usize, typical: u32) -> bool {
    let typical = usize::try_from(typical).unwrap_or(usize::MAX);
    capacity / 4 > typical.max(TRIM_FLOOR)
}

/// The next typical batch after a swap that took `taken` entries.
fn next_typical(typical: u32, taken: usize) -> u32 {
    let taken = u32::try_from(taken).unwrap_or(u32::MAX);
    taken.clamp(typical / 2, typical.saturating_mul(2).max(1))
}

/// What the senders and the receiver share. `A` names the actor whose
/// mailbox this is (`()` in the mailbox's own tests): it lets an
/// `Arc<Shared<A::Mailbox, A>>` be seen, without copying or allocating, as
/// a `dyn Sink<M>` for each message `M` the actor handles, which is how an
/// ask or a recipient holds an owned handle on the mailbox.
pub(crate) struct Shared<T, A = ()> {
    queue: Mutex<Queue<T>>,
    /// One permit per free place; `None` for an unbounded mailbox.
    space: Option<Space>,
    /// The actor's cell, whose waker is the receiver's: one registration
    /// serves both new entries and the cell's signals (stop, kill, last
    /// reference gone).
    cell: std::sync::Arc<Cell>,
    actor: PhantomData<fn() -> A>,
}

impl<T, A> Shared<T, A> {
    /// How many entries are queued here, not counting those the receiver
    /// has already taken into its batch. Takes the lock; for the
    /// inspector, not for every message.
    pub(crate) fn queued_len(&self) -> usize {
        let queue = self.lock();
        usize::from(queue.first.is_some()) + queue.rest.len()
    }

    /// The bound's free places, `None` if unbounded.
    pub(crate) fn free_places(&self) -> Option<usize> {
        self.space.as_ref().map(Space::available_permits)
    }

    fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        // Nothing panics while the lock is held, but a poisoned queue is
        // still a consistent one.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an entry whose place is already reserved.
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        let mut queue = self.lock();
        if queue.closed {
            return Err(value);
        }
        if queue.first.is_none() {
            queue.first = Some(value);
            // Only a receiver that goes idle without the lock clears the
            // flag (see `Rx::swapped`); most of the time it is still set,
            // and the cell's line, which every push reads, stays clean.
            if !self.cell.queued.load(Ordering::Relaxed) {
                self.cell.queued.store(true, Ordering::Release);
            }
        } else {
            queue.rest.push_back(value);
        }
        drop(queue);
        self.cell.waker.wake();
        Ok(())
    }

    /// Takes a place if there is one and enqueues, without waiting.
    #[inline]
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySend<T>> {
        if let Some(space) = &self.space {
            match space.try_acquire() {
                Ok(()) => {}
                Err(TryAcquireError::NoPermits) => return Err(TrySend::Full(value)),
                Err(TryAcquireError::Closed) => return Err(TrySend::Closed(value)),
            }
        }
        self.push(value).map_err(TrySend::Closed)
    }

    /// Waits for space (bounded) and enqueues; hands the value back if closed.
    pub(crate) async fn send(&self, value: T) -> Result<(), T> {
        if let Some(space) = &self.space {
            match space.acquire().await {
                Ok(()) => {}
                Err(_closed) => return Err(value),
            }
        }
        self.push(value)
    }

    /// The cell of the actor this mailbox belongs to.
    #[inline]
    pub(crate) fn cell(&self) -> &std::sync::Arc<Cell> {
        &self.cell
    }

    /// The bound's semaphore: one permit per free place. `None` if
    /// unbounded.
    #[inline]
    pub(crate) fn space(&self) -> Option<&Space> {
        self.space.as_ref()
    }

    /// Whether the mailbox refuses new entries.
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Blocks the thread until there is space, then enqueues.
    pub(crate) fn blocking_send(&self, value: T) -> Result<(), T> {
        block_on(self.send(value))
    }
}

pub(crate) struct Tx<T, A = ()> {
    shared: Arc<Shared<T, A>>,
}

impl<T, A> Clone for Tx<T, A> {
    fn clone(&self) -> Self {
        Tx {
            shared: self.shared.clone(),
        }
    }
}

pub(crate) struct Rx<T, A = ()> {
    shared: Arc<Shared<T, A>>,
    /// Entries taken from the shared queue in one swap, handled in order.
    local: VecDeque<T>,
}

/// The sending side of actor `A`'s mailbox.
pub(crate) type ActorTx<A> = Tx<<A as crate::actor::Actor>::Mailbox, A>;

/// The receiving side of actor `A`'s mailbox.
pub(crate) type ActorRx<A> = Rx<<A as crate::actor::Actor>::Mailbox, A>;

pub(crate) enum TrySend<T> {
    Full(T),
    Closed(T),
}

pub(crate) enum TryRecv<T> {
    Value(T),
    Empty,
    /// Closed and nothing left.
    Closed,
}

pub(crate) fn channel<T, A>(kind: MailboxKind, cell: std::sync::Arc<Cell>) -> (Tx<T, A>, Rx<T, A>) {
    let space = match kind {
        MailboxKind::Bounded(cap) => Some(Space::new(cap.clamp(1, Space::MAX))),
        MailboxKind::Unbounded => None,
    };
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue {
            first: None,
            rest: VecDeque::new(),
            closed: false,
            typical: 0,
            trim_due: false,
        }),
        space,
        cell,
        actor: PhantomData,
    });
    (
        Tx {
            shared: shared.clone(),
        },
        Rx {
            shared,
            local: VecDeque::new(),
        },
    )
}

impl<T, A> Tx<T, A> {
    /// A sender on the mailbox `shared` belongs to.
    #[inline]
    pub(crate) fn from_shared(shared: Arc<Shared<T, A>>) -> Self {
        Tx { shared }
    }

    /// Waits for space (bounded) and enqueues; hands the value back if closed.
    #[inline]
    pub(crate) async fn send(&self, value: T) -> Result<(), T> {
        self.shared.send(value).await
    }

    /// The part shared by the senders and the receiver.
    #[inline]
    pub(crate) fn shared(&self) -> &Arc<Shared<T, A>> {
        &self.shared
    }

    #[inline]
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySend<T>> {
        self.shared.try_send(value)
    }

    /// The cell of the actor this mailbox belongs to.
    #[inline]
    pub(crate) fn cell(&self) -> &std::sync::Arc<Cell> {
        &self.shared.cell
    }

    /// The bound's semaphore: one permit per free place. `None` if
    /// unbounded.
    #[inline]
    pub(crate) fn space(&self) -> Option<&Space> {
        self.shared.space.as_ref()
    }

    /// Enqueues a value whose place was reserved through [`space`](Self::space).
    #[inline]
    pub(crate) fn push_reserved(&self, value: T) -> Result<(), T> {
        self.shared.push(value)
    }

    /// Whether the mailbox refuses new entries (its actor has stopped, or is
    /// stopping and has closed it).
    pub(crate) fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Blocks the thread until there is space.
    ///
    /// # Panics
    ///
    /// Panics inside an async execution context, where blocking would stall
    /// the runtime.
    pub(crate) fn blocking_send(&self, value: T) -> Result<(), T> {
        self.shared.blocking_send(value)
    }
}

impl<T, A> Rx<T, A> {
    /// The actor's cell.
    #[inline]
    pub(crate) fn cell(&self) -> &std::sync::Arc<Cell> {
        &self.shared.cell
    }

    /// Takes everything queued, in one lock: returns the oldest entry and
    /// keeps the rest, in order, in `local` (empty when this is called).
    /// The caller releases the oldest entry's place once the lock is gone.
    ///
    /// The drained buffer that goes back to the senders is first trimmed
    /// if a burst left it far too large.
    fn refill(local: &mut VecDeque<T>, queue: &mut Queue<T>) -> Option<T> {
        let first = queue.first.take()?;
        // Both steps matter only past the floor: with a batch and a typical
        // batch at most `TRIM_FLOOR`, the next typical batch stays at most
        // `TRIM_FLOOR` too, and no buffer of at most `4 * TRIM_FLOOR` is
        // ever trimmed; so the common small swap skips them on two
        // predictable branches.
        let taken = 1 + queue.rest.len();
        if taken > TRIM_FLOOR || queue.typical as usize > TRIM_FLOOR {
            queue.typical = next_typical(queue.typical, taken);
        }
        if local.capacity() > 4 * TRIM_FLOOR {
            trim(local, queue.typical);
        }
        mem::swap(local, &mut queue.rest);
        Some(first)
    }

    /// After a swap under the lock took everything queued: clears the
    /// `queued` flag, if this receiver can go idle without the lock (see
    /// [`poll_recv`](Self::poll_recv)); otherwise the flag stays set, which
    /// is always safe (it means "look under the lock"), and costs no write
    /// to the cell's line.
    #[inline]
    fn swapped(&self, queue: &Queue<T>) {
        if self.local.capacity() == 0 && !queue.closed {
            self.shared.cell.queued.store(false, Ordering::Relaxed);
        }
    }

    /// Called with nothing queued and nothing taken, as the receiver goes
    /// idle: trims both buffers if a burst left them far too large. Rare
    /// (a buffer is only ever shrunk once per burst), so done under the
    /// lock, where `rest` is.
    fn trim_idle(local: &mut VecDeque<T>, queue: &mut Queue<T>) {
        trim(local, queue.typical);
        trim(&mut queue.rest, queue.typical);
    }

    /// One place of a bounded mailbox is free again.
    fn release_one(&self) {
        if let Some(space) = &self.shared.space {
            space.add_permits(1);
        }
    }

    fn pop_local(&mut self) -> Option<T> {
        let value = self.local.pop_front()?;
        self.release_one();
        Some(value)
    }

    #[inline]
    pub(crate) fn poll_recv(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<T>> {
        if let Some(value) = self.pop_local() {
            return Poll::Ready(Some(value));
        }
        // Going idle, the common look of an actor that handles each message
        // as it comes (request and reply, rings): it has no buffer of its
        // own (it has only ever taken one entry at a time, from the queue's
        // first slot, so there is nothing to trim), and nothing is queued,
        // seen without the lock. An actor that takes batches keeps looking
        // under the lock, where it often finds the sender's next entries
        // instead of going idle (skipping the lock there made a streaming
        // counter on two threads about a tenth slower). A push sets
        // `queued` before it wakes; so a push this look misses either
        // finds the waker registered here, or woke before the
        // registration, and then the second load sees its flag (the
        // waker's state orders the two).
        if self.local.capacity() == 0 && !self.shared.cell.queued.load(Ordering::Acquire) {
            // SAFETY: `self` (taken `&mut`) is the mailbox's one receiver,
            // polled by its actor's task, which alone registers on the cell.
            unsafe { self.shared.cell.register(cx.waker()) };
            if !self.shared.cell.queued.load(Ordering::Acquire) {
                return Poll::Pending;
            }
        }
        let mut queue = self.shared.lock();
        if let Some(value) = Self::refill(&mut self.local, &mut queue) {
            self.swapped(&queue);
            drop(queue);
            self.release_one();
            return Poll::Ready(Some(value));
        }
        if queue.closed {
            return Poll::Ready(None);
        }
        if oversized(&self.local, queue.typical) || oversized(&queue.rest, queue.typical) {
            if queue.trim_due {
                queue.trim_due = false;
                Self::trim_idle(&mut self.local, &mut queue);
            } else {
                // A burst was just drained. Its memory goes back on the
                // next look, not this one: the task yields first, so that
                // whoever waits for this actor's last reply (on this
                // thread, too) runs before the buffer is freed. Once per
                // burst.
                queue.trim_due = true;
                // SAFETY: as above, this is the actor's task.
                unsafe { self.shared.cell.register(cx.waker()) };
                drop(queue);
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        // Registered under the lock: a sender pushes under it too and wakes
        // after releasing it, so a push that this look missed wakes the
        // waker registered here.
        // SAFETY: as above, this is the actor's task.
        unsafe { self.shared.cell.register(cx.waker()) };
        Poll::Pending
    }

    /// How many entries the receiver has taken but not yet handed out.
    #[inline]
    pub(crate) fn local_len(&self) -> usize {
        self.local.len()
    }

    /// How many entries wait: taken but not yet handed out, and queued.
    /// Takes the lock; for a pool's samples, not for every message.
    pub(crate) fn len(&self) -> usize {
        let queue = self.shared.lock();
        self.local.len() + usize::from(queue.first.is_some()) + queue.rest.len()
    }

    pub(crate) fn try_recv(&mut self) -> TryRecv<T> {
        if let Some(value) = self.pop_local() {
            return TryRecv::Value(value);
        }
        let mut queue = self.shared.lock();
        match Self::refill(&mut self.local, &mut queue) {
            Some(value) => {
                self.swapped(&queue);
                drop(queue);
                self.release_one();
                TryRecv::Value(value)
            }
            None if queue.closed => TryRecv::Closed,
            None => {
                Self::trim_idle(&mut self.local, &mut queue);
                TryRecv::Empty
            }
        }
    }

    /// Refuses every later send (waiting senders get their value back);
    /// what is queued stays, for `try_recv` to drain.
    pub(crate) fn close(&mut self) {
        let mut queue = self.shared.lock();
        queue.closed = true;
        // From now on every look takes the lock, and sees the mailbox
        // closed: the swaps leave the flag set.
        self.shared.cell.queued.store(true, Ordering::Relaxed);
        drop(queue);
        if let Some(space) = &self.shared.space {
            space.close();
        }
    }
}

impl<T, A> Drop for Rx<T, A> {
    fn drop(&mut self) {
        self.close();
        // The receiver is gone, and with it the task that waited: the cell,
        // which weak references and watches may keep, lets go of its waker.
        // SAFETY: registrations on the cell come from the task that owns
        // this receiver, which is dropping it, so none runs meanwhile.
        unsafe { self.shared.cell.waker.clear() };
    }
}

/// Takes one place of a full bounded mailbox for a tell, waiting for it;
/// `Err` if the mailbox closed first. The place is the caller's to fill
/// (with `push`) or to give back.
///
/// Dropped while it waits, the tell it is for is lost: it is counted as a
/// dead letter of `cell` and logged, so that nothing vanishes without a
/// trace.
pub(crate) async fn wait_for_place(space: &Space, cell: &Cell) -> Result<(), ()> {
    /// Armed while waiting; disarmed (forgotten) once the wait ends.
    struct Cancelled<'a>(&'a Cell);

    impl Drop for Cancelled<'_> {
        fn drop(&mut self) {
            self.0.add_dead_letters(1);
            tracing::debug!(actor = %self.0, "a tell waiting for mailbox space was cancelled; its message is a dead letter");
        }
    }

    let armed = Cancelled(cell);
    let acquired = space.acquire().await;
    mem::forget(armed);
    acquired.map_err(|_closed| ())
}

/// Runs a future to completion on the current thread. For the blocking API
/// only: on a thread that entered a runtime it goes through the runtime's
/// handle, so tokio itself allows it in `spawn_blocking` and refuses it, with
/// a panic that says why, on a thread that drives asynchronous tasks; on any
/// other thread it parks the thread between polls.
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);

    impl Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }

    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        return handle.block_on(fut);
    }
    let waker = Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
    let mut cx = TaskContext::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

mod space;

#[cfg(test)]
mod tests;

/// Model checks of the mailbox protocol: run with
/// `RUSTFLAGS="--cfg typact_loom" cargo test -p typact-runtime --lib --release loom`.
#[cfg(all(test, typact_loom))]
mod loom_tests;
