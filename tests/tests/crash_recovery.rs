//! `kill -9` of the worker mid-transfer: the stored source position is never ahead of what
//! the broker acknowledged, a restart resumes from it, and nothing is lost.
//!
//! The broker runs in a process of its own (`connect embedded-broker`, or Tansu), so the
//! topic outlives the killed worker and is checked by an independent client.

use std::time::Duration;

use e2e::{
    on_every_broker, path_str, plugin_dir, read_topic, read_topic_timestamped, stored_position,
    wait_until, write_lines, BrokerKind, TestBroker, Worker,
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

fn kill_9_and_restart(kind: BrokerKind) {
    let broker = TestBroker::start_external(kind);
    broker.create_topic("crash", 1);
    let servers = broker
        .bootstrap_servers()
        .expect("an external broker")
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let lines = write_lines(&input, LINES);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let offsets = dir.path().join("connect.offsets");
    let worker_props = [
        ("bootstrap.servers", servers.as_str()),
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
    let topic = read_topic(&servers, "crash");
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
    eprintln!("killed at stored position {position} of {total_bytes} bytes: {committed_lines} lines committed, {} in the topic", topic.len());
    let restarted_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let worker = Worker::standalone(dir.path(), &worker_props, &[source]);
    let done = wait_until(Duration::from_secs(300), || {
        stored_position(&offsets) == Some(total_bytes)
    });
    assert!(
        done,
        "the restarted worker did not reach the end; log:\n{}",
        worker.log()
    );
    // Records stamped before the restart are the killed run's (a broker may append a
    // request of the dead connection late, even among the new run's records); each run's
    // records are in order, and the new run starts exactly at the stored position.
    let topic = read_topic_timestamped(&servers, "crash");
    let (first, second): (Vec<_>, Vec<_>) =
        topic.into_iter().partition(|(ts, _)| *ts < restarted_at);
    assert!(
        first.len() >= committed_lines,
        "the killed run delivered {}, fewer than the {committed_lines} committed",
        first.len()
    );
    for (i, (_, value)) in first.iter().enumerate() {
        assert_eq!(
            value.as_deref(),
            Some(lines[i].as_bytes()),
            "killed run, record {i}"
        );
    }
    assert_eq!(
        second.len(),
        LINES - committed_lines,
        "the restarted run sends every line from the stored position on, once"
    );
    for (i, (_, value)) in second.iter().enumerate() {
        assert_eq!(
            value.as_deref(),
            Some(lines[committed_lines + i].as_bytes()),
            "restarted run, record {i}"
        );
    }
    eprintln!(
        "{} lines sent twice (between the stored position and the crash), none lost",
        first.len() - committed_lines
    );
    // FileStreamSourceTask logs where it resumed at DEBUG, as Java's: the records above
    // are the proof that it did.
}

on_every_broker! {
    fn kill_9_mid_transfer_never_commits_past_acked_records_and_resumes_there(kind) {
        kill_9_and_restart(kind);
    }
}
