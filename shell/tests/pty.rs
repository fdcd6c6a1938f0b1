//! The interactive shell in a pseudo-terminal (through util-linux's
//! `script`): the prompt follows `cd`, tab completes a path, and Ctrl-C
//! ends `top` but not the shell.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::*;

/// A child process killed if the test fails first.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

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
    // `exec`: `script` runs the command through `$SHELL -c` (dash when
    // SHELL is unset), and a shell left waiting in the foreground would
    // get the Ctrl-C too and end with it, whatever typact-shell did.
    let shell = format!(
        "exec {} --socket {}",
        env!("CARGO_BIN_EXE_typact-shell"),
        socket().display()
    );
    let mut child = Reaped(
        Command::new("script")
            .args(["-qfec", &shell, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script runs"),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    let screen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let screen = screen.clone();
        let mut stdout = child.0.stdout.take().unwrap();
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
    // Each step waits for what the shell shows after the last input, then
    // types: `wor` and a tab complete to `workers/`; Ctrl-C ends `top`
    // and not the shell.
    let steps: [(&str, &[u8]); 8] = [
        ("typact:/> ", b"cd /t-pty\r"),
        ("typact:/t-pty> ", b"cd wor\t"),
        ("cd workers/", b"\r"),
        ("typact:/t-pty/workers> ", b"pwd\r"),
        ("/t-pty/workers\r\n", b"ls\r"),
        ("w2 ", b"top -d 0.2\r"),
        ("actors, by mailbox depth", b"\x03"),
        ("typact:/t-pty/workers> ", b"exit\r"),
    ];
    let mut seen = 0;
    for (shown, typed) in steps {
        let deadline = Instant::now() + GUARD;
        loop {
            let text = screen.lock().unwrap();
            if let Some(at) = text[seen..].find(shown) {
                seen += at + shown.len();
                break;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {shown:?} after: {}",
                &text[seen..]
            );
            drop(text);
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        stdin.write_all(typed).unwrap();
        stdin.flush().unwrap();
    }
    let deadline = Instant::now() + GUARD;
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the shell did not exit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(stdin);
    reader.join().unwrap();
    let text = screen.lock().unwrap().clone();
    let status = child.0.wait().unwrap();
    assert!(status.success(), "the shell ended with {status}: {text}");
    assert!(text.contains("typact:/t-pty> "), "{text}");
    assert!(
        text.contains("cd workers/"),
        "tab completed the path: {text}"
    );
    assert!(text.contains("typact:/t-pty/workers> "), "{text}");
    assert!(text.contains("/t-pty/workers\r\n"), "pwd: {text}");
    assert!(text.contains("w1 ") && text.contains("w2 "), "ls: {text}");
}
