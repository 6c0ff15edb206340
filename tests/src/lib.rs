//! Test support for the end-to-end suite: start the real `connect` binary with real plugin
//! files, talk to its REST API, read topics with an independent client.
//!
//! The binary and plugins are built by `cargo xtask test` before the suite runs.

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

fn target_dir() -> PathBuf {
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

    fn spawn(dir: &Path, mode: &str, args: &[PathBuf]) -> Result<Worker, String> {
        let log = dir.join(format!("worker-{}.log", unique()));
        let child = Command::new(connect_binary())
            .arg(mode)
            .args(args)
            .current_dir(dir)
            .env("RUST_LOG", "info")
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

/// The embedded broker in a process of its own (`connect embedded-broker`), so it outlives
/// the workers a test kills.
pub struct BrokerProcess {
    child: Child,
    pub bootstrap_servers: String,
}

impl BrokerProcess {
    pub fn start() -> BrokerProcess {
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
        let bootstrap_servers = line
            .trim()
            .strip_prefix("bootstrap.servers=")
            .expect("broker prints its address")
            .to_string();
        BrokerProcess {
            child,
            bootstrap_servers,
        }
    }
}

impl Drop for BrokerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every record value of partition 0 of `topic`, read by an independent consumer.
pub fn read_topic(bootstrap_servers: &str, topic: &str) -> Vec<Option<Vec<u8>>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("group.id", format!("e2e-reader-{}", unique()))
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let (_, high) = consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(10))
        .expect("watermarks");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("partition");
    consumer.assign(&tpl).expect("assign");
    let mut values = Vec::with_capacity(high as usize);
    let deadline = Instant::now() + Duration::from_secs(120);
    while (values.len() as i64) < high && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            values.push(m.payload().map(<[u8]>::to_vec));
        }
    }
    values
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
