//! The Prometheus text the worker serves at `GET /metrics`: Kafka Connect's metric groups
//! and names, as the Prometheus JMX exporter names them
//! (`kafka_connect_<group>_<metric>`, `-` → `_`), encoded by `prometheus-client`.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use super::registry::{Metrics, Startups};
use super::task::{Histogram, TaskKind, TaskMetrics};
use crate::storage::{ConnectorStatus, State, StatusStore};

/// What every name starts with (the JMX domain `kafka.connect`).
const PREFIX: &str = "kafka_connect";

/// How a task metric is read.
pub enum Reading {
    /// A count since the task started; exported with `_total` appended.
    Counter(fn(&TaskMetrics) -> &AtomicU64),
    Gauge(fn(&TaskMetrics) -> u64),
    /// Buckets, `_sum` and `_count`; values divided by the scale (µs → ms).
    Histogram(fn(&TaskMetrics) -> &Histogram, f64),
}

/// One per-task metric: its group and name as exported, the Java metrics it stands for.
pub struct TaskMetric {
    pub group: &'static str,
    pub name: &'static str,
    pub java: &'static str,
    pub help: &'static str,
    /// Only tasks of this kind have it; `None`: every task.
    pub only: Option<TaskKind>,
    pub reading: Reading,
}

const TASK: &str = "connector-task-metrics";
const SOURCE: &str = "source-task-metrics";
const SINK: &str = "sink-task-metrics";
const ERRORS: &str = "task-error-metrics";
const MS: f64 = 1000.0;

/// Every per-task metric (besides the task's status), in the order exported.
#[rustfmt::skip]
pub const TASK_METRICS: &[TaskMetric] = &[
    TaskMetric { group: TASK, name: "batch_size", java: "batch-size-avg", help: "Records per polled batch (source) or per put (sink).", only: None, reading: Reading::Histogram(|m| &m.batch_size, 1.0) },
    TaskMetric { group: TASK, name: "batch_size_max", java: "batch-size-max", help: "The largest batch since the task started.", only: None, reading: Reading::Gauge(|m| m.batch_size.max()) },
    TaskMetric { group: TASK, name: "offset_commit_success", java: "offset-commit-success-percentage", help: "Offset commits that succeeded.", only: None, reading: Reading::Counter(|m| &m.offset_commit_success) },
    TaskMetric { group: TASK, name: "offset_commit_failure", java: "offset-commit-failure-percentage", help: "Offset commits that failed.", only: None, reading: Reading::Counter(|m| &m.offset_commit_failure) },
    TaskMetric { group: SOURCE, name: "source_record_poll", java: "source-record-poll-total, source-record-poll-rate", help: "Records the task's poll returned, before transforms.", only: Some(TaskKind::Source), reading: Reading::Counter(|m| &m.source_record_poll) },
    TaskMetric { group: SOURCE, name: "source_record_write", java: "source-record-write-total, source-record-write-rate", help: "Records written to Kafka and acknowledged, after transforms.", only: Some(TaskKind::Source), reading: Reading::Counter(|m| &m.source_record_write) },
    TaskMetric { group: SOURCE, name: "source_record_active_count", java: "source-record-active-count", help: "Records sent to Kafka and not yet acknowledged.", only: Some(TaskKind::Source), reading: Reading::Gauge(TaskMetrics::source_active) },
    TaskMetric { group: SOURCE, name: "poll_batch_time_ms", java: "poll-batch-avg-time-ms", help: "Milliseconds a poll that returned records took.", only: Some(TaskKind::Source), reading: Reading::Histogram(|m| &m.poll_batch_time, MS) },
    TaskMetric { group: SOURCE, name: "poll_batch_max_time_ms", java: "poll-batch-max-time-ms", help: "The longest poll since the task started, in milliseconds.", only: Some(TaskKind::Source), reading: Reading::Gauge(|m| m.poll_batch_time.max() / 1000) },
    TaskMetric { group: SINK, name: "sink_record_read", java: "sink-record-read-total, sink-record-read-rate", help: "Records read from Kafka, before conversion and transforms.", only: Some(TaskKind::Sink), reading: Reading::Counter(|m| &m.sink_record_read) },
    TaskMetric { group: SINK, name: "sink_record_send", java: "sink-record-send-total, sink-record-send-rate", help: "Records handed to the task's put, after transforms.", only: Some(TaskKind::Sink), reading: Reading::Counter(|m| &m.sink_record_send) },
    TaskMetric { group: SINK, name: "put_batch_time_ms", java: "put-batch-avg-time-ms", help: "Milliseconds a put took.", only: Some(TaskKind::Sink), reading: Reading::Histogram(|m| &m.put_batch_time, MS) },
    TaskMetric { group: SINK, name: "put_batch_max_time_ms", java: "put-batch-max-time-ms", help: "The longest put since the task started, in milliseconds.", only: Some(TaskKind::Sink), reading: Reading::Gauge(|m| m.put_batch_time.max() / 1000) },
    TaskMetric { group: SINK, name: "offset_commit_completion", java: "offset-commit-completion-total, offset-commit-completion-rate", help: "Consumer offset commits that completed.", only: Some(TaskKind::Sink), reading: Reading::Counter(|m| &m.offset_commit_completion) },
    TaskMetric { group: SINK, name: "offset_commit_skip", java: "offset-commit-skip-total, offset-commit-skip-rate", help: "Commits skipped because pre_commit returned no offsets.", only: Some(TaskKind::Sink), reading: Reading::Counter(|m| &m.offset_commit_skip) },
    TaskMetric { group: SINK, name: "partition_count", java: "partition-count", help: "Topic partitions assigned to the task.", only: Some(TaskKind::Sink), reading: Reading::Gauge(|m| m.partition_count.load(Relaxed)) },
    TaskMetric { group: ERRORS, name: "total_record_errors", java: "total-record-errors", help: "Records that failed a stage.", only: None, reading: Reading::Counter(|m| &m.errors.record_errors) },
    TaskMetric { group: ERRORS, name: "total_record_failures", java: "total-record-failures", help: "Failed attempts of a stage, retries included.", only: None, reading: Reading::Counter(|m| &m.errors.record_failures) },
    TaskMetric { group: ERRORS, name: "total_records_skipped", java: "total-records-skipped", help: "Records skipped under errors.tolerance=all.", only: None, reading: Reading::Counter(|m| &m.errors.records_skipped) },
    TaskMetric { group: ERRORS, name: "total_errors_logged", java: "total-errors-logged", help: "Errors written to the log (errors.log.enable).", only: None, reading: Reading::Counter(|m| &m.errors.errors_logged) },
    TaskMetric { group: ERRORS, name: "deadletterqueue_produce_requests", java: "deadletterqueue-produce-requests", help: "Records sent to the dead-letter queue.", only: None, reading: Reading::Counter(|m| &m.errors.dlq_produce_requests) },
    TaskMetric { group: ERRORS, name: "deadletterqueue_produce_failures", java: "deadletterqueue-produce-failures", help: "Records the dead-letter queue's producer refused.", only: None, reading: Reading::Counter(|m| &m.errors.dlq_produce_failures) },
    TaskMetric { group: ERRORS, name: "total_retries", java: "total-retries", help: "Retries of a converter or transform after a retriable error.", only: None, reading: Reading::Counter(|m| &m.errors.retries) },
];

/// The worker's metrics and the state of its connectors, as Prometheus text.
pub fn encode(metrics: &Metrics, status: &StatusStore) -> Result<String, std::fmt::Error> {
    let snapshot = Snapshot {
        connectors: status
            .names()
            .iter()
            .filter_map(|n| status.get(n))
            .collect(),
        tasks: metrics.tasks(),
        connector_startups: counts(&metrics.connector_startups),
        task_startups: counts(&metrics.task_startups),
    };
    let mut registry = Registry::with_prefix(PREFIX);
    registry.register_collector(Box::new(snapshot));
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry)?;
    Ok(text)
}

fn counts(s: &Startups) -> [u64; 3] {
    [
        s.attempts.load(Relaxed),
        s.successes.load(Relaxed),
        s.failures.load(Relaxed),
    ]
}

/// What one scrape reports, read at its start.
struct Snapshot {
    connectors: Vec<ConnectorStatus>,
    tasks: Vec<((String, u32), Arc<TaskMetrics>)>,
    connector_startups: [u64; 3],
    task_startups: [u64; 3],
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("metrics snapshot")
    }
}

/// The state names Java's metrics report.
fn state_name(state: State) -> &'static str {
    match state {
        State::Unassigned => "unassigned",
        State::Running => "running",
        State::Paused => "paused",
        State::Stopped => "stopped",
        State::Failed => "failed",
        State::Restarting => "restarting",
    }
}

fn name(group: &str, metric: &str) -> String {
    format!("{}_{metric}", group.replace('-', "_"))
}

fn gauge(e: &mut DescriptorEncoder, name: &str, help: &str, v: i64) -> std::fmt::Result {
    let g = ConstGauge::new(v);
    g.encode(e.encode_descriptor(name, help, None, g.metric_type())?)
}

fn counter(e: &mut DescriptorEncoder, name: &str, help: &str, v: u64) -> std::fmt::Result {
    let c = ConstCounter::new(v);
    c.encode(e.encode_descriptor(name, help, None, c.metric_type())?)
}

impl Snapshot {
    fn encode_worker(&self, e: &mut DescriptorEncoder) -> std::fmt::Result {
        let group = "connect-worker-metrics";
        let tasks: usize = self.connectors.iter().map(|c| c.tasks.len()).sum();
        gauge(
            e,
            &name(group, "connector_count"),
            "Connectors on this worker.",
            self.connectors.len() as i64,
        )?;
        gauge(
            e,
            &name(group, "task_count"),
            "Tasks on this worker.",
            tasks as i64,
        )?;
        for (what, counts) in [
            ("connector", self.connector_startups),
            ("task", self.task_startups),
        ] {
            for (outcome, count) in ["attempts", "success", "failure"].iter().zip(counts) {
                let help = format!("{what} start-ups: {outcome}.");
                counter(
                    e,
                    &name(group, &format!("{what}_startup_{outcome}")),
                    &help,
                    count,
                )?;
            }
        }
        // Per connector: its tasks by state.
        let states = [
            ("total", None),
            ("running", Some(State::Running)),
            ("paused", Some(State::Paused)),
            ("failed", Some(State::Failed)),
            ("unassigned", Some(State::Unassigned)),
            ("restarting", Some(State::Restarting)),
        ];
        for (label, state) in states {
            let metric = name(group, &format!("connector_{label}_task_count"));
            let help = format!("The connector's tasks on this worker ({label}).");
            let mut m = e.encode_descriptor(&metric, &help, None, MetricType::Gauge)?;
            for c in &self.connectors {
                let n = c
                    .tasks
                    .values()
                    .filter(|t| state.is_none_or(|s| t.state == s))
                    .count();
                ConstGauge::new(n as i64)
                    .encode(m.encode_family(&[("connector", c.name.as_str())])?)?;
            }
        }
        Ok(())
    }

    fn encode_status(&self, e: &mut DescriptorEncoder) -> std::fmt::Result {
        let metric = name("connector-metrics", "status");
        let mut m = e.encode_descriptor(
            &metric,
            "The connector's state: 1 for the state it is in.",
            None,
            MetricType::Gauge,
        )?;
        for c in &self.connectors {
            let labels = [
                ("connector", c.name.as_str()),
                ("status", state_name(c.state)),
            ];
            ConstGauge::new(1).encode(m.encode_family(&labels)?)?;
        }
        let metric = name(TASK, "status");
        let mut m = e.encode_descriptor(
            &metric,
            "The task's state: 1 for the state it is in.",
            None,
            MetricType::Gauge,
        )?;
        for c in &self.connectors {
            for t in c.tasks.values() {
                let id = t.id.to_string();
                let labels = [
                    ("connector", c.name.as_str()),
                    ("task", id.as_str()),
                    ("status", state_name(t.state)),
                ];
                ConstGauge::new(1).encode(m.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }

    fn encode_tasks(&self, e: &mut DescriptorEncoder) -> std::fmt::Result {
        for def in TASK_METRICS {
            let has = |t: &TaskMetrics| def.only.is_none_or(|k| k == t.kind);
            if !self.tasks.iter().any(|(_, t)| has(t)) {
                continue;
            }
            let metric = name(def.group, def.name);
            let kind = match def.reading {
                Reading::Counter(_) => MetricType::Counter,
                Reading::Gauge(_) => MetricType::Gauge,
                Reading::Histogram(..) => MetricType::Histogram,
            };
            let mut m = e.encode_descriptor(&metric, def.help, None, kind)?;
            for ((connector, id), t) in &self.tasks {
                if !has(t) {
                    continue;
                }
                let id = id.to_string();
                let labels = [("connector", connector.as_str()), ("task", id.as_str())];
                let mut sample = m.encode_family(&labels)?;
                match &def.reading {
                    Reading::Counter(read) => {
                        ConstCounter::new(read(t).load(Relaxed)).encode(sample)?
                    }
                    Reading::Gauge(read) => ConstGauge::new(read(t) as i64).encode(sample)?,
                    Reading::Histogram(read, scale) => {
                        let h = read(t);
                        let (buckets, count) = h.buckets(*scale);
                        sample.encode_histogram::<NoLabelSet>(
                            h.sum() as f64 / scale,
                            count,
                            &buckets,
                            None,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        self.encode_worker(&mut encoder)?;
        self.encode_status(&mut encoder)?;
        self.encode_tasks(&mut encoder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConnectorType;

    fn worker_with_one_source() -> (Metrics, StatusStore, Arc<TaskMetrics>) {
        let metrics = Metrics::default();
        let status = StatusStore::default();
        status.put_connector("src", ConnectorType::Source, State::Running, "w", None);
        status.put_task("src", 0, State::Running, "w", None);
        let task = metrics.add_task("src", 0, TaskKind::Source);
        metrics.task_started(&task);
        (metrics, status, task)
    }

    #[test]
    fn a_source_task_is_exported_under_jmx_exporter_names() {
        let (metrics, status, task) = worker_with_one_source();
        task.source_polled(10, std::time::Duration::from_millis(3));
        task.source_sent(10);
        task.source_written(10);
        let text = encode(&metrics, &status).unwrap();
        for line in [
            "kafka_connect_source_task_metrics_source_record_poll_total{connector=\"src\",task=\"0\"} 10",
            "kafka_connect_source_task_metrics_source_record_write_total{connector=\"src\",task=\"0\"} 10",
            "kafka_connect_source_task_metrics_source_record_active_count{connector=\"src\",task=\"0\"} 0",
            "kafka_connect_source_task_metrics_poll_batch_max_time_ms{connector=\"src\",task=\"0\"} 3",
            "kafka_connect_source_task_metrics_poll_batch_time_ms_bucket{le=\"1.0\",connector=\"src\",task=\"0\"} 0",
            "kafka_connect_source_task_metrics_poll_batch_time_ms_bucket{le=\"5.0\",connector=\"src\",task=\"0\"} 1",
            "kafka_connect_source_task_metrics_poll_batch_time_ms_bucket{le=\"+Inf\",connector=\"src\",task=\"0\"} 1",
            "kafka_connect_source_task_metrics_poll_batch_time_ms_count{connector=\"src\",task=\"0\"} 1",
            "kafka_connect_connector_task_metrics_batch_size_max{connector=\"src\",task=\"0\"} 10",
            "kafka_connect_task_error_metrics_total_records_skipped_total{connector=\"src\",task=\"0\"} 0",
            "kafka_connect_connect_worker_metrics_connector_count 1",
            "kafka_connect_connect_worker_metrics_task_count 1",
            "kafka_connect_connect_worker_metrics_task_startup_success_total 1",
            "kafka_connect_connect_worker_metrics_connector_running_task_count{connector=\"src\"} 1",
            "kafka_connect_connector_metrics_status{connector=\"src\",status=\"running\"} 1",
            "kafka_connect_connector_task_metrics_status{connector=\"src\",task=\"0\",status=\"running\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert!(
            !text.contains("sink_record_read_total{"),
            "a source task has no sink metrics:\n{text}"
        );
    }

    #[test]
    fn a_deleted_connector_leaves_no_sample() {
        let (metrics, status, task) = worker_with_one_source();
        metrics.remove_task("src", 0, &task);
        status.remove("src");
        let text = encode(&metrics, &status).unwrap();
        assert!(!text.contains("connector=\"src\""), "{text}");
        assert!(text.contains("kafka_connect_connect_worker_metrics_connector_count 0"));
    }

    #[test]
    fn the_docs_list_every_metric() {
        let docs = include_str!("../../../docs/metrics.md");
        let (metrics, status, _) = worker_with_one_source();
        metrics.add_task("snk", 0, TaskKind::Sink);
        let text = encode(&metrics, &status).unwrap();
        let families = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next());
        for family in families {
            assert!(
                docs.contains(family),
                "docs/metrics.md does not list {family}"
            );
        }
        for m in TASK_METRICS {
            assert!(
                docs.contains(m.java),
                "docs/metrics.md does not name {}",
                m.java
            );
        }
    }
}
