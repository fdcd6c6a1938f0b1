use typact::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub handled: u64,
}

#[derive(Default)]
struct Server {
    stats: Stats,
}

#[actor]
impl Server {
    #[handler]
    fn stats(&self) -> Stats {
        self.stats.clone()
    }
}

fn main() {}
