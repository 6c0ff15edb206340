//! FileStreamSource → topic → FileStreamSink through the real worker on the embedded broker.

use std::time::Duration;

use e2e::{
    pairs, path_str, plugin_dir, read_lines, wait_until, worker_settings, write_lines, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

/// Copies `lines` lines through a source and a sink connector with the given converter
/// settings and asserts the sink file equals the source file, in order.
fn copy_through_worker(lines: usize, converter: &str, schemas_enable: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let expected = write_lines(&input, lines);
    copy_file_through_worker(dir.path(), &input, expected, converter, schemas_enable);
}

fn copy_file_through_worker(
    dir: &std::path::Path,
    input: &std::path::Path,
    expected: Vec<String>,
    converter: &str,
    schemas_enable: &str,
) {
    let lines = expected.len();
    let output = dir.join("out.txt");
    let plugins = plugin_dir(dir, &["connect_file"]);
    let offsets = dir.join("connect.offsets");
    let worker = Worker::standalone(
        dir,
        &[
            ("key.converter", converter),
            ("value.converter", converter),
            ("key.converter.schemas.enable", schemas_enable),
            ("value.converter.schemas.enable", schemas_enable),
            ("offset.storage.file.filename", path_str(&offsets)),
            ("offset.flush.interval.ms", "1000"),
            ("plugin.path", path_str(&plugins)),
        ],
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
        read_lines(&output).len() >= lines
    });
    let got = read_lines(&output);
    assert!(
        complete,
        "sink has {} of {lines} lines; worker log:\n{}",
        got.len(),
        worker.log()
    );
    assert_eq!(got.len(), expected.len(), "no duplicates");
    assert!(got == expected, "sink file differs from the source file");
    assert_eq!(worker.task_state("source", 0).as_deref(), Some("RUNNING"));
    assert_eq!(worker.task_state("sink", 0).as_deref(), Some("RUNNING"));
}

#[test]
fn a_100k_line_file_reaches_the_sink_identical_and_in_order() {
    copy_through_worker(100_000, STRING, "false");
}

/// Unpatched, the embedded broker keeps only ~5 MiB per partition: 100 MB must arrive whole.
#[test]
fn a_million_100_byte_lines_pass_the_embedded_broker_complete() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let lines: Vec<String> = (0..1_000_000)
        .map(|i| format!("{i:010}{}", "y".repeat(89)))
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    assert_eq!(std::fs::metadata(&input).unwrap().len(), 100_000_000);
    copy_file_through_worker(dir.path(), &input, lines, STRING, "false");
}

#[test]
fn json_converter_with_schemas_copies_lines_identically() {
    copy_through_worker(100_000, JSON, "true");
}

#[test]
fn json_converter_without_schemas_copies_lines_identically() {
    copy_through_worker(100_000, JSON, "false");
}

#[test]
fn lines_appended_while_running_are_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "first\n").unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let worker = Worker::standalone(
        dir.path(),
        &pairs(&worker_settings(dir.path(), &plugins, STRING)),
        &[
            &[
                ("name", "source"),
                (
                    "connector.class",
                    "org.apache.kafka.connect.file.FileStreamSourceConnector",
                ),
                ("file", path_str(&input)),
                ("topic", "t"),
            ],
            &[
                ("name", "sink"),
                (
                    "connector.class",
                    "org.apache.kafka.connect.file.FileStreamSinkConnector",
                ),
                ("file", path_str(&output)),
                ("topics", "t"),
            ],
        ],
    );
    assert!(
        wait_until(Duration::from_secs(30), || read_lines(&output) == ["first"]),
        "{}",
        worker.log()
    );
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    // A partial line is held back until its newline arrives.
    f.write_all(b"second\nthi").unwrap();
    f.flush().unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || read_lines(&output)
            == ["first", "second"]),
        "{}",
        worker.log()
    );
    f.write_all(b"rd\n").unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || read_lines(&output)
            == ["first", "second", "third"]),
        "{}",
        worker.log()
    );
}

#[test]
fn kafkas_own_connector_files_run_unchanged() {
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
        &pairs(&worker_settings(dir.path(), &plugins, JSON)),
        &[source, sink],
    );
    let output = dir.path().join("test.sink.txt");
    assert!(
        wait_until(Duration::from_secs(60), || read_lines(&output) == expected),
        "{}",
        worker.log()
    );
}
