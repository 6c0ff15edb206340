//! plugin.path while the worker runs: versions side by side (KIP-891), libraries dropped in
//! or replaced without a restart, and files the worker must refuse without going down.
//!
//! These run on the embedded broker only: what they test happens before any record reaches
//! a broker, and the records they read only show which plugin code wrote them.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use e2e::{
    pairs, plugin_dir, plugin_library, read_topic_so_far, wait_until, warning_about,
    worker_settings, BrokerKind, TestBroker, Worker,
};
use serde_json::{json, Value};

const SOURCE: &str = "test.versioned.VersionedSourceConnector";
const STAMP: &str = "test.versioned.StampVersion";
const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

/// Installs a library the safe way: copy under a name that is not a library name, rename.
fn install(lib: &Path, plugins: &Path, name: &str) {
    let tmp = plugins.join(format!(".{name}.tmp"));
    fs::copy(lib, &tmp).unwrap();
    fs::rename(&tmp, plugins.join(name)).unwrap();
}

fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// The versions of `class` that `GET /connector-plugins?connectorsOnly=false` lists.
fn listed_versions(worker: &Worker, class: &str) -> Vec<String> {
    let (_, list) = worker.get("/connector-plugins?connectorsOnly=false");
    list.as_array()
        .unwrap()
        .iter()
        .filter(|p| p["class"] == class)
        .map(|p| p["version"].as_str().unwrap().to_string())
        .collect()
}

fn start_worker(dir: &Path, plugins: &Path, broker: &TestBroker) -> Worker {
    let mut settings = worker_settings(dir, plugins, STRING);
    settings.push((
        "bootstrap.servers".into(),
        broker.bootstrap_servers().unwrap().into(),
    ));
    Worker::standalone(dir, &pairs(&settings), &[])
}

fn create(worker: &Worker, name: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut config = json!({"connector.class": SOURCE, "topic": name});
    for (k, v) in extra {
        config[*k] = json!(v);
    }
    worker.call("PUT", &format!("/connectors/{name}/config"), Some(config))
}

/// The values in `topic`, as text.
fn values(broker: &TestBroker, topic: &str) -> Vec<String> {
    read_topic_so_far(broker.bootstrap_servers().unwrap(), topic)
        .into_iter()
        .map(|v| String::from_utf8(v).unwrap())
        .collect()
}

/// Waits for records in `topic` and checks that every one starts with `prefix`.
fn all_written_by(broker: &TestBroker, topic: &str, prefix: &str) {
    assert!(
        wait_until(Duration::from_secs(20), || values(broker, topic).len() >= 3),
        "no records in {topic}"
    );
    let values = values(broker, topic);
    assert!(
        values.iter().all(|v| v.starts_with(prefix)),
        "{topic}: expected every value to start with {prefix}, got {values:?}"
    );
}

fn status_versions(worker: &Worker, name: &str) -> (String, Vec<String>) {
    let (_, status) = worker.get(&format!("/connectors/{name}/status"));
    let tasks = status["tasks"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| t["version"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    (
        status["connector"]["version"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        tasks,
    )
}

fn running(worker: &Worker, name: &str) -> bool {
    wait_until(Duration::from_secs(20), || {
        worker.task_state(name, 0).as_deref() == Some("RUNNING")
    })
}

#[test]
fn two_versions_load_side_by_side_and_plugin_version_picks_one() {
    let broker = TestBroker::start_external(BrokerKind::Embedded);
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(
        dir.path(),
        &["connect_test_versioned_v1", "connect_test_versioned_v2"],
    );
    let worker = start_worker(dir.path(), &plugins, &broker);

    assert_eq!(listed_versions(&worker, SOURCE), ["2.0.0", "1.0.0"]);
    assert_eq!(listed_versions(&worker, STAMP), ["2.0.0", "1.0.0"]);

    // A range picks the newest version inside it; no version means the newest installed.
    let (code, body) = create(&worker, "old", &[("connector.plugin.version", "[1.0,2.0)")]);
    assert_eq!(code, 201, "{body}");
    let (code, body) = create(&worker, "new", &[]);
    assert_eq!(code, 201, "{body}");
    // A bare version is exact, for transformations too.
    let (code, body) = create(
        &worker,
        "mixed",
        &[
            ("connector.plugin.version", "2.0.0"),
            ("transforms", "stamp"),
            ("transforms.stamp.type", STAMP),
            ("transforms.stamp.plugin.version", "1.0.0"),
        ],
    );
    assert_eq!(code, 201, "{body}");
    for name in ["old", "new", "mixed"] {
        assert!(running(&worker, name), "{name}: {}", worker.log());
    }
    assert_eq!(
        status_versions(&worker, "old"),
        ("1.0.0".into(), vec!["1.0.0".into()])
    );
    assert_eq!(
        status_versions(&worker, "new"),
        ("2.0.0".into(), vec!["2.0.0".into()])
    );
    all_written_by(&broker, "old", "from-1.0.0-");
    all_written_by(&broker, "new", "from-2.0.0-");
    let mixed = values(&broker, "mixed");
    assert!(
        mixed
            .iter()
            .all(|v| v.starts_with("from-2.0.0-") && v.ends_with("|1.0.0")),
        "{mixed:?}"
    );

    // The definitions of one version; unknown versions and bad ranges are client errors.
    let (code, _) = worker.get(&format!("/connector-plugins/{SOURCE}/config?version=1.0.0"));
    assert_eq!(code, 200);
    let (code, body) = worker.get(&format!(
        "/connector-plugins/{SOURCE}/config?version=[3.0,)"
    ));
    assert_eq!(
        (code, body["error_code"].as_u64()),
        (404, Some(404)),
        "{body}"
    );
    let (code, body) = create(&worker, "none", &[("connector.plugin.version", "[3.0,)")]);
    assert_eq!(code, 400, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("[3.0,)") && message.contains("1.0.0, 2.0.0"),
        "{message}"
    );
    let (code, body) = create(&worker, "bad", &[("connector.plugin.version", "[1.0")]);
    assert_eq!(code, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("connector.plugin.version"),
        "{body}"
    );
    let (code, body) = worker.call(
        "PUT",
        &format!("/connector-plugins/{SOURCE}/config/validate"),
        Some(json!({"name": "v", "connector.class": SOURCE, "topic": "t", "connector.plugin.version": "[5,)"})),
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["error_count"], 1, "{body}");
}

#[test]
fn a_library_dropped_in_appears_without_a_restart_and_a_replaced_one_is_a_new_version() {
    let broker = TestBroker::start_external(BrokerKind::Embedded);
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let worker = start_worker(dir.path(), &plugins, &broker);
    assert!(listed_versions(&worker, SOURCE).is_empty());

    let name = lib_name("versioned");
    let dropped = Instant::now();
    install(
        &plugin_library("connect_test_versioned_v1"),
        &plugins,
        &name,
    );
    assert!(
        wait_until(Duration::from_secs(10), || listed_versions(&worker, SOURCE)
            == ["1.0.0"]),
        "not discovered: {}",
        worker.log()
    );
    eprintln!("discovered {:?} after dropping it in", dropped.elapsed());
    let (code, body) = create(&worker, "first", &[]);
    assert_eq!(code, 201, "{body}");
    assert!(running(&worker, "first"), "{}", worker.log());
    all_written_by(&broker, "first", "from-1.0.0-");

    // The same file name, new content: the new version replaces the old one in the list,
    // the running connector keeps the code it started with.
    let replaced = Instant::now();
    install(
        &plugin_library("connect_test_versioned_v2"),
        &plugins,
        &name,
    );
    assert!(
        wait_until(Duration::from_secs(10), || listed_versions(&worker, SOURCE)
            == ["2.0.0"]),
        "replacement not loaded: {}",
        worker.log()
    );
    eprintln!(
        "replacement listed {:?} after the rename",
        replaced.elapsed()
    );
    let written = values(&broker, "first").len();
    assert!(wait_until(Duration::from_secs(10), || {
        values(&broker, "first").len() > written + 3
    }));
    all_written_by(&broker, "first", "from-1.0.0-");
    assert_eq!(status_versions(&worker, "first").0, "1.0.0");
    let (code, body) = create(&worker, "second", &[]);
    assert_eq!(code, 201, "{body}");
    assert!(running(&worker, "second"), "{}", worker.log());
    all_written_by(&broker, "second", "from-2.0.0-");
    // A restart resolves the version again, as Java does at every start: the new code, for
    // the connector and its task.
    let (code, body) = worker.call("POST", "/connectors/first/restart", None);
    assert_eq!(code, 204, "{body}");
    assert!(
        wait_until(Duration::from_secs(20), || status_versions(
            &worker, "first"
        ) == (
            "2.0.0".into(),
            vec!["2.0.0".into()]
        )),
        "{:?}\n{}",
        status_versions(&worker, "first"),
        worker.log()
    );
    let before = values(&broker, "first").len();
    assert!(wait_until(Duration::from_secs(20), || values(
        &broker, "first"
    )
    .iter()
    .skip(before)
    .any(|v| v.starts_with("from-2.0.0-"))));

    // A slow copy straight to the final name: read once, when complete.
    let kit = fs::read(plugin_library("connect_test_kit")).unwrap();
    let slow = plugins.join(lib_name("slow_kit"));
    let chunks: Vec<&[u8]> = kit.chunks(kit.len() / 4 + 1).collect();
    for chunk in chunks {
        use std::io::Write;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&slow)
            .unwrap();
        file.write_all(chunk).unwrap();
        drop(file);
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        wait_until(Duration::from_secs(10), || {
            !listed_versions(&worker, "test.kit.UppercaseValue").is_empty()
        }),
        "{}",
        worker.log()
    );
    let log = worker.log();
    assert!(
        !log.lines()
            .any(|l| l.contains("WARN") && l.contains("slow_kit")),
        "a half-written file was opened:\n{log}"
    );
    let loaded: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("loaded plugin library") && l.contains("sha256="))
        .collect();
    assert_eq!(
        loaded.len(),
        4,
        "one line per library, with its hash:\n{log}"
    );
}

#[test]
fn crashing_and_world_writable_libraries_are_refused_while_the_worker_serves() {
    let broker = TestBroker::start_external(BrokerKind::Embedded);
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(
        dir.path(),
        &["connect_test_crashing_init", "connect_test_versioned_v1"],
    );
    let open = plugins.join("open");
    fs::create_dir(&open).unwrap();
    let writable = open.join(lib_name("writable_file"));
    fs::copy(plugin_library("connect_file"), &writable).unwrap();
    set_mode(&writable, 0o666);
    let worker = start_worker(dir.path(), &plugins, &broker);

    let log = worker.log();
    let crash = warning_about(&log, "crashing_init");
    assert!(crash.contains("SIGABRT"), "{crash}");
    let refused = warning_about(&log, "writable_file");
    assert!(refused.contains("writable by other users"), "{refused}");
    assert!(listed_versions(&worker, "test.crash.NeverLoadedConnector").is_empty());
    assert!(listed_versions(
        &worker,
        "org.apache.kafka.connect.file.FileStreamSourceConnector"
    )
    .is_empty());

    // The worker serves, and a crashing library dropped in later is refused the same way.
    let (code, body) = create(&worker, "alive", &[]);
    assert_eq!(code, 201, "{body}");
    assert!(running(&worker, "alive"), "{}", worker.log());
    install(
        &plugin_library("connect_test_crashing_init"),
        &plugins,
        &lib_name("crashing_again"),
    );
    assert!(
        wait_until(Duration::from_secs(10), || worker
            .log()
            .lines()
            .any(|l| l.contains("WARN") && l.contains("crashing_again"))),
        "{}",
        worker.log()
    );
    assert!(warning_about(&worker.log(), "crashing_again").contains("SIGABRT"));
    // A directory anyone can write to is refused as a whole, even for a safe file in it.
    set_mode(&writable, 0o644);
    set_mode(&open, 0o777);
    install(
        &plugin_library("connect_file"),
        &open,
        &lib_name("in_open_dir"),
    );
    assert!(
        wait_until(Duration::from_secs(10), || worker
            .log()
            .lines()
            .any(|l| l.contains("WARN") && l.contains("in_open_dir"))),
        "{}",
        worker.log()
    );
    assert!(warning_about(&worker.log(), "in_open_dir").contains("open (mode 777)"));
    assert_eq!(worker.get("/").0, 200);
    assert_eq!(worker.task_state("alive", 0).as_deref(), Some("RUNNING"));
    set_mode(&open, 0o755);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn connect_plugins_verify_reports_each_file() {
    let out = std::process::Command::new(e2e::connect_binary())
        .args(["plugins", "verify"])
        .arg(plugin_library("connect_test_versioned_v2"))
        .arg(plugin_library("connect_test_crashing_init"))
        .arg(plugin_library("connect_test_not_a_plugin"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("OK"), "{text}");
    assert!(
        lines[1].contains("sha256 ") && lines[1].len() > 64,
        "{text}"
    );
    assert!(
        text.contains("test.versioned.VersionedSourceConnector 2.0.0"),
        "{text}"
    );
    let refused: Vec<&&str> = lines.iter().filter(|l| l.starts_with("REFUSED")).collect();
    assert_eq!(refused.len(), 2, "{text}");
    assert!(
        refused[0].contains("crashing_init") && refused[0].contains("SIGABRT"),
        "{text}"
    );
    assert!(
        refused[1].contains("does not export the plugin root module"),
        "{text}"
    );
}
