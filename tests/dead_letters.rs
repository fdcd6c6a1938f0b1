//! Dead letters are counted and logged: a tell accepted into a mailbox but
//! never handled shows up in the actor's count, the process-wide count, and
//! a `tracing` warning naming the actor.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use typact::prelude::*;

/// A minimal subscriber that keeps every event as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "{}={} ", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = Text(format!("{} ", event.metadata().level()));
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[derive(Default)]
struct Sink {
    handled: u32,
}

#[actor]
impl Sink {
    #[handler]
    async fn wait(&mut self, release: tokio::sync::oneshot::Receiver<()>) {
        let _ = release.await;
        self.handled += 1;
    }

    #[handler]
    fn put(&mut self, n: u32) {
        self.handled += n;
    }
}

#[test]
fn unhandled_tells_are_counted_and_logged() {
    let capture = Capture::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    tracing::subscriber::with_default(capture.clone(), || {
        rt.block_on(async {
            let before = typact::dead_letters();
            let sink = Sink::default().builder().name("drain").spawn();
            let (release, gate) = tokio::sync::oneshot::channel();
            sink.tell(Wait { release: gate }).await.unwrap();
            for n in 0..7 {
                sink.tell(Put { n }).await.unwrap();
            }
            let queued_ask = {
                let sink = sink.clone();
                tokio::spawn(async move { sink.ask(Put { n: 1 }).await })
            };
            tokio::task::yield_now().await;
            sink.stop();
            release.send(()).unwrap();

            assert!(sink.wait_for_stop().await.is_normal());
            assert_eq!(queued_ask.await.unwrap(), Err(AskError::Stopped));
            assert_eq!(
                sink.dead_letters(),
                7,
                "queued asks are failed, not counted"
            );
            assert!(typact::dead_letters() >= before + 7);
        });
    });
    let events = capture.0.lock().unwrap().clone();
    let warning = events
        .iter()
        .find(|e| e.starts_with("WARN") && e.contains("dead_letters=7"))
        .unwrap_or_else(|| panic!("no dead-letter warning in {events:#?}"));
    assert!(
        warning.contains("Sink(drain)"),
        "the warning names the actor: {warning}"
    );
}
