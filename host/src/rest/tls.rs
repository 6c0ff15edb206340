//! HTTPS for the REST listener (`listeners=https://host:port`), configured with Kafka's keys
//! and served with rustls.
//!
//! As Kafka, the keys are `listeners.https.ssl.*` when any key starts with `listeners.https.`,
//! else the worker's un-prefixed `ssl.*` ("all or nothing": the two are never mixed).
//! Keystores and truststores are PEM (`ssl.keystore.type=PEM`): a file at
//! `ssl.keystore.location` holding the private key and the certificate chain, or the inline
//! `ssl.keystore.key` + `ssl.keystore.certificate.chain`; CA certificates at
//! `ssl.truststore.location` or inline in `ssl.truststore.certificates`.
//! `ssl.client.auth=required|requested|none` asks clients for certificates signed by those CAs.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Kafka's prefix for the https listener's own SSL keys.
const PREFIX: &str = "listeners.https.";

/// A client that connects but does not finish its handshake is dropped after this long.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// SSL keys Kafka knows that have no meaning here; named in a warning when set.
const IGNORED: &[(&str, &str)] = &[
    (
        "ssl.cipher.suites",
        "rustls's own suites are used (TLS 1.3 and TLS 1.2 AEAD suites with forward secrecy)",
    ),
    (
        "ssl.keystore.password",
        "PEM keystores are read without a password",
    ),
    (
        "ssl.truststore.password",
        "PEM truststores are read without a password",
    ),
];

/// The SSL keys of the https listener, with Kafka's all-or-nothing prefix rule.
struct SslKeys<'a> {
    props: &'a HashMap<String, String>,
    prefix: &'static str,
}

impl<'a> SslKeys<'a> {
    fn new(props: &'a HashMap<String, String>) -> Self {
        let prefixed = props.keys().any(|k| k.starts_with(PREFIX));
        SslKeys {
            props,
            prefix: if prefixed { PREFIX } else { "" },
        }
    }

    /// The full key name, as the operator wrote it (for error messages).
    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.props
            .get(&self.name(key))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// The rustls configuration of an https listener, from the worker's properties; every error
/// names the key (and the file) at fault.
pub fn server_config(props: &HashMap<String, String>) -> anyhow::Result<Arc<ServerConfig>> {
    let keys = SslKeys::new(props);
    for (key, why) in IGNORED {
        if keys.get(key).is_some() {
            tracing::warn!("{} is ignored: {why}", keys.name(key));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&protocol_versions(&keys)?)
        .context("TLS protocol versions")?;
    let builder = match client_auth(&keys)? {
        ClientAuth::None => builder.with_no_client_auth(),
        auth => {
            let roots = Arc::new(trust_store(&keys)?);
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider);
            let verifier = if auth == ClientAuth::Requested {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier = verifier
                .build()
                .with_context(|| format!("invalid {}", keys.name("ssl.truststore.location")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let (chain, key, source) = key_store(&keys)?;
    let mut config = builder
        .with_single_cert(chain, key)
        .with_context(|| format!("invalid key or certificate in {source}"))?;
    // axum serves HTTP/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn protocol_versions(
    keys: &SslKeys,
) -> anyhow::Result<Vec<&'static rustls::SupportedProtocolVersion>> {
    let Some(list) = keys.get("ssl.enabled.protocols") else {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    };
    let mut versions = Vec::new();
    for name in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match name {
            "TLSv1.3" => versions.push(&rustls::version::TLS13),
            "TLSv1.2" => versions.push(&rustls::version::TLS12),
            other => tracing::warn!(
                "{}: {other} is not supported and is skipped (TLSv1.2 and TLSv1.3 are)",
                keys.name("ssl.enabled.protocols")
            ),
        }
    }
    if versions.is_empty() {
        bail!(
            "{}={list} enables no protocol this worker supports: use TLSv1.2 and/or TLSv1.3",
            keys.name("ssl.enabled.protocols")
        );
    }
    Ok(versions)
}

#[derive(Debug, PartialEq, Eq)]
enum ClientAuth {
    None,
    Requested,
    Required,
}

fn client_auth(keys: &SslKeys) -> anyhow::Result<ClientAuth> {
    match keys
        .get("ssl.client.auth")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("none") => Ok(ClientAuth::None),
        Some("requested") => Ok(ClientAuth::Requested),
        Some("required") => Ok(ClientAuth::Required),
        Some(other) => bail!(
            "Invalid value {other} for configuration {}: expected required, requested or none",
            keys.name("ssl.client.auth")
        ),
    }
}

/// Refuses store types other than PEM, naming the key.
fn require_pem(keys: &SslKeys, type_key: &str) -> anyhow::Result<()> {
    match keys.get(type_key) {
        None => Ok(()),
        Some(t) if t.eq_ignore_ascii_case("PEM") => Ok(()),
        Some(t) => bail!(
            "{}={t} is not supported: this worker reads PEM files only (set it to PEM and \
             convert the store, e.g. `keytool -importkeystore` then `openssl pkcs12 -nodes`)",
            keys.name(type_key)
        ),
    }
}

/// Reads a file named by a key; the error names both.
fn read_named(keys: &SslKeys, key: &str, path: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{}: cannot read {path}", keys.name(key)))
}

type KeyStore = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String);

/// The certificate chain and private key, and where they came from.
fn key_store(keys: &SslKeys) -> anyhow::Result<KeyStore> {
    require_pem(keys, "ssl.keystore.type")?;
    let inline = (
        keys.get("ssl.keystore.certificate.chain"),
        keys.get("ssl.keystore.key"),
    );
    match (inline, keys.get("ssl.keystore.location")) {
        ((Some(chain), Some(key)), None) => {
            let chain_key = keys.name("ssl.keystore.certificate.chain");
            let key_key = keys.name("ssl.keystore.key");
            Ok((
                certificates(chain.as_bytes(), &chain_key)?,
                private_key(key.as_bytes(), &key_key)?,
                format!("{chain_key} and {key_key}"),
            ))
        }
        ((None, None), Some(path)) => {
            let pem = read_named(keys, "ssl.keystore.location", path)?;
            let source = format!("{}={path}", keys.name("ssl.keystore.location"));
            Ok((
                certificates(&pem, &source)?,
                private_key(&pem, &source)?,
                source,
            ))
        }
        ((None, None), None) => bail!(
            "an https listener needs a key and certificate: set {} to a PEM file holding both \
             (or {} and {} inline)",
            keys.name("ssl.keystore.location"),
            keys.name("ssl.keystore.key"),
            keys.name("ssl.keystore.certificate.chain")
        ),
        _ => bail!(
            "set either {} or both {} and {}",
            keys.name("ssl.keystore.location"),
            keys.name("ssl.keystore.key"),
            keys.name("ssl.keystore.certificate.chain")
        ),
    }
}

/// The CA certificates client certificates must be signed by.
fn trust_store(keys: &SslKeys) -> anyhow::Result<RootCertStore> {
    require_pem(keys, "ssl.truststore.type")?;
    let (pem, source) = match (
        keys.get("ssl.truststore.location"),
        keys.get("ssl.truststore.certificates"),
    ) {
        (Some(path), None) => (
            read_named(keys, "ssl.truststore.location", path)?,
            format!("{}={path}", keys.name("ssl.truststore.location")),
        ),
        (None, Some(inline)) => (
            inline.as_bytes().to_vec(),
            keys.name("ssl.truststore.certificates"),
        ),
        (None, None) => bail!(
            "{} asks for client certificates: set {} to a PEM file of the CA certificates \
             that sign them",
            keys.name("ssl.client.auth"),
            keys.name("ssl.truststore.location")
        ),
        (Some(_), Some(_)) => bail!(
            "set either {} or {}, not both",
            keys.name("ssl.truststore.location"),
            keys.name("ssl.truststore.certificates")
        ),
    };
    let mut roots = RootCertStore::empty();
    for cert in certificates(&pem, &source)? {
        roots
            .add(cert)
            .with_context(|| format!("{source}: invalid CA certificate"))?;
    }
    Ok(roots)
}

fn certificates(pem: &[u8], source: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{source}: invalid PEM: {e}"))?;
    if certs.is_empty() {
        bail!("{source} holds no certificate (no -----BEGIN CERTIFICATE----- block)");
    }
    Ok(certs)
}

fn private_key(pem: &[u8], source: &str) -> anyhow::Result<PrivateKeyDer<'static>> {
    if pem
        .windows(b"ENCRYPTED PRIVATE KEY".len())
        .any(|w| w == b"ENCRYPTED PRIVATE KEY")
    {
        bail!(
            "{source}: the private key is encrypted, which this worker does not read \
             (ssl.key.password is not supported): decrypt it with \
             `openssl pkey -in key.pem -out plain-key.pem` and protect the file's permissions"
        );
    }
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => anyhow::anyhow!(
            "{source} holds no private key (no -----BEGIN PRIVATE KEY----- block, nor RSA or EC)"
        ),
        e => anyhow::anyhow!("{source}: invalid private key PEM: {e}"),
    })
}

/// Accepts TCP connections and hands over those whose TLS handshake succeeded. Handshakes
/// run in their own tasks, so a slow or silent client never holds up the others; a client
/// that speaks plain HTTP fails its handshake and gets no HTTP answer.
pub struct TlsListener {
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (ready, connections) = mpsc::channel(64);
        let tls = TlsAcceptor::from(config);
        let acceptor = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // As axum's own listener: per-connection errors are not worth a pause,
                        // others (out of file descriptors) are.
                        if !matches!(
                            e.kind(),
                            io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                        ) {
                            tracing::error!("REST API: accepting a connection failed: {e}");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        continue;
                    }
                };
                let (tls, ready) = (tls.clone(), ready.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let _ = ready.send((stream, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            connections,
            local,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(connection) => connection,
            // The acceptor task only ends when aborted (the listener is being dropped).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;

    fn error(pairs: &[(&str, &str)]) -> String {
        format!("{:#}", server_config(&props(pairs)).unwrap_err())
    }

    fn self_signed() -> rcgen::CertifiedKey<rcgen::KeyPair> {
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap()
    }

    #[test]
    fn a_pem_file_with_key_and_chain_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keystore.pem");
        let cert = self_signed();
        std::fs::write(
            &path,
            format!("{}{}", cert.signing_key.serialize_pem(), cert.cert.pem()),
        )
        .unwrap();
        let path = path.to_str().unwrap();
        server_config(&props(&[("ssl.keystore.location", path)])).unwrap();
        server_config(&props(&[
            ("listeners.https.ssl.keystore.type", "PEM"),
            ("listeners.https.ssl.keystore.location", path),
            ("listeners.https.ssl.client.auth", "requested"),
            ("listeners.https.ssl.truststore.location", path),
        ]))
        .unwrap();
    }

    #[test]
    fn inline_key_and_chain_are_served() {
        let cert = self_signed();
        let (key, chain) = (cert.signing_key.serialize_pem(), cert.cert.pem());
        server_config(&props(&[
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.key", &key),
            ("ssl.keystore.certificate.chain", &chain),
        ]))
        .unwrap();
        let err = error(&[("ssl.keystore.key", &key)]);
        assert!(err.contains("ssl.keystore.certificate.chain"), "{err}");
    }

    #[test]
    fn a_key_that_does_not_match_its_certificate_is_refused() {
        let (a, b) = (self_signed(), self_signed());
        let err = error(&[
            ("ssl.keystore.key", &a.signing_key.serialize_pem()),
            ("ssl.keystore.certificate.chain", &b.cert.pem()),
        ]);
        assert!(
            err.contains("invalid key or certificate in ssl.keystore.certificate.chain"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_keystore_names_the_key() {
        let err = error(&[]);
        assert!(err.contains("ssl.keystore.location"), "{err}");
        let err = error(&[("listeners.https.ssl.client.auth", "none")]);
        assert!(
            err.contains("listeners.https.ssl.keystore.location"),
            "{err}"
        );
    }

    #[test]
    fn an_unreadable_keystore_names_the_key_and_the_file() {
        let err = error(&[("ssl.keystore.location", "/nonexistent/key.pem")]);
        assert!(
            err.contains("ssl.keystore.location: cannot read /nonexistent/key.pem"),
            "{err}"
        );
    }

    #[test]
    fn prefixed_keys_hide_the_unprefixed_ones() {
        let err = error(&[
            ("ssl.keystore.location", "/plain/key.pem"),
            ("listeners.https.ssl.keystore.location", "/prefixed/key.pem"),
        ]);
        assert!(err.contains("/prefixed/key.pem"), "{err}");
    }

    #[test]
    fn a_file_without_pem_blocks_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "not pem at all").unwrap();
        let err = error(&[("ssl.keystore.location", path.to_str().unwrap())]);
        assert!(err.contains("holds no certificate"), "{err}");
        assert!(err.contains(path.to_str().unwrap()), "{err}");
    }

    #[test]
    fn jks_keystores_are_refused_with_a_hint() {
        let err = error(&[
            ("ssl.keystore.type", "JKS"),
            ("ssl.keystore.location", "/x.jks"),
        ]);
        assert!(
            err.contains("ssl.keystore.type=JKS is not supported"),
            "{err}"
        );
    }

    #[test]
    fn encrypted_keys_are_refused_with_a_hint() {
        let err = format!(
            "{:#}",
            private_key(
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "ssl.keystore.location=/k.pem"
            )
            .unwrap_err()
        );
        assert!(err.contains("encrypted"), "{err}");
    }

    #[test]
    fn client_auth_needs_a_truststore() {
        let err = error(&[("ssl.client.auth", "required")]);
        assert!(err.contains("ssl.truststore.location"), "{err}");
        let err = error(&[("ssl.client.auth", "sometimes")]);
        assert!(err.contains("sometimes"), "{err}");
    }

    #[test]
    fn only_tls12_and_tls13_can_be_enabled() {
        let err = error(&[("ssl.enabled.protocols", "TLSv1,TLSv1.1")]);
        assert!(err.contains("ssl.enabled.protocols"), "{err}");
    }
}
