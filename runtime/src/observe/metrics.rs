//! The metrics typact records through the `metrics` facade (the
//! `metrics` feature); the program picks the exporter.
//!
//! | Name | Kind | Labels |
//! |---|---|---|
//! | `typact_messages_handled_total` | counter | `actor`, `name` |
//! | `typact_handling_seconds` | histogram | `actor`, `name` |
//! | `typact_mailbox_wait_seconds` | histogram | `actor`, `name` |
//! | `typact_mailbox_depth` | gauge | `actor`, `name` |
//! | `typact_restarts_total` | counter | `actor`, `name` |
//! | `typact_dead_letters_total` | counter | `actor`, `name` |
//! | `typact_asks_timed_out_total` | counter | none |
//!
//! `actor` is the actor's type, `name` its name (empty when it has none).
//! Each actor registers its handles once, as it is spawned, so a message
//! costs the handles' own updates and no lookup.

use std::time::Duration;

use metrics::{Counter, Gauge, Histogram};

use crate::cell::Cell;

pub(crate) const HANDLED: &str = "typact_messages_handled_total";
pub(crate) const HANDLING: &str = "typact_handling_seconds";
pub(crate) const WAIT: &str = "typact_mailbox_wait_seconds";
pub(crate) const DEPTH: &str = "typact_mailbox_depth";
pub(crate) const RESTARTS: &str = "typact_restarts_total";
pub(crate) const DEAD_LETTERS: &str = "typact_dead_letters_total";
pub(crate) const ASK_TIMEOUTS: &str = "typact_asks_timed_out_total";

/// One actor's registered handles.
pub(crate) struct Handles {
    handled: Counter,
    handling: Histogram,
    wait: Histogram,
    pub(crate) depth: Gauge,
}

fn labels(type_name: &'static str, name: Option<&str>) -> [(&'static str, String); 2] {
    [
        ("actor", type_name.to_owned()),
        ("name", name.unwrap_or("").to_owned()),
    ]
}

impl Handles {
    pub(crate) fn new(type_name: &'static str, name: Option<&str>) -> Self {
        let labels = labels(type_name, name);
        Handles {
            handled: metrics::counter!(HANDLED, &labels),
            handling: metrics::histogram!(HANDLING, &labels),
            wait: metrics::histogram!(WAIT, &labels),
            depth: metrics::gauge!(DEPTH, &labels),
        }
    }

    pub(crate) fn handled(&self, took: Option<Duration>, waited: Option<Duration>) {
        self.handled.increment(1);
        if let Some(took) = took {
            self.handling.record(took.as_secs_f64());
        }
        if let Some(waited) = waited {
            self.wait.record(waited.as_secs_f64());
        }
    }
}

pub(crate) fn restart(cell: &Cell) {
    metrics::counter!(RESTARTS, &labels(cell.type_name, cell.name.as_deref())).increment(1);
}

pub(crate) fn dead_letters(cell: &Cell, n: u64) {
    metrics::counter!(DEAD_LETTERS, &labels(cell.type_name, cell.name.as_deref())).increment(n);
}

pub(crate) fn ask_timed_out() {
    metrics::counter!(ASK_TIMEOUTS).increment(1);
}
