//! The `metrics` feature: each handled message, its handling time and its
//! wait in the mailbox, restarts, dead letters and timed-out asks,
//! labelled by actor type and name, through whatever recorder the
//! program installs. Run with `cargo test --features metrics --test metrics`.
#![cfg(feature = "metrics")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use typact::prelude::*;

#[derive(Default)]
struct Store {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
    histograms: Mutex<HashMap<String, Arc<Samples>>>,
}

#[derive(Default)]
struct Samples(Mutex<Vec<f64>>);

impl metrics::HistogramFn for Samples {
    fn record(&self, value: f64) {
        self.0.lock().unwrap().push(value);
    }
}

fn name(key: &Key) -> String {
    let mut labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

struct Rec(&'static Store);

impl Recorder for Rec {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let c = self
            .0
            .counters
            .lock()
            .unwrap()
            .entry(name(key))
            .or_default()
            .clone();
        Counter::from_arc(c)
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let g = self
            .0
            .counters
            .lock()
            .unwrap()
            .entry(name(key))
            .or_default()
            .clone();
        Gauge::from_arc(g)
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let h = self
            .0
            .histograms
            .lock()
            .unwrap()
            .entry(name(key))
            .or_default()
            .clone();
        Histogram::from_arc(h)
    }
}

static STORE: LazyLock<&'static Store> = LazyLock::new(|| {
    let store: &'static Store = Box::leak(Box::default());
    metrics::set_global_recorder(Rec(store)).expect("the only recorder");
    store
});

fn counter(key: &str) -> u64 {
    STORE
        .counters
        .lock()
        .unwrap()
        .get(key)
        .map_or(0, |c| c.load(Ordering::Relaxed))
}

fn samples(key: &str) -> Vec<f64> {
    STORE
        .histograms
        .lock()
        .unwrap()
        .get(key)
        .map(|h| h.0.lock().unwrap().clone())
        .unwrap_or_default()
}

#[derive(Default)]
struct Meter;

#[actor]
impl Meter {
    #[handler]
    fn tick(&self) {}

    #[handler]
    async fn nap(&self) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }

    #[handler]
    fn crash(&self) {
        panic!("crash on purpose");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn handled_messages_times_restarts_and_dead_letters_are_recorded() {
    LazyLock::force(&STORE);
    let std_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.to_string().contains("on purpose") {
            std_hook(info);
        }
    }));
    let meter = Meter.builder().name("m1").spawn();
    for _ in 0..10 {
        meter.tell(Tick).await.unwrap();
    }
    meter.nap().await.unwrap();
    let labels = "{actor=Meter,name=m1}";
    assert_eq!(
        counter(&format!("typact_messages_handled_total{labels}")),
        11
    );
    let took = samples(&format!("typact_handling_seconds{labels}"));
    assert_eq!(took.len(), 11);
    assert!(
        took.iter().any(|&t| t >= 0.001),
        "the nap took a millisecond"
    );
    assert_eq!(
        samples(&format!("typact_mailbox_wait_seconds{labels}")).len(),
        11
    );

    // A supervised child that crashes is restarted: counted.
    let sup = Supervisor::builder()
        .name("metered")
        .intensity(5, Duration::from_secs(60));
    let child = sup.child(|| Meter).name("m2").add();
    let sup = sup.spawn().await.unwrap();
    let _ = child.crash().await;
    child.tick().await.unwrap();
    assert_eq!(counter("typact_restarts_total{actor=Meter,name=m2}"), 1);

    // Tells left in a stopped actor's mailbox are dead letters.
    let idle = Meter.builder().name("m3").spawn();
    idle.stop();
    for _ in 0..3 {
        let _ = idle.try_tell(Tick);
    }
    idle.wait_for_stop().await;
    let dead = counter("typact_dead_letters_total{actor=Meter,name=m3}");
    assert!(dead <= 3, "{dead}");
    assert_eq!(dead, idle.dead_letters());

    // An ask that times out.
    let before = counter("typact_asks_timed_out_total{}");
    let slow = Meter.spawn();
    let r = slow.nap().timeout(Duration::from_nanos(1)).await;
    assert!(matches!(r, Err(AskError::Timeout)));
    assert_eq!(counter("typact_asks_timed_out_total{}"), before + 1);
    sup.stop();
}
