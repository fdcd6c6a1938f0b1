//! Command lines: several commands split at `;`, words, and paths
//! resolved against the current one.

/// Splits `line` at the `;`s that are outside JSON strings, objects and
/// arrays, dropping empty commands.
pub fn split_commands(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut start = 0;
    for (i, c) in line.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                out.push(line[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(line[start..].trim());
    out.retain(|c| !c.is_empty());
    out
}

/// The first `n` whitespace-separated words of `line`, and the rest
/// (trimmed), which may be JSON with spaces in it.
pub fn take_words(line: &str, n: usize) -> (Vec<&str>, &str) {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while words.len() < n && !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        words.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    (words, rest.trim_end())
}

/// `arg` resolved against the current path `cwd`: absolute paths and
/// `#id`s as they are, `.` and `..` folded, a trailing `/` dropped. The
/// root of the tree is `/`.
///
/// # Errors
///
/// A relative path from a current place that is an `#id` (an actor
/// without a path).
pub fn resolve(cwd: &str, arg: &str) -> Result<String, String> {
    if arg.starts_with('#') {
        return Ok(arg.to_owned());
    }
    let joined = if arg.starts_with('/') {
        arg.to_owned()
    } else if cwd.starts_with('#') {
        if arg == ".." {
            return Ok("/".into());
        }
        return Err(format!(
            "{cwd} has no path, so {arg:?} cannot be found from it; give an absolute path"
        ));
    } else {
        format!("{}/{arg}", cwd.trim_end_matches('/'))
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    Ok(format!("/{}", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_outside_json() {
        assert_eq!(split_commands("cd /a; ls"), vec!["cd /a", "ls"]);
        assert_eq!(
            split_commands(r#"send /a add {"s": "x;y"}; ls ;;"#),
            vec![r#"send /a add {"s": "x;y"}"#, "ls"]
        );
        assert_eq!(
            split_commands(r#"ask /a f {"s": "q\"; x"}"#),
            vec![r#"ask /a f {"s": "q\"; x"}"#]
        );
        assert!(split_commands("  ; ").is_empty());
    }

    #[test]
    fn words_leave_the_json_whole() {
        let (words, rest) = take_words(r#"send  /a add { "by": 2 } "#, 3);
        assert_eq!(words, vec!["send", "/a", "add"]);
        assert_eq!(rest, r#"{ "by": 2 }"#);
        let (words, rest) = take_words("ls", 3);
        assert_eq!(words, vec!["ls"]);
        assert_eq!(rest, "");
    }

    #[test]
    fn paths_resolve() {
        assert_eq!(resolve("/", "app").unwrap(), "/app");
        assert_eq!(resolve("/app/ui", "..").unwrap(), "/app");
        assert_eq!(resolve("/app/ui", "../x/./y/").unwrap(), "/app/x/y");
        assert_eq!(resolve("/app", "/other").unwrap(), "/other");
        assert_eq!(resolve("/app", "../../..").unwrap(), "/");
        assert_eq!(resolve("/app", "#12").unwrap(), "#12");
        assert_eq!(resolve("#12", "..").unwrap(), "/");
        assert!(resolve("#12", "child").is_err());
    }
}
