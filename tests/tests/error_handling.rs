//! Records that fail conversion (Kafka's KIP-298): with `errors.tolerance=all` and a
//! dead-letter queue every good record reaches the sink and every bad one the DLQ with its
//! context headers; with `none` the task fails naming the record. On both brokers.

use std::time::Duration;

use e2e::{
    on_every_broker, pairs, path_str, plugin_dir, produce, read_lines, read_topic_messages,
    wait_until, worker_settings, BrokerKind, TestBroker, Worker,
};

const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

/// Good and bad JSON values in one topic; the good ones are the odd-numbered.
fn mixed() -> Vec<Vec<u8>> {
    (0..20)
        .map(|i| {
            if i % 4 == 0 {
                format!("{{not json {i}").into_bytes()
            } else {
                format!("\"good-{i}\"").into_bytes()
            }
        })
        .collect()
}

fn start(kind: BrokerKind, dir: &std::path::Path, sink: &[(&str, &str)]) -> (TestBroker, Worker) {
    let broker = TestBroker::start_external(kind);
    broker.create_topic("in", 1);
    let servers = broker.bootstrap_servers().unwrap().to_string();
    let values = mixed();
    let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    produce(&servers, "in", &refs);
    let plugins = plugin_dir(dir, &["connect_file"]);
    let mut settings = worker_settings(dir, &plugins, JSON);
    settings.push(("bootstrap.servers".into(), servers));
    settings.push(("value.converter.schemas.enable".into(), "false".into()));
    settings.push(("offset.flush.interval.ms".into(), "500".into()));
    let mut connector = vec![
        ("name", "sink"),
        ("connector.class", "FileStreamSink"),
        ("topics", "in"),
    ];
    connector.extend_from_slice(sink);
    let worker = Worker::standalone(dir, &pairs(&settings), &[&connector]);
    (broker, worker)
}

on_every_broker! {
    fn bad_records_go_to_the_dead_letter_queue(kind) {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("out.txt");
        let (broker, worker) = start(
            kind,
            dir.path(),
            &[
                ("file", path_str(&output)),
                ("errors.tolerance", "all"),
                ("errors.log.enable", "true"),
                ("errors.deadletterqueue.topic.name", "dlq"),
                ("errors.deadletterqueue.topic.replication.factor", "1"),
                ("errors.deadletterqueue.context.headers.enable", "true"),
            ],
        );
        let good: Vec<String> = (0..20).filter(|i| i % 4 != 0).map(|i| format!("good-{i}")).collect();
        let arrived = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= good.len());
        assert!(arrived, "sink has {:?}\n{}", read_lines(&output), worker.log());
        assert_eq!(read_lines(&output), good, "every good record, in order, once");
        assert_eq!(worker.task_state("sink", 0).as_deref(), Some("RUNNING"));

        let dlq = read_topic_messages(broker.bootstrap_servers().unwrap(), "dlq");
        let bad: Vec<Vec<u8>> = mixed().into_iter().step_by(4).collect();
        assert_eq!(dlq.iter().map(|m| m.value.clone().unwrap()).collect::<Vec<_>>(), bad);
        for (m, offset) in dlq.iter().zip((0..20).step_by(4)) {
            assert_eq!(m.header("__connect.errors.topic"), Some("in"));
            assert_eq!(m.header("__connect.errors.partition"), Some("0"));
            assert_eq!(m.header("__connect.errors.offset"), Some(offset.to_string().as_str()));
            assert_eq!(m.header("__connect.errors.connector.name"), Some("sink"));
            assert_eq!(m.header("__connect.errors.stage"), Some("VALUE_CONVERTER"));
            assert!(m.header("__connect.errors.exception.message").is_some_and(|e| !e.is_empty()));
            assert_eq!(
                m.header("__connect.errors.exception.class.name"),
                Some("org.apache.kafka.connect.errors.DataException")
            );
        }
        assert!(worker.log().contains("Executing stage 'VALUE_CONVERTER'"), "errors.log.enable logs each");
    }

    fn without_tolerance_the_task_fails_naming_the_offset(kind) {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("out.txt");
        let (_broker, worker) = start(kind, dir.path(), &[("file", path_str(&output))]);
        let failed = wait_until(Duration::from_secs(60), || worker.task_state("sink", 0).as_deref() == Some("FAILED"));
        assert!(failed, "{}", worker.log());
        let (_, status) = worker.get("/connectors/sink/status");
        let trace = status["tasks"][0]["trace"].as_str().unwrap();
        assert!(trace.contains("partition 0 offset 0") && trace.contains("VALUE_CONVERTER"), "{trace}");
        assert!(read_lines(&output).is_empty(), "nothing past the bad record was written");
    }
}
