//! The worker and its connectors' clients over TLS to a real broker (Tansu behind a TLS
//! proxy), configured with Java's keys at the top of the worker file only.

use std::time::Duration;

use e2e::{
    pairs, path_str, plugin_dir, read_lines, wait_until, worker_settings, write_lines, TestBroker,
    Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

/// A worker copying `lines` file → topic → file through `broker`, with `security` settings
/// in its worker file.
fn copy_through(
    dir: &std::path::Path,
    broker: &TestBroker,
    security: &[(&str, &str)],
    lines: usize,
) -> (Worker, Vec<String>, std::path::PathBuf) {
    let plugins = plugin_dir(dir, &["connect_file"]);
    let input = dir.join("in.txt");
    let output = dir.join("out.txt");
    let written = write_lines(&input, lines);
    broker.create_topic("secured", 1);
    let mut settings = worker_settings(dir, &plugins, STRING);
    settings.push((
        "bootstrap.servers".into(),
        broker.bootstrap_servers().unwrap().into(),
    ));
    let mut worker: Vec<(&str, &str)> = pairs(&settings);
    worker.extend_from_slice(security);
    let worker = Worker::standalone(
        dir,
        &worker,
        &[
            &[
                ("name", "source"),
                ("connector.class", "FileStreamSource"),
                ("file", path_str(&input)),
                ("topic", "secured"),
            ],
            &[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("file", path_str(&output)),
                ("topics", "secured"),
            ],
        ],
    );
    (worker, written, output)
}

#[test]
fn source_and_sink_run_over_tls_with_the_workers_own_settings() {
    let (broker, proxy) = TestBroker::start_behind_tls();
    let dir = tempfile::tempdir().unwrap();
    let (worker, written, output) = copy_through(
        dir.path(),
        &broker,
        &[
            ("security.protocol", "SSL"),
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", path_str(&proxy.ca_pem)),
        ],
        2_000,
    );
    assert!(
        wait_until(Duration::from_secs(60), || read_lines(&output).len()
            >= written.len()),
        "only {} of {} lines arrived over TLS:\n{}",
        read_lines(&output).len(),
        written.len(),
        worker.log()
    );
    assert_eq!(read_lines(&output), written);
    let (_, root) = worker.get("/");
    assert!(
        !root["kafka_cluster_id"].as_str().unwrap_or("").is_empty(),
        "the worker's own client reached the cluster over TLS: {root}"
    );
}

#[test]
fn without_the_broker_ca_nothing_moves_and_the_log_says_why() {
    let (broker, _proxy) = TestBroker::start_behind_tls();
    let dir = tempfile::tempdir().unwrap();
    let (worker, _, output) =
        copy_through(dir.path(), &broker, &[("security.protocol", "SSL")], 100);
    assert!(
        wait_until(Duration::from_secs(30), || worker
            .log()
            .to_lowercase()
            .contains("certificate verify failed")),
        "{}",
        worker.log()
    );
    assert!(read_lines(&output).is_empty());
}
