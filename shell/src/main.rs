//! The `typact-shell` binary: arguments, then the library; errors become
//! exit codes here.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use typact_shell::{Client, Session, Target, repl, web};

/// Attach to a running typact process: cd through its supervision tree,
/// ls its actors, send them messages.
#[derive(Debug, Parser)]
#[command(name = "typact-shell", version)]
struct Args {
    /// The Unix socket the process serves on (default: $TYPACT_INSPECT,
    /// else the only /tmp/typact-*.sock).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["tcp", "pid"])]
    socket: Option<PathBuf>,
    /// Attach to the process with this pid (its default socket).
    #[arg(long, value_name = "PID", conflicts_with = "tcp")]
    pid: Option<u32>,
    /// A loopback TCP address the process serves on (with --token).
    #[arg(long, value_name = "ADDR", requires = "token")]
    tcp: Option<String>,
    /// The token of a TCP endpoint.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Print JSON, for scripts (as if every command had --json).
    #[arg(long)]
    json: bool,
    /// Run these commands (separated by `;`) and exit; the exit status is
    /// 1 at the first that fails.
    #[arg(short = 'c', value_name = "COMMANDS", conflicts_with = "web")]
    command: Option<String>,
    /// Serve the live tree as a web page on this loopback address
    /// (127.0.0.1:PORT; port 0 picks one) instead of a prompt.
    #[arg(long, value_name = "ADDR")]
    web: Option<String>,
}

fn target(args: &Args) -> Result<Target, String> {
    if let Some(path) = &args.socket {
        return Ok(Target::Unix(path.clone()));
    }
    if let Some(pid) = args.pid {
        return Ok(Target::Unix(
            std::env::temp_dir().join(format!("typact-{pid}.sock")),
        ));
    }
    if let Some(addr) = &args.tcp {
        return Ok(Target::Tcp {
            addr: addr.clone(),
            token: args.token.clone().unwrap_or_default(),
        });
    }
    typact_shell::default_target()
}

fn fail(json: bool, code: &str, message: &str, details: Option<&serde_json::Value>) -> ExitCode {
    if json {
        let details = details
            .cloned()
            .unwrap_or_else(|| json!({ "code": code, "message": message }));
        eprintln!("{}", json!({ "error": details }));
    } else {
        eprintln!("typact-shell: error: {message}");
    }
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let args = Args::parse();
    let target = match target(&args) {
        Ok(target) => target,
        Err(message) => return fail(args.json, "attach", &message, None),
    };
    let client = match Client::connect(&target) {
        Ok(client) => client,
        Err(err) => return fail(args.json, "attach", &err.to_string(), None),
    };
    if args.web.is_some() || args.command.is_some() {
        // The interactive shell installs it once its line editor is set
        // up (which takes SIGINT for itself).
        typact_shell::on_interrupt();
    }
    if let Some(addr) = &args.web {
        let listener = match web::bind(addr) {
            Ok(listener) => listener,
            Err(err) => return fail(args.json, "web", &err.to_string(), None),
        };
        drop(client);
        match listener.local_addr() {
            Ok(local) => println!("typact-shell: serving http://{local}/ (attached to {target})"),
            Err(err) => return fail(args.json, "web", &err.to_string(), None),
        }
        let _ = std::io::stdout().flush();
        return match web::serve(listener, target) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => fail(args.json, "web", &err.to_string(), None),
        };
    }
    let mut session = Session::new(client, args.json);
    if let Some(commands) = &args.command {
        let mut stdout = std::io::stdout().lock();
        let result = session.run_line(commands, &mut stdout);
        let _ = stdout.flush();
        return match result {
            Ok(_) => ExitCode::SUCCESS,
            Err(err) => fail(args.json, &err.code, &err.message, Some(&err.details)),
        };
    }
    let hello = session.client().hello().clone();
    println!(
        "attached to {} (pid {}, {} actors) at {target}; type help",
        hello["program"].as_str().unwrap_or("?"),
        hello["pid"],
        hello["actors"]
    );
    match repl::run(session) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(false, "terminal", &err.to_string(), None),
    }
}
