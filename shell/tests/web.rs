//! `typact-shell --web`: the page and its JSON, and the page drawn by
//! headless Chromium against the demo system, before and after a restart.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::*;
use serde_json::Value;

/// A running `typact-shell --web`, killed when dropped.
struct Web {
    child: Child,
    addr: String,
}

impl Drop for Web {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn web() -> Web {
    let mut child = Command::new(env!("CARGO_BIN_EXE_typact-shell"))
        .arg("--socket")
        .arg(socket())
        .args(["--web", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("typact-shell --web runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("it says where it serves");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    Web { child, addr }
}

/// GET `path` from `addr` with `host`: the status line and the body.
fn get(addr: &str, host: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("the page serves");
    stream.set_read_timeout(Some(GUARD)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[test]
fn the_page_and_its_json_are_served_on_loopback() {
    let _tree = tree("t-webjson");
    let web = web();
    let (status, page) = get(&web.addr, &web.addr, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(page.contains("<script>") && page.contains("/api/tree"));

    let (status, body) = get(&web.addr, &web.addr, "/api/tree");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let json: Value = serde_json::from_str(&body).unwrap();
    let roots = json["tree"].as_array().unwrap();
    assert!(roots.iter().any(|r| r["path"] == "/t-webjson"), "{body}");
    assert!(json["pid"].is_u64());

    let (status, _) = get(&web.addr, "evil.example", "/api/tree");
    assert_eq!(
        status, "HTTP/1.1 403 Forbidden",
        "a foreign Host is refused"
    );
    let (status, _) = get(&web.addr, &web.addr, "/nope");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
}

fn chromium() -> Option<String> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if found {
            return Some(name.to_owned());
        }
    }
    None
}

/// The page's DOM after its scripts ran, from headless Chromium.
fn dump_dom(browser: &str, url: &str) -> String {
    let profile = std::env::temp_dir().join(format!("typact-chromium-{}", std::process::id()));
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url]);
    let out = wait(command);
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The opening tag of the node drawn for `path`.
fn node_tag<'a>(dom: &'a str, path: &str) -> Option<&'a str> {
    let at = dom.find(&format!("data-path=\"{path}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    Some(&dom[start..=end])
}

#[test]
fn headless_chromium_draws_the_tree_and_a_restart() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("TYPACT_REQUIRE_CHROMIUM").is_none(),
            "TYPACT_REQUIRE_CHROMIUM is set but no chromium is installed (apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED headless_chromium_draws_the_tree_and_a_restart: no chromium on PATH \
             (apt-get install chromium; set TYPACT_REQUIRE_CHROMIUM=1 to make this an error)"
        );
        return;
    };
    let _tree = tree("t-page");
    let web = web();
    let url = format!("http://{}/", web.addr);

    let dom = dump_dom(&browser, &url);
    for path in [
        "/t-page",
        "/t-page/counter",
        "/t-page/workers",
        "/t-page/workers/w1",
        "/t-page/workers/w2",
    ] {
        let tag = node_tag(&dom, path).unwrap_or_else(|| panic!("no node for {path} in {dom}"));
        assert!(tag.contains("class=\"node"), "{tag}");
    }
    let w1 = node_tag(&dom, "/t-page/workers/w1").unwrap();
    assert!(w1.contains("data-restarts=\"0\""), "{w1}");

    // A restart: kill the worker through the shell; its supervisor starts
    // it again.
    ok(&sh("kill /t-page/workers/w1"));
    eventually("w1 restarted", || {
        let out = sh_json("cat /t-page/workers/w1");
        out.status.success()
            && serde_json::from_slice::<Value>(&out.stdout)
                .is_ok_and(|a| a["restarts"].as_u64() >= Some(1) && a["state"] == "running")
    });

    let dom = dump_dom(&browser, &url);
    let w1 = node_tag(&dom, "/t-page/workers/w1").expect("w1 is drawn again");
    assert!(w1.contains("data-restarts=\"1\""), "{w1}");
    assert!(w1.contains("restarted"), "a restarted node is marked: {w1}");
    assert!(dom.contains("restarts: 1"), "the count is shown");

    if let Some(path) = std::env::var_os("TYPACT_PAGE_SCREENSHOT") {
        let mut command = Command::new(&browser);
        command
            .args([
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--hide-scrollbars",
                "--virtual-time-budget=3000",
                "--window-size=1000,700",
            ])
            .arg(format!("--screenshot={}", path.to_string_lossy()))
            .arg(&url);
        assert!(wait(command).status.success());
    }
}
