use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn log(&mut self, line: &str) {
        self.count += line.len() as u64;
    }
}

fn main() {}
