//! A shell session: the current path and the commands; the refreshing
//! ones (`top`, `watch`) are in `session/live.rs`.

mod live;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::{self, Client};
use crate::line::{resolve, split_commands, take_words};
use crate::model::Actor;
use crate::render;

/// How far apart the two snapshots are that `ls` measures a rate from
/// (`top` measures it between its frames).
const RATE_WINDOW: Duration = Duration::from_millis(250);

/// The commands, for `help` and completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "ls",
        "ls [PATH]            the actors at PATH (default: here), one a line",
    ),
    (
        "cd",
        "cd PATH              go to PATH (absolute, relative, .., or #id)",
    ),
    ("pwd", "pwd                  where you are"),
    (
        "tree",
        "tree [PATH]          the supervision tree below PATH",
    ),
    (
        "top",
        "top [--by depth|rate] [-n FRAMES] [-d SECS]   the busiest actors, refreshing",
    ),
    (
        "cat",
        "cat PATH             the actor's full snapshot and the messages it takes",
    ),
    (
        "history",
        "history PATH [--on N|--off]   the last messages it handled",
    ),
    (
        "send",
        "send PATH MESSAGE [JSON]   tell it a message, e.g. send counter add {\"by\": 2}",
    ),
    (
        "ask",
        "ask PATH MESSAGE [JSON]    ask it and print the reply",
    ),
    (
        "stop",
        "stop PATH            stop it (its supervisor may restart it)",
    ),
    ("kill", "kill PATH            kill it at once"),
    (
        "watch",
        "watch PATH [-n N]    print it whenever it changes (Ctrl-C ends)",
    ),
    ("help", "help                 this list"),
    ("exit", "exit                 leave the shell"),
];

/// A command that failed; nothing was changed.
#[derive(Debug)]
pub struct ShellError {
    /// A short code: the server's (`no_such_actor`, `unknown_message`,
    /// `bad_args`, ...) or the shell's (`usage`, `bad_json`, `io`).
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The details, as JSON (`--json` prints these).
    pub details: Value,
}

impl ShellError {
    fn new(code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ShellError {
            code: code.to_owned(),
            details: json!({ "code": code, "message": message }),
            message,
        }
    }

    fn usage(message: impl Into<String>) -> Self {
        ShellError::new("usage", message)
    }
}

impl fmt::Display for ShellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShellError {}

impl From<client::Error> for ShellError {
    fn from(err: client::Error) -> Self {
        match err {
            client::Error::Remote {
                code,
                message,
                details,
            } => ShellError {
                code,
                message,
                details,
            },
            other => ShellError::new("io", other.to_string()),
        }
    }
}

impl From<std::io::Error> for ShellError {
    fn from(err: std::io::Error) -> Self {
        ShellError::new("io", err.to_string())
    }
}

/// What the shell does after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next command.
    Continue,
    /// Leave.
    Exit,
}

/// A session: an attached client, the current path, and the last
/// snapshot's counts (for rates).
#[derive(Debug)]
pub struct Session {
    client: Client,
    cwd: String,
    json: bool,
    sample: Option<(Instant, HashMap<u64, u64>)>,
}

/// Whether Ctrl-C was pressed during a refreshing command.
fn interrupted() -> bool {
    crate::INTERRUPTED.load(Ordering::Relaxed)
}

impl Session {
    /// A session at `/` on `client`; `json` makes every command print
    /// JSON.
    pub fn new(client: Client, json: bool) -> Self {
        Session {
            client,
            cwd: "/".into(),
            json,
            sample: None,
        }
    }

    /// The current path.
    pub fn cwd(&self) -> &str {
        &self.cwd
    }

    /// The client, for completion.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Runs a line of commands separated by `;`, stopping at the first
    /// that fails.
    ///
    /// # Errors
    ///
    /// The first command's error; the commands after it do not run.
    pub fn run_line(&mut self, line: &str, out: &mut dyn Write) -> Result<Flow, ShellError> {
        for command in split_commands(line) {
            if self.run(command, out)? == Flow::Exit {
                return Ok(Flow::Exit);
            }
        }
        Ok(Flow::Continue)
    }

    /// Runs one command.
    ///
    /// # Errors
    ///
    /// Bad input (an unknown command or path, a message the actor does
    /// not take, JSON that does not fit), and failures of the process.
    pub fn run(&mut self, command: &str, out: &mut dyn Write) -> Result<Flow, ShellError> {
        let (head, _) = take_words(command, 1);
        let Some(&name) = head.first() else {
            return Ok(Flow::Continue);
        };
        if name == "send" || name == "ask" {
            return self.message(command, out).map(|()| Flow::Continue);
        }
        let mut json = self.json;
        let args: Vec<&str> = command
            .split_whitespace()
            .skip(1)
            .filter(|w| {
                let flag = *w == "--json";
                json |= flag;
                !flag
            })
            .collect();
        let saved = std::mem::replace(&mut self.json, json);
        let result = self.dispatch(name, &args, out);
        self.json = saved;
        result
    }

    fn dispatch(
        &mut self,
        name: &str,
        args: &[&str],
        out: &mut dyn Write,
    ) -> Result<Flow, ShellError> {
        match name {
            "ls" => self.ls(one_path(name, args)?, out)?,
            "cd" => self.cd(one_path(name, args)?.unwrap_or("/"), out)?,
            "pwd" => {
                if self.json {
                    writeln!(out, "{}", json!({ "cwd": self.cwd }))?;
                } else {
                    writeln!(out, "{}", self.cwd)?;
                }
            }
            "tree" => self.tree(one_path(name, args)?, out)?,
            "top" => self.top(args, out)?,
            "cat" => self.cat(required_path(name, args)?, out)?,
            "history" => self.history(args, out)?,
            "stop" | "kill" => self.stop(name, required_path(name, args)?, out)?,
            "watch" => self.watch(args, out)?,
            "help" => {
                for (_, line) in COMMANDS {
                    writeln!(out, "{line}")?;
                }
                writeln!(
                    out,
                    "Add --json to any command for JSON. Paths: absolute (/app/x), relative (x, ..), or an id (#12)."
                )?;
            }
            "exit" | "quit" => return Ok(Flow::Exit),
            other => {
                let near: Vec<&str> = COMMANDS
                    .iter()
                    .map(|(c, _)| *c)
                    .filter(|c| c.starts_with(&other[..1.min(other.len())]))
                    .collect();
                let mut message = format!("unknown command {other:?}");
                if !near.is_empty() {
                    message.push_str(&format!(" (did you mean {}?)", near.join(", ")));
                }
                message.push_str("; type help for the list");
                return Err(ShellError::new("unknown_command", message));
            }
        }
        Ok(Flow::Continue)
    }

    /// The argument as a target the server takes: an absolute path or an
    /// `#id`.
    fn target(&self, arg: &str) -> Result<String, ShellError> {
        resolve(&self.cwd, arg).map_err(ShellError::usage)
    }

    fn get(&mut self, target: &str) -> Result<Actor, ShellError> {
        if target == "/" {
            return Err(ShellError::usage(
                "/ is the top of the tree, not an actor; name one below it",
            ));
        }
        let value = self.client.request("get", json!({ "actor": target }))?;
        actor(value)
    }

    fn list(&mut self, under: &str, depth: u64, summaries: bool) -> Result<Vec<Actor>, ShellError> {
        let mut args = json!({ "depth": depth, "summaries": summaries });
        if under != "/" {
            args["under"] = under.into();
        }
        actors(self.client.request("list", args)?)
    }

    fn everything(&mut self, summaries: bool) -> Result<Vec<Actor>, ShellError> {
        actors(
            self.client
                .request("list", json!({ "summaries": summaries }))?,
        )
    }

    /// Records the counts of `actors` and returns the rates since the
    /// last sample.
    fn rates(&mut self, actors: &[Actor], now: Instant) -> HashMap<u64, f64> {
        let mut rates = HashMap::new();
        if let Some((then, counts)) = &self.sample {
            let secs = now.duration_since(*then).as_secs_f64();
            if secs > 0.0 {
                for actor in actors {
                    if let Some(before) = counts.get(&actor.id) {
                        let delta = actor.handled.saturating_sub(*before);
                        rates.insert(actor.id, delta as f64 / secs);
                    }
                }
            }
        }
        self.sample = Some((now, actors.iter().map(|a| (a.id, a.handled)).collect()));
        rates
    }

    /// The rates of the actors `list(under, depth)` gives, from two
    /// snapshots [`RATE_WINDOW`] apart. Both are taken without summaries:
    /// asking for a summary is itself a message the actor handles.
    fn measure(&mut self, under: &str, depth: u64) -> Result<HashMap<u64, f64>, ShellError> {
        self.sample = None;
        let first = self.list(under, depth, false)?;
        self.rates(&first, Instant::now());
        std::thread::sleep(RATE_WINDOW);
        let second = self.list(under, depth, false)?;
        Ok(self.rates(&second, Instant::now()))
    }

    fn ls(&mut self, arg: Option<&str>, out: &mut dyn Write) -> Result<(), ShellError> {
        let under = match arg {
            Some(arg) => self.target(arg)?,
            None => self.cwd.clone(),
        };
        let top = if under == "/" {
            None
        } else {
            Some(self.get(&under)?)
        };
        let rates = self.measure(&under, 2)?;
        let listed = self.list(&under, 2, true)?;
        let ids: HashSet<u64> = listed.iter().map(|a| a.id).collect();
        let shown: Vec<&Actor> = listed
            .iter()
            .filter(|a| match &top {
                Some(top) => a.parent == Some(top.id),
                None => !a.parent.is_some_and(|p| ids.contains(&p)),
            })
            .collect();
        let parents: Vec<u64> = listed.iter().filter_map(|a| a.parent).collect();
        if self.json {
            let items: Vec<Value> = shown
                .iter()
                .map(|a| {
                    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
                    v["rate"] = rates.get(&a.id).copied().into();
                    v
                })
                .collect();
            writeln!(out, "{}", Value::Array(items))?;
        } else if shown.is_empty() {
            writeln!(out, "(no actors below {under})")?;
        } else {
            write!(out, "{}", render::ls(&shown, &rates, &parents))?;
        }
        Ok(())
    }

    fn cd(&mut self, arg: &str, out: &mut dyn Write) -> Result<(), ShellError> {
        let target = self.target(arg)?;
        self.cwd = if target == "/" {
            target
        } else {
            self.get(&target)?.address()
        };
        if self.json {
            writeln!(out, "{}", json!({ "cwd": self.cwd }))?;
        }
        Ok(())
    }

    fn tree(&mut self, arg: Option<&str>, out: &mut dyn Write) -> Result<(), ShellError> {
        let under = match arg {
            Some(arg) => self.target(arg)?,
            None => self.cwd.clone(),
        };
        let mut args = json!({});
        if under != "/" {
            args["under"] = under.clone().into();
        }
        let value = self.client.request("tree", args)?;
        if self.json {
            writeln!(out, "{value}")?;
            return Ok(());
        }
        let roots = actors(value)?;
        if roots.is_empty() {
            writeln!(out, "(no actors)")?;
        } else {
            write!(out, "{}", render::tree(&roots))?;
        }
        Ok(())
    }

    fn cat(&mut self, arg: &str, out: &mut dyn Write) -> Result<(), ShellError> {
        let target = self.target(arg)?;
        if target == "/" {
            return Err(ShellError::usage(
                "/ is the top of the tree, not an actor; name one below it",
            ));
        }
        let value = self.client.request("get", json!({ "actor": target }))?;
        if self.json {
            writeln!(out, "{value}")?;
        } else {
            write!(out, "{}", render::cat(&actor(value)?))?;
        }
        Ok(())
    }

    fn history(&mut self, args: &[&str], out: &mut dyn Write) -> Result<(), ShellError> {
        let mut path = None;
        let mut capacity = None;
        let mut it = args.iter();
        while let Some(&arg) = it.next() {
            match arg {
                "--on" => {
                    let n = it
                        .next()
                        .ok_or_else(|| ShellError::usage("--on needs how many messages to keep"))?;
                    let n = number(n, "--on")?;
                    if n == 0 {
                        return Err(ShellError::usage(
                            "--on keeps at least 1 message; --off switches history off",
                        ));
                    }
                    capacity = Some(n);
                }
                "--off" => capacity = Some(0),
                flag if flag.starts_with("--") => {
                    return Err(ShellError::usage(format!(
                        "history takes --on N or --off, not {flag}"
                    )));
                }
                other if path.is_none() => path = Some(other),
                other => {
                    return Err(ShellError::usage(format!(
                        "history takes one path, and got {other:?} too"
                    )));
                }
            }
        }
        let path = path.ok_or_else(|| ShellError::usage("usage: history PATH [--on N|--off]"))?;
        let target = self.target(path)?;
        let mut request = json!({ "actor": target });
        if let Some(capacity) = capacity {
            request["capacity"] = capacity.into();
        }
        let answer = self.client.request("history", request)?;
        if self.json {
            writeln!(out, "{answer}")?;
        } else if capacity == Some(0) {
            writeln!(out, "history is off for {target}")?;
        } else if let Some(n) = capacity {
            writeln!(out, "history is on for {target}, keeping the last {n}")?;
        } else {
            write!(out, "{}", render::history(&target, &answer))?;
        }
        Ok(())
    }

    /// `send` and `ask`: `send PATH MESSAGE [JSON] [--json]`.
    fn message(&mut self, command: &str, out: &mut dyn Write) -> Result<(), ShellError> {
        let (words, mut rest) = take_words(command, 3);
        let verb = words[0];
        let mut json = self.json;
        if let Some(stripped) = rest.strip_prefix("--json") {
            json = true;
            rest = stripped.trim();
        }
        if let Some(stripped) = rest.strip_suffix("--json") {
            json = true;
            rest = stripped.trim();
        }
        let (path, message) = match (words.get(1), words.get(2)) {
            (Some(path), Some(message)) if *message != "--json" => (*path, *message),
            _ => {
                return Err(ShellError::usage(format!(
                    "usage: {verb} PATH MESSAGE [JSON], e.g. {verb} counter add {{\"by\": 2}}"
                )));
            }
        };
        let target = self.target(path)?;
        let mut request = json!({ "actor": target, "message": message });
        if !rest.is_empty() {
            let args: Value = serde_json::from_str(rest).map_err(|err| {
                ShellError::new(
                    "bad_json",
                    format!("the message's arguments are not JSON: {err}: {rest}"),
                )
            })?;
            request["args"] = args;
        }
        let answer = self.client.request(verb, request)?;
        match (verb, json) {
            ("send", true) => writeln!(out, "{}", json!({ "sent": message, "to": target }))?,
            ("send", false) => writeln!(out, "sent {message} to {target}")?,
            (_, true) => writeln!(out, "{answer}")?,
            (_, false) => writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&answer).unwrap_or_default()
            )?,
        }
        Ok(())
    }

    fn stop(&mut self, verb: &str, arg: &str, out: &mut dyn Write) -> Result<(), ShellError> {
        let target = self.target(arg)?;
        if target == "/" {
            return Err(ShellError::usage(format!(
                "{verb} / would name no actor; name one below it"
            )));
        }
        let was = actor(self.client.request(verb, json!({ "actor": target }))?)?;
        let done = if verb == "stop" { "stopped" } else { "killed" };
        if self.json {
            writeln!(
                out,
                "{}",
                json!({ done: was.address(), "type": was.type_name })
            )?;
        } else {
            writeln!(out, "{done} {} ({})", was.address(), was.type_name)?;
        }
        Ok(())
    }
}

pub(crate) fn number(text: &str, flag: &str) -> Result<u64, ShellError> {
    text.parse()
        .map_err(|_| ShellError::usage(format!("{flag} takes a whole number, not {text:?}")))
}

fn one_path<'a>(command: &str, args: &[&'a str]) -> Result<Option<&'a str>, ShellError> {
    match args {
        [] => Ok(None),
        [path] => Ok(Some(path)),
        _ => Err(ShellError::usage(format!(
            "{command} takes one path at most"
        ))),
    }
}

fn required_path<'a>(command: &str, args: &[&'a str]) -> Result<&'a str, ShellError> {
    one_path(command, args)?.ok_or_else(|| ShellError::usage(format!("usage: {command} PATH")))
}

fn actor(value: Value) -> Result<Actor, ShellError> {
    serde_json::from_value(value)
        .map_err(|err| ShellError::new("io", format!("an actor the shell cannot read: {err}")))
}

fn actors(value: Value) -> Result<Vec<Actor>, ShellError> {
    serde_json::from_value(value)
        .map_err(|err| ShellError::new("io", format!("actors the shell cannot read: {err}")))
}
