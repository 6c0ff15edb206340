//! The broker stopped for 10 s mid-transfer and started again (real broker only: the
//! embedded one dies with its process). Tasks ride it out: nothing lost, none FAILED.

use std::collections::HashSet;
use std::time::Duration;

use e2e::{
    broker_worker_settings, pairs, path_str, plugin_dir, read_lines, wait_until, write_lines,
    TestBroker, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const LINES: usize = 200_000;

#[test]
fn a_broker_down_for_10_seconds_mid_transfer_loses_nothing_and_fails_no_task() {
    let mut broker = TestBroker::start_durable();
    broker.create_topic("lines", 1);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    let lines = write_lines(&input, LINES);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir.path(), &plugins, STRING);
    settings.push(("offset.flush.interval.ms".into(), "500".into()));
    let worker = Worker::standalone(
        dir.path(),
        &pairs(&settings),
        &[
            // Small batches keep the transfer going long enough to be cut in the middle.
            &[
                ("name", "source"),
                ("connector.class", "FileStreamSource"),
                ("file", path_str(&input)),
                ("topic", "lines"),
                ("batch.size", "100"),
            ],
            &[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("file", path_str(&output)),
                ("topics", "lines"),
            ],
        ],
    );
    assert!(
        wait_until(Duration::from_secs(120), || read_lines(&output).len()
            >= LINES / 20),
        "no data before the outage; log:\n{}",
        worker.log()
    );
    broker.stop();
    let at_outage = read_lines(&output).len();
    std::thread::sleep(Duration::from_secs(10));
    assert_eq!(
        worker.task_state("source", 0).as_deref(),
        Some("RUNNING"),
        "the source waits, it does not fail"
    );
    assert_eq!(
        worker.task_state("sink", 0).as_deref(),
        Some("RUNNING"),
        "the sink waits, it does not fail"
    );
    broker.restart();

    let all: HashSet<&str> = lines.iter().map(String::as_str).collect();
    let complete = wait_until(Duration::from_secs(300), || {
        let got = read_lines(&output);
        got.iter().map(String::as_str).collect::<HashSet<_>>() == all
    });
    let got = read_lines(&output);
    assert!(
        complete,
        "after the outage the sink has {} lines ({} distinct of {LINES}); log:\n{}",
        got.len(),
        got.iter().collect::<HashSet<_>>().len(),
        worker.log()
    );
    // At least once, in order: dropping repeats of lines already seen gives the file back.
    let mut seen = HashSet::new();
    let first_occurrences: Vec<&String> = got.iter().filter(|l| seen.insert(l.as_str())).collect();
    assert!(
        first_occurrences.iter().zip(&lines).all(|(a, b)| *a == b),
        "order kept"
    );
    assert!(
        at_outage < LINES,
        "the outage hit mid-transfer ({at_outage} lines before it)"
    );
    assert_eq!(worker.task_state("source", 0).as_deref(), Some("RUNNING"));
    assert_eq!(worker.task_state("sink", 0).as_deref(), Some("RUNNING"));
    eprintln!(
        "outage after {at_outage} lines; {} lines delivered twice",
        got.len() - LINES
    );
}
