//! `send`, `ask` and `history` against `#[actor(inspect)]` actors, with
//! their summaries, and the errors for messages and JSON that do not fit;
//! plus the session the guide shows.

mod common;

use common::*;
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    let text = ok(out);
    serde_json::from_str(text.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn send_changes_the_state_and_ask_and_ls_show_it() {
    let _tree = tree("t-send");
    let out = ok(&sh(
        r#"cd /t-send; send counter add {"by": 2}; send counter add {"by": 3}"#,
    ));
    assert_eq!(
        out,
        "sent add to /t-send/counter\nsent add to /t-send/counter\n"
    );
    let reply = json(&sh_json("ask /t-send/counter get"));
    assert_eq!(reply, 5);
    let listing = ok(&sh("ls /t-send"));
    let line = listing.lines().find(|l| l.starts_with("counter ")).unwrap();
    assert!(line.ends_with("count = 5"), "the summary: {line}");
    let snapshot = json(&sh_json("cat /t-send/counter"));
    assert_eq!(snapshot["summary"], "count = 5");
    assert!(snapshot["handled"].as_u64().unwrap() >= 3);
    let methods: Vec<&str> = snapshot["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["add", "get"]);
    let text = ok(&sh("cat /t-send/counter"));
    assert!(text.contains("add { by: u64 } -> ()"), "{text}");
}

#[test]
fn a_message_the_actor_does_not_take_is_refused_with_the_ones_it_does() {
    let _tree = tree("t-unknown");
    let err = failed(&sh(r#"send /t-unknown/counter subtract {"by": 1}"#));
    assert!(err.contains("subtract"), "{err}");
    assert!(
        err.contains("add") && err.contains("get"),
        "lists add and get: {err}"
    );
    let err = failed(&sh_json(r#"ask /t-unknown/counter subtract {"by": 1}"#));
    let error: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(error["error"]["code"], "unknown_message");
    assert_eq!(error["error"]["known"].as_array().unwrap().len(), 2);
    assert_eq!(
        json(&sh_json("ask /t-unknown/counter get")),
        0,
        "nothing changed"
    );
}

#[test]
fn json_that_does_not_fit_names_the_field_and_changes_nothing() {
    let _tree = tree("t-fit");
    let err = failed(&sh(r#"send /t-fit/counter add {"by": "two"}"#));
    assert!(err.contains("by"), "names the field: {err}");
    let err = failed(&sh(r#"send /t-fit/counter add {}"#));
    assert!(err.contains("by"), "names the missing field: {err}");
    let err = failed(&sh_json(r#"ask /t-fit/counter add {"by": -1}"#));
    let error: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(error["error"]["code"], "bad_args");
    assert_eq!(
        json(&sh_json("ask /t-fit/counter get")),
        0,
        "nothing changed"
    );
}

#[test]
fn an_actor_without_inspect_takes_no_messages_from_the_shell() {
    let _tree = tree("t-plain");
    let err = failed(&sh(r#"send /t-plain/workers/w1 work {"n": 1}"#));
    assert!(err.contains("#[actor(inspect)]"), "{err}");
}

#[test]
fn history_records_the_last_messages_once_switched_on() {
    let _tree = tree("t-hist");
    let out = ok(&sh("history /t-hist/counter"));
    assert!(out.contains("history is off for /t-hist/counter"), "{out}");
    let out = ok(&sh("history /t-hist/counter --on 2"));
    assert_eq!(
        out.trim(),
        "history is on for /t-hist/counter, keeping the last 2"
    );
    ok(&sh(
        r#"send /t-hist/counter add {"by": 1}; send /t-hist/counter add {"by": 2}; ask /t-hist/counter get"#,
    ));
    let answer = json(&sh_json("history /t-hist/counter"));
    assert_eq!(answer["capacity"], 2);
    let entries = answer["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "a ring of 2: {answer}");
    assert!(
        entries[0]["detail"].as_str().unwrap().contains('2'),
        "{answer}"
    );
    assert_eq!(entries[1]["ask"], true);
    let text = ok(&sh("history /t-hist/counter"));
    assert!(text.contains("2 of the last 2 messages"), "{text}");
    assert!(text.contains("ask"), "{text}");
    // The inspector's own visits (a summary for `cat`) are not listed.
    ok(&sh(
        r#"history /t-hist/counter --on 10; cat /t-hist/counter; send /t-hist/counter add {"by": 3}"#,
    ));
    let answer = json(&sh_json("history /t-hist/counter"));
    let messages: Vec<&str> = answer["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages.contains(&"Counter::add"), "{answer}");
    assert!(
        messages.iter().all(|m| m.starts_with("Counter::")),
        "{answer}"
    );
    let out = ok(&sh("history /t-hist/counter --off; cat /t-hist/counter"));
    assert!(out.contains("history is off for /t-hist/counter"), "{out}");
    assert!(out.contains("history:       off"), "{out}");
}

#[test]
fn kill_restarts_a_supervised_child_and_the_count_shows() {
    let _tree = tree("t-kill");
    let out = ok(&sh("kill /t-kill/workers/w2"));
    assert_eq!(out.trim(), "killed /t-kill/workers/w2 (Worker)");
    eventually("w2 restarted", || {
        let out = sh_json("cat /t-kill/workers/w2");
        out.status.success()
            && serde_json::from_slice::<Value>(&out.stdout)
                .is_ok_and(|a| a["restarts"] == 1 && a["state"] == "running")
    });
    let tree = ok(&sh("tree /t-kill"));
    assert!(
        tree.contains("w2  Worker  running  0/") && tree.contains("restarts=1"),
        "{tree}"
    );
}

/// The session in the guide (`book/src/observability/shell.md`): the
/// commands as typed at the prompt, through the library the binary runs,
/// with each prompt. Set `TYPACT_TRANSCRIPT=FILE` to write it out.
#[test]
fn a_session_reads_like_the_guide() {
    let _tree = tree("t-guide");
    let client = typact_shell::Client::connect(&typact_shell::Target::Unix(socket().into()))
        .expect("attaches");
    let mut session = typact_shell::Session::new(client, false);
    let mut transcript = String::new();
    for line in [
        "cd /t-guide",
        "ls",
        r#"send counter add {"by": 40}"#,
        r#"ask counter add {"by": 2}"#,
        "ask counter get",
        "history counter --on 10",
        r#"send counter add {"by": 1}"#,
        "history counter",
        "cd workers",
        "tree ..",
        "cat ../counter",
        "send ../counter add {\"by\": \"two\"}",
        "send ../counter reset",
        "cd ../wrkers",
        "pwd",
    ] {
        transcript.push_str(&format!("typact:{}> {line}\n", session.cwd()));
        let mut out = Vec::new();
        if let Err(err) = session.run_line(line, &mut out) {
            out.extend_from_slice(format!("error: {err}\n").as_bytes());
        }
        transcript.push_str(&String::from_utf8_lossy(&out));
    }
    assert!(transcript.contains("count = 0"), "{transcript}");
    assert!(transcript.contains("\n42\n"), "ask get: {transcript}");
    assert!(
        transcript.contains("1 of the last 10 messages"),
        "{transcript}"
    );
    assert!(
        transcript.contains("did you mean /t-guide/workers"),
        "{transcript}"
    );
    assert!(transcript.ends_with("typact:/t-guide/workers> pwd\n/t-guide/workers\n"));
    if let Some(path) = std::env::var_os("TYPACT_TRANSCRIPT") {
        std::fs::write(path, &transcript).unwrap();
    }
}
