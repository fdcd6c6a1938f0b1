//! The arguments of requests: strings, numbers, flags, and the actor an
//! argument names (with the live paths near an unknown one).

use serde_json::{Map, Value};

use super::ops::Failure;
use crate::inspect::{self, ActorSnapshot};

/// How many near paths an unknown path's error suggests.
const SUGGESTIONS: usize = 5;

type Request = Map<String, Value>;

pub(super) fn str_arg<'a>(request: &'a Request, key: &str) -> Result<Option<&'a str>, Failure> {
    match request.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Failure::bad_request(format!("\"{key}\" must be a string"))),
    }
}

pub(super) fn u64_arg(request: &Request, key: &str) -> Result<Option<u64>, Failure> {
    match request.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            Failure::bad_request(format!("\"{key}\" must be a whole number, at least 0"))
        }),
    }
}

pub(super) fn bool_arg(request: &Request, key: &str, default: bool) -> Result<bool, Failure> {
    match request.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(Failure::bad_request(format!(
            "\"{key}\" must be true or false"
        ))),
    }
}

/// The actor an argument names: `"/a/path"`, `"#12"`, `"12"` or `12`.
pub(super) fn actor_arg(request: &Request, key: &str) -> Result<ActorSnapshot, Failure> {
    optional_actor(request, key)?
        .ok_or_else(|| Failure::bad_request(format!("\"{key}\" is missing: a path or an #id")))
}

pub(super) fn optional_actor(
    request: &Request,
    key: &str,
) -> Result<Option<ActorSnapshot>, Failure> {
    let text = match request.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(Failure::bad_request(format!(
                "\"{key}\" must be a path or an #id"
            )));
        }
    };
    resolve(&text).map(Some)
}

fn resolve(text: &str) -> Result<ActorSnapshot, Failure> {
    if text.starts_with('/') {
        let path = text.trim_end_matches('/');
        return inspect::find(path).ok_or_else(|| unknown_path(path));
    }
    let digits = text.strip_prefix('#').unwrap_or(text);
    let Ok(n) = digits.parse::<u64>() else {
        return Err(Failure::bad_request(format!(
            "{text:?} is neither an absolute path (/app/...) nor an id (#12)"
        )));
    };
    inspect::snapshot()
        .into_iter()
        .find(|s| s.id.as_u64() == n)
        .ok_or_else(|| Failure::new("no_such_actor", format!("no live actor #{n}")))
}

fn unknown_path(path: &str) -> Failure {
    let paths: Vec<String> = inspect::snapshot()
        .into_iter()
        .filter_map(|s| s.path.map(|p| p.as_str().to_owned()))
        .collect();
    let near = nearest(path, &paths);
    let mut message = format!("no actor at {path}");
    if !near.is_empty() {
        message.push_str("; did you mean ");
        message.push_str(&near.join(", "));
        message.push('?');
    }
    Failure::new("no_such_actor", message).with("suggest", near.into())
}

/// The paths nearest to `path`: as deep, and a few edits away; or with
/// the same last segment anywhere.
fn nearest(path: &str, paths: &[String]) -> Vec<String> {
    let name = path.rsplit('/').next().unwrap_or_default();
    let depth = path.matches('/').count();
    let limit = (path.len() / 4).max(2);
    let mut near: Vec<(usize, &String)> = paths
        .iter()
        .filter_map(|p| {
            let d = distance(path, p);
            let close = d <= limit && p.matches('/').count() == depth;
            let same_name = !name.is_empty() && p.rsplit('/').next() == Some(name);
            (close || same_name).then_some((d, p))
        })
        .collect();
    near.sort();
    near.into_iter()
        .take(SUGGESTIONS)
        .map(|(_, p)| p.clone())
        .collect()
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

pub(super) fn describe(actor: &ActorSnapshot) -> String {
    match &actor.path {
        Some(path) => format!("{} at {path}", actor.type_name),
        None => format!("{}{}", actor.type_name, actor.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("/app/wrkers", "/app/workers"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn nearest_prefers_close_paths_and_same_names() {
        let paths = vec![
            "/app/workers".to_owned(),
            "/app/web".to_owned(),
            "/other/deep/workers".to_owned(),
            "/zzz".to_owned(),
        ];
        let near = nearest("/app/wrkers", &paths);
        assert_eq!(near[0], "/app/workers");
        assert!(!near.contains(&"/zzz".to_owned()));
        let near = nearest("/workers", &paths);
        assert!(near.contains(&"/other/deep/workers".to_owned()));
    }
}
