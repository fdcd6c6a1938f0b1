//! A `tracing` subscriber that records the tree of spans and the events
//! in them, for the tests of typact's spans. One thread: tests use the
//! current-thread runtime, where the subscriber set with `set_default`
//! sees every actor.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Metadata, Subscriber};

#[derive(Clone, Debug)]
pub struct SpanRec {
    pub id: u64,
    pub name: &'static str,
    pub parent: Option<u64>,
    pub follows: Vec<u64>,
    pub fields: HashMap<String, String>,
    meta: &'static Metadata<'static>,
}

#[derive(Clone, Debug)]
pub struct EventRec {
    pub message: String,
    pub span: Option<u64>,
    pub fields: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    next: u64,
    spans: HashMap<u64, SpanRec>,
    order: Vec<u64>,
    events: Vec<EventRec>,
    stack: Vec<u64>,
}

#[derive(Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl Recorder {
    /// Installs a recorder as this thread's subscriber.
    pub fn install() -> (Recorder, DefaultGuard) {
        let rec = Recorder::default();
        let guard = tracing::subscriber::set_default(rec.clone());
        (rec, guard)
    }

    /// The spans named `name`, in creation order.
    pub fn spans(&self, name: &str) -> Vec<SpanRec> {
        let state = self.state.lock().unwrap();
        state
            .order
            .iter()
            .map(|id| state.spans[id].clone())
            .filter(|s| s.name == name)
            .collect()
    }

    pub fn span(&self, id: u64) -> SpanRec {
        self.state.lock().unwrap().spans[&id].clone()
    }

    /// How many ancestors a span has.
    pub fn depth(&self, id: u64) -> usize {
        let state = self.state.lock().unwrap();
        let mut depth = 0;
        let mut at = state.spans[&id].parent;
        while let Some(p) = at {
            depth += 1;
            at = state.spans[&p].parent;
        }
        depth
    }

    pub fn events(&self, message: &str) -> Vec<EventRec> {
        let state = self.state.lock().unwrap();
        state
            .events
            .iter()
            .filter(|e| e.message == message)
            .cloned()
            .collect()
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut state = self.state.lock().unwrap();
        state.next += 1;
        let id = state.next;
        let parent = if attrs.is_root() {
            None
        } else if let Some(p) = attrs.parent() {
            Some(p.into_u64())
        } else {
            state.stack.last().copied()
        };
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        state.spans.insert(
            id,
            SpanRec {
                id,
                name: attrs.metadata().name(),
                parent,
                follows: Vec::new(),
                fields,
                meta: attrs.metadata(),
            },
        );
        state.order.push(id);
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut state = self.state.lock().unwrap();
        if let Some(s) = state.spans.get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut s.fields));
        }
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        let mut state = self.state.lock().unwrap();
        if let Some(s) = state.spans.get_mut(&span.into_u64()) {
            s.follows.push(follows.into_u64());
        }
    }

    fn event(&self, event: &Event<'_>) {
        let mut state = self.state.lock().unwrap();
        let mut fields = HashMap::new();
        event.record(&mut Fields(&mut fields));
        let message = fields.remove("message").unwrap_or_default();
        let span = if event.is_root() {
            None
        } else if let Some(p) = event.parent() {
            Some(p.into_u64())
        } else {
            state.stack.last().copied()
        };
        state.events.push(EventRec {
            message,
            span,
            fields,
        });
    }

    fn enter(&self, span: &Id) {
        self.state.lock().unwrap().stack.push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut state = self.state.lock().unwrap();
        if let Some(pos) = state.stack.iter().rposition(|&s| s == span.into_u64()) {
            state.stack.remove(pos);
        }
    }

    fn current_span(&self) -> tracing_core_current::Current {
        let state = self.state.lock().unwrap();
        match state.stack.last() {
            Some(id) => tracing_core_current::Current::new(Id::from_u64(*id), state.spans[id].meta),
            None => tracing_core_current::Current::none(),
        }
    }
}

mod tracing_core_current {
    pub use tracing_core::span::Current;
}
