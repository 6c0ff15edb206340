//! REST security on the real binary: HTTPS with Kafka's `listeners.https.ssl.*` keys (PEM),
//! client certificates, basic authentication against hashed credentials, CORS, and the
//! advertised URL. Clients are the real `curl` (HTTPS) and reqwest (plain HTTP).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use e2e::{
    connect_binary, curl, pairs, path_str, plugin_dir, standalone_failure, wait_until,
    worker_settings, Worker,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use serde_json::{json, Value};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const KAFKA_BASIC_AUTH: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

/// The settings of a worker with no plugins and no connectors, plus `extra`.
fn settings(dir: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let plugins = plugin_dir(dir, &[]);
    let mut settings = worker_settings(dir, &plugins, STRING);
    settings.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    settings
}

fn worker(dir: &Path, extra: &[(&str, &str)]) -> Worker {
    Worker::standalone(dir, &pairs(&settings(dir, extra)), &[])
}

fn fails_to_start(dir: &Path, extra: &[(&str, &str)]) -> String {
    standalone_failure(dir, &pairs(&settings(dir, extra)), &[])
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A self-signed server certificate for 127.0.0.1 and localhost: (keystore PEM holding the
/// key and the certificate, the certificate PEM for clients' `--cacert`).
fn server_keystore(dir: &Path) -> (PathBuf, PathBuf) {
    let server =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let keystore = write(
        dir,
        "server-keystore.pem",
        &format!(
            "{}{}",
            server.signing_key.serialize_pem(),
            server.cert.pem()
        ),
    );
    let cert = write(dir, "server-cert.pem", &server.cert.pem());
    (keystore, cert)
}

/// A CA and a client certificate it signed: (CA PEM, client certificate PEM, client key PEM).
fn client_pki(dir: &Path, prefix: &str) -> (PathBuf, PathBuf, PathBuf) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{prefix} test CA"));
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let mut client_params = CertificateParams::new(vec!["operator".to_string()]).unwrap();
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = KeyPair::generate().unwrap();
    let client = client_params.signed_by(&client_key, &ca).unwrap();
    (
        write(dir, &format!("{prefix}-ca.pem"), &ca.pem()),
        write(dir, &format!("{prefix}-client.pem"), &client.pem()),
        write(
            dir,
            &format!("{prefix}-client-key.pem"),
            &client_key.serialize_pem(),
        ),
    )
}

fn https_settings(keystore: &Path) -> Vec<(&str, &str)> {
    vec![
        ("listeners", "https://127.0.0.1:0"),
        ("listeners.https.ssl.keystore.type", "PEM"),
        ("listeners.https.ssl.keystore.location", path_str(keystore)),
    ]
}

/// The worker's URL with `http://` instead of `https://`.
fn as_plain_http(url: &str) -> String {
    url.replacen("https://", "http://", 1)
}

#[test]
fn https_answers_clients_that_trust_the_certificate_and_never_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let (keystore, cert) = server_keystore(dir.path());
    let w = worker(dir.path(), &https_settings(&keystore));
    assert!(w.rest.starts_with("https://127.0.0.1:"), "{}", w.rest);

    let answer = curl(&["--cacert", path_str(&cert), &format!("{}/", w.rest)]);
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.json()["version"].is_string(), "{answer:?}");
    let answer = curl(&[
        "--cacert",
        path_str(&cert),
        &format!("{}/connectors", w.rest),
    ]);
    assert_eq!(
        (answer.status, answer.json()),
        (200, json!([])),
        "{answer:?}"
    );

    // A client that does not trust the certificate stops at the handshake.
    let untrusted = curl(&[&format!("{}/", w.rest)]);
    assert_eq!(untrusted.status, 0, "{untrusted:?}");
    assert!(untrusted.error.contains("certificate"), "{untrusted:?}");

    // Plain HTTP to the same port gets no HTTP answer, from curl or from reqwest.
    let plain = curl(&[&format!("{}/connectors", as_plain_http(&w.rest))]);
    assert_eq!(plain.status, 0, "{plain:?}");
    assert!(!plain.body.contains("[]"), "{plain:?}");
    let plain = reqwest::blocking::Client::new()
        .get(format!("{}/connectors", as_plain_http(&w.rest)))
        .timeout(std::time::Duration::from_secs(20))
        .send();
    assert!(plain.is_err(), "{plain:?}");

    // The worker still serves TLS clients after the failed handshakes.
    let answer = curl(&["--cacert", path_str(&cert), &format!("{}/", w.rest)]);
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[test]
fn unprefixed_ssl_keys_with_inline_pem_serve_https() {
    let dir = tempfile::tempdir().unwrap();
    let server = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = write(dir.path(), "server-cert.pem", &server.cert.pem());
    // Properties values hold the PEM's line breaks as \n escapes.
    let key = server.signing_key.serialize_pem().replace('\n', "\\n");
    let chain = server.cert.pem().replace('\n', "\\n");
    let w = worker(
        dir.path(),
        &[
            ("listeners", "https://127.0.0.1:0"),
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.key", &key),
            ("ssl.keystore.certificate.chain", &chain),
        ],
    );
    let answer = curl(&["--cacert", path_str(&cert), &format!("{}/", w.rest)]);
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[test]
fn required_client_certificates_must_be_signed_by_the_truststore() {
    let dir = tempfile::tempdir().unwrap();
    let (keystore, cert) = server_keystore(dir.path());
    let (ca, client, client_key) = client_pki(dir.path(), "trusted");
    let (_, stranger, stranger_key) = client_pki(dir.path(), "untrusted");
    let mut https = https_settings(&keystore);
    https.extend([
        ("listeners.https.ssl.client.auth", "required"),
        ("listeners.https.ssl.truststore.type", "PEM"),
        ("listeners.https.ssl.truststore.location", path_str(&ca)),
    ]);
    let w = worker(dir.path(), &https);
    let url = format!("{}/connectors", w.rest);
    let cacert = path_str(&cert);

    let without = curl(&["--cacert", cacert, &url]);
    assert_eq!(without.status, 0, "{without:?}");
    let wrong_ca = curl(&[
        "--cacert",
        cacert,
        "--cert",
        path_str(&stranger),
        "--key",
        path_str(&stranger_key),
        &url,
    ]);
    assert_eq!(wrong_ca.status, 0, "{wrong_ca:?}");
    let with = curl(&[
        "--cacert",
        cacert,
        "--cert",
        path_str(&client),
        "--key",
        path_str(&client_key),
        &url,
    ]);
    assert_eq!((with.status, with.json()), (200, json!([])), "{with:?}");
}

#[test]
fn requested_client_certificates_are_optional() {
    let dir = tempfile::tempdir().unwrap();
    let (keystore, cert) = server_keystore(dir.path());
    let (ca, client, client_key) = client_pki(dir.path(), "trusted");
    let mut https = https_settings(&keystore);
    https.extend([
        ("listeners.https.ssl.client.auth", "requested"),
        ("listeners.https.ssl.truststore.location", path_str(&ca)),
    ]);
    let w = worker(dir.path(), &https);
    let url = format!("{}/", w.rest);
    let cacert = path_str(&cert);
    assert_eq!(curl(&["--cacert", cacert, &url]).status, 200);
    let with = curl(&[
        "--cacert",
        cacert,
        "--cert",
        path_str(&client),
        "--key",
        path_str(&client_key),
        &url,
    ]);
    assert_eq!(with.status, 200, "{with:?}");
}

#[test]
fn bad_keys_and_certificates_stop_the_worker_naming_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let mut https = https_settings(&missing);
    let log = fails_to_start(dir.path(), &https);
    assert!(
        log.contains(&format!(
            "listeners.https.ssl.keystore.location: cannot read {}",
            missing.display()
        )),
        "{log}"
    );

    let garbage = write(dir.path(), "garbage.pem", "this is no PEM file\n");
    https = https_settings(&garbage);
    let log = fails_to_start(dir.path(), &https);
    assert!(log.contains(path_str(&garbage)), "{log}");
    assert!(log.contains("holds no certificate"), "{log}");

    // A certificate without its key.
    let (_, cert_only) = server_keystore(dir.path());
    https = https_settings(&cert_only);
    let log = fails_to_start(dir.path(), &https);
    assert!(log.contains(path_str(&cert_only)), "{log}");
    assert!(log.contains("holds no private key"), "{log}");

    let log = fails_to_start(dir.path(), &[("listeners", "https://127.0.0.1:0")]);
    assert!(log.contains("ssl.keystore.location"), "{log}");
}

/// `connect rest hash-password USER` with the password on standard input.
fn hash_password_line(user: &str, password: &str) -> String {
    let mut child = Command::new(connect_binary())
        .args(["rest", "hash-password", user])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn get_as(url: &str, credentials: Option<(&str, &str)>) -> reqwest::blocking::Response {
    let mut request = reqwest::blocking::Client::new().get(url);
    if let Some((user, password)) = credentials {
        request = request.basic_auth(user, Some(password));
    }
    request.send().expect("REST request")
}

fn assert_unauthorized(response: reqwest::blocking::Response, realm: &str) {
    assert_eq!(response.status().as_u16(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert_eq!(challenge, format!("Basic realm=\"{realm}\""));
    let body: Value = response.json().unwrap();
    assert_eq!(body["error_code"], 401, "{body}");
    assert!(body["message"].is_string(), "{body}");
}

#[test]
fn basic_auth_answers_401_without_the_right_password_and_200_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let line = hash_password_line("alice", "correct horse");
    assert!(line.starts_with("alice:$argon2id$"), "{line}");
    let credentials = write(dir.path(), "credentials", &format!("# operators\n{line}\n"));
    let w = worker(
        dir.path(),
        &[("rest.basic.auth.credentials.file", path_str(&credentials))],
    );
    let url = format!("{}/connectors", w.rest);
    assert_unauthorized(get_as(&url, None), "KafkaConnect");
    assert_unauthorized(get_as(&url, Some(("alice", "wrong"))), "KafkaConnect");
    assert_unauthorized(get_as(&url, Some(("bob", "correct horse"))), "KafkaConnect");
    for _ in 0..2 {
        let ok = get_as(&url, Some(("alice", "correct horse")));
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(ok.json::<Value>().unwrap(), json!([]));
    }
    // Unknown paths are not revealed to strangers either.
    assert_unauthorized(get_as(&format!("{}/nothing", w.rest), None), "KafkaConnect");
}

#[test]
fn kafkas_basic_auth_extension_class_reads_the_credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let line = hash_password_line("ops", "pw");
    let credentials = write(dir.path(), "credentials", &format!("{line}\n"));
    let w = worker(
        dir.path(),
        &[
            ("rest.extension.classes", KAFKA_BASIC_AUTH),
            ("rest.basic.auth.credentials.file", path_str(&credentials)),
            ("rest.basic.auth.realm", "ops only"),
        ],
    );
    let url = format!("{}/", w.rest);
    assert_unauthorized(get_as(&url, None), "ops only");
    assert_eq!(get_as(&url, Some(("ops", "pw"))).status().as_u16(), 200);
}

#[test]
fn plain_text_passwords_stop_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = write(dir.path(), "credentials", "alice:hunter2\n");
    let log = fails_to_start(
        dir.path(),
        &[("rest.basic.auth.credentials.file", path_str(&credentials))],
    );
    assert!(log.contains(path_str(&credentials)), "{log}");
    assert!(log.contains("line 1"), "{log}");
    assert!(log.contains("user 'alice'"), "{log}");
    assert!(log.contains("plain-text passwords are refused"), "{log}");
    assert!(log.contains("connect rest hash-password alice"), "{log}");
}

fn preflight(url: &str, origin: &str, method: &str) -> reqwest::blocking::Response {
    reqwest::blocking::Client::new()
        .request(reqwest::Method::OPTIONS, url)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "content-type,authorization",
        )
        .send()
        .expect("REST request")
}

fn header(response: &reqwest::blocking::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[test]
fn cors_preflights_answer_with_the_configured_origin_and_methods() {
    let dir = tempfile::tempdir().unwrap();
    let line = hash_password_line("alice", "pw");
    let credentials = write(dir.path(), "credentials", &format!("{line}\n"));
    let w = worker(
        dir.path(),
        &[
            (
                "access.control.allow.origin",
                "https://ui.example,https://other.example",
            ),
            ("access.control.allow.methods", "GET,PUT,DELETE"),
            ("rest.basic.auth.credentials.file", path_str(&credentials)),
        ],
    );
    let url = format!("{}/connectors/c/config", w.rest);
    // Browsers send preflights without credentials: they are answered all the same.
    let answer = preflight(&url, "https://ui.example", "PUT");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(
        header(&answer, "access-control-allow-origin").as_deref(),
        Some("https://ui.example")
    );
    let methods = header(&answer, "access-control-allow-methods").unwrap_or_default();
    assert_eq!(methods.replace(' ', ""), "GET,PUT,DELETE");
    let allowed = header(&answer, "access-control-allow-headers").unwrap_or_default();
    assert!(
        allowed.to_ascii_lowercase().contains("authorization"),
        "{allowed}"
    );

    let stranger = preflight(&url, "https://evil.example", "PUT");
    assert_eq!(header(&stranger, "access-control-allow-origin"), None);

    // Actual requests carry the header too, 401s included.
    let get = reqwest::blocking::Client::new()
        .get(format!("{}/connectors", w.rest))
        .header("Origin", "https://other.example")
        .send()
        .unwrap();
    assert_eq!(get.status().as_u16(), 401);
    assert_eq!(
        header(&get, "access-control-allow-origin").as_deref(),
        Some("https://other.example")
    );
}

#[test]
fn without_security_settings_there_is_no_cors_and_no_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    let answer = preflight(
        &format!("{}/connectors", w.rest),
        "https://ui.example",
        "GET",
    );
    let cors: Vec<_> = answer
        .headers()
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .collect();
    assert!(cors.is_empty(), "{cors:?}");
    let get = reqwest::blocking::Client::new()
        .get(format!("{}/connectors", w.rest))
        .header("Origin", "https://ui.example")
        .send()
        .unwrap();
    assert_eq!(get.status().as_u16(), 200);
    assert_eq!(header(&get, "access-control-allow-origin"), None);
}

#[test]
fn the_worker_id_is_the_advertised_host_and_port() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let mut s = worker_settings(dir.path(), &plugins, STRING);
    for (k, v) in [
        ("rest.advertised.listener", "https"),
        ("rest.advertised.host.name", "connect.example.com"),
        ("rest.advertised.port", "8443"),
    ] {
        s.push((k.to_string(), v.to_string()));
    }
    let w = Worker::standalone(dir.path(), &pairs(&s), &[]);
    assert!(
        w.log()
            .contains("REST API advertised as https://connect.example.com:8443/"),
        "{}",
        w.log()
    );
    let input = write(dir.path(), "in.txt", "a\n");
    let (code, body) = w.call(
        "PUT",
        "/connectors/src/config",
        Some(json!({
            "connector.class": "FileStreamSource",
            "file": path_str(&input),
            "topic": "t",
        })),
    );
    assert_eq!(code, 201, "{body}");
    let mut status = Value::Null;
    let reported = wait_until(std::time::Duration::from_secs(30), || {
        status = w.get("/connectors/src/status").1;
        status["tasks"][0]["worker_id"].is_string()
    });
    assert!(reported, "{status}");
    assert_eq!(status["connector"]["worker_id"], "connect.example.com:8443");
    assert_eq!(status["tasks"][0]["worker_id"], "connect.example.com:8443");
}
