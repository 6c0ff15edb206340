//! Faults: a panicking plugin, bad connector configurations, a self-reconfiguring
//! connector, REST errors. Those that run connectors run on both brokers.

use std::time::Duration;

use e2e::{
    broker_worker_settings, on_every_broker, pairs, path_str, plugin_dir, read_lines,
    standalone_failure, wait_until, worker_settings, write_lines, TestBroker, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

/// Starts a worker with the FileStream plugin and one connector config that must make it
/// fail; returns what it printed.
fn start_failure(connector: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    standalone_failure(
        dir.path(),
        &pairs(&worker_settings(dir.path(), &plugins, STRING)),
        &[connector],
    )
}

#[test]
fn a_connector_missing_a_required_key_fails_naming_the_key() {
    let log = start_failure(&[
        ("name", "source"),
        ("connector.class", "FileStreamSource"),
        ("file", "in.txt"),
    ]);
    assert!(
        log.contains("Missing required configuration \"topic\""),
        "{log}"
    );
    assert!(
        log.contains("connector-0.properties"),
        "the failing file is named: {log}"
    );
}

#[test]
fn an_unknown_connector_class_fails_naming_the_class() {
    let log = start_failure(&[
        ("name", "x"),
        ("connector.class", "com.example.NoSuchConnector"),
        ("topic", "t"),
    ]);
    assert!(log.contains("com.example.NoSuchConnector"), "{log}");
    assert!(
        log.contains("FileStreamSourceConnector"),
        "the available connectors are listed: {log}"
    );
}

#[test]
fn a_sink_without_topics_fails_with_kafkas_message() {
    let log = start_failure(&[("name", "sink"), ("connector.class", "FileStreamSink")]);
    assert!(
        log.contains("Must configure one of topics or topics.regex"),
        "{log}"
    );
}

on_every_broker! {
    fn a_task_panicking_in_poll_fails_alone_with_the_panic_in_its_trace(kind) {
        let broker = TestBroker::start(kind);
        broker.create_topic("t", 1);
        broker.create_topic("unused", 1);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        let output = dir.path().join("out.txt");
        let expected = write_lines(&input, 1000);
        let plugins = plugin_dir(dir.path(), &["connect_file", "connect_test_kit"]);
        let mut worker = Worker::standalone(
            dir.path(),
            &pairs(&broker_worker_settings(&broker, dir.path(), &plugins, STRING)),
            &[
                &[
                    ("name", "panicky"),
                    ("connector.class", "PanickingSource"),
                    ("topic", "unused"),
                ],
                &[
                    ("name", "source"),
                    ("connector.class", "FileStreamSource"),
                    ("file", path_str(&input)),
                    ("topic", "t"),
                ],
                &[
                    ("name", "sink"),
                    ("connector.class", "FileStreamSink"),
                    ("file", path_str(&output)),
                    ("topics", "t"),
                ],
            ],
        );
        assert!(
            wait_until(Duration::from_secs(30), || worker
                .task_state("panicky", 0)
                .as_deref()
                == Some("FAILED")),
            "{}",
            worker.log()
        );
        let (code, status) = worker.get("/connectors/panicky/status");
        assert_eq!(code, 200);
        let trace = status["tasks"][0]["trace"].as_str().unwrap_or_default();
        assert!(
            trace.contains("deliberate panic in PanickingSourceTask.poll"),
            "trace: {trace}"
        );
        assert_eq!(
            status["connector"]["state"], "RUNNING",
            "the connector itself did not fail"
        );

        assert!(
            wait_until(Duration::from_secs(60), || read_lines(&output).len()
                == expected.len()),
            "{}",
            worker.log()
        );
        assert_eq!(
            read_lines(&output),
            expected,
            "the other connectors kept working"
        );
        assert_eq!(worker.task_state("source", 0).as_deref(), Some("RUNNING"));
        assert!(worker.terminate(), "the worker still shuts down cleanly");
    }

    fn rest_errors_are_json_with_error_code_and_message(kind) {
        let broker = TestBroker::start(kind);
        let dir = tempfile::tempdir().unwrap();
        let plugins = plugin_dir(dir.path(), &["connect_file"]);
        let worker = Worker::standalone(
            dir.path(),
            &pairs(&broker_worker_settings(&broker, dir.path(), &plugins, STRING)),
            &[],
        );
        let (code, body) = worker.get("/connectors/nope/status");
        assert_eq!(code, 404);
        assert_eq!(body["error_code"], 404);
        assert!(body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nope"));
        let (code, body) = worker.get("/no/such/path");
        assert_eq!((code, body["error_code"].as_i64()), (404, Some(404)));
        let (code, info) = worker.get("/");
        assert_eq!(code, 200);
        assert!(
            info["version"].is_string() && info["kafka_cluster_id"].is_string(),
            "{info}"
        );
        let (_, plugins) = worker.get("/connector-plugins");
        let classes: Vec<&str> = plugins
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["class"].as_str())
            .collect();
        assert_eq!(
            classes,
            [
                "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "org.apache.kafka.connect.file.FileStreamSourceConnector"
            ]
        );
        assert_eq!(plugins[1]["type"], "source");
    }

    fn a_connector_asking_for_reconfiguration_gets_its_tasks_restarted_with_new_configs(kind) {
        let broker = TestBroker::start(kind);
        broker.create_topic("gen", 1);
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("out.txt");
        let plugins = plugin_dir(dir.path(), &["connect_file", "connect_test_kit"]);
        let worker = Worker::standalone(
            dir.path(),
            &pairs(&broker_worker_settings(&broker, dir.path(), &plugins, STRING)),
            &[
                &[
                    ("name", "changing"),
                    ("connector.class", "ReconfiguringSource"),
                    ("topic", "gen"),
                ],
                &[
                    ("name", "sink"),
                    ("connector.class", "FileStreamSink"),
                    ("file", path_str(&output)),
                    ("topics", "gen"),
                ],
            ],
        );
        assert!(
            wait_until(Duration::from_secs(30), || read_lines(&output)
                == ["generation-1", "generation-2"]),
            "got {:?}\n{}",
            read_lines(&output),
            worker.log()
        );
        let (_, tasks) = worker.get("/connectors/changing/tasks");
        assert_eq!(tasks[0]["config"]["generation"], "2", "{tasks}");
        assert_eq!(worker.task_state("changing", 0).as_deref(), Some("RUNNING"));
    }
}
