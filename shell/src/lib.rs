//! `typact-shell`: attach to a running typact process and walk its
//! supervision tree as a file system.
//!
//! The process opts in with one call, `typact::inspect::serve(..)`; the
//! shell then talks to it over a Unix domain socket (or a loopback TCP
//! address with a token) in the line-delimited JSON protocol documented
//! in `typact::inspect::serve`. `ls`, `cd`, `tree`, `top`, `cat`,
//! `history`, `send`, `ask`, `stop`, `kill` and `watch` work on paths
//! like `/app/workers/w1`; `--json` prints JSON for scripts, `-c` runs
//! commands and exits, and `--web ADDR` serves a page that draws the live
//! tree.
//!
//! The binary is a thin `main` over this library: [`client`] (the
//! connection), [`session`] (the commands), [`render`] (text output),
//! [`web`] (the page).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

pub mod client;
pub mod line;
pub mod model;
pub mod render;
pub mod repl;
pub mod session;
pub mod web;

pub use client::{Client, Target};
pub use session::{Flow, Session, ShellError};

/// Set by Ctrl-C while a refreshing command (`top`, `watch`) runs, which
/// then ends.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether a refreshing command runs now (Ctrl-C ends it rather than the
/// shell).
pub static LOOPING: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C end a refreshing command (see [`LOOPING`]), and the
/// shell otherwise (exit status 130). Call it after the line editor is
/// made: the editor installs its own handler of SIGINT, which would
/// replace this one.
pub fn on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        if LOOPING.load(Ordering::Relaxed) {
            INTERRUPTED.store(true, Ordering::Relaxed);
        } else {
            std::process::exit(130);
        }
    });
}

/// The environment variable that names the socket, as for the process.
pub const ENV_SOCKET: &str = "TYPACT_INSPECT";

/// The process to attach to when none is named: `$TYPACT_INSPECT`, else
/// the only `typact-*.sock` in the temporary directory that a process
/// listens on (a dead process's socket is passed over).
///
/// # Errors
///
/// When there is no such socket, or more than one.
pub fn default_target() -> Result<Target, String> {
    if let Some(path) = std::env::var_os(ENV_SOCKET).filter(|p| !p.is_empty()) {
        return Ok(Target::Unix(PathBuf::from(path)));
    }
    let dir = std::env::temp_dir();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.starts_with("typact-") && name.ends_with(".sock")
                })
                .filter(|e| std::os::unix::net::UnixStream::connect(e.path()).is_ok())
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    match found.len() {
        1 => Ok(Target::Unix(found.remove(0))),
        0 => Err(format!(
            "no typact process to attach to: none serves in {} and ${ENV_SOCKET} is unset; \
             start one that calls typact::inspect::serve, or pass --socket PATH",
            dir.display()
        )),
        _ => Err(format!(
            "several typact processes serve; pick one with --socket PATH or --pid PID: {}",
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
