//! `GET /metrics` while records flow: the source's poll and write counters, the sink's read
//! and send counters and the error counters agree with what an independent client reads
//! from the topics. On both brokers.

use std::io::Write;
use std::time::Duration;

use e2e::{
    broker_worker_settings, on_every_broker, pairs, path_str, plugin_dir, produce, read_lines,
    read_topic, wait_until, write_lines, BrokerKind, TestBroker, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

/// The worker's metrics text; asserts the content type Prometheus expects.
fn scrape(worker: &Worker) -> String {
    let response =
        reqwest::blocking::get(format!("{}/metrics", worker.rest)).expect("GET /metrics");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    response.text().expect("metrics text")
}

/// The value of the sample `series` (name and labels exactly as exported), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

/// The value of a task's metric `name` (without the `kafka_connect_` prefix); 0 when absent.
fn task_metric(text: &str, name: &str, connector: &str) -> u64 {
    let series = format!("kafka_connect_{name}{{connector=\"{connector}\",task=\"0\"}}");
    sample(text, &series).unwrap_or(0.0) as u64
}

/// Scrapes until `metric` of `connector` reaches `expected`, checking that it never goes
/// down on the way; returns the last scrape.
fn wait_for(worker: &Worker, metric: &str, connector: &str, expected: u64) -> String {
    let mut text = String::new();
    let mut last = 0;
    let reached = wait_until(Duration::from_secs(120), || {
        text = scrape(worker);
        let value = task_metric(&text, metric, connector);
        assert!(
            value >= last,
            "{metric} of {connector} went down from {last} to {value}"
        );
        last = value;
        value >= expected
    });
    assert!(
        reached,
        "{metric} of {connector} stayed below {expected}:\n{text}\nworker log:\n{}",
        worker.log()
    );
    text
}

const POLL: &str = "source_task_metrics_source_record_poll_total";
const WRITE: &str = "source_task_metrics_source_record_write_total";
const READ: &str = "sink_task_metrics_sink_record_read_total";
const SEND: &str = "sink_task_metrics_sink_record_send_total";

fn counters_follow_the_records(kind: BrokerKind) {
    let broker = TestBroker::start_external(kind);
    broker.create_topic("lines", 1);
    let servers = broker.bootstrap_servers().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    let half = 10_000;
    write_lines(&input, half);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir.path(), &plugins, STRING);
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
            ],
            &[
                ("name", "sink"),
                ("connector.class", "FileStreamSink"),
                ("file", path_str(&output)),
                ("topics", "lines"),
            ],
        ],
    );

    // While the worker runs: the first half is polled and written.
    let first = wait_for(&worker, WRITE, "source", half as u64);
    assert_eq!(task_metric(&first, POLL, "source"), half as u64, "{first}");
    assert_eq!(task_metric(&first, WRITE, "source"), half as u64, "{first}");

    // More lines: both counters go on from there.
    let more: Vec<String> = (0..half).map(|i| format!("more-{i}")).collect();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    f.write_all((more.join("\n") + "\n").as_bytes()).unwrap();
    drop(f);
    let total = 2 * half as u64;
    let after = wait_for(&worker, WRITE, "source", total);
    assert_eq!(task_metric(&after, POLL, "source"), total, "{after}");
    assert_eq!(
        task_metric(
            &after,
            "source_task_metrics_source_record_active_count",
            "source"
        ),
        0
    );
    assert!(task_metric(&after, "connector_task_metrics_batch_size_max", "source") > 0);
    assert!(
        task_metric(
            &after,
            "source_task_metrics_poll_batch_time_ms_count",
            "source"
        ) > 0
    );

    // The write total is what an independent consumer finds in the topic.
    let in_topic = read_topic(&servers, "lines").len() as u64;
    assert_eq!(in_topic, total);
    let after = scrape(&worker);
    assert_eq!(task_metric(&after, WRITE, "source"), in_topic, "{after}");

    // The sink read and put every record of the topic.
    assert!(
        wait_until(Duration::from_secs(120), || read_lines(&output).len()
            as u64
            >= total),
        "{}",
        worker.log()
    );
    let sink = wait_for(&worker, SEND, "sink", total);
    assert_eq!(task_metric(&sink, READ, "sink"), total, "{sink}");
    assert_eq!(task_metric(&sink, SEND, "sink"), total, "{sink}");
    assert_eq!(
        task_metric(&sink, "sink_task_metrics_partition_count", "sink"),
        1,
        "{sink}"
    );
    wait_for(
        &worker,
        "sink_task_metrics_offset_commit_completion_total",
        "sink",
        1,
    );
    wait_for(
        &worker,
        "connector_task_metrics_offset_commit_success_total",
        "source",
        1,
    );

    // The worker's view.
    for (series, value) in [
        ("kafka_connect_connect_worker_metrics_connector_count", 2.0),
        ("kafka_connect_connect_worker_metrics_task_count", 2.0),
        ("kafka_connect_connect_worker_metrics_connector_startup_success_total", 2.0),
        ("kafka_connect_connect_worker_metrics_task_startup_success_total", 2.0),
        ("kafka_connect_connect_worker_metrics_task_startup_failure_total", 0.0),
        ("kafka_connect_connect_worker_metrics_connector_running_task_count{connector=\"source\"}", 1.0),
        ("kafka_connect_connector_metrics_status{connector=\"sink\",status=\"running\"}", 1.0),
        ("kafka_connect_connector_task_metrics_status{connector=\"source\",task=\"0\",status=\"running\"}", 1.0),
    ] {
        assert_eq!(sample(&sink, series), Some(value), "{series} in\n{sink}");
    }
    eprintln!(
        "metrics seen: poll {} write {} (topic {in_topic}) read {} send {}",
        task_metric(&sink, POLL, "source"),
        task_metric(&sink, WRITE, "source"),
        task_metric(&sink, READ, "sink"),
        task_metric(&sink, SEND, "sink")
    );

    // The route is in the OpenAPI document, as text.
    let (_, doc) = worker.get("/openapi.json");
    let content = &doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"];
    assert!(
        content["text/plain; version=0.0.4; charset=utf-8"].is_object(),
        "{content}"
    );

    // Prometheus asks for OpenMetrics, which the text is.
    let response = reqwest::blocking::Client::new()
        .get(format!("{}/metrics", worker.rest))
        .header(
            "accept",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        )
        .send()
        .unwrap();
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text; version=1.0.0"));
    assert!(response.text().unwrap().ends_with("# EOF\n"));

    // A restarted task counts from zero; a deleted connector's metrics are gone.
    let (code, _) = worker.call("POST", "/connectors/sink/tasks/0/restart", None);
    assert_eq!(code, 204);
    let restarted = scrape(&worker);
    assert!(task_metric(&restarted, READ, "sink") < total, "{restarted}");
    let (code, _) = worker.call("DELETE", "/connectors/source", None);
    assert_eq!(code, 204);
    let gone = scrape(&worker);
    assert!(!gone.contains("connector=\"source\""), "{gone}");
    assert_eq!(
        sample(
            &gone,
            "kafka_connect_connect_worker_metrics_connector_count"
        ),
        Some(1.0)
    );
}

fn error_counters_count_the_bad_records(kind: BrokerKind) {
    let broker = TestBroker::start_external(kind);
    broker.create_topic("in", 1);
    let servers = broker.bootstrap_servers().unwrap().to_string();
    // 20 values, every fourth not JSON.
    let values: Vec<Vec<u8>> = (0..20)
        .map(|i| {
            if i % 4 == 0 {
                format!("{{bad {i}")
            } else {
                format!("\"good-{i}\"")
            }
            .into_bytes()
        })
        .collect();
    let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    produce(&servers, "in", &refs);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.txt");
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir.path(), &plugins, JSON);
    settings.push(("value.converter.schemas.enable".into(), "false".into()));
    let worker = Worker::standalone(
        dir.path(),
        &pairs(&settings),
        &[&[
            ("name", "sink"),
            ("connector.class", "FileStreamSink"),
            ("topics", "in"),
            ("file", path_str(&output)),
            ("errors.tolerance", "all"),
            ("errors.log.enable", "true"),
            ("errors.deadletterqueue.topic.name", "dlq"),
            ("errors.deadletterqueue.topic.replication.factor", "1"),
        ]],
    );
    let text = wait_for(&worker, READ, "sink", 20);
    let text = if task_metric(&text, SEND, "sink") < 15 {
        wait_for(&worker, SEND, "sink", 15)
    } else {
        text
    };
    for (metric, expected) in [
        (READ, 20),
        (SEND, 15),
        ("task_error_metrics_total_record_failures_total", 5),
        ("task_error_metrics_total_records_skipped_total", 5),
        ("task_error_metrics_total_errors_logged_total", 5),
        (
            "task_error_metrics_deadletterqueue_produce_requests_total",
            5,
        ),
        (
            "task_error_metrics_deadletterqueue_produce_failures_total",
            0,
        ),
        ("task_error_metrics_total_record_errors_total", 0),
    ] {
        assert_eq!(
            task_metric(&text, metric, "sink"),
            expected,
            "{metric} in\n{text}"
        );
    }
    assert_eq!(read_topic(&servers, "dlq").len(), 5);
}

on_every_broker! {
    fn source_and_sink_counters_match_the_records_moved(kind) {
        counters_follow_the_records(kind);
    }

    fn error_counters_count_each_tolerated_record(kind) {
        error_counters_count_the_bad_records(kind);
    }
}
