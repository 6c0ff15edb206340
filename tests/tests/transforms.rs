//! Transforms and predicates run in the real worker's source and sink tasks, on both
//! brokers; what each transform does is unit-tested beside it.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{
    on_every_broker, pairs, path_str, plugin_dir, read_lines, read_topic_messages, wait_until,
    worker_settings, write_lines, TestBroker, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

on_every_broker! {
    fn a_chain_routes_tags_and_filters(kind) {
        let dir = tempfile::tempdir().unwrap();
        let broker = TestBroker::start_external(kind);
        broker.create_topic("routed-lines", 1);
        let servers = broker.bootstrap_servers().unwrap().to_string();
        let (input, dropped, output) = (
            dir.path().join("in.txt"),
            dir.path().join("dropped.txt"),
            dir.path().join("out.txt"),
        );
        let lines = write_lines(&input, 10);
        write_lines(&dropped, 5);
        let plugins = plugin_dir(dir.path(), &["connect_file"]);
        let mut settings = worker_settings(dir.path(), &plugins, STRING);
        settings.push(("bootstrap.servers".into(), servers.clone()));
        settings.push(("offset.flush.interval.ms".into(), "500".into()));
        let worker = Worker::standalone(
            dir.path(),
            &pairs(&settings),
            &[
                &[
                    ("name", "source"),
                    ("connector.class", "FileStreamSource"),
                    ("file", path_str(&input)),
                    ("topic", "lines"),
                    ("transforms", "route,tag"),
                    ("transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter"),
                    ("transforms.route.regex", "(.*)"),
                    ("transforms.route.replacement", "routed-$1"),
                    ("transforms.tag.type", "InsertHeader"),
                    ("transforms.tag.header", "origin"),
                    ("transforms.tag.value.literal", "file"),
                ],
                // Everything filtered: nothing sent, yet the position advances.
                &[
                    ("name", "filtered"),
                    ("connector.class", "FileStreamSource"),
                    ("file", path_str(&dropped)),
                    ("topic", "never"),
                    ("transforms", "drop"),
                    ("transforms.drop.type", "Filter"),
                    ("transforms.drop.predicate", "all"),
                    ("predicates", "all"),
                    ("predicates.all.type", "TopicNameMatches"),
                    ("predicates.all.pattern", ".*"),
                ],
                // The sink drops nothing: its predicate matches no record.
                &[
                    ("name", "sink"),
                    ("connector.class", "FileStreamSink"),
                    ("file", path_str(&output)),
                    ("topics", "routed-lines"),
                    ("transforms", "drop"),
                    ("transforms.drop.type", "Filter"),
                    ("transforms.drop.predicate", "tombstone"),
                    ("predicates", "tombstone"),
                    ("predicates.tombstone.type", "RecordIsTombstone"),
                ],
            ],
        );
        let arrived = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= lines.len());
        assert!(arrived, "{:?}\n{}", read_lines(&output), worker.log());
        assert_eq!(read_lines(&output), lines);
        let routed = read_topic_messages(&servers, "routed-lines");
        assert_eq!(routed.len(), lines.len());
        assert!(routed.iter().all(|m| m.header("origin") == Some("file")));

        let end = std::fs::metadata(&dropped).unwrap().len() as i64;
        let offsets = || worker.get("/connectors/filtered/offsets").1["offsets"][0]["offset"]["position"].as_i64();
        assert!(wait_until(Duration::from_secs(30), || offsets() == Some(end)), "{:?}", offsets());
        assert_eq!(worker.get("/connectors/filtered/topics").1["filtered"]["topics"], serde_json::json!([]));
    }
}

#[test]
fn a_bad_transform_config_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let settings = worker_settings(dir.path(), &plugins, STRING);
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);
    let (code, body) = worker.call(
        "PUT",
        "/connectors/x/config",
        Some(serde_json::json!({
            "connector.class": "FileStreamSource", "file": "/tmp/x", "topic": "t",
            "transforms": "a,b", "transforms.a.type": "com.example.Nope"
        })),
    );
    assert_eq!(code, 400, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("com.example.Nope") && message.contains("transforms.b.type"),
        "{message}"
    );
}

/// A worker with the file and test-kit plugins, an input file holding `lines`, and where the
/// sink's output goes; the temporary directory lives as long as the returned guard.
fn with_test_kit(lines: &str) -> (tempfile::TempDir, PathBuf, PathBuf, Worker) {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    std::fs::write(&input, lines).unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file", "connect_test_kit"]);
    let settings = worker_settings(dir.path(), &plugins, STRING);
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);
    (dir, input, output, worker)
}

#[test]
fn a_plugin_transformation_runs_in_batches_and_fails_only_its_record() {
    let (_dir, input, output, worker) =
        with_test_kit("alpha\nskip-me\nbeta\nfail-me\npanic-me\ngamma\n");
    let (_, listed) = worker.get("/connector-plugins?connectorsOnly=false");
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["class"] == "test.kit.UppercaseValue" && p["type"] == "transformation"),
        "{listed}"
    );
    let source = |extra: &[(&str, &str)]| {
        let mut config = serde_json::json!({
            "connector.class": "FileStreamSource", "file": path_str(&input), "topic": "t",
            "transforms": "up", "transforms.up.type": "test.kit.UppercaseValue",
            "transforms.up.suffix": "!",
        });
        for (k, v) in extra {
            config[*k] = serde_json::json!(v);
        }
        config
    };
    // The plugin's own configure() refuses a bad setting at creation.
    let (code, body) = worker.call(
        "PUT",
        "/connectors/bad/config",
        Some(source(&[("transforms.up.suffix", "far-too-long-suffix")])),
    );
    assert_eq!(code, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("longer than 10"),
        "{body}"
    );

    // errors.tolerance=all: the failing and the panicking record are skipped, the rest arrive.
    let (code, body) = worker.call(
        "PUT",
        "/connectors/src/config",
        Some(source(&[("errors.tolerance", "all")])),
    );
    assert_eq!(code, 201, "{body}");
    let sink = serde_json::json!({"connector.class": "FileStreamSink", "file": path_str(&output), "topics": "t"});
    assert_eq!(
        worker.call("PUT", "/connectors/sink/config", Some(sink)).0,
        201
    );
    let arrived = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= 3);
    assert!(arrived, "{:?}\n{}", read_lines(&output), worker.log());
    assert_eq!(read_lines(&output), ["ALPHA!", "BETA!", "GAMMA!"]);
    assert_eq!(worker.task_state("src", 0).as_deref(), Some("RUNNING"));

    // errors.tolerance=none: the failing record fails the task, naming the transform.
    let (code, _) = worker.call(
        "PUT",
        "/connectors/strict/config",
        Some(source(&[("topic", "t2")])),
    );
    assert_eq!(code, 201);
    assert!(wait_until(Duration::from_secs(30), || worker
        .task_state("strict", 0)
        .as_deref()
        == Some("FAILED")));
    let (_, status) = worker.get("/connectors/strict/status");
    let trace = status["tasks"][0]["trace"].as_str().unwrap();
    assert!(
        trace.contains("transform up failed") && trace.contains("asked to fail"),
        "{trace}"
    );
}

#[test]
fn a_plugin_predicate_picks_the_records_a_transform_applies_to() {
    let (_dir, input, output, worker) = with_test_kit("apple\nbanana\navocado\n");
    let source = serde_json::json!({
        "connector.class": "FileStreamSource", "file": path_str(&input), "topic": "t",
        "transforms": "up", "transforms.up.type": "test.kit.UppercaseValue",
        "transforms.up.predicate": "startsA",
        "predicates": "startsA", "predicates.startsA.type": "test.kit.ValueStartsWith",
        "predicates.startsA.prefix": "a",
    });
    let (code, body) = worker.call("PUT", "/connectors/src/config", Some(source));
    assert_eq!(code, 201, "{body}");
    let sink = serde_json::json!({"connector.class": "FileStreamSink", "file": path_str(&output), "topics": "t"});
    assert_eq!(
        worker.call("PUT", "/connectors/sink/config", Some(sink)).0,
        201
    );
    let arrived = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= 3);
    assert!(arrived, "{:?}\n{}", read_lines(&output), worker.log());
    assert_eq!(read_lines(&output), ["APPLE", "banana", "AVOCADO"]);
    let (_, listed) = worker.get("/connector-plugins?connectorsOnly=false");
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["class"] == "test.kit.ValueStartsWith" && p["type"] == "predicate"));
}

#[test]
fn retriable_plugin_errors_are_retried_within_errors_retry_timeout() {
    let (_dir, input, output, worker) = with_test_kit("first\nretry-me\nlast\n");
    let source = |name: &str, topic: &str, retry: &str| {
        serde_json::json!({
            "name": name, "connector.class": "FileStreamSource", "file": path_str(&input),
            "topic": topic, "transforms": "up", "transforms.up.type": "test.kit.UppercaseValue",
            "errors.retry.timeout": retry, "errors.retry.delay.max.ms": "20",
        })
    };
    // Retries allowed: the record goes through on the third attempt.
    let (code, body) = worker.call(
        "PUT",
        "/connectors/patient/config",
        Some(source("patient", "t", "5000")),
    );
    assert_eq!(code, 201, "{body}");
    let sink = serde_json::json!({"connector.class": "FileStreamSink", "file": path_str(&output), "topics": "t"});
    assert_eq!(
        worker.call("PUT", "/connectors/sink/config", Some(sink)).0,
        201
    );
    assert!(
        wait_until(Duration::from_secs(60), || read_lines(&output).len() >= 3),
        "{}",
        worker.log()
    );
    assert_eq!(read_lines(&output), ["FIRST", "RETRY-ME", "LAST"]);
    assert!(worker.log().contains("retriable error, trying again"));
    // No retries (Kafka's default of 0): the same error fails the task.
    let (code, _) = worker.call(
        "PUT",
        "/connectors/hasty/config",
        Some(source("hasty", "t2", "0")),
    );
    assert_eq!(code, 201);
    assert!(wait_until(Duration::from_secs(30), || worker
        .task_state("hasty", 0)
        .as_deref()
        == Some("FAILED")));
}
