//! How actors look as text: tables, the tree, a full snapshot, history.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::Actor;

/// Rows as columns aligned on the widest cell; the last column is not
/// padded.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A rate as text: `12.5`, or `-` when unknown.
pub fn rate_text(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |r| format!("{r:.1}"))
}

/// The actor's rate, when it is counted (spawned after the inspector was
/// on) and was in both snapshots.
fn rate_of(actor: &Actor, rates: &HashMap<u64, f64>) -> Option<f64> {
    rates.get(&actor.id).copied().filter(|_| actor.counted)
}

/// The lines of `ls`: one per actor, those with children marked `/`.
pub fn ls(actors: &[&Actor], rates: &HashMap<u64, f64>, parents: &[u64]) -> String {
    let mut rows = vec![
        ["NAME", "TYPE", "STATE", "MAILBOX", "RATE/s", "SUMMARY"]
            .map(String::from)
            .to_vec(),
    ];
    for actor in actors {
        let mut name = actor.label();
        if parents.contains(&actor.id) {
            name.push('/');
        }
        rows.push(vec![
            name,
            actor.type_name.clone(),
            actor.state.clone(),
            actor.mailbox_text(),
            rate_text(rate_of(actor, rates)),
            actor.summary.clone().unwrap_or_default(),
        ]);
    }
    table(&rows)
}

/// The tree, drawn with box characters.
pub fn tree(roots: &[Actor]) -> String {
    fn line(actor: &Actor, top: bool) -> String {
        let name = if top { actor.address() } else { actor.label() };
        let mut text = format!(
            "{name}  {}  {}  {}",
            actor.type_name,
            actor.state,
            actor.mailbox_text()
        );
        if actor.restarts > 0 {
            let _ = write!(text, "  restarts={}", actor.restarts);
        }
        if let Some(summary) = &actor.summary {
            let _ = write!(text, "  {summary}");
        }
        text
    }
    fn walk(actor: &Actor, prefix: &str, out: &mut String) {
        let count = actor.children.len();
        for (i, child) in actor.children.iter().enumerate() {
            let last = i + 1 == count;
            let _ = writeln!(
                out,
                "{prefix}{}{}",
                if last { "└── " } else { "├── " },
                line(child, false)
            );
            let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
            walk(child, &deeper, out);
        }
    }
    let mut out = String::new();
    for root in roots {
        let _ = writeln!(out, "{}", line(root, true));
        walk(root, "", &mut out);
    }
    out
}

fn duration_text(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0 => format!("{ms} ms"),
        1..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs / 60 % 60),
    }
}

/// `cat`: every field of the snapshot, and the messages it takes.
pub fn cat(actor: &Actor) -> String {
    let mut rows = vec![
        vec!["path".into(), actor.address()],
        vec!["id".into(), format!("#{}", actor.id)],
        vec!["type".into(), actor.type_name.clone()],
        vec!["name".into(), actor.name.clone().unwrap_or("-".into())],
        vec![
            "parent".into(),
            actor.parent.map_or("-".into(), |p| format!("#{p}")),
        ],
        vec!["state".into(), actor.state.clone()],
        vec![
            "mailbox".into(),
            match actor.mailbox.capacity {
                Some(cap) => format!("{} queued of {cap}", actor.mailbox.len),
                None => format!("{} queued, unbounded", actor.mailbox.len),
            },
        ],
        vec!["handled".into(), actor.handled.to_string()],
        vec!["restarts".into(), actor.restarts.to_string()],
        vec!["dead letters".into(), actor.dead_letters.to_string()],
        vec![
            "age".into(),
            actor.age_ms.map_or(
                "- (not counted: spawned before the inspector was on)".into(),
                duration_text,
            ),
        ],
        vec![
            "history".into(),
            actor
                .history
                .map_or("off".into(), |n| format!("on, last {n}")),
        ],
        vec![
            "summary".into(),
            actor.summary.clone().unwrap_or("-".into()),
        ],
    ];
    if actor.messages.is_empty() {
        rows.push(vec![
            "messages".into(),
            "none from the shell (the actor is not #[actor(inspect)])".into(),
        ]);
    } else {
        for (i, message) in actor.messages.iter().enumerate() {
            let key = if i == 0 { "messages" } else { "" };
            rows.push(vec![key.into(), message.signature()]);
        }
    }
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut r| {
            if !r[0].is_empty() {
                r[0].push(':');
            }
            r
        })
        .collect();
    table(&rows)
}

/// `history`: one line per handled message, oldest first.
pub fn history(actor: &str, answer: &Value) -> String {
    let entries = answer["entries"].as_array().cloned().unwrap_or_default();
    let capacity = answer["capacity"].as_u64();
    let mut out = String::new();
    match capacity {
        None if entries.is_empty() => {
            let _ = writeln!(
                out,
                "history is off for {actor}; switch it on with: history {actor} --on 100"
            );
            return out;
        }
        None => {
            let _ = writeln!(out, "history is off for {actor}; the last messages kept:");
        }
        Some(n) => {
            let _ = writeln!(
                out,
                "history of {actor}: {} of the last {n} messages",
                entries.len()
            );
        }
    }
    let first = entries
        .first()
        .and_then(|e| e["at_ms"].as_u64())
        .unwrap_or(0);
    let mut rows = vec![
        ["AT", "KIND", "MESSAGE", "TOOK", "DETAIL"]
            .map(String::from)
            .to_vec(),
    ];
    for entry in &entries {
        let at = entry["at_ms"].as_u64().unwrap_or(0);
        rows.push(vec![
            format!("+{} ms", at.saturating_sub(first)),
            if entry["ask"].as_bool() == Some(true) {
                "ask".into()
            } else {
                "tell".into()
            },
            entry["message"].as_str().unwrap_or("?").into(),
            format!("{} us", entry["took_us"].as_u64().unwrap_or(0)),
            entry["detail"].as_str().unwrap_or("").into(),
        ]);
    }
    if !entries.is_empty() {
        out.push_str(&table(&rows));
    }
    out
}

/// How `top` sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopBy {
    /// Deepest mailbox first.
    Depth,
    /// Busiest first.
    Rate,
}

/// One frame of `top`.
pub fn top(actors: &[Actor], rates: &HashMap<u64, f64>, by: TopBy, rows: usize) -> String {
    let mut sorted: Vec<&Actor> = actors.iter().collect();
    let rate = |a: &Actor| rates.get(&a.id).copied().unwrap_or(0.0);
    match by {
        TopBy::Depth => sorted.sort_by(|a, b| {
            b.mailbox
                .len
                .cmp(&a.mailbox.len)
                .then(rate(b).total_cmp(&rate(a)))
                .then(a.id.cmp(&b.id))
        }),
        TopBy::Rate => sorted.sort_by(|a, b| {
            rate(b)
                .total_cmp(&rate(a))
                .then(b.mailbox.len.cmp(&a.mailbox.len))
                .then(a.id.cmp(&b.id))
        }),
    }
    let mut table_rows = vec![
        [
            "PATH", "TYPE", "STATE", "MAILBOX", "RATE/s", "HANDLED", "RESTARTS",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for actor in sorted.into_iter().take(rows) {
        table_rows.push(vec![
            actor.address(),
            actor.type_name.clone(),
            actor.state.clone(),
            actor.mailbox_text(),
            rate_text(rate_of(actor, rates)),
            actor.handled.to_string(),
            actor.restarts.to_string(),
        ]);
    }
    let sorted_by = match by {
        TopBy::Depth => "mailbox depth",
        TopBy::Rate => "rate",
    };
    format!(
        "{} actors, by {sorted_by}\n{}",
        actors.len(),
        table(&table_rows)
    )
}

/// One line of `watch`.
pub fn watch_line(actor: &Actor) -> String {
    let mut line = format!(
        "{}  {}  mailbox {}  handled {}  restarts {}",
        actor.address(),
        actor.state,
        actor.mailbox_text(),
        actor.handled,
        actor.restarts
    );
    if let Some(summary) = &actor.summary {
        let _ = write!(line, "  {summary}");
    }
    line
}
