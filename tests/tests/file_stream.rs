//! FileStreamSource → topic → FileStreamSink through the real worker, on both brokers.

use std::path::Path;
use std::time::Duration;

use e2e::{
    broker_worker_settings, on_every_broker, pairs, path_str, plugin_dir, read_lines, wait_until,
    write_lines, BrokerKind, TestBroker, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

/// Copies `lines` generated lines through a source and a sink connector.
fn copy_through_worker(kind: BrokerKind, lines: usize, converter: &str, schemas_enable: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let expected = write_lines(&input, lines);
    copy_file_through_worker(
        kind,
        dir.path(),
        &input,
        expected,
        converter,
        schemas_enable,
    );
}

/// Copies `input` through a source and a sink connector with the given converter settings
/// and asserts the sink file equals `expected`, in order, without duplicates.
fn copy_file_through_worker(
    kind: BrokerKind,
    dir: &Path,
    input: &Path,
    expected: Vec<String>,
    converter: &str,
    schemas_enable: &str,
) {
    let broker = TestBroker::start(kind);
    broker.create_topic("lines", 1);
    let output = dir.join("out.txt");
    let plugins = plugin_dir(dir, &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir, &plugins, converter);
    for (k, v) in [
        ("key.converter.schemas.enable", schemas_enable),
        ("value.converter.schemas.enable", schemas_enable),
        ("offset.flush.interval.ms", "1000"),
    ] {
        settings.push((k.to_string(), v.to_string()));
    }
    let worker = Worker::standalone(
        dir,
        &pairs(&settings),
        &[
            &[
                ("name", "source"),
                ("connector.class", "FileStreamSource"),
                ("file", path_str(input)),
                ("topic", "lines"),
            ],
            &[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("file", path_str(&output)),
                ("topics", "lines"),
            ],
        ],
    );
    let complete = wait_until(Duration::from_secs(300), || {
        read_lines(&output).len() >= expected.len()
    });
    let got = read_lines(&output);
    assert!(
        complete,
        "sink has {} of {} lines; worker log:\n{}",
        got.len(),
        expected.len(),
        worker.log()
    );
    assert_eq!(got.len(), expected.len(), "no duplicates");
    assert!(got == expected, "sink file differs from the source file");
    assert_eq!(worker.task_state("source", 0).as_deref(), Some("RUNNING"));
    assert_eq!(worker.task_state("sink", 0).as_deref(), Some("RUNNING"));
}

on_every_broker! {
    fn a_100k_line_file_reaches_the_sink_identical_and_in_order(kind) {
        copy_through_worker(kind, 100_000, STRING, "false");
    }

    /// Unpatched, the embedded broker keeps only ~5 MiB per partition: 100 MB must arrive whole.
    fn a_million_100_byte_lines_arrive_complete(kind) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        let lines: Vec<String> = (0..1_000_000).map(|i| format!("{i:010}{}", "y".repeat(89))).collect();
        std::fs::write(&input, lines.join("\n") + "\n").unwrap();
        assert_eq!(std::fs::metadata(&input).unwrap().len(), 100_000_000);
        copy_file_through_worker(kind, dir.path(), &input, lines, STRING, "false");
    }

    fn json_converter_with_schemas_copies_lines_identically(kind) {
        copy_through_worker(kind, 100_000, JSON, "true");
    }

    fn json_converter_without_schemas_copies_lines_identically(kind) {
        copy_through_worker(kind, 100_000, JSON, "false");
    }

    fn lines_appended_while_running_are_picked_up(kind) {
        let broker = TestBroker::start(kind);
        broker.create_topic("t", 1);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        let output = dir.path().join("out.txt");
        std::fs::write(&input, "first\n").unwrap();
        let plugins = plugin_dir(dir.path(), &["connect_file"]);
        let worker = Worker::standalone(
            dir.path(),
            &pairs(&broker_worker_settings(&broker, dir.path(), &plugins, STRING)),
            &[
                &[("name", "source"), ("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector"), ("file", path_str(&input)), ("topic", "t")],
                &[("name", "sink"), ("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector"), ("file", path_str(&output)), ("topics", "t")],
            ],
        );
        assert!(wait_until(Duration::from_secs(30), || read_lines(&output) == ["first"]), "{}", worker.log());
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&input).unwrap();
        // A partial line is held back until its newline arrives.
        f.write_all(b"second\nthi").unwrap();
        f.flush().unwrap();
        assert!(wait_until(Duration::from_secs(30), || read_lines(&output) == ["first", "second"]), "{}", worker.log());
        f.write_all(b"rd\n").unwrap();
        assert!(wait_until(Duration::from_secs(30), || read_lines(&output) == ["first", "second", "third"]), "{}", worker.log());
    }

    fn kafkas_own_connector_files_run_unchanged(kind) {
        let broker = TestBroker::start(kind);
        broker.create_topic("connect-test", 1);
        let dir = tempfile::tempdir().unwrap();
        let fixtures = e2e::workspace_root().join("tests/fixtures/kafka");
        let source = dir.path().join("connect-file-source.properties");
        let sink = dir.path().join("connect-file-sink.properties");
        std::fs::copy(fixtures.join("connect-file-source.properties"), &source).unwrap();
        std::fs::copy(fixtures.join("connect-file-sink.properties"), &sink).unwrap();
        let expected = write_lines(&dir.path().join("test.txt"), 100);
        let plugins = plugin_dir(dir.path(), &["connect_file"]);
        let worker = Worker::standalone_with_files(
            dir.path(),
            &pairs(&broker_worker_settings(&broker, dir.path(), &plugins, JSON)),
            &[source, sink],
        );
        let output = dir.path().join("test.sink.txt");
        assert!(wait_until(Duration::from_secs(60), || read_lines(&output) == expected), "{}", worker.log());
    }

    /// The sink's group `connect-<name>` commits what it flushed, visible to any client.
    fn sink_offsets_are_committed_to_its_consumer_group(kind) {
        let broker = TestBroker::start_external(kind);
        broker.create_topic("lines", 1);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        let output = dir.path().join("out.txt");
        let expected = write_lines(&input, 5000);
        let plugins = plugin_dir(dir.path(), &["connect_file"]);
        let mut settings = broker_worker_settings(&broker, dir.path(), &plugins, STRING);
        settings.push(("offset.flush.interval.ms".into(), "500".into()));
        let worker = Worker::standalone(
            dir.path(),
            &pairs(&settings),
            &[
                &[("name", "source"), ("connector.class", "FileStreamSource"), ("file", path_str(&input)), ("topic", "lines")],
                &[("name", "sink"), ("connector.class", "FileStreamSink"), ("file", path_str(&output)), ("topics", "lines")],
            ],
        );
        let servers = broker.bootstrap_servers().unwrap_or_default().to_string();
        let committed = wait_until(Duration::from_secs(60), || {
            e2e::committed_offset(&servers, "connect-sink", "lines") == Some(expected.len() as i64)
        });
        assert!(committed, "group connect-sink committed {:?}; log:\n{}", e2e::committed_offset(&servers, "connect-sink", "lines"), worker.log());
        assert_eq!(read_lines(&output), expected, "everything committed was written");
    }
}
