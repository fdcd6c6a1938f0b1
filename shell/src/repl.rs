//! The interactive shell: a prompt with the current path, history of
//! lines, and tab completion of commands, paths and message names.

use std::cell::RefCell;
use std::io::Write;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use serde_json::json;

use crate::line::{resolve, take_words};
use crate::model::Actor;
use crate::session::{COMMANDS, Flow, Session};

/// The commands whose first argument is a path.
const TAKES_PATH: &[&str] = &[
    "ls", "cd", "tree", "cat", "history", "send", "ask", "stop", "kill", "watch",
];

struct ShellHelper {
    session: RefCell<Session>,
}

impl Helper for ShellHelper {}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Hinter for ShellHelper {
    type Hint = String;
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
        let word = &before[start..];
        let (words, _) = take_words(&before[..start], 3);
        let Ok(mut session) = self.session.try_borrow_mut() else {
            return Ok((start, Vec::new()));
        };
        let candidates = match words.as_slice() {
            [] => COMMANDS
                .iter()
                .filter(|(c, _)| c.starts_with(word))
                .map(|(c, _)| pair(format!("{c} ")))
                .collect(),
            [command] if TAKES_PATH.contains(command) => complete_path(&mut session, word),
            [verb, path] if *verb == "send" || *verb == "ask" => {
                complete_message(&mut session, path, word)
            }
            _ => Vec::new(),
        };
        Ok((start, candidates))
    }
}

fn pair(text: String) -> Pair {
    Pair {
        display: text.clone(),
        replacement: text,
    }
}

/// The children of the place `word` is in whose names start as its last
/// segment does.
fn complete_path(session: &mut Session, word: &str) -> Vec<Pair> {
    let (dir, prefix) = match word.rfind('/') {
        Some(cut) => (&word[..=cut], &word[cut + 1..]),
        None => ("", word),
    };
    let base = if dir.is_empty() {
        session.cwd().to_owned()
    } else {
        match resolve(session.cwd(), dir) {
            Ok(base) => base,
            Err(_) => return Vec::new(),
        }
    };
    let mut args = json!({ "depth": 2, "summaries": false });
    if base != "/" {
        args["under"] = base.clone().into();
    }
    let Ok(value) = session.client().request("list", args) else {
        return Vec::new();
    };
    let Ok(listed) = serde_json::from_value::<Vec<Actor>>(value) else {
        return Vec::new();
    };
    let top = if base == "/" {
        None
    } else {
        let Ok(value) = session.client().request("get", json!({ "actor": base })) else {
            return Vec::new();
        };
        serde_json::from_value::<Actor>(value).ok().map(|a| a.id)
    };
    let ids: Vec<u64> = listed.iter().map(|a| a.id).collect();
    let parents: Vec<u64> = listed.iter().filter_map(|a| a.parent).collect();
    let mut out: Vec<Pair> = listed
        .iter()
        .filter(|a| match top {
            Some(top) => a.parent == Some(top),
            None => !a.parent.is_some_and(|p| ids.contains(&p)),
        })
        .filter_map(|a| {
            let name = match &a.path {
                Some(path) => path.rsplit('/').next()?.to_owned(),
                None => return None,
            };
            name.starts_with(prefix).then(|| {
                let tail = if parents.contains(&a.id) { "/" } else { " " };
                pair(format!("{dir}{name}{tail}"))
            })
        })
        .collect();
    out.sort_by(|a, b| a.replacement.cmp(&b.replacement));
    out
}

/// The message names the actor at `path` takes.
fn complete_message(session: &mut Session, path: &str, word: &str) -> Vec<Pair> {
    let Ok(target) = resolve(session.cwd(), path) else {
        return Vec::new();
    };
    let Ok(value) = session.client().request("get", json!({ "actor": target })) else {
        return Vec::new();
    };
    let Ok(actor) = serde_json::from_value::<Actor>(value) else {
        return Vec::new();
    };
    actor
        .messages
        .iter()
        .filter(|m| m.method.starts_with(word))
        .map(|m| pair(format!("{} ", m.method)))
        .collect()
}

/// Runs the interactive shell until `exit` or end of input.
///
/// # Errors
///
/// When the terminal cannot be set up.
pub fn run(session: Session) -> Result<(), ReadlineError> {
    let mut editor: Editor<ShellHelper, DefaultHistory> = Editor::new()?;
    // After the editor, which takes SIGINT for itself; at the prompt the
    // terminal is raw and Ctrl-C is a key the editor reads.
    crate::on_interrupt();
    editor.set_helper(Some(ShellHelper {
        session: RefCell::new(session),
    }));
    loop {
        let prompt = {
            let helper = editor.helper().expect("set above");
            format!("typact:{}> ", helper.session.borrow().cwd())
        };
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return Ok(()),
            Err(err) => return Err(err),
        };
        if line.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line.as_str());
        let helper = editor.helper().expect("set above");
        let mut stdout = std::io::stdout();
        let result = helper.session.borrow_mut().run_line(&line, &mut stdout);
        let _ = stdout.flush();
        match result {
            Ok(Flow::Exit) => return Ok(()),
            Ok(Flow::Continue) => {}
            Err(err) => eprintln!("error: {err}"),
        }
    }
}
