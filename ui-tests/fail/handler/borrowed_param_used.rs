// A handler refused for its signature generates no message; code that sends
// that message then fails too.
use typact::prelude::*;

#[derive(Default)]
struct Logger {
    lines: Vec<String>,
}

#[actor]
impl Logger {
    #[handler]
    fn log(&mut self, line: &str) -> usize {
        self.lines.push(line.to_owned());
        self.lines.len()
    }

    #[handler]
    fn count(&self) -> usize {
        self.lines.len()
    }
}

#[tokio::main]
async fn main() -> Result<(), AskError> {
    let logger = Logger::default().spawn();
    let n: usize = logger.ask(Log { line: "x" }).await?;
    let m: usize = logger.log("y").await?;
    println!("{n} {m}");
    Ok(())
}
