// An actor declared `remote` whose reply has no serde: the error is at
// the handler's return type.
use typact::prelude::*;


// Sendable, but no serde.
pub struct Report {
    pub lines: Vec<String>,
}

#[derive(Default)]
struct Worker;

#[actor(remote)]
impl Worker {
    #[handler]
    fn report(&self) -> Report {
        Report { lines: Vec::new() }
    }
}

fn main() {}
