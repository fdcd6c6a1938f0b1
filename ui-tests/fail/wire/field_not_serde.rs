// An actor declared `remote` whose handler takes an argument of a type
// without serde: one error, at the argument's type (serde's derive on the
// generated message alone would report it four times, inside the derive).
use typact::prelude::*;

pub struct Blob {
    pub bytes: Vec<u8>,
}

#[derive(Default)]
struct Store {
    size: usize,
}

#[actor(remote)]
impl Store {
    #[handler]
    fn put(&mut self, key: String, blob: Blob, ttl: Option<u64>) -> usize {
        let _ = (key, ttl);
        self.size += blob.bytes.len();
        self.size
    }

    #[handler]
    fn size(&self) -> usize {
        self.size
    }
}

fn main() {}
