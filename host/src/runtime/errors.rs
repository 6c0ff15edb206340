//! What happens to a record that fails conversion or a transform (Kafka's KIP-298):
//! `errors.tolerance=none` fails the task naming the record; `all` skips it, after logging it
//! (`errors.log.enable`) and, for sinks, writing it to the dead-letter queue
//! (`errors.deadletterqueue.topic.name`) with Java's `__connect.errors.*` context headers.
//! Nothing is skipped silently.

use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

use super::task::TaskFailure;
use crate::config::RetryPolicy;
use crate::kafka::{admin, producer_config, ClientSettings};
use crate::metrics::TaskMetrics;
use crate::transforms::Settings;

/// Where in the pipeline a record failed (Java's `Stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    KeyConverter,
    ValueConverter,
    HeaderConverter,
    Transformation,
}

impl Stage {
    /// The Java exception class a Java worker would name for a failure at this stage.
    fn exception_class(self) -> &'static str {
        match self {
            Stage::Transformation => "org.apache.kafka.connect.errors.ConnectException",
            _ => "org.apache.kafka.connect.errors.DataException",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::Transformation => "TRANSFORMATION",
        }
    }
}

/// A connector's `errors.*` settings.
#[derive(Debug, Clone, Default)]
pub struct ErrorPolicy {
    pub tolerate_all: bool,
    pub log: bool,
    pub log_messages: bool,
    pub dlq_topic: Option<String>,
    pub dlq_replication: i32,
    pub dlq_context_headers: bool,
}

impl ErrorPolicy {
    pub fn from_config(props: &HashMap<String, String>) -> Result<ErrorPolicy, String> {
        let s = Settings(props.clone());
        let replication = match s.get("errors.deadletterqueue.topic.replication.factor") {
            None => 3,
            Some(v) => v.parse().map_err(|_| {
                format!("Invalid value {v} for configuration errors.deadletterqueue.topic.replication.factor: Not a number of type SHORT")
            })?,
        };
        Ok(ErrorPolicy {
            tolerate_all: s.one_of("errors.tolerance", &["none", "all"], "none")? == "all",
            log: s.bool("errors.log.enable", false)?,
            log_messages: s.bool("errors.log.include.messages", false)?,
            dlq_topic: s
                .get("errors.deadletterqueue.topic.name")
                .map(str::to_string),
            dlq_replication: replication,
            dlq_context_headers: s.bool("errors.deadletterqueue.context.headers.enable", false)?,
        })
    }
}

/// The record that failed, as it was consumed (sinks) or produced (sources).
pub struct FailedRecord<'a> {
    pub topic: &'a str,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: Vec<(&'a str, Option<&'a [u8]>)>,
}

impl<'a> FailedRecord<'a> {
    /// A source record that failed before it had bytes or a place in Kafka.
    pub fn topic_only(topic: &'a str) -> FailedRecord<'a> {
        FailedRecord {
            topic,
            partition: None,
            offset: None,
            key: None,
            value: None,
            headers: Vec::new(),
        }
    }

    fn position(&self) -> String {
        match (self.partition, self.offset) {
            (Some(p), Some(o)) => format!("topic {} partition {p} offset {o}", self.topic),
            _ => format!("topic {}", self.topic),
        }
    }
}

/// Applies a connector's error policy for one task.
pub struct ErrorReporter {
    policy: ErrorPolicy,
    connector: String,
    task: u32,
    dlq: Option<ThreadedProducer<DefaultProducerContext>>,
    /// Records skipped so far (logged at the end of the task's life).
    pub skipped: u64,
    metrics: Arc<TaskMetrics>,
}

impl ErrorReporter {
    /// Sets up the dead-letter queue (creating its topic) when the policy has one.
    pub fn new(
        policy: ErrorPolicy,
        connector: &str,
        task: u32,
        clients: &ClientSettings,
        metrics: Arc<TaskMetrics>,
    ) -> Result<ErrorReporter, String> {
        let dlq = match &policy.dlq_topic {
            Some(topic) if policy.tolerate_all => {
                admin::ensure_topic(clients, topic, policy.dlq_replication)?;
                let producer = producer_config(
                    clients,
                    &format!("connector-dlq-{connector}-{task}"),
                    &HashMap::new(),
                )
                .create()
                .map_err(|e| format!("cannot create the dead-letter queue producer: {e}"))?;
                tracing::info!("records that fail go to the dead-letter queue topic {topic}");
                Some(producer)
            }
            _ => None,
        };
        Ok(ErrorReporter {
            policy,
            connector: connector.to_string(),
            task,
            dlq,
            skipped: 0,
            metrics,
        })
    }

    /// A record failed at `stage`: under `none` the task fails naming it; under `all` it is
    /// logged and written to the dead-letter queue as configured, and skipped.
    pub fn failed(
        &mut self,
        stage: Stage,
        error: &str,
        record: &FailedRecord<'_>,
    ) -> Result<(), TaskFailure> {
        let m = &self.metrics.errors;
        m.record_failures.fetch_add(1, Relaxed);
        if !self.policy.tolerate_all {
            // As Java's: a record error is a failure past the tolerance.
            m.record_errors.fetch_add(1, Relaxed);
            return Err(TaskFailure(format!(
                "Tolerance exceeded in error handler: {} failed for the record at {}: {error}",
                stage.name(),
                record.position()
            )));
        }
        self.skipped += 1;
        m.records_skipped.fetch_add(1, Relaxed);
        if self.policy.log {
            m.errors_logged.fetch_add(1, Relaxed);
            let contents = if self.policy.log_messages {
                format!(
                    ", key {:?}, value {:?}",
                    record.key.map(String::from_utf8_lossy),
                    record.value.map(String::from_utf8_lossy)
                )
            } else {
                String::new()
            };
            tracing::error!(
                "Error encountered in task {}-{}. Executing stage '{}' for the record at {}{contents}: {error}; skipping it (errors.tolerance=all)",
                self.connector,
                self.task,
                stage.name(),
                record.position()
            );
        }
        if let (Some(producer), Some(topic)) = (&self.dlq, &self.policy.dlq_topic) {
            let mut headers = OwnedHeaders::new();
            for (k, v) in &record.headers {
                headers = headers.insert(Header { key: k, value: *v });
            }
            if self.policy.dlq_context_headers {
                let partition = record.partition.map(|p| p.to_string()).unwrap_or_default();
                let offset = record.offset.map(|o| o.to_string()).unwrap_or_default();
                let task = self.task.to_string();
                for (key, value) in [
                    ("__connect.errors.topic", record.topic),
                    ("__connect.errors.partition", partition.as_str()),
                    ("__connect.errors.offset", offset.as_str()),
                    ("__connect.errors.connector.name", self.connector.as_str()),
                    ("__connect.errors.task.id", task.as_str()),
                    ("__connect.errors.stage", stage.name()),
                    (
                        "__connect.errors.exception.class.name",
                        stage.exception_class(),
                    ),
                    ("__connect.errors.exception.message", error),
                    // No Java stack to show: the error text is the whole story.
                    ("__connect.errors.exception.stacktrace", error),
                ] {
                    headers = headers.insert(Header {
                        key,
                        value: Some(value),
                    });
                }
            }
            let mut out = BaseRecord::<[u8], [u8]>::to(topic).headers(headers);
            if let Some(k) = record.key {
                out = out.key(k);
            }
            if let Some(v) = record.value {
                out = out.payload(v);
            }
            m.dlq_produce_requests.fetch_add(1, Relaxed);
            producer.send(out).map_err(|(e, _)| {
                m.dlq_produce_failures.fetch_add(1, Relaxed);
                TaskFailure(format!(
                    "cannot write to the dead-letter queue {topic}: {e}"
                ))
            })?;
        }
        Ok(())
    }

    /// Counts the retries converters and transforms made on this thread since the last call
    /// (each retry followed a failed attempt).
    pub fn count_retries(&self) {
        let retries = RetryPolicy::take_retries();
        if retries > 0 {
            let m = &self.metrics.errors;
            m.retries.fetch_add(retries, Relaxed);
            m.record_failures.fetch_add(retries, Relaxed);
        }
    }

    /// Waits until the dead-letter queue has every record written so far: called before the
    /// consumer offsets past them are committed.
    pub fn flush(&self) -> Result<(), TaskFailure> {
        match &self.dlq {
            Some(producer) => producer
                .flush(Duration::from_secs(30))
                .map_err(|e| TaskFailure(format!("cannot flush the dead-letter queue: {e}"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;

    #[test]
    fn defaults_fail_fast_and_settings_are_checked() {
        let p = ErrorPolicy::from_config(&props(&[])).unwrap();
        assert!(!p.tolerate_all && p.dlq_topic.is_none() && p.dlq_replication == 3);
        let p = ErrorPolicy::from_config(&props(&[
            ("errors.tolerance", "ALL"),
            ("errors.deadletterqueue.topic.name", "dlq"),
        ]))
        .unwrap();
        assert!(p.tolerate_all);
        assert_eq!(p.dlq_topic.as_deref(), Some("dlq"));
        assert!(ErrorPolicy::from_config(&props(&[("errors.tolerance", "some")])).is_err());
    }

    #[test]
    fn none_fails_naming_the_record() {
        let mut r = ErrorReporter {
            policy: ErrorPolicy::default(),
            connector: "c".into(),
            task: 0,
            dlq: None,
            skipped: 0,
            metrics: Arc::new(TaskMetrics::new(crate::metrics::TaskKind::Sink)),
        };
        let failed = FailedRecord {
            topic: "t",
            partition: Some(0),
            offset: Some(7),
            key: None,
            value: Some(b"{bad"),
            headers: Vec::new(),
        };
        let e = r
            .failed(Stage::ValueConverter, "not JSON", &failed)
            .unwrap_err()
            .0;
        assert!(
            e.contains("offset 7") && e.contains("VALUE_CONVERTER"),
            "{e}"
        );
        r.policy.tolerate_all = true;
        assert!(r.failed(Stage::ValueConverter, "not JSON", &failed).is_ok());
        assert_eq!(r.skipped, 1);
        let m = &r.metrics.errors;
        assert_eq!(m.record_failures.load(Relaxed), 2);
        assert_eq!(
            m.record_errors.load(Relaxed),
            1,
            "only the failure past the tolerance"
        );
        assert_eq!(m.records_skipped.load(Relaxed), 1);
    }
}
