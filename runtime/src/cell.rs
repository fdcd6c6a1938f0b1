//! The part of an actor every reference shares, independent of its type:
//! identity, control flags, reference count and the stop notification.

use std::fmt;
use std::num::NonZeroU64;
use std::pin::pin;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::AbortHandle;

use crate::bonds::Bonds;
use crate::error::StopReason;
use crate::path::ActorPath;
use crate::wake_slot::WakeSlot;

/// A process-wide unique identifier of an actor.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use typact::prelude::*;
/// #[derive(Default)] struct A;
/// #[actor] impl A { #[handler] fn noop(&self) {} }
/// let a = A.spawn();
/// let b = A.spawn();
/// assert_ne!(a.id(), b.id());
/// assert_eq!(a.id(), a.clone().id());
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(NonZeroU64);

impl ActorId {
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        ActorId(NonZeroU64::new(id).expect("actor ids never wrap around a u64"))
    }

    /// The id as a number, unique within this process.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Debug for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorId({})", self.0)
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The type of [`Cell::queued`]: loom's under `--cfg typact_loom`, so that
/// the model checks see the mailbox's idle look.
#[cfg(typact_loom)]
pub(crate) type QueuedFlag = loom::sync::atomic::AtomicBool;
#[cfg(not(typact_loom))]
pub(crate) type QueuedFlag = std::sync::atomic::AtomicBool;

/// The most live references to one actor: past it, the process aborts, as
/// with `Arc`'s count. Each reference is at least 8 bytes, so this is over
/// 16 GiB of references to a single actor.
const MAX_REFS: u32 = u32::MAX / 2;

pub(crate) const STOP: u8 = 1;
pub(crate) const KILL: u8 = 2;
/// The actor stopped for good with [`StopReason::Normal`], recorded in the
/// flags because it had no [`Ending`] to record it in (see
/// [`Cell::finish`]).
const ENDED_NORMAL: u8 = 4;
/// The same for [`StopReason::Killed`].
const ENDED_KILLED: u8 = 8;

static DEAD_LETTERS: AtomicU64 = AtomicU64::new(0);

/// The number of dead letters in this process so far: tells that were
/// accepted into a mailbox but never handled because the actor stopped first,
/// and tells dropped (cancelled) while they waited for room in a full one.
///
/// Each is also logged through `tracing`: the accepted ones at `warn` level
/// when their actor stops, the cancelled ones at `debug` level as they are
/// dropped. [`ActorRef::dead_letters`](crate::ActorRef::dead_letters) gives
/// the count for one actor.
pub fn dead_letters() -> u64 {
    DEAD_LETTERS.load(Ordering::Relaxed)
}

// `repr(C)` keeps the fields every message touches (the waker a push wakes,
// the flags and reference count the loop checks) together at the front, in
// one cache line, instead of wherever the compiler would put them.
#[repr(C)]
pub(crate) struct Cell {
    /// The actor's task, waiting: woken by a new mailbox entry, on stop and
    /// kill, and when the last reference goes.
    pub(crate) waker: WakeSlot,
    /// Live `ActorRef`s (and recipients). At zero, an idle actor stops.
    /// 32 bits, so that it shares a word with `flags`; see [`MAX_REFS`].
    pub(crate) refs: AtomicU32,
    pub(crate) flags: AtomicU8,
    /// The mailbox's: whether it may hold an entry, so that its receiver
    /// can go idle without its lock (see `mailbox::Rx::poll_recv`). Here,
    /// in the padding after `flags`, it costs no bytes.
    pub(crate) queued: QueuedFlag,
    pub(crate) id: ActorId,
    /// The actor type's name, behind one pointer rather than two words.
    pub(crate) type_name: &'static &'static str,
    pub(crate) name: Option<Arc<str>>,
    /// The task running the actor now (a supervised actor gets a new task
    /// when it is restarted after a kill).
    pub(crate) abort: Mutex<Option<AbortHandle>>,
    /// What the actor's end needs, made the first time it is needed.
    ending: OnceLock<Box<Ending>>,
    pub(crate) dead_letters: AtomicU64,
}

/// The part of a cell about the actor's end: made when a reason to stop is
/// set, when someone first waits for the stop, or when the actor stops.
/// Most actors spend their life without it, so an idle one does not carry
/// its bytes.
#[derive(Default)]
struct Ending {
    /// The reason to stop with, when set by `Context::fail` or a link.
    exit_reason: Mutex<Option<StopReason>>,
    /// Why the actor stopped for good; set once, by `finish`.
    stopped: OnceLock<StopReason>,
    /// Wakes `wait_for_stop` callers when `stopped` is set.
    notify: Notify,
    /// Links and the parent's books, acted on by `finish`.
    bonds: Bonds,
    /// The timeout of asks this actor makes from its handlers and hooks,
    /// when set (see [`AskTimeout`]); unset means the default.
    ask_timeout: AtomicU64,
    /// Where the actor sits in the supervision tree, once it has a path
    /// (see [`ActorPath`]); set once, kept across restarts. Here rather
    /// than in the cell: an actor with a path has an end hook (which frees
    /// it), so its `Ending` exists anyway, and one without pays nothing.
    path: OnceLock<ActorPath>,
    /// The counters of an observed actor (see `observe`), made with the
    /// cell; `None` for the others, which pay one word of this box.
    stats: Option<Box<crate::observe::Stats>>,
}

/// How a cell stores the timeout of asks its actor makes: `0` is the
/// default, [`AskTimeout::NONE`] none, anything else that many nanoseconds.
pub(crate) struct AskTimeout;

impl AskTimeout {
    const DEFAULT: u64 = 0;
    const NONE: u64 = u64::MAX;

    fn encode(timeout: Option<Duration>) -> u64 {
        match timeout {
            None => Self::NONE,
            // A zero timeout is kept as one nanosecond, so that it is not
            // read back as the default; a timeout of centuries as no timeout.
            Some(d) => {
                u64::try_from(d.as_nanos()).map_or(Self::NONE - 1, |n| n.clamp(1, Self::NONE - 1))
            }
        }
    }

    fn decode(raw: u64) -> Option<Duration> {
        match raw {
            Self::DEFAULT => Some(crate::DEFAULT_ASK_TIMEOUT),
            Self::NONE => None,
            nanos => Some(Duration::from_nanos(nanos)),
        }
    }
}

impl Cell {
    pub(crate) fn new(type_name: &'static &'static str, name: Option<Arc<str>>) -> Arc<Self> {
        let ending = OnceLock::new();
        if crate::observe::observed() {
            let stats = crate::observe::Stats::new(type_name, name.as_deref());
            let _ = ending.set(Box::new(Ending {
                stats: Some(Box::new(stats)),
                ..Ending::default()
            }));
        }
        Arc::new(Cell {
            id: ActorId::next(),
            type_name,
            name,
            refs: AtomicU32::new(0),
            flags: AtomicU8::new(0),
            queued: QueuedFlag::new(false),
            waker: WakeSlot::new(),
            abort: Mutex::new(None),
            ending,
            dead_letters: AtomicU64::new(0),
        })
    }

    /// Registers the waiting task's waker.
    ///
    /// # Safety
    ///
    /// Only the actor's own task may call it (the task that receives from
    /// its mailbox; see [`WakeSlot::register`]).
    #[inline]
    pub(crate) unsafe fn register(&self, waker: &std::task::Waker) {
        // SAFETY: the caller's contract is the slot's.
        unsafe { self.waker.register(waker) };
    }

    #[inline]
    pub(crate) fn flags(&self) -> u8 {
        self.flags.load(Ordering::Acquire)
    }

    pub(crate) fn signal(&self, flag: u8) {
        self.flags.fetch_or(flag, Ordering::AcqRel);
        self.waker.wake();
    }

    pub(crate) fn stop(&self) {
        self.signal(STOP);
    }

    pub(crate) fn kill(&self) {
        self.signal(KILL);
        if let Some(abort) = &*self.abort.lock().unwrap_or_else(PoisonError::into_inner) {
            abort.abort();
        }
    }

    /// Records the task now running the actor; aborts it at once if a kill
    /// came first.
    pub(crate) fn set_task(&self, handle: AbortHandle) {
        let mut slot = self.abort.lock().unwrap_or_else(PoisonError::into_inner);
        if self.flags() & KILL != 0 {
            handle.abort();
        }
        *slot = Some(handle);
    }

    /// Stops the actor after its current message, with `reason` (the first
    /// reason set wins).
    pub(crate) fn fail(&self, reason: StopReason) {
        let mut slot = self
            .ending()
            .exit_reason
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(reason);
        }
        drop(slot);
        self.signal(STOP);
    }

    fn ending(&self) -> &Ending {
        if let Some(ending) = self.ending.get() {
            return ending;
        }
        let mut made = false;
        let ending = self.ending.get_or_init(|| {
            made = true;
            Box::default()
        });
        if made {
            // Against `finish`, which records a plain end in the flags when
            // it finds no ending: one of the two sees the other (each
            // stores, then fences, then loads), and an end recorded in the
            // flags moves into the new ending here, before anyone waits on
            // it or registers a bond with it.
            std::sync::atomic::fence(Ordering::SeqCst);
            if let Some(reason) = self.ended_in_flags() {
                self.finish_in(ending, reason);
            }
        }
        ending
    }

    /// The reason [`finish`](Self::finish) recorded in the flags, if any.
    fn ended_in_flags(&self) -> Option<StopReason> {
        let flags = self.flags.load(Ordering::Acquire);
        if flags & ENDED_KILLED != 0 {
            Some(StopReason::Killed)
        } else if flags & ENDED_NORMAL != 0 {
            Some(StopReason::Normal)
        } else {
            None
        }
    }

    /// The timeout of the asks this actor makes from its handlers and hooks.
    #[inline]
    pub(crate) fn ask_timeout(&self) -> Option<Duration> {
        let raw = self.ending.get().map_or(AskTimeout::DEFAULT, |ending| {
            ending.ask_timeout.load(Ordering::Relaxed)
        });
        AskTimeout::decode(raw)
    }

    /// Sets the timeout of the asks this actor makes from its handlers and
    /// hooks; `None` for none.
    pub(crate) fn set_ask_timeout(&self, timeout: Option<Duration>) {
        self.ending()
            .ask_timeout
            .store(AskTimeout::encode(timeout), Ordering::Relaxed);
    }

    /// The counters of an observed actor.
    #[inline]
    pub(crate) fn stats(&self) -> Option<&crate::observe::Stats> {
        self.ending.get().and_then(|ending| ending.stats.as_deref())
    }

    /// The actor's path in the supervision tree, if it has one.
    pub(crate) fn path(&self) -> Option<&ActorPath> {
        self.ending.get().and_then(|ending| ending.path.get())
    }

    /// Gives the actor its path; `false` if it already has one.
    pub(crate) fn set_path(&self, path: ActorPath) -> bool {
        self.ending().path.set(path).is_ok()
    }

    /// The actor's links, its parent's books and its end hooks.
    pub(crate) fn bonds(&self) -> &Bonds {
        &self.ending().bonds
    }

    /// The reason an instance's loop ended on a stop signal.
    pub(crate) fn take_exit_reason(&self) -> StopReason {
        if self.flags() & KILL != 0 {
            return StopReason::Killed;
        }
        self.ending
            .get()
            .and_then(|ending| {
                ending
                    .exit_reason
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
            })
            .unwrap_or(StopReason::Normal)
    }

    /// Clears the stop and kill signals before a restarted instance runs.
    pub(crate) fn clear_signals(&self) {
        self.flags.fetch_and(!(STOP | KILL), Ordering::AcqRel);
        if let Some(ending) = self.ending.get() {
            *ending
                .exit_reason
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.flags.load(Ordering::Acquire) & (ENDED_NORMAL | ENDED_KILLED) != 0
            || self
                .ending
                .get()
                .is_some_and(|ending| ending.stopped.get().is_some())
    }

    pub(crate) fn retain(&self) {
        if self.refs.fetch_add(1, Ordering::Relaxed) > MAX_REFS {
            // As `Arc` does on overflow: the count must never wrap, and
            // racing threads could each add one past any check that
            // only panics.
            std::process::abort();
        }
    }

    /// Counts one more reference, as [`retain`](Self::retain), but only if
    /// the actor still has one and has not stopped: the upgrade of a weak
    /// reference. Once the count has reached zero an idle actor stops by
    /// itself, so a weak reference must not bring it back.
    pub(crate) fn try_retain(&self) -> bool {
        if self.is_stopped() {
            return false;
        }
        let mut refs = self.refs.load(Ordering::Relaxed);
        loop {
            if refs == 0 {
                return false;
            }
            if refs > MAX_REFS {
                std::process::abort();
            }
            match self.refs.compare_exchange_weak(
                refs,
                refs + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => refs = now,
            }
        }
    }

    pub(crate) fn release(&self) {
        if self.refs.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.waker.wake();
        }
    }

    pub(crate) fn add_dead_letters(&self, n: u64) {
        if n > 0 {
            self.dead_letters.fetch_add(n, Ordering::Relaxed);
            DEAD_LETTERS.fetch_add(n, Ordering::Relaxed);
            #[cfg(feature = "metrics")]
            crate::observe::metrics::dead_letters(self, n);
        }
    }

    pub(crate) async fn wait_for_stop(&self) -> StopReason {
        // Ended in the flags: nothing to make or wait for.
        if self.ending.get().is_none()
            && let Some(reason) = self.ended_in_flags()
        {
            return reason;
        }
        let ending = self.ending();
        loop {
            let mut notified = pin!(ending.notify.notified());
            // Registered before the check, so a `finish` between the check
            // and the await still wakes this waiter.
            notified.as_mut().enable();
            if let Some(reason) = ending.stopped.get() {
                return reason.clone();
            }
            notified.await;
        }
    }

    /// Announces the stop; the first reason wins.
    ///
    /// An actor that never needed its [`Ending`] (no one waited for it, it
    /// has no bonds, path or stats) and stops normally or is killed, the
    /// common end, records that in its flags instead of making one: most
    /// of what stopping an idle actor used to cost was that allocation.
    pub(crate) fn finish(&self, reason: StopReason) {
        if self.ending.get().is_none() {
            let bit = match reason {
                StopReason::Normal => ENDED_NORMAL,
                StopReason::Killed => ENDED_KILLED,
                _ => 0,
            };
            if bit != 0 {
                let before = self.flags.fetch_or(bit, Ordering::SeqCst);
                if before & (ENDED_NORMAL | ENDED_KILLED) != 0 {
                    // Ended already: the first reason stays.
                    self.flags.fetch_and(!bit | before, Ordering::Relaxed);
                    return;
                }
                // See `ending`: an ending made meanwhile takes the end over.
                std::sync::atomic::fence(Ordering::SeqCst);
                match self.ending.get() {
                    None => return,
                    Some(ending) => {
                        let reason = self.ended_in_flags().unwrap_or(reason);
                        self.finish_in(ending, reason);
                        return;
                    }
                }
            }
        }
        let ending = self.ending();
        self.finish_in(ending, reason);
    }

    fn finish_in(&self, ending: &Ending, reason: StopReason) {
        if ending.stopped.set(reason).is_ok() {
            let reason = ending.stopped.get().expect("set just above");
            if let Some(stats) = &ending.stats {
                stats.set_state(crate::inspect::ActorState::Stopping);
                crate::inspect::table::remove(self.id);
            }
            ending.bonds.ended(self, reason);
            ending.notify.notify_waiters();
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = self.path() {
            return write!(f, "{}({path}){}", self.type_name, self.id);
        }
        match &self.name {
            Some(name) => write!(f, "{}({name}){}", self.type_name, self.id),
            None => write!(f, "{}{}", self.type_name, self.id),
        }
    }
}
