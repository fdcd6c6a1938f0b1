//! The commands that refresh until Ctrl-C: `top` and `watch`.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{RATE_WINDOW, Session, ShellError, interrupted, number};
use crate::client::{Client, Event};
use crate::model::Actor;
use crate::render::{self, TopBy};

impl Session {
    pub(super) fn top(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), ShellError> {
        let mut by = TopBy::Depth;
        let mut frames: Option<u64> = None;
        let mut every = Duration::from_secs(1);
        let mut rows = 20;
        let mut it = args.iter();
        while let Some(&arg) = it.next() {
            let mut value = |flag: &str| {
                it.next()
                    .copied()
                    .ok_or_else(|| ShellError::usage(format!("{flag} needs a value")))
            };
            match arg {
                "--by" => {
                    by = match value("--by")? {
                        "depth" | "mailbox" => TopBy::Depth,
                        "rate" => TopBy::Rate,
                        other => {
                            return Err(ShellError::usage(format!(
                                "top sorts --by depth or --by rate, not {other:?}"
                            )));
                        }
                    }
                }
                "-n" => frames = Some(number(value("-n")?, "-n")?),
                "-d" => {
                    let secs: f64 = value("-d")?.parse().map_err(|_| {
                        ShellError::usage("-d takes seconds between frames, e.g. -d 0.5")
                    })?;
                    every = Duration::from_secs_f64(secs.clamp(0.1, 3600.0));
                }
                "--rows" => rows = number(value("--rows")?, "--rows")? as usize,
                other => return Err(ShellError::usage(format!("top takes no {other:?}"))),
            }
        }
        let tty =
            !self.json && frames != Some(1) && std::io::IsTerminal::is_terminal(&std::io::stdout());
        self.sample = None;
        let first = self.everything(false)?;
        self.rates(&first, Instant::now());
        std::thread::sleep(RATE_WINDOW);
        crate::INTERRUPTED.store(false, Ordering::Relaxed);
        crate::LOOPING.store(true, Ordering::Relaxed);
        let result = (|| {
            let mut shown = 0;
            loop {
                let all = self.everything(false)?;
                let rates = self.rates(&all, Instant::now());
                if self.json {
                    let items: Vec<Value> = all
                        .iter()
                        .map(|a| {
                            let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
                            v["rate"] = rates.get(&a.id).copied().into();
                            v
                        })
                        .collect();
                    writeln!(out, "{}", Value::Array(items))?;
                } else {
                    if tty {
                        write!(out, "\x1b[H\x1b[2J")?;
                    }
                    write!(out, "{}", render::top(&all, &rates, by, rows))?;
                }
                out.flush()?;
                shown += 1;
                if frames.is_some_and(|n| shown >= n) {
                    return Ok(());
                }
                let until = Instant::now() + every;
                while Instant::now() < until {
                    if interrupted() {
                        return Ok(());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        })();
        crate::LOOPING.store(false, Ordering::Relaxed);
        result
    }

    pub(super) fn watch(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), ShellError> {
        let mut path = None;
        let mut count: Option<u64> = None;
        let mut it = args.iter();
        while let Some(&arg) = it.next() {
            match arg {
                "-n" => {
                    let n = it
                        .next()
                        .ok_or_else(|| ShellError::usage("-n needs a number"))?;
                    count = Some(number(n, "-n")?);
                }
                other if path.is_none() && !other.starts_with('-') => path = Some(other),
                other => return Err(ShellError::usage(format!("watch takes no {other:?}"))),
            }
        }
        let path = path.ok_or_else(|| ShellError::usage("usage: watch PATH [-n N]"))?;
        let target = self.target(path)?;
        // Check it first, on this connection, so that a bad path fails
        // like everywhere else.
        self.get(&target)?;
        let watcher = Client::connect(self.client.target())?;
        let json = self.json;
        let mut seen = 0;
        let mut failure = None;
        crate::INTERRUPTED.store(false, Ordering::Relaxed);
        crate::LOOPING.store(true, Ordering::Relaxed);
        let result = watcher.watch(
            json!({ "actor": target, "interval_ms": 250 }),
            interrupted,
            |event| {
                let line = match &event {
                    Event::Update(value) if json => json!({ "event": value }).to_string(),
                    Event::Update(value) => match serde_json::from_value::<Actor>(value.clone()) {
                        Ok(actor) => render::watch_line(&actor),
                        Err(err) => format!("(unreadable update: {err})"),
                    },
                    Event::End(why) if json => json!({ "end": why }).to_string(),
                    Event::End(why) => format!("{target}: {why}"),
                };
                if let Err(err) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                    failure = Some(err);
                    return false;
                }
                seen += 1;
                count.is_none_or(|n| seen < n)
            },
        );
        crate::LOOPING.store(false, Ordering::Relaxed);
        if let Some(err) = failure {
            return Err(err.into());
        }
        result.map_err(Into::into)
    }
}
