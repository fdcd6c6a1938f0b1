//! Actors as JSON (the protocol's `ACTOR`), their summaries, and the
//! family tree by parent ids that `list`, `tree` and `watch` walk.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use crate::cell::ActorId;
use crate::inspect::{self, ActorSnapshot};
use crate::wire::MessageInfo;

/// How long a listing waits for the actors' summaries.
const SUMMARY_TIMEOUT: Duration = Duration::from_millis(500);

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

pub(super) fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, millis)
}

fn message_json(info: &MessageInfo) -> Value {
    let fields: Vec<Value> = info
        .fields
        .iter()
        .map(|(name, ty)| json!({ "name": name, "type": ty }))
        .collect();
    json!({
        "method": info.method,
        "message": info.message,
        "stable": info.stable,
        "fields": fields,
        "reply": info.reply,
    })
}

pub(super) fn actor_json(s: &ActorSnapshot, summary: Option<String>, messages: bool) -> Value {
    let mut value = json!({
        "id": s.id.as_u64(),
        "path": s.path.as_ref().map(|p| p.as_str()),
        "name": s.name.as_deref(),
        "type": s.type_name,
        "parent": s.parent.map(ActorId::as_u64),
        "state": s.state.as_str(),
        "mailbox": { "len": s.mailbox_len, "capacity": s.mailbox_capacity },
        "handled": s.handled,
        "restarts": s.restarts,
        "dead_letters": s.dead_letters,
        "counted": s.counted,
        "started_at_ms": s.started_at.map(unix_millis),
        "age_ms": s.age.map(millis),
        "history": s.history,
        "summary": summary,
    });
    if messages {
        value["messages"] = s.messages.iter().map(message_json).collect();
    }
    value
}

pub(super) async fn summary_of(id: ActorId) -> Option<String> {
    inspect::summaries(&[id], SUMMARY_TIMEOUT)
        .await
        .into_iter()
        .find_map(|(of, summary)| (of == id).then_some(summary).flatten())
}

/// The listed actors' summaries, when asked for.
pub(super) async fn summaries_of(
    actors: &[&ActorSnapshot],
    wanted: bool,
) -> HashMap<ActorId, Option<String>> {
    if !wanted || actors.is_empty() {
        return HashMap::new();
    }
    let ids: Vec<ActorId> = actors.iter().map(|a| a.id).collect();
    inspect::summaries(&ids, SUMMARY_TIMEOUT)
        .await
        .into_iter()
        .collect()
}

/// The children of each actor (by parent id), and the roots: actors with
/// no parent, or whose parent is not listed.
pub(super) struct Family<'a> {
    children: HashMap<ActorId, Vec<&'a ActorSnapshot>>,
    pub(super) roots: Vec<&'a ActorSnapshot>,
}

fn by_path(a: &&ActorSnapshot, b: &&ActorSnapshot) -> std::cmp::Ordering {
    (a.path.is_none(), &a.path, a.id).cmp(&(b.path.is_none(), &b.path, b.id))
}

impl<'a> Family<'a> {
    pub(super) fn of(all: &'a [ActorSnapshot]) -> Self {
        let ids: HashSet<ActorId> = all.iter().map(|a| a.id).collect();
        let mut family = Family {
            children: HashMap::new(),
            roots: Vec::new(),
        };
        for actor in all {
            match actor.parent.filter(|p| ids.contains(p) && *p != actor.id) {
                Some(parent) => family.children.entry(parent).or_default().push(actor),
                None => family.roots.push(actor),
            }
        }
        family.roots.sort_by(by_path);
        for children in family.children.values_mut() {
            children.sort_by(by_path);
        }
        family
    }

    pub(super) fn children(&self, id: Option<ActorId>) -> &[&'a ActorSnapshot] {
        match id {
            None => &self.roots,
            Some(id) => self.children.get(&id).map_or(&[], Vec::as_slice),
        }
    }

    /// The actors below `top` (the roots and theirs when `None`), down to
    /// `depth` levels, parents before children.
    pub(super) fn below(&self, top: Option<ActorId>, depth: Option<u64>) -> Vec<&'a ActorSnapshot> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        self.walk(top, depth.unwrap_or(u64::MAX), &mut seen, &mut out);
        out
    }

    fn walk(
        &self,
        top: Option<ActorId>,
        depth: u64,
        seen: &mut HashSet<ActorId>,
        out: &mut Vec<&'a ActorSnapshot>,
    ) {
        if depth == 0 {
            return;
        }
        for child in self.children(top) {
            if seen.insert(child.id) {
                out.push(child);
                self.walk(Some(child.id), depth - 1, seen, out);
            }
        }
    }
}
