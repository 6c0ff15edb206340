//! A TLS front for a plaintext test broker: Tansu speaks no TLS, so the suite puts this
//! proxy before it (and makes Tansu advertise the proxy's address) to test the worker's
//! `security.protocol=SSL` against a real broker.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

/// A TLS listener on loopback that forwards each connection to `upstream` in plaintext.
pub struct TlsProxy {
    pub port: u16,
    /// The proxy's self-signed certificate (for `localhost` and `127.0.0.1`), which is
    /// also the CA a client must trust.
    pub ca_pem: PathBuf,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl TlsProxy {
    /// Listens on `port` (0: any free port).
    pub fn start(upstream: SocketAddr, port: u16) -> TlsProxy {
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
        ])
        .expect("self-signed certificate");
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_pem = dir.path().join("ca.pem");
        std::fs::write(&ca_pem, certified.cert.pem()).expect("write certificate");
        let key = rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
            .expect("private key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("server certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind(("127.0.0.1", port)))
            .expect("bind the TLS proxy");
        let port = listener.local_addr().expect("address").port();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that does not speak TLS fails here, as at a real TLS broker.
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        return;
                    };
                    if let Ok(mut broker) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut broker).await;
                    }
                });
            }
        });
        TlsProxy {
            port,
            ca_pem,
            _dir: dir,
            _runtime: runtime,
        }
    }
}
