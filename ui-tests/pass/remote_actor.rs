// `#[actor(remote)]` on plain, generic and external-message actors, with
// an `#[inspect]` summary.
use serde::{Deserialize, Serialize};
use typact::prelude::*;
use typact::wire::{Json, Wire};

#[derive(Serialize, Deserialize)]
struct Job {
    id: u64,
}

impl Message for Job {
    type Reply = Result<u64, String>;
}

#[derive(Default)]
struct Worker {
    done: u64,
}

#[actor(remote)]
impl Worker {
    #[handler(message)]
    fn run(&mut self, job: Job) -> Result<u64, String> {
        self.done += 1;
        Ok(job.id)
    }

    #[handler]
    fn add(&mut self, a: u64, b: Option<String>) -> (u64, Option<String>) {
        (a, b)
    }

    #[handler]
    fn ping(&self) {}

    #[inspect]
    fn summary(&self) -> u64 {
        self.done
    }
}

struct Cache<K, V> {
    items: Vec<(K, V)>,
}

#[actor(remote)]
impl<K: Clone + Send + 'static, V: Clone + Send + 'static> Cache<K, V> {
    #[handler]
    fn put(&mut self, key: K, value: V) {
        self.items.push((key, value));
    }

    #[handler]
    fn first(&self) -> Option<V> {
        self.items.first().map(|(_, v)| v.clone())
    }
}

fn main() {
    assert_eq!(Worker::MESSAGES.len(), 3);
    assert_eq!(<Cache<String, u64> as Wire>::MESSAGES[0].stable, "Cache::put");
    let _ = <Worker as Wire>::decode_entry::<Json>("run", br#"{"id":1}"#, None);
}
