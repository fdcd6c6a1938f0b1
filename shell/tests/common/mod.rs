//! The demo system the end-to-end tests attach to, and a way to run the
//! `typact-shell` binary against it.
//!
//! One tokio runtime and one inspector server per test binary (the
//! inspector is process-wide); each test builds its own tree under its own
//! root (`/t-<name>`), so that tests running in parallel do not see each
//! other's changes.

#![allow(dead_code, unreachable_pub)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use typact::inspect::{Endpoint, Server};
use typact::prelude::*;
use typact::{Restart, Supervisor};

/// How long any one run of the shell may take before the test gives up:
/// a guard against hangs, not a timing assertion.
pub const GUARD: Duration = Duration::from_secs(60);

/// A counter the shell can send JSON to, with a summary.
#[derive(Default)]
pub struct Counter {
    count: u64,
}

#[actor(inspect)]
impl Counter {
    /// Adds `by`.
    #[handler]
    fn add(&mut self, by: u64) {
        self.count += by;
    }

    /// The count.
    #[handler]
    fn get(&self) -> u64 {
        self.count
    }

    /// What `ls` shows.
    #[inspect]
    fn summary(&self) -> String {
        format!("count = {}", self.count)
    }
}

/// A worker that does nothing much; not `inspect`, so it takes no JSON.
#[derive(Default)]
pub struct Worker {
    jobs: u64,
}

#[actor]
impl Worker {
    /// One job.
    #[handler]
    fn work(&mut self, n: u64) -> u64 {
        self.jobs += 1;
        n * 2
    }
}

struct Shared {
    runtime: tokio::runtime::Runtime,
    _server: Server,
    socket: PathBuf,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        // Not `typact-*.sock`, which `typact-shell` without `--socket`
        // would find. The static server is never dropped, so its socket
        // outlives the test binary: the next run clears the dead ones.
        clear_stale_sockets();
        let socket = std::env::temp_dir().join(format!(
            "{TEST_SOCKET_PREFIX}{}-{}.sock",
            std::process::id(),
            std::env::args()
                .next()
                .and_then(|a| Path::new(&a)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default()
        ));
        let server = runtime
            .block_on(async { typact::inspect::serve(Endpoint::unix(&socket)) })
            .expect("the inspector serves");
        Shared {
            runtime,
            _server: server,
            socket,
        }
    })
}

const TEST_SOCKET_PREFIX: &str = "tshell-test-";

/// Removes the sockets of earlier test runs that nothing listens on.
fn clear_stale_sockets() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEST_SOCKET_PREFIX)
            && name.ends_with(".sock")
            && std::os::unix::net::UnixStream::connect(entry.path()).is_err()
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The socket every test attaches to.
pub fn socket() -> &'static Path {
    &shared().socket
}

/// Runs `f` on the demo's runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    shared().runtime.block_on(f)
}

/// The references of one demo tree.
pub struct Tree {
    pub root: ActorRef<Supervisor>,
    pub counter: ActorRef<Counter>,
    pub w1: ActorRef<Worker>,
    pub w2: ActorRef<Worker>,
    pub temp: ActorRef<Worker>,
}

/// Starts a tree under `/<root>`:
///
/// ```text
/// /<root>                Supervisor
/// ├── counter            Counter
/// ├── temp               Worker (transient: a stop is final)
/// └── workers            Supervisor
///     ├── w1             Worker
///     └── w2             Worker
/// ```
pub fn tree(root: &str) -> Tree {
    block_on(async {
        let workers = Supervisor::builder();
        let w1 = workers.child(Worker::default).name("w1").add();
        let w2 = workers.child(Worker::default).name("w2").add();
        let top = Supervisor::builder().name(root);
        let counter = top.child(Counter::default).name("counter").add();
        let temp = top
            .child(Worker::default)
            .name("temp")
            .restart(Restart::Transient)
            .add();
        top.child(workers.into_factory()).name("workers").add();
        let root = top.spawn().await.expect("the tree starts");
        Tree {
            root,
            counter,
            w1,
            w2,
            temp,
        }
    })
}

/// Runs `typact-shell --socket <demo> <args...>` and waits for it.
pub fn run(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_typact-shell"));
    command.arg("--socket").arg(socket()).args(args);
    wait(command)
}

/// Runs `typact-shell --socket <demo> -c <commands>`.
pub fn sh(commands: &str) -> Output {
    run(&["-c", commands])
}

/// Runs `typact-shell --socket <demo> --json -c <commands>`.
pub fn sh_json(commands: &str) -> Output {
    run(&["--json", "-c", commands])
}

/// Runs `command` to its end, within [`GUARD`].
pub fn wait(mut command: Command) -> Output {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("typact-shell runs");
    let deadline = Instant::now() + GUARD;
    loop {
        if child.try_wait().expect("waits").is_some() {
            return collect(child);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = collect(child);
            panic!(
                "typact-shell hung; stdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn collect(mut child: Child) -> Output {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_end(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_end(&mut stderr);
    }
    let status = child.wait().expect("waits");
    Output {
        status,
        stdout,
        stderr,
    }
}

/// The output's stdout, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The output's stderr, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the run succeeded and returns its stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "typact-shell failed ({}): stdout: {}\nstderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// Asserts the run failed (exit status 1) and returns its stderr.
pub fn failed(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "typact-shell should have failed: stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    stderr(out)
}

/// Polls `check` until it holds, within [`GUARD`].
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + GUARD;
    while !check() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
