//! Certificates for tests and examples, made with rcgen.

use crate::config::TlsIdentity;

/// A certificate authority made on the spot, to sign the nodes of a test
/// or an example cluster. Production clusters bring their own PKI and fill
/// a [`TlsIdentity`] from its files.
///
/// # Examples
///
/// ```
/// let ca = typact_remote::CertificateAuthority::new("test cluster");
/// let node = ca.identity("n1", &["127.0.0.1", "localhost"]);
/// assert!(node.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
/// assert_eq!(node.ca_pem, ca.pem());
/// ```
pub struct CertificateAuthority {
    key: rcgen::KeyPair,
    cert: rcgen::Certificate,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// A new self-signed authority called `name`.
    ///
    /// # Panics
    ///
    /// If rcgen cannot make a key (it always can with its ring backend).
    pub fn new(name: &str) -> Self {
        let key = rcgen::KeyPair::generate().expect("rcgen makes a key");
        let mut params =
            rcgen::CertificateParams::new(Vec::<String>::new()).expect("no names is valid");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("rcgen signs");
        CertificateAuthority { key, cert }
    }

    /// The authority's certificate, PEM.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A node identity signed by this authority, valid for the host names
    /// and IP addresses in `hosts` (what other nodes connect to).
    ///
    /// # Panics
    ///
    /// If a host is neither a DNS name nor an IP address.
    pub fn identity(&self, node: &str, hosts: &[&str]) -> TlsIdentity {
        let key = rcgen::KeyPair::generate().expect("rcgen makes a key");
        let names: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names).expect("valid host names");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, node);
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("rcgen signs");
        TlsIdentity {
            ca_pem: self.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}
