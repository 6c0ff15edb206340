//! Config providers through the real worker: `${file:...}`, `${dir:...}` and `${env:...}`
//! variables are resolved for the plugin when a connector and its tasks start, while the
//! stored configuration, every REST answer and the worker's log keep the `${...}` text.

use std::path::Path;
use std::time::Duration;

use e2e::{
    broker_worker_settings, pairs, path_str, plugin_dir, read_lines, wait_until, write_lines,
    write_properties, BrokerKind, TestBroker, Worker,
};
use serde_json::json;

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

/// The worker settings declaring the three built-in providers, under Kafka's names.
fn provider_settings() -> Vec<(String, String)> {
    [
        ("config.providers", "file,dir,env"),
        (
            "config.providers.file.class",
            "org.apache.kafka.common.config.provider.FileConfigProvider",
        ),
        ("config.providers.dir.class", "DirectoryConfigProvider"),
        (
            "config.providers.env.class",
            "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        ),
        (
            "config.providers.env.param.allowlist.pattern",
            "^E2E_SECRETS_",
        ),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Runs FileStreamSource → topic → FileStreamSink where both `file` settings are the given
/// variables, which resolve to paths containing `secret`; checks the data moves, that REST
/// shows the variables and never the secret, and that the log never holds the secret.
fn copy_with_secret_files(
    dir: &Path,
    secret: &str,
    source_file: &str,
    sink_file: &str,
    extra_worker: &[(&str, &str)],
) -> Worker {
    let broker = TestBroker::start(BrokerKind::Embedded);
    broker.create_topic("lines", 1);
    let input = dir.join(format!("in-{secret}.txt"));
    let output = dir.join(format!("out-{secret}.txt"));
    let expected = write_lines(&input, 1000);
    let plugins = plugin_dir(dir, &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir, &plugins, STRING);
    settings.extend(provider_settings());
    settings.extend(
        extra_worker
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let worker = Worker::standalone(
        dir,
        &pairs(&settings),
        &[
            &[
                ("name", "source"),
                ("connector.class", "FileStreamSource"),
                ("file", source_file),
                ("topic", "lines"),
            ],
            &[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("file", sink_file),
                ("topics", "lines"),
            ],
        ],
    );
    let moved = wait_until(Duration::from_secs(60), || read_lines(&output) == expected);
    assert!(moved, "the sink file differs; log:\n{}", worker.log());

    for (name, variable) in [("source", source_file), ("sink", sink_file)] {
        let (status, config) = worker.get(&format!("/connectors/{name}/config"));
        assert_eq!(status, 200);
        assert_eq!(config["file"], variable, "stored as written");
        let (_, tasks) = worker.get(&format!("/connectors/{name}/tasks"));
        assert_eq!(tasks[0]["config"]["file"], variable, "task configs too");
    }
    let (_, validated) = worker.call(
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        Some(json!({"connector.class": "FileStreamSource", "name": "v", "file": source_file, "topic": "lines"})),
    );
    let file_value = validated["configs"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["value"]["name"] == "file"))
        .map(|c| c["value"]["value"].clone());
    assert_eq!(file_value, Some(json!(source_file)), "{validated}");
    for path in [
        "/connectors?expand=info&expand=status",
        "/connectors/source",
        "/connectors/sink",
        "/connectors/source/tasks",
        "/connectors/sink/status",
    ] {
        let (_, body) = worker.get(path);
        assert!(
            !body.to_string().contains(secret),
            "{path} shows the secret: {body}"
        );
        assert!(!body.to_string().is_empty());
    }
    assert!(
        !validated.to_string().contains(secret),
        "validate echoes the secret: {validated}"
    );
    worker
}

/// The whole log, read after the worker stopped, never holds `secret`.
fn assert_never_logged(mut worker: Worker, secret: &str) {
    assert!(worker.terminate(), "clean stop; log:\n{}", worker.log());
    let log = worker.log();
    assert!(log.contains("Kafka Connect stopped"), "{log}");
    assert!(!log.contains(secret), "the log holds the secret:\n{log}");
}

#[test]
fn file_provider_values_reach_the_plugin_but_never_rest_or_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cr3t-f1le-q7Zx";
    let secrets = dir.path().join("secrets.properties");
    let offsets = dir.path().join("from-provider.offsets");
    write_properties(
        &secrets,
        &[
            ("in", path_str(&dir.path().join(format!("in-{secret}.txt")))),
            (
                "out",
                path_str(&dir.path().join(format!("out-{secret}.txt"))),
            ),
            ("offsets", path_str(&offsets)),
        ],
    );
    let props = path_str(&secrets);
    let offsets_variable = format!("${{file:{props}:offsets}}");
    let worker = copy_with_secret_files(
        dir.path(),
        secret,
        &format!("${{file:{props}:in}}"),
        &format!("${{file:{props}:out}}"),
        // The worker's own settings are resolved at start-up, as Kafka's.
        &[
            ("offset.storage.file.filename", &offsets_variable),
            ("offset.flush.interval.ms", "200"),
        ],
    );
    assert!(
        wait_until(Duration::from_secs(10), || offsets.exists()),
        "offsets go to the resolved path; log:\n{}",
        worker.log()
    );
    assert_never_logged(worker, secret);
}

#[test]
fn directory_provider_values_are_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cr3t-d1r-W4mk";
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    let input = dir.path().join(format!("in-{secret}.txt"));
    let output = dir.path().join(format!("out-{secret}.txt"));
    std::fs::write(secrets.join("in"), path_str(&input)).unwrap();
    std::fs::write(secrets.join("out"), path_str(&output)).unwrap();
    let d = path_str(&secrets);
    let worker = copy_with_secret_files(
        dir.path(),
        secret,
        &format!("${{dir:{d}:in}}"),
        &format!("${{dir:{d}:out}}"),
        &[],
    );
    assert_never_logged(worker, secret);
}

#[test]
fn env_provider_takes_both_variable_forms() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cr3t-3nv-Kp2v";
    // The worker inherits this test process's environment; the names are unique to this test.
    std::env::set_var(
        "E2E_SECRETS_IN",
        dir.path().join(format!("in-{secret}.txt")),
    );
    std::env::set_var(
        "E2E_SECRETS_OUT",
        dir.path().join(format!("out-{secret}.txt")),
    );
    let worker = copy_with_secret_files(
        dir.path(),
        secret,
        "${env:E2E_SECRETS_IN}",
        "${env::E2E_SECRETS_OUT}",
        &[],
    );
    assert_never_logged(worker, secret);
}

/// As Kafka: an unknown provider or a missing key leaves the variable as written (the plugin
/// sees that text), here with a WARN naming it; a file the provider cannot read refuses the
/// configuration.
#[test]
fn unknown_providers_and_missing_keys_stay_unresolved_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cr3t-n0t-Used-Rr9";
    let secrets = dir.path().join("secrets.properties");
    write_properties(&secrets, &[("present", secret)]);
    let broker = TestBroker::start(BrokerKind::Embedded);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir.path(), &plugins, STRING);
    settings.extend(provider_settings());
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);

    let unknown = "${vault:secret/data/app:file}";
    let missing = format!("${{file:{}:absent}}", path_str(&secrets));
    for (name, variable) in [("unknown", unknown), ("missing", missing.as_str())] {
        let (status, body) = worker.call(
            "POST",
            "/connectors",
            Some(json!({"name": name, "config": {
                "connector.class": "FileStreamSource", "file": variable, "topic": "t"}})),
        );
        assert_eq!(status, 201, "{body}");
        assert!(wait_until(Duration::from_secs(10), || {
            worker.connector_state(name).as_deref() == Some("RUNNING")
        }));
        assert_eq!(
            worker.get(&format!("/connectors/{name}/config")).1["file"],
            variable
        );
    }
    let log = worker.log();
    assert!(
        log.contains("no config provider named 'vault'") && log.contains(unknown),
        "{log}"
    );
    assert!(
        log.contains("has no key 'absent'") && log.contains(&missing),
        "{log}"
    );
    // The plugin saw the text as written: it waits for a file of that name.
    assert!(
        log.contains(&format!("Couldn't find file {unknown}")),
        "{log}"
    );

    let (status, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "unreadable", "config": {
            "connector.class": "FileStreamSource", "file": "${file:/no/such/secrets.properties:k}", "topic": "t"}})),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().is_some_and(
            |m| m.contains("Could not read properties from file /no/such/secrets.properties")
        ),
        "{body}"
    );
    assert_never_logged(worker, secret);
}
