use typact::prelude::*;

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn get(&self, a: &mut Context<Self>, b: &mut Context<Self>) -> u64 {
        let _ = (a, b);
        self.count
    }
}

fn main() {}
