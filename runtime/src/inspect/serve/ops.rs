//! The requests of the protocol: their arguments, what each does through
//! `typact::inspect`, and the JSON of actors and errors.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::PROTOCOL;
use super::args::{actor_arg, bool_arg, describe, optional_actor, str_arg, u64_arg};
use super::conn::MIN_INTERVAL;
use super::json::{Family, actor_json, summaries_of, summary_of, unix_millis};
use crate::cell::ActorId;
use crate::inspect::{self, ActorSnapshot, InspectError};
use crate::wire::WireError;

/// An ask's timeout when the request sets none.
const ASK_TIMEOUT: Duration = Duration::from_secs(5);
/// The name history gives the inspector's visits for summaries.
const VISIT: &str = "typact::visit";

/// A request that failed, as the error object of its answer.
#[derive(Debug)]
pub(super) struct Failure {
    code: &'static str,
    message: String,
    details: Map<String, Value>,
}

impl Failure {
    pub(super) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            details: Map::new(),
        }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        Failure::new("bad_request", message)
    }

    pub(super) fn with(mut self, key: &str, value: Value) -> Self {
        self.details.insert(key.to_owned(), value);
        self
    }

    /// The answer line of this failure.
    pub(super) fn answer(self, id: Value) -> Value {
        let mut error = self.details;
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.into());
        json!({ "id": id, "error": error })
    }
}

/// The answer line of a request.
pub(super) fn answer(id: Value, result: Result<Value, Failure>) -> Value {
    match result {
        Ok(ok) => json!({ "id": id, "ok": ok }),
        Err(failure) => failure.answer(id),
    }
}

type Request = Map<String, Value>;

/// A request line as an object, with its id.
pub(super) fn parse(text: &str) -> Result<(Value, Request), (Value, Failure)> {
    let value: Value = serde_json::from_str(text).map_err(|err| {
        (
            Value::Null,
            Failure::bad_request(format!("a request is one JSON object per line: {err}")),
        )
    })?;
    let Value::Object(request) = value else {
        return Err((
            Value::Null,
            Failure::bad_request("a request is a JSON object"),
        ));
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    Ok((id, request))
}

/// The request's op, or "" when it has none (answered as unknown).
pub(super) fn op(request: &Request) -> &str {
    request.get("op").and_then(Value::as_str).unwrap_or("")
}

/// The first request of a connection.
pub(super) fn hello(op: &str, request: &Request, token: Option<&str>) -> Result<Value, Failure> {
    if op != "hello" {
        return Err(Failure::new(
            "protocol",
            format!(
                "the first request must be {{\"op\":\"hello\",\"protocol\":{PROTOCOL}}}, not {op:?}"
            ),
        ));
    }
    match request.get("protocol").and_then(Value::as_u64) {
        Some(PROTOCOL) => {}
        other => {
            return Err(Failure::new(
                "protocol",
                format!("this process speaks protocol {PROTOCOL}, the client {other:?}"),
            )
            .with("protocol", PROTOCOL.into()));
        }
    }
    if let Some(token) = token {
        let given = request.get("token").and_then(Value::as_str).unwrap_or("");
        if !same_secret(given.as_bytes(), token.as_bytes()) {
            return Err(Failure::new("unauthorized", "wrong or missing token"));
        }
    }
    let program = std::env::args()
        .next()
        .map(|arg0| {
            std::path::Path::new(&arg0)
                .file_name()
                .map_or(arg0.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    Ok(json!({
        "protocol": PROTOCOL,
        "pid": std::process::id(),
        "program": program,
        "actors": inspect::snapshot().len(),
    }))
}

/// Compares without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Every request after the `hello`, except `watch`.
pub(super) async fn handle(op: &str, request: &Request) -> Result<Value, Failure> {
    match op {
        "hello" => Err(Failure::bad_request("this connection has said hello")),
        "list" => list(request).await,
        "get" => {
            let actor = actor_arg(request, "actor")?;
            let summary = summary_of(actor.id).await;
            Ok(actor_json(&actor, summary, true))
        }
        "tree" => tree(request).await,
        "history" => history(request),
        "send" => send(request),
        "ask" => ask(request).await,
        "stop" | "kill" => {
            let actor = actor_arg(request, "actor")?;
            let done = if op == "stop" {
                inspect::stop(actor.id)
            } else {
                inspect::kill(actor.id)
            };
            if done {
                Ok(actor_json(&actor, None, false))
            } else {
                Err(Failure::new(
                    "stopped",
                    format!("{} has stopped already", describe(&actor)),
                ))
            }
        }
        "" => Err(Failure::bad_request("a request needs an \"op\"")),
        other => Err(Failure::bad_request(format!(
            "unknown op {other:?}; the ops are hello, list, get, tree, history, send, ask, stop, kill, watch"
        ))),
    }
}

async fn list(request: &Request) -> Result<Value, Failure> {
    let under = optional_actor(request, "under")?;
    let depth = u64_arg(request, "depth")?;
    let wanted = bool_arg(request, "summaries", true)?;
    let all = inspect::snapshot();
    let family = Family::of(&all);
    let listed = family.below(under.map(|u| u.id), depth);
    let mut summaries = summaries_of(&listed, wanted).await;
    Ok(listed
        .iter()
        .map(|a| actor_json(a, summaries.remove(&a.id).flatten(), false))
        .collect())
}

async fn tree(request: &Request) -> Result<Value, Failure> {
    let under = optional_actor(request, "under")?;
    let wanted = bool_arg(request, "summaries", true)?;
    let all = inspect::snapshot();
    let family = Family::of(&all);
    let top = under.as_ref().map(|u| u.id);
    let listed = family.below(top, None);
    let mut summaries = summaries_of(&listed, wanted).await;

    fn node(
        family: &Family<'_>,
        actor: &ActorSnapshot,
        summaries: &mut HashMap<ActorId, Option<String>>,
        seen: &mut HashSet<ActorId>,
    ) -> Value {
        let mut value = actor_json(actor, summaries.remove(&actor.id).flatten(), false);
        let mut children = Vec::new();
        for child in family.children(Some(actor.id)) {
            if seen.insert(child.id) {
                children.push(node(family, child, summaries, seen));
            }
        }
        value["children"] = children.into();
        value
    }

    let mut seen = HashSet::new();
    let roots: Vec<&ActorSnapshot> = match &under {
        Some(u) => vec![all.iter().find(|a| a.id == u.id).unwrap_or(u)],
        None => family.roots.clone(),
    };
    let mut nodes = Vec::new();
    for root in roots {
        if seen.insert(root.id) {
            nodes.push(node(&family, root, &mut summaries, &mut seen));
        }
    }
    Ok(nodes.into())
}

fn history(request: &Request) -> Result<Value, Failure> {
    let actor = actor_arg(request, "actor")?;
    let capacity = u64_arg(request, "capacity")?;
    let mut now = actor.history;
    if let Some(capacity) = capacity {
        let capacity = usize::try_from(capacity)
            .map_err(|_| Failure::bad_request("\"capacity\" is too large"))?;
        if !inspect::set_history(actor.id, capacity) {
            return Err(if actor.counted {
                Failure::new("stopped", format!("{} has stopped", describe(&actor)))
            } else {
                Failure::new(
                    "not_counted",
                    format!(
                        "{} was spawned before the inspector was switched on, so it keeps no history; call typact::inspect::serve (or enable) before spawning it",
                        describe(&actor)
                    ),
                )
            });
        }
        now = (capacity > 0).then_some(capacity);
    }
    let entries: Vec<Value> = inspect::history(actor.id)
        .unwrap_or_default()
        .iter()
        // The inspector's own visits (for summaries) are not the actor's
        // traffic.
        .filter(|e| e.message != VISIT)
        .map(|e| {
            json!({
                "at_ms": unix_millis(e.at),
                "message": e.message,
                "detail": e.detail,
                "took_us": u64::try_from(e.took.as_micros()).unwrap_or(u64::MAX),
                "ask": e.ask,
            })
        })
        .collect();
    Ok(json!({ "actor": actor_json(&actor, None, false), "capacity": now, "entries": entries }))
}

/// The message and its arguments, as the text tried first and (for a
/// message without fields given no arguments) a second form to try.
fn message_args(request: &Request) -> Result<(&str, Vec<String>), Failure> {
    let message = str_arg(request, "message")?
        .ok_or_else(|| Failure::bad_request("\"message\" is missing: a handler's name"))?;
    let forms = match request.get("args") {
        // A message without fields may be a unit struct (`null`) or an
        // empty one (`{}`): try both; a failed decode changes nothing.
        None | Some(Value::Null) => vec!["null".to_owned(), "{}".to_owned()],
        Some(Value::Object(map)) if map.is_empty() => vec!["{}".to_owned(), "null".to_owned()],
        Some(args) => vec![args.to_string()],
    };
    Ok((message, forms))
}

fn send(request: &Request) -> Result<Value, Failure> {
    let actor = actor_arg(request, "actor")?;
    let (message, forms) = message_args(request)?;
    let mut last = None;
    for form in &forms {
        match inspect::tell_json(actor.id, message, form) {
            Ok(()) => return Ok(Value::Null),
            // The object's error says which field is missing; keep it.
            Err(err @ InspectError::Wire(WireError::Decode { .. })) => {
                if last.is_none() || form == "{}" {
                    last = Some(err);
                }
            }
            Err(err) => return Err(failure(&actor, err)),
        }
    }
    Err(failure(&actor, last.expect("at least one form was tried")))
}

async fn ask(request: &Request) -> Result<Value, Failure> {
    let actor = actor_arg(request, "actor")?;
    let (message, forms) = message_args(request)?;
    let timeout = u64_arg(request, "timeout_ms")?.map_or(ASK_TIMEOUT, Duration::from_millis);
    let mut last = None;
    for form in &forms {
        match inspect::ask_json(actor.id, message, form, timeout).await {
            Ok(reply) => {
                return Ok(serde_json::from_str(&reply).unwrap_or(Value::String(reply)));
            }
            // The object's error says which field is missing; keep it.
            Err(err @ InspectError::Wire(WireError::Decode { .. })) => {
                if last.is_none() || form == "{}" {
                    last = Some(err);
                }
            }
            Err(err) => return Err(failure(&actor, err)),
        }
    }
    Err(failure(&actor, last.expect("at least one form was tried")))
}

fn failure(actor: &ActorSnapshot, err: InspectError) -> Failure {
    match err {
        InspectError::NoSuchActor(_) | InspectError::Wire(WireError::Stopped) => Failure::new(
            "stopped",
            format!("{} has stopped; nothing was sent", describe(actor)),
        ),
        InspectError::Wire(WireError::NotWire { actor: ty }) => Failure::new(
            "not_inspectable",
            format!(
                "{ty} takes no messages from the shell: declare it with #[actor(inspect)] to send it JSON"
            ),
        ),
        InspectError::Wire(WireError::UnknownMessage {
            actor: ty,
            message,
            known,
        }) => Failure::new(
            "unknown_message",
            format!(
                "{ty} handles no message {message:?}; it handles: {}",
                known.join(", ")
            ),
        )
        .with("known", known.into()),
        InspectError::Wire(WireError::Decode { message, error }) => Failure::new(
            "bad_args",
            format!("the JSON does not fit {message}: {error}"),
        ),
        InspectError::Wire(WireError::Full) => Failure::new(
            "full",
            format!(
                "the mailbox of {} is full; nothing was sent",
                describe(actor)
            ),
        ),
        InspectError::Wire(WireError::Ask(err)) => Failure::new(
            "ask_failed",
            format!("the ask of {} failed: {err}", describe(actor)),
        ),
        #[allow(unreachable_patterns)]
        other => Failure::new("failed", other.to_string()),
    }
}

// --- watch

/// What a watch follows.
pub(super) struct WatchTarget {
    actor: Option<ActorId>,
    pub(super) interval: Duration,
}

pub(super) fn watch_target(request: &Request) -> Result<WatchTarget, Failure> {
    let actor = optional_actor(request, "actor")?.map(|a| a.id);
    let interval = u64_arg(request, "interval_ms")?
        .map_or(Duration::from_millis(500), Duration::from_millis)
        .max(MIN_INTERVAL);
    Ok(WatchTarget { actor, interval })
}

/// One frame of a watch, or `None` once the watched actor is gone.
pub(super) async fn watch_frame(target: &WatchTarget) -> Option<Value> {
    match target.actor {
        Some(id) => {
            let actor = inspect::get(id)?;
            let summary = summary_of(id).await;
            Some(actor_json(&actor, summary, false))
        }
        None => {
            let all = inspect::snapshot();
            let family = Family::of(&all);
            let listed = family.below(None, None);
            let mut summaries = summaries_of(&listed, true).await;
            Some(
                listed
                    .iter()
                    .map(|a| actor_json(a, summaries.remove(&a.id).flatten(), false))
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
    }

    #[test]
    fn bad_requests_are_answered_with_their_id() {
        let (id, request) = parse(r#"{"op":"nope","id":7}"#).unwrap();
        assert_eq!(id, json!(7));
        assert_eq!(op(&request), "nope");
        assert!(parse("not json").is_err());
        assert!(parse("[1]").is_err());
        let failure = hello("list", &request, None).unwrap_err();
        assert_eq!(failure.answer(json!(1))["error"]["code"], "protocol");
    }
}
