//! The actor loop's way with an observed message: inside its span, with
//! the counters, the history and the metrics updated (see `observe`).

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};

use super::{Inbox, catch_pinned, panic_message};
use crate::actor::Actor;
use crate::ask::{Current, polling_as};
use crate::context::Context;
use crate::observe;

/// Handles one entry as [`serve`] does, observed: inside its span, with
/// the counters, the history and the metrics updated (see `observe`).
/// `Err` carries a handler's panic. Nothing of the observation is kept
/// across an await here: an entry of an `async` handler goes, with it,
/// to a future of its own on the heap, so that an unobserved actor's
/// task keeps no room for it.
#[inline(never)]
pub(super) fn serve_observed<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    inbox: &'a mut Inbox<A>,
    mut entry: A::Mailbox,
) -> Result<(), Handling<'a>> {
    let cell = ctx.cell().clone();
    let stats = cell.stats();
    let seen = observe::begin::<A>(&mut entry, &cell, stats);
    let now = seen.enter(|| {
        polling_as(Current::of(&cell), || {
            catch_unwind(AssertUnwindSafe(|| actor.__handle_now(entry, ctx)))
        })
    });
    let result = match now {
        Ok(None) => Ok(()),
        Ok(Some(entry)) => return Err(handle_observed(actor, ctx, inbox, entry, seen)),
        Err(payload) => Err(panic_message(payload)),
    };
    end_observed(seen, inbox, stats);
    match result {
        Ok(()) => Ok(()),
        Err(panic) => Err(Box::pin(std::future::ready(Err(panic)))),
    }
}

/// The rest of an observed entry's handling; `Err` carries a panic.
type Handling<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// The `async` handler of an observed entry, polled inside its span.
fn handle_observed<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    inbox: &'a mut Inbox<A>,
    entry: A::Mailbox,
    seen: observe::Observation,
) -> Handling<'a> {
    Box::pin(async move {
        let cell = ctx.cell().clone();
        let handling = pin!(Some(actor.__handle(entry, ctx)));
        let mut caught = catch_pinned(&cell, handling);
        let result = poll_fn(|cx| seen.enter(|| Pin::new(&mut caught).poll(cx))).await;
        end_observed(seen, inbox, cell.stats());
        result
    })
}

fn end_observed<A: Actor>(
    seen: observe::Observation,
    inbox: &mut Inbox<A>,
    stats: Option<&observe::Stats>,
) {
    note_mailbox(inbox, stats);
    seen.end(stats);
}

/// After an observed message: what the inspector and the depth gauge
/// read of the mailbox.
pub(super) fn note_mailbox<A: Actor>(inbox: &mut Inbox<A>, stats: Option<&observe::Stats>) {
    if let Some(stats) = stats {
        stats.set_local_len(inbox.rx().local_len());
        #[cfg(feature = "metrics")]
        stats.metrics.depth.set(inbox.rx().len() as f64);
    }
}
