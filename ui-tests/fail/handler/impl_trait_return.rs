use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn digits(&self) -> impl Iterator<Item = char> + Send {
        self.count
            .to_string()
            .into_bytes()
            .into_iter()
            .map(char::from)
    }
}

fn main() {}
