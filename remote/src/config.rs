//! How a node joins zenoh: addresses, security, liveliness lease.

use std::time::Duration;

use base64::Engine;

use crate::error::RemoteError;
use crate::transport::TransportError;

/// The default liveliness lease of a zenoh node: a node that stops
/// answering is seen as down within about this long.
pub const DEFAULT_ZENOH_LEASE: Duration = Duration::from_secs(2);

/// A node's TLS identity: the cluster's certificate authority and the
/// node's own certificate and key, all PEM.
///
/// Every node presents its certificate both when it listens and when it
/// connects, and accepts only peers whose certificate the authority signed
/// (mutual authentication). See [`CertificateAuthority`](crate::CertificateAuthority)
/// for making them in tests.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The authority's certificate (PEM): the only one trusted.
    pub ca_pem: String,
    /// This node's certificate (PEM), signed by the authority.
    pub cert_pem: String,
    /// This node's private key (PEM).
    pub key_pem: String,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity").finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
enum Security {
    MutualTls(TlsIdentity),
    PlainTcp,
}

/// A node's zenoh configuration: what it listens on and connects to, and
/// how it is secured. TLS with mutual authentication unless made with
/// [`plain_tcp_insecure`](ZenohConfig::plain_tcp_insecure).
///
/// Nodes run in zenoh's peer mode with multicast scouting off: each node
/// connects to the addresses it is given, and gossip introduces the peers
/// of its peers, so a cluster needs no router.
#[derive(Clone, Debug)]
pub struct ZenohConfig {
    security: Security,
    listen: Vec<String>,
    connect: Vec<String>,
    lease: Duration,
    extra: Vec<(String, String)>,
}

impl ZenohConfig {
    /// TLS with mutual authentication, with `identity`.
    pub fn mutual_tls(identity: TlsIdentity) -> Self {
        Self::with(Security::MutualTls(identity))
    }

    /// Plain, unauthenticated, unencrypted TCP: any process that can reach
    /// the port can join the cluster and send any message. For trusted
    /// networks only; opening such a node logs a warning.
    pub fn plain_tcp_insecure() -> Self {
        Self::with(Security::PlainTcp)
    }

    fn with(security: Security) -> Self {
        ZenohConfig {
            security,
            listen: Vec::new(),
            connect: Vec::new(),
            lease: DEFAULT_ZENOH_LEASE,
            extra: Vec::new(),
        }
    }

    /// Listens on `addr` (`"127.0.0.1:7447"`).
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen.push(addr.into());
        self
    }

    /// Connects to a node listening on `addr`, retrying until it answers.
    pub fn connect(mut self, addr: impl Into<String>) -> Self {
        self.connect.push(addr.into());
        self
    }

    /// Sets the liveliness lease (default [`DEFAULT_ZENOH_LEASE`]).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets any other zenoh configuration key, as zenoh's `insert_json5`.
    pub fn insert_json5(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((key.into(), value.into()));
        self
    }

    fn proto(&self) -> &'static str {
        match self.security {
            Security::MutualTls(_) => "tls",
            Security::PlainTcp => "tcp",
        }
    }

    /// The zenoh configuration a node named `node` opens its session with
    /// (for a raw zenoh session beside the nodes, as the benchmarks do).
    ///
    /// # Errors
    ///
    /// When zenoh refuses a setting (one given with
    /// [`insert_json5`](Self::insert_json5), say).
    pub fn to_zenoh(&self, node: &str) -> Result<zenoh::Config, RemoteError> {
        let bad = |key: &str, e: zenoh::Error| {
            RemoteError::Transport(TransportError::Other(format!("zenoh config {key}: {e}")))
        };
        let quote = |v: &[String]| {
            let list: Vec<String> = v
                .iter()
                .map(|a| format!("\"{}/{a}\"", self.proto()))
                .collect();
            format!("[{}]", list.join(","))
        };
        let mut c = zenoh::Config::default();
        let ms = self.lease.as_millis().max(100);
        let mut settings = vec![
            ("mode".to_owned(), "\"peer\"".to_owned()),
            ("scouting/multicast/enabled".to_owned(), "false".to_owned()),
            ("listen/endpoints".to_owned(), quote(&self.listen)),
            ("connect/endpoints".to_owned(), quote(&self.connect)),
            // Connect in the background, retrying, whoever starts first.
            ("connect/timeout_ms".to_owned(), "-1".to_owned()),
            ("connect/exit_on_failure".to_owned(), "false".to_owned()),
            (
                "connect/retry".to_owned(),
                "{period_init_ms: 100, period_max_ms: 500, period_increase_factor: 2}".to_owned(),
            ),
            ("transport/link/tx/lease".to_owned(), ms.to_string()),
            ("transport/link/tx/keep_alive".to_owned(), "4".to_owned()),
            ("adminspace/enabled".to_owned(), "false".to_owned()),
            (
                "transport/link/protocols".to_owned(),
                format!("[\"{}\"]", self.proto()),
            ),
        ];
        match &self.security {
            Security::MutualTls(id) => {
                let b64 = |pem: &str| {
                    format!(
                        "\"{}\"",
                        base64::engine::general_purpose::STANDARD.encode(pem.as_bytes())
                    )
                };
                let tls = "transport/link/tls/";
                settings.extend([
                    (format!("{tls}root_ca_certificate_base64"), b64(&id.ca_pem)),
                    (format!("{tls}listen_certificate_base64"), b64(&id.cert_pem)),
                    (format!("{tls}listen_private_key_base64"), b64(&id.key_pem)),
                    (
                        format!("{tls}connect_certificate_base64"),
                        b64(&id.cert_pem),
                    ),
                    (format!("{tls}connect_private_key_base64"), b64(&id.key_pem)),
                    (format!("{tls}enable_mtls"), "true".to_owned()),
                    (format!("{tls}verify_name_on_connect"), "true".to_owned()),
                ]);
            }
            Security::PlainTcp => {
                tracing::warn!(
                    node,
                    "typact-remote: node {node} runs on plain TCP: no authentication, no encryption; any process that reaches its port can join the cluster"
                );
            }
        }
        settings.extend(self.extra.iter().cloned());
        for (key, value) in &settings {
            c.insert_json5(key, value).map_err(|e| bad(key, e))?;
        }
        Ok(c)
    }
}
