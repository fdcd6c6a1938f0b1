//! Which actor is waiting on which: the actor a thread is polling now, and
//! the wait-for graph of asks made from handlers, which turns an ask that
//! would close a cycle into [`AskError::Deadlock`](crate::AskError::Deadlock)
//! instead of a hang.
//!
//! An edge `a -> b` means: a future polled by actor `a`'s handler (or hook)
//! waits for the reply of an ask to `b`. An actor handles one message at a
//! time, so while that edge exists `a` handles nothing else. If `b`, or an
//! actor `b` waits on, then asks `a`, no reply can ever come: that ask is
//! refused as it is made, before its message is sent, so a refused ask has
//! no effect on its target.
//!
//! The graph has one lock, taken only by asks made from inside a handler
//! (twice: when the edge is added and when it goes). An ask made outside
//! any actor reads one thread-local and never takes it; a tell never looks.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use crate::cell::{ActorId, Cell};
use crate::error::Deadlock;

/// The actor whose handler (or hook) a thread is polling right now, with
/// what its asks need to know.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Current {
    pub(crate) id: ActorId,
    /// The timeout an ask made here gets unless it sets its own.
    pub(crate) ask_timeout: Option<Duration>,
}

impl Current {
    #[inline]
    pub(crate) fn of(cell: &Cell) -> Self {
        Current {
            id: cell.id,
            ask_timeout: cell.ask_timeout(),
        }
    }
}

thread_local! {
    /// Set around each poll by the actor loop: a plain thread-local costs
    /// less per message than a task-local scope around the whole loop.
    static CURRENT: std::cell::Cell<Option<Current>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` (one poll of an actor's handler or hook) as `current`.
#[inline]
pub(crate) fn polling_as<R>(current: Current, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.replace(Some(current));
    let out = f();
    CURRENT.set(previous);
    out
}

/// The actor this thread is polling, if any.
#[inline]
pub(crate) fn current() -> Option<Current> {
    CURRENT.try_with(std::cell::Cell::get).ok().flatten()
}

/// One edge of the graph, kept under its waiter.
struct Edge {
    key: u64,
    target: ActorId,
    /// How to name the target in a [`Deadlock`]: its type and name.
    type_name: &'static &'static str,
    name: Option<Arc<str>>,
}

#[derive(Default)]
struct Graph {
    next_key: u64,
    /// Each waiting actor's edges: more than one when a handler joins
    /// several asks.
    edges: HashMap<ActorId, Vec<Edge>>,
}

static GRAPH: LazyLock<Mutex<Graph>> = LazyLock::new(Mutex::default);

/// An edge of the graph, removed when dropped: held by the ask whose reply
/// it waits for.
#[derive(Debug)]
pub(crate) struct Wait {
    waiter: ActorId,
    key: u64,
}

impl Wait {
    /// The actor whose handler waits.
    #[inline]
    pub(crate) fn waiter(&self) -> ActorId {
        self.waiter
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        let mut graph = GRAPH.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(edges) = graph.edges.get_mut(&self.waiter) {
            edges.retain(|edge| edge.key != self.key);
            if edges.is_empty() {
                graph.edges.remove(&self.waiter);
            }
        }
    }
}

/// Records that `waiter` is about to wait for a reply from `target`; or,
/// if `target` already waits (through any number of actors) on `waiter`,
/// refuses with the cycle. A self-ask is not handled here.
pub(crate) fn wait_for(waiter: ActorId, target: &Cell) -> Result<Wait, Deadlock> {
    let mut graph = GRAPH.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = graph.path(target.id, waiter) {
        let mut cycle = Vec::with_capacity(path.len() + 1);
        // The path's last edge leads to `waiter`: it names the asker.
        let last = path.last().copied().expect("a path has an edge");
        cycle.push(label(last.type_name, last.name.as_deref(), waiter));
        cycle.push(label(target.type_name, target.name.as_deref(), target.id));
        for edge in &path[..path.len() - 1] {
            cycle.push(label(edge.type_name, edge.name.as_deref(), edge.target));
        }
        return Err(Deadlock::new(cycle));
    }
    let key = graph.next_key;
    graph.next_key += 1;
    graph.edges.entry(waiter).or_default().push(Edge {
        key,
        target: target.id,
        type_name: target.type_name,
        name: target.name.clone(),
    });
    Ok(Wait { waiter, key })
}

impl Graph {
    /// The edges of a path from `from` to `to`, if there is one (depth
    /// first; each actor visited once).
    fn path(&self, from: ActorId, to: ActorId) -> Option<Vec<&Edge>> {
        let mut seen = std::collections::HashSet::new();
        let mut path: Vec<&Edge> = Vec::new();
        // Each frame: an actor and the index of its next edge to try.
        let mut stack: Vec<(ActorId, usize)> = vec![(from, 0)];
        seen.insert(from);
        while let Some((node, next)) = stack.last_mut() {
            let edges = self.edges.get(node).map_or(&[][..], Vec::as_slice);
            let Some(edge) = edges.get(*next) else {
                stack.pop();
                path.pop();
                continue;
            };
            *next += 1;
            if edge.target == to {
                path.push(edge);
                return Some(path);
            }
            if seen.insert(edge.target) {
                path.push(edge);
                stack.push((edge.target, 0));
            }
        }
        None
    }
}

fn label(type_name: &str, name: Option<&str>, id: ActorId) -> String {
    let mut out = String::from(type_name);
    if let Some(name) = name {
        let _ = write!(out, "({name})");
    }
    let _ = write!(out, "{id}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static NAME: &str = "T";

    fn cell() -> Arc<Cell> {
        Cell::new(&NAME, None)
    }

    #[test]
    fn a_cycle_of_three_is_refused_and_named_from_the_asker() {
        let (a, b, c) = (cell(), cell(), cell());
        let _ab = wait_for(a.id, &b).expect("no cycle yet");
        let _bc = wait_for(b.id, &c).expect("no cycle yet");
        let err = wait_for(c.id, &a).expect_err("c -> a closes a -> b -> c");
        let names: Vec<String> = [&c, &a, &b].iter().map(|x| format!("T{}", x.id)).collect();
        assert_eq!(err.actors(), names.as_slice());
    }

    #[test]
    fn a_dropped_wait_leaves_the_graph() {
        let (a, b) = (cell(), cell());
        let ab = wait_for(a.id, &b).expect("no cycle yet");
        assert!(wait_for(b.id, &a).is_err());
        drop(ab);
        let _ba = wait_for(b.id, &a).expect("a no longer waits on b");
    }

    #[test]
    fn joined_asks_are_all_edges() {
        let (a, b, c) = (cell(), cell(), cell());
        let _ab = wait_for(a.id, &b).expect("no cycle yet");
        let _ac = wait_for(a.id, &c).expect("a waits on b and c at once");
        assert!(wait_for(c.id, &a).is_err());
        assert!(wait_for(b.id, &a).is_err());
    }

    #[test]
    fn a_diamond_is_not_a_cycle() {
        let (a, b, c, d) = (cell(), cell(), cell(), cell());
        let _ab = wait_for(a.id, &b).unwrap();
        let _ac = wait_for(a.id, &c).unwrap();
        let _bd = wait_for(b.id, &d).unwrap();
        let _cd = wait_for(c.id, &d).expect("two paths to d are no cycle");
    }
}
