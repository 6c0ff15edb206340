//! Test support for the end-to-end suite: start the real `connect` binary with real plugin
//! files, talk to its REST API, read topics with an independent client.
//!
//! The binary and plugins are built by `cargo xtask test` before the suite runs.

pub mod browser;
pub mod tls;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR`, else `target/` in the workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn built(name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask test`, which builds the worker and the plugins first",
        path.display()
    );
    path
}

/// The `connect` binary under test.
pub fn connect_binary() -> PathBuf {
    built(&format!("connect{}", std::env::consts::EXE_SUFFIX))
}

/// A plugin library built from the workspace crate `crate_name` (e.g. `connect_file`).
pub fn plugin_library(crate_name: &str) -> PathBuf {
    built(&format!(
        "{}{crate_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))
}

/// Polls `check` until it holds or `timeout` passes; returns whether it held.
pub fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one WARN line of `log` naming `file` (fails the test unless there is exactly one).
pub fn warning_about<'a>(log: &'a str, file: &str) -> &'a str {
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains(file))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one WARN naming {file}, got {lines:?}\nlog:\n{log}"
    );
    lines[0]
}

/// Writes a properties file.
pub fn write_properties(path: &Path, pairs: &[(&str, &str)]) {
    let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    fs::write(path, text).expect("write properties");
}

/// Writes `count` lines `line-<n>` and returns their text.
pub fn write_lines(path: &Path, count: usize) -> Vec<String> {
    let lines: Vec<String> = (0..count)
        .map(|i| format!("line-{i:07}-{}", "x".repeat(i % 17)))
        .collect();
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(path, text).expect("write input file");
    lines
}

/// Lines of a file (empty when it does not exist yet).
pub fn read_lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A running `connect` process, killed when dropped.
pub struct Worker {
    child: Child,
    log: PathBuf,
    pub rest: String,
}

impl Worker {
    /// Starts `connect standalone` in `dir` with worker settings (REST on a free port is
    /// added) and connector configs; waits until the REST API listens.
    pub fn standalone(
        dir: &Path,
        worker: &[(&str, &str)],
        connectors: &[&[(&str, &str)]],
    ) -> Worker {
        Worker::try_standalone(dir, worker, connectors)
            .unwrap_or_else(|log| panic!("worker did not start; its log:\n{log}"))
    }

    /// As [`Worker::standalone`], but returns the log when the worker exits before listening.
    pub fn try_standalone(
        dir: &Path,
        worker: &[(&str, &str)],
        connectors: &[&[(&str, &str)]],
    ) -> Result<Worker, String> {
        let files = write_connector_files(dir, connectors);
        Worker::spawn(dir, "standalone", &worker_args(dir, worker, files))
    }

    /// Starts `connect standalone` with connector files given as they are.
    pub fn standalone_with_files(
        dir: &Path,
        worker: &[(&str, &str)],
        connector_files: &[PathBuf],
    ) -> Worker {
        Worker::spawn(
            dir,
            "standalone",
            &worker_args(dir, worker, connector_files.to_vec()),
        )
        .unwrap_or_else(|log| panic!("worker did not start; its log:\n{log}"))
    }

    /// Starts `connect distributed` with its worker file in `dir` (one directory per
    /// worker); waits until the REST API listens.
    pub fn distributed(dir: &Path, worker: &[(&str, &str)]) -> Worker {
        Worker::try_distributed(dir, worker)
            .unwrap_or_else(|log| panic!("worker did not start; its log:\n{log}"))
    }

    /// As [`Worker::distributed`], but returns the log when the worker exits before listening.
    pub fn try_distributed(dir: &Path, worker: &[(&str, &str)]) -> Result<Worker, String> {
        fs::create_dir_all(dir).expect("worker directory");
        Worker::spawn(dir, "distributed", &worker_args(dir, worker, Vec::new()))
    }

    /// Starts `connect mirror-maker` on a top-level MirrorMaker file, with more arguments
    /// (`--clusters`); waits until the first flow's REST API listens.
    pub fn mirror_maker(dir: &Path, file: &Path, more: &[&str]) -> Worker {
        let mut args = vec![file.to_path_buf()];
        args.extend(more.iter().map(PathBuf::from));
        Worker::spawn(dir, "mirror-maker", &args)
            .unwrap_or_else(|log| panic!("mirror-maker did not start; its log:\n{log}"))
    }

    fn spawn(dir: &Path, mode: &str, args: &[PathBuf]) -> Result<Worker, String> {
        let log = dir.join(format!("worker-{}.log", unique()));
        let child = Command::new(connect_binary())
            .arg(mode)
            .args(args)
            .current_dir(dir)
            // TEST_RUST_LOG: more detail from the workers of a test being debugged.
            .env(
                "RUST_LOG",
                std::env::var("TEST_RUST_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("create log file"))
            .spawn()
            .expect("start connect");
        let mut worker = Worker {
            child,
            log,
            rest: String::new(),
        };
        let found = wait_until(Duration::from_secs(30), || {
            worker.rest = listening_url(&worker.log()).unwrap_or_default();
            !worker.rest.is_empty() || worker.exited()
        });
        if !found || worker.rest.is_empty() {
            return Err(worker.log());
        }
        Ok(worker)
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Everything the worker logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GET a REST path; returns the status code and the JSON body.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let response =
            reqwest::blocking::get(format!("{}{path}", self.rest)).expect("REST request");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Sends a request with an optional JSON body; returns the status code and the JSON
    /// body (null when there is none).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
        let mut request = reqwest::blocking::Client::new()
            .request(method, format!("{}{path}", self.rest))
            .timeout(Duration::from_secs(60));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().expect("REST request");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Sends raw bytes with the given content type (for malformed-body tests).
    pub fn call_raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
        let response = reqwest::blocking::Client::new()
            .request(method, format!("{}{path}", self.rest))
            .header("content-type", content_type)
            .body(body)
            .timeout(Duration::from_secs(60))
            .send()
            .expect("REST request");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// The connector's state, if reported.
    pub fn connector_state(&self, connector: &str) -> Option<String> {
        let (_, status) = self.get(&format!("/connectors/{connector}/status"));
        status["connector"]["state"].as_str().map(str::to_string)
    }

    /// The state of task `task` of `connector`, if reported.
    pub fn task_state(&self, connector: &str, task: usize) -> Option<String> {
        let (_, status) = self.get(&format!("/connectors/{connector}/status"));
        status["tasks"][task]["state"].as_str().map(str::to_string)
    }

    /// Stops like `kill -9`: no shutdown work at all.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops like Ctrl-C / SIGTERM and waits; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let exited = wait_until(Duration::from_secs(30), || self.exited());
        exited && self.child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Waits for the process to exit by itself; returns its log.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<(bool, String)> {
        if !wait_until(timeout, || self.exited()) {
            return None;
        }
        let ok = self.child.wait().map(|s| s.success()).unwrap_or(false);
        Some((ok, self.log()))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `connect standalone` expecting it to fail at start-up; returns its log.
pub fn standalone_failure(
    dir: &Path,
    worker: &[(&str, &str)],
    connectors: &[&[(&str, &str)]],
) -> String {
    let files = write_connector_files(dir, connectors);
    let out = Command::new(connect_binary())
        .arg("standalone")
        .args(worker_args(dir, worker, files))
        .current_dir(dir)
        .output()
        .expect("run connect");
    assert!(!out.status.success(), "the worker was expected to fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_connector_files(dir: &Path, connectors: &[&[(&str, &str)]]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (i, c) in connectors.iter().enumerate() {
        let file = dir.join(format!("connector-{i}.properties"));
        write_properties(&file, c);
        files.push(file);
    }
    files
}

/// Writes the worker file (REST on a free loopback port) and returns the command arguments.
fn worker_args(dir: &Path, worker: &[(&str, &str)], connector_files: Vec<PathBuf>) -> Vec<PathBuf> {
    let worker_file = dir.join("worker.properties");
    let mut props = vec![("listeners", "http://127.0.0.1:0")];
    props.extend_from_slice(worker);
    write_properties(&worker_file, &props);
    let mut args = vec![worker_file];
    args.extend(connector_files);
    args
}

fn listening_url(log: &str) -> Option<String> {
    let marker = "REST API listening on ";
    log.lines()
        .find_map(|l| l.split(marker).nth(1))
        .map(|u| u.trim().to_string())
}

fn unique() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Which broker a test runs against: every end-to-end test runs on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerKind {
    /// librdkafka's mock cluster: inside the worker, or `connect embedded-broker`.
    Embedded,
    /// Tansu, a Kafka-compatible broker, as a separate process on loopback.
    Tansu,
}

/// Generates each test twice, as `embedded::NAME` and `real_broker::NAME`, with `$kind`
/// bound to the [`BrokerKind`].
#[macro_export]
macro_rules! on_every_broker {
    ($( $(#[$meta:meta])* fn $name:ident($kind:ident) $body:block )*) => {
        mod embedded {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[test] fn $name() { let $kind = $crate::BrokerKind::Embedded; $body } )*
        }
        mod real_broker {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[test] fn $name() { let $kind = $crate::BrokerKind::Tansu; $body } )*
        }
    };
}

/// The `tansu` binary: `$TANSU_BIN`, else on `PATH`, else in cargo's bin directory.
pub fn tansu_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("TANSU_BIN") {
        return PathBuf::from(bin);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("tansu"))
        .find(|p| p.is_file());
    let cargo_bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tansu"));
    let found = on_path.or(cargo_bin.filter(|p| p.is_file()));
    found.expect("tansu is not installed: `cargo xtask test` installs it")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A broker for one test; stopped when dropped.
pub struct TestBroker {
    kind: BrokerKind,
    child: Option<Child>,
    bootstrap: Option<String>,
    /// Tansu's storage: kept across [`TestBroker::restart`].
    storage: Option<(tempfile::TempDir, String)>,
    /// Tansu's own plaintext address when clients reach it through a proxy.
    behind_proxy: Option<String>,
}

impl TestBroker {
    /// A broker for workers to use. Embedded: none of its own (each worker starts its
    /// in-process broker). Tansu: a process with in-memory storage.
    pub fn start(kind: BrokerKind) -> TestBroker {
        match kind {
            BrokerKind::Embedded => TestBroker {
                kind,
                child: None,
                bootstrap: None,
                storage: None,
                behind_proxy: None,
            },
            BrokerKind::Tansu => TestBroker::tansu("memory://tansu/".to_string(), None),
        }
    }

    /// A broker that outlives the workers of a test, so a killed worker's records can be
    /// checked and a restarted one finds them: `connect embedded-broker`, or Tansu.
    pub fn start_external(kind: BrokerKind) -> TestBroker {
        match kind {
            BrokerKind::Embedded => {
                let mut child = Command::new(connect_binary())
                    .arg("embedded-broker")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start connect embedded-broker");
                let stdout = child.stdout.take().expect("piped stdout");
                let mut line = String::new();
                BufReader::new(stdout)
                    .read_line(&mut line)
                    .expect("read broker address");
                let bootstrap = line
                    .trim()
                    .strip_prefix("bootstrap.servers=")
                    .expect("broker prints its address")
                    .to_string();
                TestBroker {
                    kind,
                    child: Some(child),
                    bootstrap: Some(bootstrap),
                    storage: None,
                    behind_proxy: None,
                }
            }
            BrokerKind::Tansu => TestBroker::start(kind),
        }
    }

    /// Tansu with file-backed storage (SQLite), so it keeps its data across a restart.
    pub fn start_durable() -> TestBroker {
        let dir = tempfile::tempdir().expect("temp dir");
        // Tansu resolves the database path against its working directory: the storage dir.
        TestBroker::tansu("sqlite://tansu.db".to_string(), Some(dir))
    }

    /// Tansu behind a TLS proxy: clients reach it only through TLS (Tansu itself listens
    /// in plaintext and advertises the proxy's address). `bootstrap_servers` is the proxy.
    pub fn start_behind_tls() -> (TestBroker, tls::TlsProxy) {
        let tansu_port = free_port();
        let proxy = tls::TlsProxy::start(([127, 0, 0, 1], tansu_port).into(), 0);
        let mut broker = TestBroker {
            kind: BrokerKind::Tansu,
            child: None,
            bootstrap: Some(format!("127.0.0.1:{}", proxy.port)),
            storage: None,
            behind_proxy: Some(format!("127.0.0.1:{tansu_port}")),
        };
        broker.spawn_tansu_at(tansu_port, proxy.port, "memory://tansu/");
        (broker, proxy)
    }

    fn tansu(storage_url: String, storage_dir: Option<tempfile::TempDir>) -> TestBroker {
        let port = free_port();
        let mut broker = TestBroker {
            kind: BrokerKind::Tansu,
            child: None,
            bootstrap: Some(format!("127.0.0.1:{port}")),
            storage: storage_dir.map(|d| (d, storage_url.clone())),
            behind_proxy: None,
        };
        broker.spawn_tansu(port, &storage_url);
        broker
    }

    fn spawn_tansu(&mut self, port: u16, storage_url: &str) {
        self.spawn_tansu_at(port, port, storage_url)
    }

    /// Tansu listening on `port` and telling clients to connect to `advertised_port`.
    fn spawn_tansu_at(&mut self, port: u16, advertised_port: u16, storage_url: &str) {
        let url = format!("tcp://127.0.0.1:{port}");
        let advertised = format!("tcp://127.0.0.1:{advertised_port}");
        let mut command = Command::new(tansu_binary());
        if let Some((dir, _)) = &self.storage {
            command.current_dir(dir.path());
        }
        let child = command
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &advertised,
                "--storage-engine",
                storage_url,
            ])
            // TEST_TANSU_LOG=dir: Tansu's log (RUST_LOG as set) to dir/tansu-<port>.log.
            .stdout(match std::env::var_os("TEST_TANSU_LOG") {
                Some(dir) => Stdio::from(
                    fs::File::create(PathBuf::from(dir).join(format!("tansu-{port}.log")))
                        .expect("create Tansu's log file"),
                ),
                None => Stdio::null(),
            })
            .stderr(Stdio::null())
            .spawn()
            .expect("start tansu");
        self.child = Some(child);
        let ready = wait_until(Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(ready, "tansu did not listen on {url}");
    }

    pub fn kind(&self) -> BrokerKind {
        self.kind
    }

    /// `bootstrap.servers` for workers; `None` when each worker runs its own embedded broker.
    pub fn bootstrap_servers(&self) -> Option<&str> {
        self.bootstrap.as_deref()
    }

    /// Creates a topic where the broker does not create topics on first use (Tansu).
    pub fn create_topic(&self, topic: &str, partitions: u32) {
        if self.kind != BrokerKind::Tansu {
            return;
        }
        let address = self.behind_proxy.as_deref().or(self.bootstrap.as_deref());
        let broker = format!("tcp://{}", address.unwrap_or_default());
        let out = Command::new(tansu_binary())
            .args([
                "topic",
                "create",
                "--broker",
                &broker,
                "--partitions",
                &partitions.to_string(),
                topic,
            ])
            .output()
            .expect("run tansu topic create");
        assert!(
            out.status.success(),
            "tansu topic create {topic}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops the broker process (as a crash would).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a stopped durable broker again on the same port and storage.
    pub fn restart(&mut self) {
        let (_, url) = self
            .storage
            .as_ref()
            .expect("only a durable broker restarts with its data");
        let url = url.clone();
        let port: u16 = self
            .bootstrap
            .as_deref()
            .and_then(|b| b.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .expect("a port");
        self.spawn_tansu(port, &url);
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Every record value of partition 0 of `topic`, read by an independent consumer.
pub fn read_topic(bootstrap_servers: &str, topic: &str) -> Vec<Option<Vec<u8>>> {
    read_topic_timestamped(bootstrap_servers, topic)
        .into_iter()
        .map(|(_, v)| v)
        .collect()
}

/// As [`read_topic`], with each record's timestamp (milliseconds since the epoch).
pub fn read_topic_timestamped(bootstrap_servers: &str, topic: &str) -> Vec<(i64, Option<Vec<u8>>)> {
    read_topic_messages(bootstrap_servers, topic)
        .into_iter()
        .map(|m| (m.timestamp, m.value))
        .collect()
}

/// A record read back from a topic.
#[derive(Debug, Clone)]
pub struct ReadMessage {
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    /// Header keys and values as text.
    pub headers: Vec<(String, String)>,
}

impl ReadMessage {
    /// The first header called `key`, as text.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// An independent consumer in a group of its own that commits nothing.
fn reader(bootstrap_servers: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("group.id", format!("e2e-reader-{}", unique()))
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer")
}

/// Every record of partition 0 of `topic`, with keys and headers.
pub fn read_topic_messages(bootstrap_servers: &str, topic: &str) -> Vec<ReadMessage> {
    let consumer = reader(bootstrap_servers);
    // Read until nothing new arrives for a while, not just to the high watermark: a broker
    // may still append a request a killed client sent, and Tansu's reported watermark can
    // trail what it serves.
    // A topic a moment old may not be in every metadata answer yet: ask again for a while.
    let mut watermarks = consumer.fetch_watermarks(topic, 0, Duration::from_secs(10));
    let asking_since = Instant::now();
    while watermarks.is_err() && asking_since.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(200));
        watermarks = consumer.fetch_watermarks(topic, 0, Duration::from_secs(10));
    }
    let (_, high) = watermarks.expect("watermarks");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&tpl).expect("assign");
    let mut messages = Vec::with_capacity(high.max(0) as usize);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut last_record = Instant::now();
    while Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                use rdkafka::message::Headers;
                let headers = m
                    .headers()
                    .map(|hs| {
                        hs.iter()
                            .map(|h| {
                                let value =
                                    h.value.map(String::from_utf8_lossy).unwrap_or_default();
                                (h.key.to_string(), value.into_owned())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                messages.push(ReadMessage {
                    timestamp: m.timestamp().to_millis().unwrap_or(0),
                    key: m.key().map(<[u8]>::to_vec),
                    value: m.payload().map(<[u8]>::to_vec),
                    headers,
                });
                last_record = Instant::now();
            }
            _ if (messages.len() as i64) >= high
                && last_record.elapsed() > Duration::from_secs(2) =>
            {
                break
            }
            _ => {}
        }
    }
    messages
}

/// The record values of partition 0 of `topic` up to its high watermark now: for topics a
/// connector keeps writing to, where [`read_topic`] would wait for quiet in vain.
pub fn read_topic_so_far(bootstrap_servers: &str, topic: &str) -> Vec<Vec<u8>> {
    let consumer = reader(bootstrap_servers);
    let Ok((_, high)) = consumer.fetch_watermarks(topic, 0, Duration::from_secs(10)) else {
        return Vec::new();
    };
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&tpl).expect("assign");
    let mut values = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while (values.len() as i64) < high && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            if m.offset() < high {
                values.push(m.payload().unwrap_or_default().to_vec());
            }
        }
    }
    values
}

/// Produces `values` to partition 0 of `topic`, in order, and waits for every ack.
pub fn produce(bootstrap_servers: &str, topic: &str, values: &[&[u8]]) {
    use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("enable.idempotence", "true")
        .create()
        .expect("producer");
    for v in values {
        producer
            .send(BaseRecord::<[u8], [u8]>::to(topic).payload(v).partition(0))
            .map_err(|(e, _)| e)
            .expect("send");
    }
    producer.flush(Duration::from_secs(30)).expect("flush");
}

/// The source position stored in a standalone offsets file for a file source.
pub fn stored_position(offsets_file: &Path) -> Option<i64> {
    let doc: Value = serde_json::from_slice(&fs::read(offsets_file).ok()?).ok()?;
    doc["offsets"]
        .as_array()?
        .iter()
        .find_map(|e| e["value"]["position"].as_i64())
}

/// A `plugin.path` directory in `dir` holding copies of the given workspace plugin crates.
pub fn plugin_dir(dir: &Path, crates: &[&str]) -> PathBuf {
    let plugins = dir.join("plugins");
    fs::create_dir_all(&plugins).expect("create plugin dir");
    for name in crates {
        let lib = plugin_library(name);
        fs::copy(
            &lib,
            plugins.join(lib.file_name().expect("library file name")),
        )
        .expect("copy plugin");
    }
    plugins
}

/// The path as a `&str` for a properties value.
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// The worker settings most tests share: `converter` for keys and values, the offsets file
/// `connect.offsets` in `dir`, and `plugins` as `plugin.path`.
pub fn worker_settings(dir: &Path, plugins: &Path, converter: &str) -> Vec<(String, String)> {
    [
        ("key.converter", converter),
        ("value.converter", converter),
        (
            "offset.storage.file.filename",
            path_str(&dir.join("connect.offsets")),
        ),
        ("plugin.path", path_str(plugins)),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Borrows settings as the `(&str, &str)` pairs the start functions take.
pub fn pairs(settings: &[(String, String)]) -> Vec<(&str, &str)> {
    settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// [`worker_settings`] for a worker using `broker`.
pub fn broker_worker_settings(
    broker: &TestBroker,
    dir: &Path,
    plugins: &Path,
    converter: &str,
) -> Vec<(String, String)> {
    let mut settings = worker_settings(dir, plugins, converter);
    if let Some(servers) = broker.bootstrap_servers() {
        settings.push(("bootstrap.servers".to_string(), servers.to_string()));
    }
    settings
}

/// The committed offset of `group` on partition 0 of `topic`, read by an independent client.
pub fn committed_offset(bootstrap_servers: &str, group: &str, topic: &str) -> Option<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("group.id", group)
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, 0);
    let committed = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .ok()?;
    match committed.find_partition(topic, 0)?.offset() {
        Offset::Offset(o) => Some(o),
        _ => None,
    }
}

/// Builds a plugin crate that lives outside the workspace (e.g. `examples/plugin-template`,
/// or a copy of one anywhere on disk) the way its author would: `cargo build --locked` in
/// its own directory, with its own lockfile, into `<target>/external-plugins` (so later runs
/// are incremental and share the compiled dependencies). Returns the library `lib_name`
/// (e.g. `connect_datagen`). Builds each crate once per test binary.
pub fn build_external_plugin(crate_dir: &Path, lib_name: &str) -> PathBuf {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static BUILT: OnceLock<Mutex<HashMap<PathBuf, PathBuf>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(library) = built.get(crate_dir) {
        return library.clone();
    }
    let target = target_dir().join("external-plugins");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--locked"])
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build --locked in {} failed:\n{}",
        crate_dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let library = target.join("debug").join(format!(
        "{}{lib_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(library.exists(), "{} was not built", library.display());
    built.insert(crate_dir.to_path_buf(), library.clone());
    library
}

/// What `curl` got: the status (0 when no HTTP answer came), the response headers (names
/// lower-cased) and the body; `error` is curl's message when it failed.
#[derive(Debug)]
pub struct CurlResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub error: String,
}

impl CurlResponse {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (null when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Runs the real `curl` binary with `args` (URL included) and a 20 s limit: the client
/// operators use, for HTTPS with `--cacert`, `--cert`/`--key`, `-u`, `-H`, `-X`.
pub fn curl(args: &[&str]) -> CurlResponse {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--include", "--max-time", "20"])
        .args(args)
        .output()
        .expect("run curl (the end-to-end REST security tests need it on PATH)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let error = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .filter(|_| out.status.success())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    CurlResponse {
        status,
        headers,
        body: body.to_string(),
        error,
    }
}
