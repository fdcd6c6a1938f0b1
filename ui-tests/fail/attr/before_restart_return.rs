use typact::prelude::*;

#[derive(Default)]
struct Conn;

#[actor]
impl Conn {
    #[before_restart]
    fn release(&mut self, reason: &StopReason) -> Result<(), String> {
        let _ = reason;
        Ok(())
    }

    #[handler]
    fn ping(&self) {}
}

fn main() {}
