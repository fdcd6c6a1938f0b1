//! Nothing leaks: actors whose references are all dropped stop by
//! themselves, and their tasks end.

use std::time::Duration;

use typact::prelude::*;

#[derive(Default)]
struct Echo {
    seen: u64,
}

#[actor]
impl Echo {
    #[handler]
    fn reply(&mut self, n: u64) -> u64 {
        self.seen += 1;
        n
    }

    #[handler]
    fn note(&mut self) {
        self.seen += 1;
    }
}

const ACTORS: u64 = 100_000;

/// Waits, up to a generous bound, for the runtime's task count to come back.
async fn settle(metrics: &tokio::runtime::RuntimeMetrics, baseline: usize) -> usize {
    for _ in 0..10_000 {
        if metrics.num_alive_tasks() <= baseline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    metrics.num_alive_tasks()
}

#[test]
fn dropped_actors_stop_and_their_tasks_end() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let metrics = tokio::runtime::Handle::current().metrics();
        let baseline = metrics.num_alive_tasks();

        // Spawn in batches, use every actor (a tell and an ask), drop it.
        for batch in 0..(ACTORS / 10_000) {
            let actors: Vec<ActorRef<Echo>> =
                (0..10_000).map(|_| Echo::default().spawn()).collect();
            for (i, a) in actors.iter().enumerate() {
                a.tell(Note).await.unwrap();
                let n = batch * 10_000 + i as u64;
                assert_eq!(a.reply(n).await, Ok(n));
            }
            drop(actors);
        }
        let alive = settle(&metrics, baseline).await;
        println!("alive tasks: baseline {baseline}, after {ACTORS} actors {alive}");
        assert_eq!(alive, baseline, "actor tasks outlived their references");

        // Recipients and clones count as references too; dropping them all
        // ends the actor as well.
        let actors: Vec<_> = (0..1_000).map(|_| Echo::default().spawn()).collect();
        let recipients: Vec<Recipient<Note>> = actors.iter().map(|a| a.recipient()).collect();
        drop(actors);
        for r in &recipients {
            r.tell(Note).await.unwrap();
        }
        assert!(metrics.num_alive_tasks() > baseline);
        drop(recipients);
        assert_eq!(settle(&metrics, baseline).await, baseline);
    });
}
