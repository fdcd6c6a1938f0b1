//! `typact-shell -c` and `--json` against a live demo system: listing,
//! walking, the tree, snapshots, stopping, and every error for bad input.

mod common;

use common::*;
use serde_json::Value;

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn ls_lists_the_actors_at_a_path_one_a_line() {
    let _tree = tree("t-ls");
    let out = ok(&sh("ls /t-ls"));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("NAME"), "a header: {out}");
    assert_eq!(lines.len(), 4, "counter, temp, workers: {out}");
    let counter = lines
        .iter()
        .find(|l| l.starts_with("counter "))
        .expect(&out);
    assert!(
        counter.contains("Counter") && counter.contains("running"),
        "{counter}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("workers/ ")),
        "a supervisor with children is marked /: {out}"
    );
}

#[test]
fn ls_json_gives_every_field() {
    let _tree = tree("t-lsjson");
    let out = ok(&sh_json("ls /t-lsjson/workers"));
    let listed = &json_lines(&out)[0];
    let paths: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/t-lsjson/workers/w1", "/t-lsjson/workers/w2"]);
    let w1 = &listed[0];
    assert_eq!(w1["type"], "Worker");
    assert_eq!(w1["state"], "running");
    assert!(w1["mailbox"]["len"].is_u64() && w1["handled"].is_u64());
    assert!(w1.get("rate").is_some(), "{w1}");
}

#[test]
fn cd_walks_relative_absolute_and_up() {
    let _tree = tree("t-cd");
    let out = ok(&sh(
        "cd /t-cd; pwd; cd workers; pwd; ls; cd ..; pwd; cd /; pwd",
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "/t-cd");
    assert_eq!(lines[1], "/t-cd/workers");
    assert!(lines[2].starts_with("NAME"));
    assert!(
        lines[3].starts_with("w1 ") && lines[4].starts_with("w2 "),
        "{out}"
    );
    assert_eq!(lines[5], "/t-cd");
    assert_eq!(lines[6], "/");
}

#[test]
fn ls_at_the_top_lists_the_roots_and_json_goes_on_one_command() {
    let _tree = tree("t-top-level");
    let out = ok(&sh("ls"));
    assert!(
        out.lines().any(|l| l.starts_with("t-top-level/ ")),
        "a root with children: {out}"
    );
    let out = ok(&sh("cd /t-top-level; pwd --json; pwd"));
    assert_eq!(out, "{\"cwd\":\"/t-top-level\"}\n/t-top-level\n");
}

#[test]
fn tree_draws_the_supervision_tree() {
    let _tree = tree("t-tree");
    let out = ok(&sh("tree /t-tree"));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("/t-tree  Supervisor"), "{out}");
    assert!(out.contains("├── counter  Counter"), "{out}");
    assert!(out.contains("└── workers  Supervisor"), "{out}");
    assert!(out.contains("    ├── w1  Worker"), "{out}");
    assert!(out.contains("    └── w2  Worker"), "{out}");

    let json = &json_lines(&ok(&sh_json("tree /t-tree")))[0];
    let root = &json[0];
    assert_eq!(root["path"], "/t-tree");
    let workers = root["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "/t-tree/workers")
        .expect("workers");
    assert_eq!(workers["children"].as_array().unwrap().len(), 2);
}

#[test]
fn cat_shows_the_full_snapshot() {
    let tree = tree("t-cat");
    let out = ok(&sh("cd /t-cat; cat counter"));
    assert!(
        out.contains("path:") && out.contains("/t-cat/counter"),
        "{out}"
    );
    assert!(
        out.contains(&format!("#{}", tree.counter.id().as_u64())),
        "{out}"
    );
    assert!(out.contains("type:") && out.contains("Counter"), "{out}");
    assert!(out.contains("restarts:"), "{out}");
    let json = &json_lines(&ok(&sh_json("cat /t-cat/counter")))[0];
    assert_eq!(json["id"], tree.counter.id().as_u64());
    assert!(json["messages"].is_array());
    // And by id.
    let by_id = &json_lines(&ok(&sh_json(&format!(
        "cat #{}",
        tree.counter.id().as_u64()
    ))))[0];
    assert_eq!(by_id["path"], "/t-cat/counter");
}

#[test]
fn stop_ends_an_actor_and_it_leaves_the_listing() {
    let tree = tree("t-stop");
    let out = ok(&sh("stop /t-stop/temp"));
    assert_eq!(out.trim(), "stopped /t-stop/temp (Worker)");
    block_on(tree.temp.wait_for_stop());
    let listing = ok(&sh("ls /t-stop"));
    assert!(!listing.contains("temp"), "{listing}");
    let err = failed(&sh("cat /t-stop/temp"));
    assert!(err.contains("no actor at /t-stop/temp"), "{err}");
}

#[test]
fn an_unknown_path_fails_and_suggests_near_ones() {
    let _tree = tree("t-near");
    let err = failed(&sh("ls /t-near/wrkers"));
    assert!(err.contains("no actor at /t-near/wrkers"), "{err}");
    assert!(err.contains("did you mean /t-near/workers"), "{err}");

    let err = failed(&sh_json("cd /t-near/countr"));
    let error = &json_lines(&err)[0]["error"];
    assert_eq!(error["code"], "no_such_actor");
    assert!(
        error["suggest"]
            .as_array()
            .unwrap()
            .contains(&Value::from("/t-near/counter")),
        "{error}"
    );
}

#[test]
fn a_failing_command_stops_the_line_and_changes_nothing() {
    let _tree = tree("t-nochange");
    // The `pwd` after the failing `cd` never runs.
    let out = sh("cd /t-nochange; cd nope; pwd");
    let err = failed(&out);
    assert!(err.contains("no actor at /t-nochange/nope"), "{err}");
    assert_eq!(stdout(&out), "");

    // In one session, the current path survives a failed cd.
    let client = typact_shell::Client::connect(&typact_shell::Target::Unix(socket().into()))
        .expect("attaches");
    let mut session = typact_shell::Session::new(client, false);
    let mut out = Vec::new();
    session
        .run_line("cd /t-nochange/workers", &mut out)
        .unwrap();
    assert!(session.run_line("cd ../nope", &mut out).is_err());
    assert_eq!(session.cwd(), "/t-nochange/workers");
    assert!(session.run_line("stop /t-nochange/nope", &mut out).is_err());
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let _tree = tree("t-bad");
    let err = failed(&sh("frobnicate"));
    assert!(err.contains("unknown command \"frobnicate\""), "{err}");
    let err = failed(&sh("ls a b"));
    assert!(err.contains("ls takes one path at most"), "{err}");
    let err = failed(&sh("send /t-bad/counter add {\"by\": "));
    assert!(err.contains("not JSON"), "{err}");
    let err = failed(&sh("send /t-bad/counter"));
    assert!(err.contains("usage: send PATH MESSAGE"), "{err}");
    let err = failed(&sh("history /t-bad/counter --on zero"));
    assert!(err.contains("--on takes a whole number"), "{err}");
    let err = failed(&sh("cat /"));
    assert!(err.contains("not an actor"), "{err}");
    let err = failed(&sh("top --by colour -n 1"));
    assert!(err.contains("--by depth or --by rate"), "{err}");
}

#[test]
fn top_shows_one_frame_sorted() {
    let _tree = tree("t-top");
    let out = ok(&sh("top -n 1 --rows 500"));
    assert!(out.contains("actors, by mailbox depth"), "{out}");
    assert!(out.contains("/t-top/workers/w1"), "{out}");
    let out = ok(&sh_json("top -n 1 --by rate"));
    let frame = &json_lines(&out)[0];
    assert!(
        frame
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["path"] == "/t-top/counter")
    );
}

#[test]
fn help_lists_every_command() {
    let out = ok(&sh("help"));
    for command in [
        "ls", "cd", "pwd", "tree", "top", "cat", "history", "send", "ask", "stop", "kill", "watch",
        "help", "exit",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{command} "))),
            "{command} missing from: {out}"
        );
    }
}

#[test]
fn attaching_to_nothing_fails_clearly() {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_typact-shell"));
    command.args(["--socket", "/nonexistent/typact.sock", "-c", "ls"]);
    let err = failed(&wait(command));
    assert!(
        err.contains("cannot attach to /nonexistent/typact.sock"),
        "{err}"
    );
}
