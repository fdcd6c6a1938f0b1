//! A reply type named like the handler's message: `fn stats(&self) ->
//! Stats` generates `server::Stats`, and the reply stays the user's `Stats`.

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

#[tokio::main]
async fn main() {
    let server = Server::default().spawn();
    let stats: Stats = server.stats().await.unwrap();
    assert_eq!(stats.handled, 0);
    let again: Stats = server.ask(server::Stats).await.unwrap();
    assert_eq!(again.handled, 0);
}
