//! Backpressure: a fast producer, a transformer and a slow consumer, joined
//! by small bounded mailboxes, so memory stays flat.
//!
//! The producer sends as fast as it can; the consumer takes about a
//! millisecond per item. With mailboxes of 16, `tell` waits while the next
//! mailbox is full: the consumer's full mailbox holds up the transformer,
//! whose full mailbox holds up the producer. Shared atomics count each
//! stage's items in flight (sent to it but not yet handled), and a monitor
//! prints them while the pipeline runs. They never exceed the capacity plus
//! two (one item being handled, one waiting in `tell`), whatever the number
//! of items. The same pipeline with unbounded mailboxes, for contrast, lets
//! the whole stream pile up in front of the consumer.
//!
//! Run it with `cargo run --example pipeline`.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use typact::MailboxKind;
use typact::prelude::*;

const CAPACITY: usize = 16;
const ITEMS: u64 = 300;
/// Items a stage may hold: a full mailbox, the item its handler is on, and
/// the one its sender is waiting to put in.
const BOUND: i64 = CAPACITY as i64 + 2;

/// Items in flight at one stage: sent to it but not yet handled.
#[derive(Debug, Default)]
struct Gauge {
    in_flight: AtomicI64,
    peak: AtomicI64,
}

impl Gauge {
    /// Called by the sender just before it sends.
    fn enter(&self) {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
    }

    /// Called by the stage when it has handled an item.
    fn leave(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }

    fn now(&self) -> i64 {
        self.in_flight.load(Ordering::SeqCst)
    }

    fn peak(&self) -> i64 {
        self.peak.load(Ordering::SeqCst)
    }
}

/// The counters of one run, shared by the stages and the monitor.
#[derive(Debug, Default)]
struct Meters {
    produced: AtomicU64,
    transformer: Gauge,
    consumer: Gauge,
    consumed: AtomicU64,
}

/// The middle stage: squares each number and passes it on.
struct Transformer {
    next: ActorRef<Consumer>,
    meters: Arc<Meters>,
}

#[actor]
impl Transformer {
    /// Squares `n` and sends it on, waiting while the consumer is full.
    #[handler]
    async fn transform(&mut self, n: u64) {
        self.meters.consumer.enter();
        self.next
            .tell(Consume { value: n * n })
            .await
            .expect("the consumer is running");
        self.meters.transformer.leave();
    }

    /// The consumer's totals once it has handled everything sent so far.
    /// This actor is the consumer's only sender, so the ask is handled after
    /// every item it passed on.
    #[handler]
    async fn flush(&mut self) -> Result<(u64, u64), AskError> {
        self.next.totals().await
    }
}

/// The slow last stage.
struct Consumer {
    count: u64,
    sum: u64,
    meters: Arc<Meters>,
}

#[actor]
impl Consumer {
    /// Takes a millisecond or so per value.
    #[handler]
    async fn consume(&mut self, value: u64) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        self.count += 1;
        self.sum += value;
        self.meters.consumed.fetch_add(1, Ordering::SeqCst);
        self.meters.consumer.leave();
    }

    /// How many values it took, and their sum.
    #[handler]
    fn totals(&self) -> (u64, u64) {
        (self.count, self.sum)
    }
}

/// What one run showed.
struct Run {
    elapsed: Duration,
    /// When the producer had sent its last item.
    produced_in: Duration,
    peak_transformer: i64,
    peak_consumer: i64,
    /// The most items produced but not yet consumed.
    peak_lead: u64,
}

/// Runs `ITEMS` items through the pipeline with mailboxes of `kind`; prints
/// the meters every `report` if given.
async fn run(kind: MailboxKind, report: Option<Duration>) -> Result<Run, Box<dyn Error>> {
    let meters = Arc::new(Meters::default());
    let consumer = Consumer {
        count: 0,
        sum: 0,
        meters: meters.clone(),
    }
    .builder()
    .mailbox(kind)
    .spawn();
    let transformer = Transformer {
        next: consumer,
        meters: meters.clone(),
    }
    .builder()
    .mailbox(kind)
    .spawn();

    let start = Instant::now();
    let monitor = report.map(|every| {
        let meters = meters.clone();
        println!("    time  produced  in flight: transformer  consumer  consumed");
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                println!(
                    "  {:>4} ms  {:>8}  {:>22}  {:>8}  {:>8}",
                    start.elapsed().as_millis(),
                    meters.produced.load(Ordering::SeqCst),
                    meters.transformer.now(),
                    meters.consumer.now(),
                    meters.consumed.load(Ordering::SeqCst),
                );
            }
        })
    });

    // The producer: no delay at all, only the wait `tell` imposes.
    let mut peak_lead = 0;
    for n in 0..ITEMS {
        meters.transformer.enter();
        transformer.tell(Transform { n }).await?;
        let produced = meters.produced.fetch_add(1, Ordering::SeqCst) + 1;
        peak_lead = peak_lead.max(produced - meters.consumed.load(Ordering::SeqCst));
    }
    let produced_in = start.elapsed();

    let (count, sum) = transformer.flush().await??;
    let elapsed = start.elapsed();
    if let Some(monitor) = monitor {
        monitor.abort();
    }
    assert_eq!(count, ITEMS, "every item reached the consumer");
    assert_eq!(sum, (0..ITEMS).map(|n| n * n).sum::<u64>());
    Ok(Run {
        elapsed,
        produced_in,
        peak_transformer: meters.transformer.peak(),
        peak_consumer: meters.consumer.peak(),
        peak_lead,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!(
        "{ITEMS} items: producer (no delay) -> transformer -> consumer (~1 ms per item), mailboxes of {CAPACITY}"
    );
    let bounded = run(
        MailboxKind::Bounded(CAPACITY),
        Some(Duration::from_millis(100)),
    )
    .await?;
    println!(
        "done in {} ms; the producer could not finish before {} ms, held back by the consumer",
        bounded.elapsed.as_millis(),
        bounded.produced_in.as_millis()
    );
    println!(
        "peak in flight: transformer {}, consumer {} (bound {BOUND} each); produced ahead of consumed by at most {}",
        bounded.peak_transformer, bounded.peak_consumer, bounded.peak_lead
    );
    assert!(bounded.peak_transformer <= BOUND);
    assert!(bounded.peak_consumer <= BOUND);
    assert!(bounded.peak_lead <= 2 * BOUND as u64);

    let unbounded = run(MailboxKind::Unbounded, None).await?;
    println!(
        "the same with unbounded mailboxes: the producer finished in {} ms, and up to {} items piled up at the consumer",
        unbounded.produced_in.as_millis(),
        unbounded.peak_consumer
    );
    println!("with bounded mailboxes, memory stays flat: at most {BOUND} items per stage");
    Ok(())
}
