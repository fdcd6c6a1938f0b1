//! Starting `typact-remote-node` processes for a test, with certificates
//! made on the spot, and stopping them whatever happens.

pub(crate) mod watching;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use typact_remote::{CertificateAuthority, Node, ZenohConfig};

/// How long any step may take before the test gives up.
pub(crate) const GUARD: Duration = Duration::from_secs(30);

/// A free TCP port on loopback (free when asked).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Node processes, killed when dropped.
pub(crate) struct Cluster {
    pub(crate) cluster: String,
    pub(crate) ca: CertificateAuthority,
    pub(crate) dir: PathBuf,
    /// The first process's address: everyone connects to it.
    pub(crate) seed: String,
    pub(crate) hosts: Vec<String>,
    children: HashMap<String, Child>,
}

impl Cluster {
    /// Starts one process per name, on loopback.
    pub(crate) fn start(cluster: &str, names: &[&str]) -> Cluster {
        Self::start_on(cluster, names, &["127.0.0.1".to_owned()], |_| None)
    }

    /// Starts one process per name; `wrap` may prefix each command (to run
    /// it in a network namespace) and give its listening host.
    pub(crate) fn start_on(
        cluster: &str,
        names: &[&str],
        hosts: &[String],
        wrap: impl Fn(&str) -> Option<(Vec<String>, String)>,
    ) -> Cluster {
        let dir =
            std::env::temp_dir().join(format!("typact-remote-{cluster}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = CertificateAuthority::new(cluster);
        std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
        let host_refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
        let mut this = Cluster {
            cluster: cluster.to_owned(),
            ca,
            dir,
            seed: String::new(),
            hosts: hosts.to_vec(),
            children: HashMap::new(),
        };
        for name in names {
            let id = this.ca.identity(name, &host_refs);
            std::fs::write(this.dir.join(format!("{name}.pem")), &id.cert_pem).unwrap();
            std::fs::write(this.dir.join(format!("{name}.key")), &id.key_pem).unwrap();
            let (prefix, host) = wrap(name).unwrap_or((Vec::new(), "127.0.0.1".to_owned()));
            let addr = format!("{host}:{}", free_port());
            let mut cmd = match prefix.split_first() {
                Some((program, rest)) => {
                    let mut cmd = Command::new(program);
                    cmd.args(rest).arg(env!("CARGO_BIN_EXE_typact-remote-node"));
                    cmd
                }
                None => Command::new(env!("CARGO_BIN_EXE_typact-remote-node")),
            };
            cmd.args(["--name", name, "--cluster", cluster, "--listen", &addr])
                .arg("--tls")
                .arg(&this.dir);
            if !this.seed.is_empty() {
                cmd.args(["--connect", &this.seed]);
            }
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("the node binary starts");
            let stdout = child.stdout.take().unwrap();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { return };
                    let _ = tx.send(line);
                }
            });
            let line = rx.recv_timeout(GUARD).expect("the node says ready");
            assert_eq!(line, format!("ready {name}"));
            if this.seed.is_empty() {
                this.seed = addr;
            }
            this.children.insert((*name).to_owned(), child);
        }
        this
    }

    /// Opens node `name` in this process, connected to the first process.
    pub(crate) async fn node(&self, name: &str) -> Node {
        let hosts: Vec<&str> = self.hosts.iter().map(String::as_str).collect();
        let config = ZenohConfig::mutual_tls(self.ca.identity(name, &hosts)).connect(&self.seed);
        Node::builder(name)
            .cluster(&self.cluster)
            .zenoh(config)
            .open()
            .await
            .unwrap()
    }

    /// Kills process `name` (SIGKILL: no goodbye to the others).
    pub(crate) fn kill(&mut self, name: &str) {
        if let Some(mut child) = self.children.remove(name) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let names: Vec<String> = self.children.keys().cloned().collect();
        for name in names {
            self.kill(&name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
