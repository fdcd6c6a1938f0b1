//! The interactive shell in a pseudo-terminal (through util-linux's
//! `script`): the prompt follows `cd`, and tab completes a path.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;

#[test]
fn the_prompt_follows_cd_and_tab_completes_paths() {
    let has_script = Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("SKIPPED the pseudo-terminal test: no `script` (util-linux) on PATH");
        return;
    }
    let _tree = tree("t-pty");
    let shell = format!(
        "{} --socket {}",
        env!("CARGO_BIN_EXE_typact-shell"),
        socket().display()
    );
    let mut child = Command::new("script")
        .args(["-qfec", &shell, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script runs");
    let mut stdin = child.stdin.take().unwrap();
    let screen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let screen = screen.clone();
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    // Each step waits for what the shell shows, then types: `wor` and a
    // tab complete to `workers/`.
    let steps: [(&str, &[u8]); 6] = [
        ("typact:/> ", b"cd /t-pty\r"),
        ("typact:/t-pty> ", b"cd wor\t"),
        ("cd workers/", b"\r"),
        ("typact:/t-pty/workers> ", b"pwd\r"),
        ("/t-pty/workers\r\n", b"ls\r"),
        ("w2 ", b"exit\r"),
    ];
    for (shown, typed) in steps {
        let deadline = Instant::now() + GUARD;
        while !screen.lock().unwrap().contains(shown) {
            assert!(
                Instant::now() < deadline,
                "never showed {shown:?}: {}",
                screen.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        stdin.write_all(typed).unwrap();
        stdin.flush().unwrap();
    }
    let deadline = Instant::now() + GUARD;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the shell did not exit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(stdin);
    reader.join().unwrap();
    let text = screen.lock().unwrap().clone();
    assert!(child.wait().unwrap().success());
    assert!(text.contains("typact:/t-pty> "), "{text}");
    assert!(
        text.contains("cd workers/"),
        "tab completed the path: {text}"
    );
    assert!(text.contains("typact:/t-pty/workers> "), "{text}");
    assert!(text.contains("/t-pty/workers\r\n"), "pwd: {text}");
    assert!(text.contains("w1 ") && text.contains("w2 "), "ls: {text}");
}
