//! What the actor loop does for someone who watches: a `tracing` span
//! per handled message, the counters and the history the inspector
//! reads, and the `metrics` the `metrics` feature records.
//!
//! # The span of a message
//!
//! Each handled message gets a span at `DEBUG` level, target `typact`,
//! named after the actor and the handler (`Counter::add`), with the
//! actor (`actor`, as `Counter(name)#3`), its id (`actor.id`) and whether
//! the message is an ask (`ask`) as fields. It is entered around the
//! handler: around the call of a synchronous one, around every poll of an
//! asynchronous one. A `TRACE` event, `message handled`, closes it with
//! the handling time.
//!
//! The span that was current where the message was sent is the handled
//! message's parent, so a request can be followed from actor to actor in
//! any subscriber. Two cases get a root span that *follows from* the
//! sender's instead: a message an actor sends itself (a self-tell, a
//! timer), which would otherwise nest every later message of a loop
//! inside the one before; and a chain of messages already
//! [`MAX_DEPTH`] deep, which bounds the nesting of two actors that keep
//! messaging each other.
//!
//! # What it costs
//!
//! When no subscriber takes `DEBUG` from typact and the actor is not
//! observed, a send reads the level filter (one load) and carries
//! nothing, and the loop reads it once more per message.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use tracing::{Level, Span};

use crate::actor::Actor;
use crate::cell::{ActorId, Cell};
use crate::inspect::HistoryEntry;

#[cfg(feature = "metrics")]
pub(crate) mod metrics;
pub(crate) mod stats;

pub(crate) use self::stats::Stats;

/// The depth of a chain of messages (each sent while handling the one
/// before) past which a message's span follows from its sender's instead
/// of nesting inside it.
pub(crate) const MAX_DEPTH: u32 = 32;

/// Whether actors spawned now get [`Stats`]: the inspector is enabled,
/// or metrics are compiled in.
static OBSERVED: AtomicBool = AtomicBool::new(cfg!(feature = "metrics"));

pub(crate) fn set_observed() {
    OBSERVED.store(true, Ordering::Relaxed);
}

#[inline]
pub(crate) fn observed() -> bool {
    OBSERVED.load(Ordering::Relaxed)
}

/// Whether a subscriber may want message spans: one load.
#[inline]
pub(crate) fn tracing_on() -> bool {
    tracing::level_enabled!(Level::DEBUG)
}

thread_local! {
    /// The depth of the message this thread is handling, while an
    /// observed handler runs.
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// What a message carries about where it was sent, when someone listens.
pub(crate) struct Trace {
    /// The span current at the send (none when only metrics listen).
    span: Span,
    /// The actor that sent it, if an actor did.
    from: Option<ActorId>,
    /// The depth of the message being handled where it was sent.
    depth: u32,
    /// When it was sent, for the time it waits in the mailbox.
    sent: Option<Instant>,
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("span", &self.span.id())
            .field("from", &self.from)
            .field("depth", &self.depth)
            .finish()
    }
}

/// The trace a message sent here and now carries: `None`, allocating
/// nothing, unless a subscriber takes `DEBUG` spans or metrics are on.
#[inline]
pub(crate) fn capture() -> Option<Trace> {
    let metrics = cfg!(feature = "metrics");
    if !metrics && !tracing_on() {
        return None;
    }
    capture_slow(metrics)
}

#[cold]
fn capture_slow(metrics: bool) -> Option<Trace> {
    let span = Span::current();
    if span.is_none() && !metrics {
        return None;
    }
    Some(Trace {
        span,
        from: crate::ask::current().map(|c| c.id),
        depth: DEPTH.try_with(std::cell::Cell::get).unwrap_or(0),
        sent: metrics.then(Instant::now),
    })
}

/// What the generated `__span` builds a message's span with.
#[doc(hidden)]
pub struct SpanSite<'a> {
    cell: &'a Cell,
    depth: std::cell::Cell<u32>,
    sent: std::cell::Cell<Option<Instant>>,
}

impl fmt::Debug for SpanSite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpanSite").finish_non_exhaustive()
    }
}

impl SpanSite<'_> {
    /// The span of `entry`, made by `make` from its parent, the actor,
    /// the actor's id and whether it is an ask; links it to its sender's
    /// span when that is not its parent.
    #[inline]
    pub fn span<M, R>(
        &self,
        entry: &mut crate::__private::Entry<M, R>,
        make: impl FnOnce(Option<tracing::Id>, &dyn fmt::Display, u64, bool) -> Span,
    ) -> Span {
        let ask = entry.peek().1;
        let trace = entry.take_trace();
        let id = self.cell.id;
        let (parent, follows) = match &trace {
            Some(t) => {
                self.sent.set(t.sent);
                match t.span.id() {
                    None => (None, None),
                    Some(sender) if t.from == Some(id) || t.depth >= MAX_DEPTH => {
                        (None, Some(sender))
                    }
                    Some(sender) => {
                        self.depth.set(t.depth + 1);
                        (Some(sender), None)
                    }
                }
            }
            None => (None, None),
        };
        let span = make(parent, self.cell, id.as_u64(), ask);
        if let Some(sender) = follows {
            span.follows_from(sender);
        }
        span
    }
}

/// One handled message, observed: its span, and what the counters and
/// the history need at its end.
pub(crate) struct Observation {
    pub(crate) span: Span,
    depth: u32,
    began: Option<Instant>,
    /// How long the message waited in the mailbox, when metrics are on.
    waited: Option<std::time::Duration>,
    record: Option<(&'static str, Option<String>, bool, SystemTime)>,
}

/// The observation of `entry`, about to be handled by the actor of
/// `cell`.
pub(crate) fn begin<A: Actor>(
    entry: &mut A::Mailbox,
    cell: &Cell,
    stats: Option<&Stats>,
) -> Observation {
    let site = SpanSite {
        cell,
        depth: std::cell::Cell::new(0),
        sent: std::cell::Cell::new(None),
    };
    let span = if tracing_on() {
        A::__span(entry, &site)
    } else {
        Span::none()
    };
    let record = stats.filter(|s| s.history_on()).map(|_| {
        let (name, detail, ask) = A::__describe(entry);
        (name, detail, ask, SystemTime::now())
    });
    let timed = record.is_some() || cfg!(feature = "metrics") || !span.is_disabled();
    Observation {
        span,
        depth: site.depth.get(),
        began: timed.then(Instant::now),
        waited: site.sent.get().map(|sent| sent.elapsed()),
        record,
    }
}

impl Observation {
    /// Runs `f` inside the message's span, at its depth.
    #[inline]
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        let _entered = self.span.enter();
        let previous = DEPTH.replace(self.depth);
        let out = f();
        DEPTH.set(previous);
        out
    }

    /// The message was handled (or its handler panicked).
    pub(crate) fn end(self, stats: Option<&Stats>) {
        let took = self.began.map(|t| t.elapsed());
        if let Some(took) = took
            && !self.span.is_disabled()
        {
            let _entered = self.span.enter();
            tracing::trace!(target: "typact", took_us = took.as_micros() as u64, "message handled");
        }
        let Some(stats) = stats else { return };
        stats.count_handled();
        #[cfg(feature = "metrics")]
        stats.metrics.handled(took, self.waited);
        #[cfg(not(feature = "metrics"))]
        let _ = self.waited;
        if let (Some((message, detail, ask, at)), Some(took)) = (self.record, took) {
            stats.record(HistoryEntry {
                at,
                message,
                detail,
                took,
                ask,
            });
        }
    }
}

/// Whether the loop should observe the next message: the actor keeps
/// stats, or a subscriber may want spans.
#[inline]
pub(crate) fn active(stats: Option<&Stats>) -> bool {
    stats.is_some() || tracing_on()
}

/// An actor's start, as an event in its span.
pub(crate) fn started(cell: &Cell) {
    if let Some(stats) = cell.stats() {
        stats.set_state(crate::inspect::ActorState::Running);
    }
    tracing::debug!(target: "typact", actor = %cell, actor.id = cell.id.as_u64(), "actor started");
}

/// A supervised actor's restart.
pub(crate) fn restarted(cell: &Cell, reason: &crate::StopReason) {
    if let Some(stats) = cell.stats() {
        stats.count_restart();
        stats.set_state(crate::inspect::ActorState::Restarting);
    }
    #[cfg(feature = "metrics")]
    metrics::restart(cell);
    tracing::info!(target: "typact", actor = %cell, actor.id = cell.id.as_u64(), %reason, "actor restarting");
}

/// An actor began to stop.
pub(crate) fn stopping(cell: &Cell) {
    if let Some(stats) = cell.stats() {
        stats.set_state(crate::inspect::ActorState::Stopping);
    }
}
