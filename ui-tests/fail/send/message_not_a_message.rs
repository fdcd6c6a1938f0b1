use typact::prelude::*;

#[derive(Default)]
struct Logger {
    lines: Vec<String>,
}

#[actor]
impl Logger {
    // `String` has no `impl Message`: `#[handler(message)]` needs one.
    #[handler(message)]
    fn log(&mut self, line: String) {
        self.lines.push(line);
    }
}

fn main() {}
