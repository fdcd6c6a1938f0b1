// Every mistake in a protocol trait is reported, each at its own span.
use typact::prelude::*;

#[protocol]
trait Storage {
    const LIMIT: usize;
    fn by_value(self);
    fn no_receiver(key: String);
    fn generic<T>(&self, value: T);
    fn borrowed(&self, key: &str);
    fn with_body(&self) {}
    fn pattern(&self, (a, b): (u8, u8));
}

fn main() {}
