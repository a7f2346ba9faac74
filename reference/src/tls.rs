//! TLS configurations (rustls with ring) for wss://, one-line TLS errors, and throw-away
//! certificates made at run time ([docs/target.md](../../docs/target.md#tls-proxies-and-request-shaping)).

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore,
    ServerConfig, SignatureScheme,
};
use std::path::Path;
use std::sync::Arc;

/// The only application protocol either side offers: WebSocket upgrades
/// ride on HTTP/1.1 (RFC 6455 §4.1).
pub const ALPN: &[u8] = b"http/1.1";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Certificates in a PEM file, in order (leaf first for a chain).
pub fn certs_from_pem_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{shown} is not PEM: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{shown} holds no CERTIFICATE block"));
    }
    Ok(certs)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) in a PEM file.
pub fn key_from_pem_file(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|_| format!("{shown} holds no PEM private key"))
}

/// A server configuration from a certificate chain and its key.
pub fn server_config_from(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| match e {
            Error::InconsistentKeys(_) => {
                "the key does not belong to the certificate (its public key differs)".to_string()
            }
            other => format!("the certificate and key cannot be used: {other}"),
        })?;
    config.alpn_protocols = vec![ALPN.to_vec()];
    Ok(Arc::new(config))
}

/// A server configuration from `--tls-cert` and `--tls-key` PEM files.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    server_config_from(certs_from_pem_file(cert)?, key_from_pem_file(key)?)
        .map_err(|e| format!("{} with {}: {e}", cert.display(), key.display()))
}

/// Which server certificates a client accepts.
#[derive(Debug, Clone, Default)]
pub enum Trust {
    /// The platform's trust store (rustls-native-certs).
    #[default]
    Platform,
    /// Only these authorities (`--ca-file`, or a throw-away CA).
    Only(Vec<CertificateDer<'static>>),
    /// Any certificate at all (`--insecure`): no authentication.
    Anything,
}

impl Trust {
    /// `--ca-file PEM` when given, else the platform's store.
    pub fn from_ca_file(path: Option<&Path>) -> Result<Trust, String> {
        match path {
            Some(p) => Ok(Trust::Only(certs_from_pem_file(p)?)),
            None => Ok(Trust::Platform),
        }
    }
}

/// A client configuration: the roots `trust` names, ALPN `http/1.1`.
/// SNI comes from the host name each connection is made for.
pub fn client_config(trust: &Trust) -> Result<Arc<ClientConfig>, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let mut config = match trust {
        Trust::Anything => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything(provider())))
            .with_no_client_auth(),
        Trust::Only(cas) => {
            let mut roots = RootCertStore::empty();
            let (added, _) = roots.add_parsable_certificates(cas.iter().cloned());
            if added == 0 {
                return Err("the CA file holds no usable certificate".into());
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Trust::Platform => {
            let found = rustls_native_certs::load_native_certs();
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(
                    "the platform's trust store has no certificates; give --ca-file PEM".into(),
                );
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
    };
    config.alpn_protocols = vec![ALPN.to_vec()];
    Ok(Arc::new(config))
}

/// `--insecure`: any certificate passes, but the handshake signature must
/// still verify (so the connection is at least a TLS connection to the
/// holder of the presented key).
#[derive(Debug)]
struct AcceptAnything(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The host part of a URL as a TLS server name (a DNS name, or an IP
/// address, which rustls checks against the certificate's IP entries).
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.trim_matches(['[', ']']).to_string())
        .map_err(|_| format!("{host} is not a valid TLS server name"))
}

/// A TLS error as the end of one line: `TLS handshake with HOST failed: …`.
pub fn describe(error: &Error, host: &str) -> String {
    match error {
        Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => {
                "the certificate is not signed by a trusted authority (see --ca-file)".into()
            }
            CertificateError::NotValidForName => {
                format!("the certificate is not valid for the name {host}")
            }
            CertificateError::NotValidForNameContext { presented, .. } if presented.is_empty() => {
                format!("the certificate is not valid for the name {host} (it names no host)")
            }
            CertificateError::NotValidForNameContext { presented, .. } => format!(
                "the certificate is not valid for the name {host} (it names {})",
                presented
                    .iter()
                    .map(|name| plain_name(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CertificateError::ExpiredContext { time, not_after } => {
                match time.as_secs().saturating_sub(not_after.as_secs()) / 86_400 {
                    0 => "the certificate has expired (less than a day ago)".into(),
                    1 => "the certificate has expired (1 day ago)".into(),
                    days => format!("the certificate has expired ({days} days ago)"),
                }
            }
            CertificateError::Expired => "the certificate has expired".into(),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "the certificate is not valid yet".into()
            }
            CertificateError::Revoked => "the certificate is revoked".into(),
            CertificateError::BadSignature => {
                "the certificate's signature does not verify (an authority of the same name?)"
                    .into()
            }
            CertificateError::BadEncoding => "the certificate cannot be decoded".into(),
            CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
                "the certificate is not for TLS servers".into()
            }
            CertificateError::Other(other) => match other.0.to_string().as_str() {
                "CaUsedAsEndEntity" => "the server presents a CA certificate as its own \
                                        (serve one the CA issued; give the CA to --ca-file)"
                    .into(),
                cause => format!("the certificate was refused: {}", words(cause)),
            },
            other => format!("the certificate was refused: {}", words(&other.to_string())),
        },
        Error::AlertReceived(alert) => format!("the peer refused it ({})", alert_name(*alert)),
        Error::InvalidMessage(_) => {
            "the peer's answer is not TLS (is it a plain ws:// or http:// port?)".into()
        }
        Error::PeerIncompatible(_) => {
            "the peer has no TLS version or cipher suite in common with rustls".into()
        }
        Error::NoApplicationProtocol => "the peer does not offer ALPN http/1.1".into(),
        Error::NoCertificatesPresented => "the peer presented no certificate".into(),
        Error::DecryptError => "the peer's records do not decrypt".into(),
        // rustls words these with Rust names (enum variants): say what happened instead.
        Error::InappropriateMessage { .. }
        | Error::InappropriateHandshakeMessage { .. }
        | Error::PeerMisbehaved(_) => "the peer broke the TLS protocol".into(),
        other => other.to_string(),
    }
}

/// A failed TLS handshake (an I/O error from rustls or tokio-rustls) as the
/// end of one line, from either side; `peer` names the other end.
pub fn describe_io(error: &std::io::Error, peer: &str) -> String {
    use std::io::ErrorKind;
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
    {
        return describe(tls, peer);
    }
    match error.kind() {
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset => {
            "the peer closed the connection (is it a plain ws:// or http:// port?)".into()
        }
        ErrorKind::WouldBlock | ErrorKind::TimedOut => "the peer did not answer in time".into(),
        _ => error.to_string(),
    }
}

/// Why a client's TLS handshake with the server failed, for the server's log.
pub fn describe_accept(error: &std::io::Error) -> String {
    let tls = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>());
    match tls {
        Some(Error::AlertReceived(alert)) => {
            format!("the client refused it ({})", alert_name(*alert))
        }
        Some(Error::InvalidMessage(_)) => {
            "the client does not speak TLS (plain ws:// or http:// to a wss:// port?)".into()
        }
        Some(Error::NoApplicationProtocol) => "the client offers ALPN but not http/1.1".into(),
        Some(Error::PeerIncompatible(_)) => {
            "the client has no TLS version or cipher suite in common with rustls".into()
        }
        Some(other) => describe(other, "the client"),
        None if error.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the client closed the connection".into()
        }
        None => error.to_string(),
    }
}

/// A cause that rustls or webpki names by its Rust variant
/// (`CaUsedAsEndEntity`), as words (`ca used as end entity`); prose as it is.
fn words(cause: &str) -> String {
    let variant = cause
        .split(['(', '{'])
        .next()
        .unwrap_or_default()
        .trim_end();
    let is_variant = variant.starts_with(|c: char| c.is_ascii_uppercase())
        && variant.chars().all(|c| c.is_ascii_alphanumeric());
    if !is_variant {
        return cause.to_string();
    }
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A name webpki presents as `DnsName("example.test")` or
/// `IpAddress(127.0.0.1)`, as the bare name.
fn plain_name(presented: &str) -> &str {
    for kind in ["DnsName", "IpAddress", "UniformResourceIdentifier"] {
        if let Some(inner) = presented
            .strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix('('))
            .and_then(|rest| rest.strip_suffix(')'))
        {
            return inner.trim_matches('"');
        }
    }
    presented
}

/// An alert's name as RFC 8446 §6 spells it.
fn alert_name(alert: AlertDescription) -> String {
    let name = match alert {
        AlertDescription::HandshakeFailure => "handshake_failure",
        AlertDescription::BadCertificate => "bad_certificate",
        AlertDescription::UnsupportedCertificate => "unsupported_certificate",
        AlertDescription::CertificateExpired => "certificate_expired",
        AlertDescription::CertificateUnknown => "certificate_unknown",
        AlertDescription::UnknownCA => "unknown_ca",
        AlertDescription::DecodeError => "decode_error",
        AlertDescription::DecryptError => "decrypt_error",
        AlertDescription::ProtocolVersion => "protocol_version",
        AlertDescription::InternalError => "internal_error",
        AlertDescription::UnrecognisedName => "unrecognized_name",
        AlertDescription::NoApplicationProtocol => "no_application_protocol",
        AlertDescription::IllegalParameter => "illegal_parameter",
        AlertDescription::UnexpectedMessage => "unexpected_message",
        other => return format!("alert {}", u8::from(other)),
    };
    name.to_string()
}

/// A throw-away certificate authority, made in memory: for tests and for
/// `voxproof --tls` against the embedded reference. Its key never leaves
/// the process.
pub struct ThrowawayCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A server certificate issued by a [`ThrowawayCa`], with its key.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

impl ThrowawayCa {
    pub fn new() -> ThrowawayCa {
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own: chains are built by name, and two CAs of one
        // name would make a stranger's certificate fail on its signature
        // rather than on its unknown issuer.
        let name = format!("voxproof throw-away CA {:08x}", rand::random::<u32>());
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("ring generates P-256 keys");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("a CA certificate signs");
        ThrowawayCa { issuer }
    }

    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A client trusting this CA alone.
    pub fn trust(&self) -> Trust {
        Trust::Only(vec![self.cert_der()])
    }

    /// A certificate for `names` (DNS names or IP addresses), valid now.
    pub fn issue(&self, names: &[&str]) -> Issued {
        self.issue_with(names, |_| {})
    }

    /// A certificate for `names` that expired in 2001.
    pub fn issue_expired(&self, names: &[&str]) -> Issued {
        self.issue_with(names, |p| {
            p.not_before = rcgen::date_time_ymd(2000, 1, 1);
            p.not_after = rcgen::date_time_ymd(2001, 1, 1);
        })
    }

    fn issue_with(&self, names: &[&str], adjust: impl FnOnce(&mut CertificateParams)) -> Issued {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("names are valid SANs");
        params
            .distinguished_name
            .push(DnType::CommonName, "voxproof throw-away server");
        adjust(&mut params);
        let key = KeyPair::generate().expect("ring generates P-256 keys");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("the CA signs the certificate");
        Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            chain: vec![cert.der().clone()],
            key_der: key.serialize_der(),
        }
    }
}

impl Default for ThrowawayCa {
    fn default() -> Self {
        ThrowawayCa::new()
    }
}

impl Issued {
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(self.key_der.clone().into());
        server_config_from(self.chain.clone(), key).expect("an issued certificate fits its key")
    }

    /// Write `cert.pem` and `key.pem` into `dir`, for a server started by path.
    pub fn write_to(
        &self,
        dir: &Path,
    ) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf)> {
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, &self.cert_pem)?;
        std::fs::write(&key, &self.key_pem)?;
        Ok((cert, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_certificate_loads_as_a_server_configuration() {
        let ca = ThrowawayCa::new();
        let issued = ca.issue(&["localhost", "127.0.0.1"]);
        assert_eq!(issued.server_config().alpn_protocols, vec![ALPN.to_vec()]);
        assert!(client_config(&ca.trust()).is_ok());
    }

    #[test]
    fn names_are_shown_bare() {
        assert_eq!(plain_name("DnsName(\"example.test\")"), "example.test");
        assert_eq!(plain_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(plain_name("Unsupported(0x80)"), "Unsupported(0x80)");
        assert_eq!(
            words("UnknownRevocationStatus"),
            "unknown revocation status"
        );
        assert_eq!(
            words("RequiredEkuNotFoundContext(x)"),
            "required eku not found context"
        );
        assert_eq!(words("certificate expired: x"), "certificate expired: x");
        assert_eq!(words("Bad thing (x)"), "Bad thing (x)");
    }

    #[test]
    fn errors_name_their_cause_in_words() {
        let e = Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(describe(&e, "example.test").contains("trusted authority"));
        let e = Error::AlertReceived(AlertDescription::HandshakeFailure);
        assert_eq!(describe(&e, "h"), "the peer refused it (handshake_failure)");
    }
}
