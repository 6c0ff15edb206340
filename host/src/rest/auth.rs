//! HTTP basic authentication of every REST request, against a credentials file of password
//! hashes: `rest.basic.auth.credentials.file`, off by default.
//!
//! The file has one `user:<hash>` line per user (`#` comments and blank lines allowed), the
//! hash a bcrypt (`$2b$…`) or argon2 PHC string (`$argon2id$…`). Plain-text passwords are
//! refused at start-up; `connect rest hash-password USER` makes a line. Kafka's
//! `rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension`
//! also turns it on, reading the same key (Kafka's JAAS file holds plain-text passwords).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use argon2::Argon2;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use password_hash::rand_core::{OsRng, RngCore};
use password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::RestError;

/// The worker key naming the credentials file.
pub const CREDENTIALS_FILE: &str = "rest.basic.auth.credentials.file";
/// The worker key of the realm in `WWW-Authenticate`.
pub const REALM: &str = "rest.basic.auth.realm";
/// Kafka's basic-auth REST extension, accepted in `rest.extension.classes` as a synonym.
pub const KAFKA_EXTENSION: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";
/// The realm when none is configured: the JAAS login context name of Kafka's extension.
const DEFAULT_REALM: &str = "KafkaConnect";
/// How long a successful verification is remembered.
const CACHE_TTL: Duration = Duration::from_secs(30);
/// At most this many remembered verifications (one per client and password in practice).
const CACHE_MAX: usize = 1024;

/// A stored password hash, checked when the file is read.
#[derive(Debug, Clone)]
enum StoredHash {
    Bcrypt(String),
    Argon2(String),
}

impl StoredHash {
    fn parse(text: &str) -> Result<StoredHash, String> {
        if text.starts_with("$2a$") || text.starts_with("$2b$") || text.starts_with("$2y$") {
            text.parse::<bcrypt::HashParts>()
                .map_err(|e| format!("invalid bcrypt hash: {e}"))?;
            Ok(StoredHash::Bcrypt(text.to_string()))
        } else if text.starts_with("$argon2") {
            let hash = PasswordHash::new(text).map_err(|e| format!("invalid argon2 hash: {e}"))?;
            argon2::Algorithm::try_from(hash.algorithm)
                .map_err(|e| format!("invalid argon2 hash: {e}"))?;
            Ok(StoredHash::Argon2(text.to_string()))
        } else {
            Err("not a bcrypt ($2b$…) or argon2 ($argon2id$…) hash: plain-text passwords are refused".to_string())
        }
    }

    /// CPU-heavy by design (tens of milliseconds): never call it on an async thread.
    fn verify(&self, password: &[u8]) -> bool {
        match self {
            StoredHash::Bcrypt(hash) => bcrypt::verify(password, hash).unwrap_or(false),
            StoredHash::Argon2(hash) => PasswordHash::new(hash)
                .map(|h| Argon2::default().verify_password(password, &h).is_ok())
                .unwrap_or(false),
        }
    }
}

/// An argon2id PHC string for `password` (argon2's defaults: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// The credentials-file line for `user` with `password`.
pub fn credentials_line(user: &str, password: &str) -> anyhow::Result<String> {
    check_user_name(user)?;
    if password.is_empty() {
        bail!("the password is empty");
    }
    Ok(format!("{user}:{}", hash_password(password)?))
}

fn check_user_name(user: &str) -> anyhow::Result<()> {
    if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
        bail!(
            "invalid user name {user:?}: it must be non-empty, without ':' or control characters"
        );
    }
    Ok(())
}

/// Users and their password hashes, from a credentials file.
fn read_credentials(path: &Path) -> anyhow::Result<Vec<(String, StoredHash)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{CREDENTIALS_FILE}: cannot read {}", path.display()))?;
    let mut users: Vec<(String, StoredHash)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{CREDENTIALS_FILE}: {} line {}", path.display(), n + 1);
        let Some((user, hash)) = line.split_once(':') else {
            bail!("{}: expected user:<bcrypt or argon2 hash>", at());
        };
        let (user, hash) = (user.trim(), hash.trim());
        check_user_name(user).with_context(at)?;
        let hash = StoredHash::parse(hash).map_err(|e| {
            anyhow::anyhow!(
                "{}: the password of user '{user}' is {e}. Make the line with \
                 `connect rest hash-password {user}`",
                at()
            )
        })?;
        if users.iter().any(|(u, _)| u == user) {
            bail!("{}: user '{user}' appears twice", at());
        }
        users.push((user.to_string(), hash));
    }
    if users.is_empty() {
        bail!(
            "{CREDENTIALS_FILE}: {} holds no user: nobody could use the REST API",
            path.display()
        );
    }
    Ok(users)
}

/// Basic authentication of REST requests.
///
/// Verifying a bcrypt or argon2 hash costs tens of milliseconds of CPU, by design. It runs on
/// tokio's blocking threads, never on the two async threads that serve every request, and at
/// most one verification per core runs at once, so a flood of wrong passwords slows only the
/// flood. Successful verifications are remembered for 30 s (keyed by a SHA-256 of the
/// credentials with a per-process random secret, never the password itself), so a dashboard
/// polling `/connectors/*/status` pays the hash once, not per request. Failures are never
/// remembered: each wrong guess costs the full hash.
pub struct BasicAuth {
    users: HashMap<String, StoredHash>,
    /// Verified for unknown users too, so their answers take as long as a wrong password.
    decoy: StoredHash,
    challenge: HeaderValue,
    verifications: Semaphore,
    secret: [u8; 32],
    remembered: Mutex<HashMap<[u8; 32], Instant>>,
}

impl BasicAuth {
    /// Basic authentication if the worker's properties turn it on.
    pub fn from_props(props: &HashMap<String, String>) -> anyhow::Result<Option<Arc<BasicAuth>>> {
        let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let mut extension = false;
        for class in get("rest.extension.classes")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if class != KAFKA_EXTENSION {
                bail!(
                    "rest.extension.classes: {class} cannot be loaded: this worker runs no Java \
                     REST extensions; only {KAFKA_EXTENSION} is understood (as {CREDENTIALS_FILE})"
                );
            }
            extension = true;
        }
        let file = match (get(CREDENTIALS_FILE), extension) {
            (Some(file), _) => file,
            (None, false) => return Ok(None),
            (None, true) => bail!(
                "rest.extension.classes names {KAFKA_EXTENSION}: set {CREDENTIALS_FILE} to a \
                 file of user:<bcrypt or argon2 hash> lines (Kafka's JAAS file is not read)"
            ),
        };
        let realm = get(REALM).unwrap_or(DEFAULT_REALM);
        let challenge = HeaderValue::from_str(&format!("Basic realm=\"{realm}\""))
            .ok()
            .filter(|_| !realm.contains(['"', '\\']))
            .with_context(|| format!("{REALM}: invalid realm {realm:?}"))?;
        let users = read_credentials(Path::new(file))?;
        let decoy = users[0].1.clone();
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Some(Arc::new(BasicAuth {
            users: users.into_iter().collect(),
            decoy,
            challenge,
            verifications: Semaphore::new(cores),
            secret,
            remembered: Mutex::new(HashMap::new()),
        })))
    }

    fn cache_key(&self, user: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(user.as_bytes());
        h.update([0]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    fn remembered(&self, key: &[u8; 32]) -> bool {
        let cache = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(key).is_some_and(|until| Instant::now() < *until)
    }

    fn remember(&self, key: [u8; 32]) {
        let mut cache = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, until| now < *until);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, now + CACHE_TTL);
    }

    /// Whether the `Authorization` header holds a known user and their password.
    async fn check(self: &Arc<Self>, header: Option<&HeaderValue>) -> bool {
        let Some((user, password)) = header.and_then(decode_basic) else {
            return false;
        };
        let key = self.cache_key(&user, &password);
        if self.remembered(&key) {
            return true;
        }
        let Ok(_permit) = self.verifications.acquire().await else {
            return false;
        };
        let auth = self.clone();
        let verified = tokio::task::spawn_blocking(move || match auth.users.get(&user) {
            Some(hash) => hash.verify(password.as_bytes()),
            None => {
                auth.decoy.verify(password.as_bytes());
                false
            }
        })
        .await
        .unwrap_or(false);
        if verified {
            self.remember(key);
        }
        verified
    }
}

/// `Basic base64(user:password)` → (user, password).
fn decode_basic(header: &HeaderValue) -> Option<(String, String)> {
    let value = header.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// The middleware: 401 with a challenge and Kafka's error body unless the credentials match.
pub async fn require(State(auth): State<Arc<BasicAuth>>, request: Request, next: Next) -> Response {
    if auth.check(request.headers().get(AUTHORIZATION)).await {
        return next.run(request).await;
    }
    let mut response = RestError::new(StatusCode::UNAUTHORIZED, "User cannot access the resource.")
        .into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, auth.challenge.clone());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cheap hashes: the tests check formats and logic, not strength.
    fn argon2_hash(password: &str) -> String {
        let params = argon2::Params::new(8, 1, 1, None).unwrap();
        Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string()
    }

    fn bcrypt_hash(password: &str) -> String {
        bcrypt::hash(password, 4).unwrap()
    }

    fn auth_with(lines: &str) -> anyhow::Result<Option<Arc<BasicAuth>>> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(&file, lines).unwrap();
        let props = [(CREDENTIALS_FILE.to_string(), file.display().to_string())].into();
        BasicAuth::from_props(&props)
    }

    fn basic(user: &str, password: &str) -> HeaderValue {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        HeaderValue::from_str(&format!("Basic {encoded}")).unwrap()
    }

    #[test]
    fn off_by_default() {
        assert!(BasicAuth::from_props(&HashMap::new()).unwrap().is_none());
    }

    #[test]
    fn both_hash_kinds_verify_and_reject() {
        for hash in [argon2_hash("s3cret"), bcrypt_hash("s3cret")] {
            let stored = StoredHash::parse(&hash).unwrap();
            assert!(stored.verify(b"s3cret"), "{hash}");
            assert!(!stored.verify(b"wrong"), "{hash}");
        }
    }

    #[test]
    fn made_lines_verify() {
        let line = credentials_line("alice", "pa:ss word").unwrap();
        let (user, hash) = line.split_once(':').unwrap();
        assert_eq!(user, "alice");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(StoredHash::parse(hash).unwrap().verify(b"pa:ss word"));
        assert!(credentials_line("a:b", "x").is_err());
        assert!(credentials_line("alice", "").is_err());
    }

    #[test]
    fn plain_text_passwords_are_refused_naming_line_and_user() {
        let good = format!("# operators\nalice:{}\n", bcrypt_hash("x"));
        let err = auth_with(&format!("{good}\nbob:hunter2\n")).err().unwrap();
        let err = format!("{err:#}");
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("user 'bob'"), "{err}");
        assert!(err.contains("plain-text passwords are refused"), "{err}");
        assert!(err.contains("connect rest hash-password bob"), "{err}");
    }

    #[test]
    fn broken_files_are_refused() {
        let err = format!("{:#}", auth_with("").err().unwrap());
        assert!(err.contains("holds no user"), "{err}");
        let err = format!("{:#}", auth_with("alice\n").err().unwrap());
        assert!(err.contains("line 1"), "{err}");
        let err = format!("{:#}", auth_with("alice:$2b$12$short\n").err().unwrap());
        assert!(err.contains("invalid bcrypt hash"), "{err}");
        let h = bcrypt_hash("x");
        let err = format!("{:#}", auth_with(&format!("a:{h}\na:{h}\n")).err().unwrap());
        assert!(err.contains("appears twice"), "{err}");
        let props = [(
            CREDENTIALS_FILE.to_string(),
            "/nonexistent/creds".to_string(),
        )]
        .into();
        let err = format!("{:#}", BasicAuth::from_props(&props).err().unwrap());
        assert!(
            err.contains(CREDENTIALS_FILE) && err.contains("/nonexistent/creds"),
            "{err}"
        );
    }

    #[test]
    fn kafkas_extension_class_needs_the_credentials_file() {
        let props = [(
            "rest.extension.classes".to_string(),
            KAFKA_EXTENSION.to_string(),
        )]
        .into();
        let err = format!("{:#}", BasicAuth::from_props(&props).err().unwrap());
        assert!(err.contains(CREDENTIALS_FILE), "{err}");
        let props = [(
            "rest.extension.classes".to_string(),
            "com.example.Ext".to_string(),
        )]
        .into();
        let err = format!("{:#}", BasicAuth::from_props(&props).err().unwrap());
        assert!(err.contains("com.example.Ext"), "{err}");
    }

    #[tokio::test]
    async fn credentials_are_checked_and_successes_remembered() {
        let auth = auth_with(&format!("alice:{}\n", argon2_hash("s3cret")))
            .unwrap()
            .unwrap();
        assert!(!auth.check(None).await);
        assert!(!auth.check(Some(&basic("alice", "wrong"))).await);
        assert!(!auth.check(Some(&basic("mallory", "s3cret"))).await);
        assert!(
            !auth
                .check(Some(&HeaderValue::from_static("Bearer abc")))
                .await
        );
        assert!(auth.check(Some(&basic("alice", "s3cret"))).await);
        assert!(auth.remembered(&auth.cache_key("alice", "s3cret")));
        assert!(!auth.remembered(&auth.cache_key("alice", "wrong")));
        assert!(auth.check(Some(&basic("alice", "s3cret"))).await);
    }

    #[test]
    fn the_realm_is_configurable() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(&file, format!("alice:{}\n", bcrypt_hash("x"))).unwrap();
        let props = [
            (CREDENTIALS_FILE.to_string(), file.display().to_string()),
            (REALM.to_string(), "ops".to_string()),
        ]
        .into();
        let auth = BasicAuth::from_props(&props).unwrap().unwrap();
        assert_eq!(auth.challenge, "Basic realm=\"ops\"");
    }
}
