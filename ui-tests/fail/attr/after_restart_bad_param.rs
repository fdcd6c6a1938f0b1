use typact::prelude::*;

#[derive(Default)]
struct Conn;

#[actor]
impl Conn {
    #[after_restart]
    fn reconnected(&mut self, attempt: u32) {
        let _ = attempt;
    }

    #[handler]
    fn ping(&self) {}
}

fn main() {}
