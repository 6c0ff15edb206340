//! `kill -9` of the worker mid-transfer: the stored source position is never ahead of what
//! the broker acknowledged, and a restart resumes from it.
//!
//! The embedded broker runs in a process of its own (`connect embedded-broker`), so the
//! topic outlives the killed worker and can be checked by an independent client.

use std::time::Duration;

use e2e::{
    path_str, plugin_dir, read_topic, stored_position, wait_until, write_lines, BrokerProcess,
    Worker,
};

const LINES: usize = 1_000_000;
const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

/// How many whole lines lie before byte `position` of the file.
fn lines_before(lines: &[String], position: i64) -> usize {
    let mut end = 0i64;
    for (i, l) in lines.iter().enumerate() {
        end += l.len() as i64 + 1;
        if end > position {
            return i;
        }
    }
    lines.len()
}

#[test]
fn kill_9_mid_transfer_never_commits_past_acked_records_and_resumes_there() {
    let broker = BrokerProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let lines = write_lines(&input, LINES);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let offsets = dir.path().join("connect.offsets");
    let worker_props = [
        ("bootstrap.servers", broker.bootstrap_servers.as_str()),
        ("key.converter", STRING),
        ("value.converter", STRING),
        ("offset.storage.file.filename", path_str(&offsets)),
        ("offset.flush.interval.ms", "100"),
        ("plugin.path", path_str(&plugins)),
    ];
    let source: &[(&str, &str)] = &[
        ("name", "source"),
        ("connector.class", "FileStreamSource"),
        ("file", path_str(&input)),
        ("topic", "crash"),
        ("batch.size", "500"),
    ];

    let mut worker = Worker::standalone(dir.path(), &worker_props, &[source]);
    let total_bytes = std::fs::metadata(&input).unwrap().len() as i64;
    let mid = wait_until(Duration::from_secs(120), || {
        stored_position(&offsets).is_some_and(|p| p > total_bytes / 10)
    });
    assert!(mid, "no offsets committed; log:\n{}", worker.log());
    worker.kill_9();

    let position = stored_position(&offsets).expect("a stored position");
    assert!(
        position < total_bytes,
        "killed too late to be mid-transfer ({position} of {total_bytes} bytes)"
    );
    let committed_lines = lines_before(&lines, position);
    let topic = read_topic(&broker.bootstrap_servers, "crash");
    assert!(
        committed_lines <= topic.len(),
        "stored position covers {committed_lines} lines but the broker holds only {}",
        topic.len()
    );
    for (i, value) in topic.iter().enumerate() {
        assert_eq!(
            value.as_deref(),
            Some(lines[i].as_bytes()),
            "record {i} out of order or corrupt"
        );
    }

    // Restart with the same files: it resumes at the stored position, not at zero.
    let acked_before_crash = topic.len();
    eprintln!("killed at stored position {position} of {total_bytes} bytes: {committed_lines} lines committed, {acked_before_crash} in the topic");
    let expected_total = acked_before_crash + (LINES - committed_lines);
    let worker = Worker::standalone(dir.path(), &worker_props, &[source]);
    let done = wait_until(Duration::from_secs(180), || {
        stored_position(&offsets) == Some(total_bytes)
    });
    assert!(
        done,
        "the restarted worker did not reach the end; log:\n{}",
        worker.log()
    );
    let topic = read_topic(&broker.bootstrap_servers, "crash");
    assert_eq!(
        topic.len(),
        expected_total,
        "records resent after restart: only those past the stored position"
    );
    for (i, value) in topic[acked_before_crash..].iter().enumerate() {
        assert_eq!(
            value.as_deref(),
            Some(lines[committed_lines + i].as_bytes()),
            "resumed record {i}"
        );
    }
    assert!(
        worker
            .log()
            .contains(&format!("skip to file offset {position}")),
        "the task logs where it resumed"
    );
}
