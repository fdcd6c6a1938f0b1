//! The guide's set-up instructions work for someone outside the workspace
//! (issue 13, point 13): typact is not published, so the quickstart's
//! dependency line must be a git (or path) dependency, and on the
//! repository this workspace names.

const QUICKSTART: &str = include_str!("../book/src/quickstart.md");
const MANIFEST: &str = include_str!("../Cargo.toml");

/// The lines of the first ```toml block of the quickstart.
fn toml_block() -> Vec<&'static str> {
    let start = QUICKSTART
        .find("```toml\n")
        .expect("the quickstart has a ```toml block");
    let body = &QUICKSTART[start + "```toml\n".len()..];
    let end = body.find("```").expect("the block ends");
    body[..end].lines().collect()
}

/// The workspace's `repository = "..."`.
fn repository() -> &'static str {
    let line = MANIFEST
        .lines()
        .find(|l| l.starts_with("repository = \""))
        .expect("the workspace names its repository");
    line.trim_start_matches("repository = \"")
        .trim_end_matches('"')
}

#[test]
fn the_quickstart_depends_on_typact_through_git_or_a_path() {
    let lines = toml_block();
    let typact: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.trim_start().starts_with("typact ="))
        .collect();
    assert_eq!(typact.len(), 1, "one active `typact =` line: {typact:?}");
    let expected = format!("typact = {{ git = \"{}\" }}", repository());
    assert_eq!(typact[0], expected);
    // The path alternative is offered, commented out.
    assert!(
        lines.iter().any(|l| l.starts_with("# typact = { path = ")),
        "the block offers a path dependency: {lines:?}"
    );
    // A version requirement alone would fail: nothing is published yet.
    assert!(!lines.iter().any(|l| l.starts_with("typact = \"")));
}
