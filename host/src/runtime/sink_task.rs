//! The sink task loop: consume, convert, put batches; commit what the task flushed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use abi_stable::std_types::{RSlice, RString, RVec};
use plugin_abi::data::{Header, SinkRecord, TimestampType};
use plugin_abi::errors::ErrorKind;
use plugin_abi::ffi::{props_to_ffi, SinkTaskBox};
use plugin_abi::sink::{TopicPartition, TopicPartitionOffset};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::contexts::{sink_task_context, SinkShared};
use super::converters::RecordConverters;
use super::errors::{ErrorPolicy, ErrorReporter, FailedRecord, Stage};
use super::task::{sleep_unless_stopping, TaskControl, TaskEnv, TaskFailure, TaskSpec};
use crate::config::ConnectorConfig;
use crate::kafka::consumer_config;
use crate::kafka::group_offsets::sink_group;
use crate::metrics::TaskMetrics;
use crate::storage::TopicTracker;
use crate::transforms::{Record, TransformChain};

/// Records handed to `put` at most at once (Java's `max.poll.records` default).
const MAX_BATCH: usize = 500;
const POLL_TIMEOUT: Duration = Duration::from_millis(100);

/// Keeps the task's view of its assignment current through rebalances.
struct AssignmentTracker {
    shared: Arc<SinkShared>,
    metrics: Arc<TaskMetrics>,
}

impl ClientContext for AssignmentTracker {}

impl ConsumerContext for AssignmentTracker {
    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Ok(assignment) = consumer.assignment() {
            self.metrics.set_partition_count(assignment.count());
        }
        if let Rebalance::Assign(tpl) = rebalance {
            let assigned: Vec<TopicPartition> = tpl
                .elements()
                .iter()
                .map(|e| TopicPartition {
                    topic: e.topic().into(),
                    partition: e.partition(),
                })
                .collect();
            tracing::info!(
                "assigned partitions: {}",
                assigned
                    .iter()
                    .map(|tp| format!("{}-{}", tp.topic, tp.partition))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            *self
                .shared
                .assignment
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = assigned;
        }
    }
}

/// Runs a sink task until asked to stop or it fails.
pub fn run_sink_task(
    spec: &TaskSpec,
    env: &TaskEnv,
    control: &TaskControl,
) -> Result<(), TaskFailure> {
    let stopping = &control.stopping;
    let converters =
        RecordConverters::for_connector(&env.worker, &spec.connector_props, &env.plugins)?;
    let shared = Arc::new(SinkShared::default());
    let group = sink_group(&spec.connector);
    let consumer: BaseConsumer<AssignmentTracker> = consumer_config(
        &env.clients,
        &group,
        &spec.client_id(),
        &spec.client_overrides("consumer"),
    )
    .create_with_context(AssignmentTracker {
        shared: shared.clone(),
        metrics: control.metrics.clone(),
    })
    .map_err(|e| format!("cannot create the task's consumer: {e}"))?;
    subscribe(&consumer, &spec.connector_props)?;

    let mut task = spec.plugin.new_sink_task()?;
    task.start(
        props_to_ffi(&spec.props),
        sink_task_context(shared.clone(), stopping.clone()),
    )
    .into_result()
    .map_err(|e| format!("task failed to start: {}", e.message))?;
    tracing::info!("sink task started, consuming in group {group}");
    env.metrics.task_started(&control.metrics);

    // Next offset to consume per partition, for what has been handed to `put`.
    let mut consumed = ConsumedOffsets::default();
    let mut last_commit = Instant::now();
    let mut topics = TopicTracker::new(&spec.connector, env.topics.clone());
    let mut paused = false;
    let transforms = TransformChain::from_config(&spec.connector_props, &env.plugins)
        .map_err(|e| e.join("; "))?;
    let policy = ErrorPolicy::from_config(&spec.connector_props)?;
    let metrics = &control.metrics;
    let mut errors = ErrorReporter::new(
        policy,
        &spec.connector,
        spec.id,
        &env.clients,
        metrics.clone(),
    )?;
    let result = (|| -> Result<(), TaskFailure> {
        let mut pipeline = Pipeline {
            converters: &converters,
            transforms: &transforms,
            errors: &mut errors,
            metrics,
        };
        while !control.is_stopping() {
            if control.pause_change(&mut paused, spec, env) == Some(false) {
                resume_all(&consumer);
            }
            if paused {
                // Polling goes on (the group must see the consumer alive) but moves no data.
                idle_paused(&consumer);
                continue;
            }
            let batch = poll_batch(&consumer, &mut pipeline, &mut consumed)?;
            for r in &batch {
                topics.saw(&r.topic);
            }
            if !batch.is_empty() {
                let put_at = Instant::now();
                put_with_retries(&mut task, &batch, stopping)?;
                metrics.sink_put(batch.len(), put_at.elapsed());
            }
            pipeline.errors.count_retries();
            let requested = shared.commit_requested.swap(false, Ordering::AcqRel);
            if requested || last_commit.elapsed() >= env.worker.offset_flush_interval {
                pipeline.errors.flush()?;
                commit(&consumer, &mut task, &consumed, metrics)?;
                last_commit = Instant::now();
            }
        }
        Ok(())
    })();
    // Commit what was put before stopping, unless the task failed (its data may be partial).
    if errors.skipped > 0 {
        tracing::warn!(
            "{} records failed and were skipped (errors.tolerance=all)",
            errors.skipped
        );
    }
    if result.is_ok() {
        if let Err(TaskFailure(e)) = errors
            .flush()
            .and_then(|()| commit(&consumer, &mut task, &consumed, metrics))
        {
            tracing::warn!("final offset commit failed: {e}");
        }
    }
    if let Err(e) = task.stop().into_result() {
        tracing::warn!("task stop failed: {}", e.message);
    }
    leave_group(&consumer);
    result
}

/// Leaves the group before the consumer goes, so the next member (this task restarted,
/// another worker) is assigned its partitions at once rather than after the session
/// timeout.
fn leave_group(consumer: &BaseConsumer<AssignmentTracker>) {
    consumer.unsubscribe();
    let deadline = Instant::now() + Duration::from_secs(5);
    while consumer.assignment().is_ok_and(|a| a.count() > 0) && Instant::now() < deadline {
        consumer.poll(Duration::from_millis(50));
    }
}

/// One poll of a paused task: every assigned partition paused (a rebalance may have brought
/// new ones); a record that still arrives is sought back so it is delivered after resume.
fn idle_paused(consumer: &BaseConsumer<AssignmentTracker>) {
    if let Ok(assignment) = consumer.assignment() {
        if let Err(e) = consumer.pause(&assignment) {
            tracing::warn!("cannot pause the consumer: {e}");
        }
    }
    if let Some(Ok(m)) = consumer.poll(POLL_TIMEOUT) {
        let (topic, partition, offset) = (m.topic().to_string(), m.partition(), m.offset());
        drop(m);
        if let Err(e) = consumer.seek(&topic, partition, Offset::Offset(offset), POLL_TIMEOUT) {
            tracing::warn!("cannot rewind {topic}-{partition} to {offset} while paused: {e}");
        }
    }
}

fn resume_all(consumer: &BaseConsumer<AssignmentTracker>) {
    if let Ok(assignment) = consumer.assignment() {
        if let Err(e) = consumer.resume(&assignment) {
            tracing::warn!("cannot resume the consumer: {e}");
        }
    }
}

/// The next offset to consume per partition, for what was handed to `put`. A few
/// partitions per task: a list beats a map, and updating it allocates nothing.
#[derive(Default)]
struct ConsumedOffsets(Vec<TopicPartitionOffset>);

impl ConsumedOffsets {
    fn record(&mut self, topic: &str, partition: i32, next: i64) {
        match self
            .0
            .iter_mut()
            .find(|o| o.partition == partition && o.topic.as_str() == topic)
        {
            Some(o) => o.offset = next,
            None => self.0.push(TopicPartitionOffset {
                topic: topic.into(),
                partition,
                offset: next,
            }),
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Hands a batch to the task; after a retriable error, hands the same batch again with a
/// growing pause (as Java's worker redelivers), until it succeeds or the task stops.
fn put_with_retries(
    task: &mut SinkTaskBox,
    batch: &[SinkRecord],
    stopping: &AtomicBool,
) -> Result<(), TaskFailure> {
    let mut backoff = Duration::from_millis(100);
    loop {
        match task.put(RSlice::from_slice(batch)).into_result() {
            Ok(()) => return Ok(()),
            Err(e) if e.kind == ErrorKind::Retriable && !stopping.load(Ordering::Acquire) => {
                tracing::warn!(
                    "put failed, delivering the batch again in {backoff:?}: {}",
                    e.message
                );
                sleep_unless_stopping(stopping, backoff);
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
            Err(e) => return Err(TaskFailure(e.message.into_string())),
        }
    }
}

fn subscribe(
    consumer: &BaseConsumer<AssignmentTracker>,
    connector_props: &HashMap<String, String>,
) -> Result<(), TaskFailure> {
    let config = ConnectorConfig::parse(connector_props.clone()).map_err(|e| e.join("; "))?;
    let topics = config.topics();
    let patterns: Vec<String> = match connector_props
        .get("topics.regex")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        // librdkafka treats a subscription starting with ^ as a regular expression.
        Some(regex) => vec![if regex.starts_with('^') {
            regex.to_string()
        } else {
            format!("^{regex}")
        }],
        None => topics,
    };
    if !connector_props.contains_key("topics.regex") {
        // Java's consumer asks the broker to auto-create subscribed topics; librdkafka's
        // does not while it knows no topics yet, and would wait for its next periodic
        // metadata refresh. An explicit metadata request creates them where the broker
        // allows it, so a sink started before its source does not wait.
        for topic in &patterns {
            if let Err(e) = consumer.fetch_metadata(Some(topic), Duration::from_secs(5)) {
                tracing::debug!("metadata for {topic}: {e}");
            }
        }
    }
    let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
    consumer
        .subscribe(&refs)
        .map_err(|e| format!("cannot subscribe to {}: {e}", patterns.join(", ")))?;
    Ok(())
}

/// What turns consumed messages into the records `put` gets.
struct Pipeline<'a> {
    converters: &'a RecordConverters,
    transforms: &'a TransformChain,
    errors: &'a mut ErrorReporter,
    metrics: &'a TaskMetrics,
}

fn poll_batch(
    consumer: &BaseConsumer<AssignmentTracker>,
    pipeline: &mut Pipeline<'_>,
    consumed: &mut ConsumedOffsets,
) -> Result<Vec<SinkRecord>, TaskFailure> {
    let mut messages = Vec::new();
    let mut timeout = POLL_TIMEOUT;
    while messages.len() < MAX_BATCH {
        match consumer.poll(timeout) {
            None => break,
            Some(Err(e)) => {
                // Broker and network errors are retried by librdkafka; report and go on.
                tracing::warn!("consumer error: {e}");
                break;
            }
            Some(Ok(message)) => {
                // A skipped or filtered record counts as consumed: it is not read again.
                consumed.record(message.topic(), message.partition(), message.offset() + 1);
                messages.push(message);
            }
        }
        timeout = Duration::ZERO;
    }
    pipeline.metrics.sink_read(messages.len());
    // Convert each; what fails goes to the error policy.
    let mut converted = Vec::with_capacity(messages.len());
    for m in &messages {
        match to_sink_record(m, pipeline.converters) {
            Ok(record) => converted.push((m, record)),
            Err((stage, error)) => report(pipeline.errors, stage, &error, m)?,
        }
    }
    if pipeline.transforms.is_empty() {
        return Ok(converted.into_iter().map(|(_, r)| r).collect());
    }
    // Then the transforms, the whole batch at once.
    let (sources, records): (Vec<_>, Vec<_>) = converted
        .into_iter()
        .map(|(m, r)| {
            let (record, origin) = Record::from_sink(r);
            ((m, origin), record)
        })
        .unzip();
    let mut batch = Vec::with_capacity(records.len());
    for (result, (m, origin)) in pipeline
        .transforms
        .apply_batch(records)
        .into_iter()
        .zip(sources)
    {
        match result {
            Ok(Some(record)) => batch.push(record.into_sink(origin)),
            Ok(None) => {}
            Err(error) => report(pipeline.errors, Stage::Transformation, &error, m)?,
        }
    }
    Ok(batch)
}

/// Hands a failed message, as consumed, to the error policy.
fn report(
    errors: &mut ErrorReporter,
    stage: Stage,
    error: &str,
    m: &BorrowedMessage<'_>,
) -> Result<(), TaskFailure> {
    let headers = m
        .headers()
        .map(|hs| hs.iter().map(|h| (h.key, h.value)).collect())
        .unwrap_or_default();
    let failed = FailedRecord {
        topic: m.topic(),
        partition: Some(m.partition()),
        offset: Some(m.offset()),
        key: m.key(),
        value: m.payload(),
        headers,
    };
    errors.failed(stage, error, &failed)
}

fn to_sink_record(
    m: &BorrowedMessage<'_>,
    converters: &RecordConverters,
) -> Result<SinkRecord, (Stage, String)> {
    let (key_schema, key) = converters.key.to_connect(m.topic(), m.key()).map_err(|e| {
        (
            Stage::KeyConverter,
            format!("Failed to convert the key: {e}"),
        )
    })?;
    let (value_schema, value) = converters
        .value
        .to_connect(m.topic(), m.payload())
        .map_err(|e| {
            (
                Stage::ValueConverter,
                format!("Failed to convert the value: {e}"),
            )
        })?;
    let (timestamp, timestamp_type) = match m.timestamp() {
        rdkafka::Timestamp::NotAvailable => (None, TimestampType::NoTimestampType),
        rdkafka::Timestamp::CreateTime(t) => (Some(t), TimestampType::CreateTime),
        rdkafka::Timestamp::LogAppendTime(t) => (Some(t), TimestampType::LogAppendTime),
    };
    let mut headers: RVec<Header> = RVec::new();
    if let Some(hs) = m.headers() {
        for h in hs.iter() {
            let (schema, value) = converters
                .header
                .to_connect_header(m.topic(), h.key, h.value)
                .map_err(|e| {
                    (
                        Stage::HeaderConverter,
                        format!("Failed to convert header {}: {e}", h.key),
                    )
                })?;
            headers.push(Header {
                key: RString::from(h.key),
                schema: schema.into(),
                value,
            });
        }
    }
    Ok(SinkRecord {
        topic: m.topic().into(),
        kafka_partition: m.partition(),
        kafka_offset: m.offset(),
        timestamp: timestamp.into(),
        timestamp_type,
        key_schema: key_schema.into(),
        key,
        value_schema: value_schema.into(),
        value,
        headers,
    })
}

/// Asks the task what is safe (`pre_commit`, which flushes by default) and commits that.
fn commit(
    consumer: &BaseConsumer<AssignmentTracker>,
    task: &mut SinkTaskBox,
    consumed: &ConsumedOffsets,
    metrics: &TaskMetrics,
) -> Result<(), TaskFailure> {
    if consumed.is_empty() {
        return Ok(());
    }
    let offsets: RVec<TopicPartitionOffset> = consumed.0.clone().into();
    let safe = task
        .pre_commit(offsets)
        .into_result()
        .map_err(|e| format!("flush failed: {}", e.message))?;
    if safe.is_empty() {
        metrics.sink_commit_skipped();
        return Ok(());
    }
    let mut tpl = TopicPartitionList::new();
    for o in safe.iter() {
        tpl.add_partition_offset(o.topic.as_str(), o.partition, Offset::Offset(o.offset))
            .map_err(|e| format!("bad offset from pre_commit: {e}"))?;
    }
    match consumer.commit(&tpl, CommitMode::Sync) {
        Ok(()) => {
            metrics.sink_commit_completed();
            tracing::debug!("committed consumer offsets of {} partitions", safe.len())
        }
        // Not fatal: the next commit covers these offsets again.
        Err(e) => {
            metrics.offset_commit(false);
            tracing::warn!("consumer offset commit failed, will retry: {e}")
        }
    }
    Ok(())
}
