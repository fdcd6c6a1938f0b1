//! typact's metrics in the Prometheus text format: a small pipeline runs,
//! then the exporter's rendering is printed.
//!
//! ```text
//! cargo run --example metrics --features metrics
//! ```

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use typact::prelude::*;

#[derive(Default)]
struct Parser {
    parsed: u64,
}

#[actor]
impl Parser {
    #[handler]
    fn parse(&mut self, line: String) -> usize {
        self.parsed += 1;
        line.split_whitespace().count()
    }
}

struct Indexer {
    parser: ActorRef<Parser>,
    words: usize,
}

#[actor]
impl Indexer {
    #[handler]
    async fn index(&mut self, line: String) -> usize {
        let words = self.parser.parse(line).await.unwrap_or(0);
        self.words += words;
        self.words
    }
}

#[tokio::main]
async fn main() {
    // The exporter is the program's choice; typact only calls the facade.
    let recorder = PrometheusBuilder::new()
        .set_buckets(&[1e-6, 1e-5, 1e-4, 1e-3, 1e-2])
        .expect("static buckets")
        .install_recorder()
        .expect("the first recorder");

    let parser = Parser::default().builder().name("parser").spawn();
    let indexer = Indexer {
        parser: parser.clone(),
        words: 0,
    }
    .builder()
    .name("indexer")
    .spawn();
    for i in 0..200 {
        indexer
            .index(format!("line {i} of the example text"))
            .timeout(Duration::from_secs(5))
            .await
            .expect("indexed");
    }
    // Counted as each handler returns: stop the actors for final figures.
    indexer.stop();
    indexer.wait_for_stop().await;
    parser.stop();
    parser.wait_for_stop().await;
    let rendered = recorder.render();
    for line in rendered.lines().filter(|l| {
        l.starts_with("typact_messages_handled_total")
            || l.starts_with("typact_handling_seconds_count")
            || l.starts_with("typact_mailbox_wait_seconds_count")
    }) {
        println!("{line}");
    }
    assert!(
        rendered.contains(r#"typact_messages_handled_total{actor="Parser",name="parser"} 200"#)
    );
    assert!(
        rendered.contains(r#"typact_messages_handled_total{actor="Indexer",name="indexer"} 200"#)
    );
}
