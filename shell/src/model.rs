//! The actors as the server describes them (its `ACTOR` objects).

use serde::{Deserialize, Serialize};

/// One actor at one moment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Actor {
    /// Its id, unique in the process.
    pub id: u64,
    /// Its path in the supervision tree, if it has one.
    pub path: Option<String>,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its type's name.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The id of its parent, if any.
    pub parent: Option<u64>,
    /// `starting`, `running`, `restarting` or `stopping`.
    pub state: String,
    /// Its mailbox.
    pub mailbox: Mailbox,
    /// Messages handled so far.
    pub handled: u64,
    /// Restarts so far.
    pub restarts: u64,
    /// Tells that were never handled.
    pub dead_letters: u64,
    /// Whether it is counted (spawned after the inspector was switched
    /// on): only then are `handled`, `restarts`, its age and history kept.
    #[serde(default)]
    pub counted: bool,
    /// When it started, in milliseconds since 1970 (counted actors).
    pub started_at_ms: Option<u64>,
    /// How long it has run, in milliseconds (counted actors).
    pub age_ms: Option<u64>,
    /// The capacity of its history ring, when history is on.
    pub history: Option<u64>,
    /// Its one-line summary, when it gives one.
    pub summary: Option<String>,
    /// The messages it takes from the shell (filled by `get`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<MessageInfo>,
    /// Its children (filled by `tree`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Actor>,
}

/// A mailbox's depth and capacity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Mailbox {
    /// Entries queued now.
    pub len: u64,
    /// Its capacity; `None` when unbounded.
    pub capacity: Option<u64>,
}

/// One message an actor takes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MessageInfo {
    /// The handler's name: what the shell types (`add`).
    pub method: String,
    /// The message type's name (`Add`).
    pub message: String,
    /// The stable name (`Counter::add`).
    #[serde(default)]
    pub stable: String,
    /// The fields, in order.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The reply's type.
    #[serde(default)]
    pub reply: String,
}

/// One field of a message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: String,
}

impl Actor {
    /// The name `ls` shows: the last segment of its path, else its name
    /// and id, else `#id`.
    pub fn label(&self) -> String {
        if let Some(path) = &self.path {
            return path.rsplit('/').next().unwrap_or(path).to_owned();
        }
        match &self.name {
            Some(name) => format!("{name}#{}", self.id),
            None => format!("#{}", self.id),
        }
    }

    /// How to name it in a command: its path, else `#id`.
    pub fn address(&self) -> String {
        self.path.clone().unwrap_or_else(|| format!("#{}", self.id))
    }

    /// `len/capacity`, or `len/-` when unbounded.
    pub fn mailbox_text(&self) -> String {
        match self.mailbox.capacity {
            Some(cap) => format!("{}/{cap}", self.mailbox.len),
            None => format!("{}/-", self.mailbox.len),
        }
    }
}

impl MessageInfo {
    /// `add { by: u64 } -> ()`.
    pub fn signature(&self) -> String {
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.type_name))
            .collect();
        let args = if fields.is_empty() {
            String::new()
        } else {
            format!(" {{ {} }}", fields.join(", "))
        };
        let reply = if self.reply.is_empty() {
            "()"
        } else {
            &self.reply
        };
        format!("{}{args} -> {reply}", self.method)
    }
}
