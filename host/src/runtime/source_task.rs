//! The source task loop: poll the plugin, convert, produce; commit offsets once acked.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use abi_stable::std_types::RVec;
use plugin_abi::data::{SourceRecord, Value};
use plugin_abi::errors::ErrorKind;
use plugin_abi::ffi::props_to_ffi;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;

use super::contexts::source_task_context;
use super::converters::RecordConverters;
use super::errors::{ErrorPolicy, ErrorReporter, FailedRecord, Stage};
use super::offset_committer::OffsetCommitter;
use super::offset_tracker::{Batch, OffsetTracker};
use super::task::{sleep_unless_stopping, TaskControl, TaskEnv, TaskFailure, TaskSpec};
use crate::data::{ConversionError, HeaderConverter};
use crate::kafka::producer_config;
use crate::metrics::TaskMetrics;
use crate::storage::TopicTracker;
use crate::transforms::{Record, TransformChain};

/// How long a stopping task waits for in-flight records before committing what was acked.
const STOP_FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// Receives delivery reports on the producer's thread.
struct DeliveryTracker {
    failure: Arc<Mutex<Option<String>>>,
    metrics: Arc<TaskMetrics>,
}

impl ClientContext for DeliveryTracker {}

impl ProducerContext for DeliveryTracker {
    type DeliveryOpaque = Arc<Batch>;

    fn delivery(&self, result: &DeliveryResult<'_>, batch: Arc<Batch>) {
        match result {
            Ok(_) => {
                if batch.acked() {
                    self.metrics.source_written(batch.records());
                }
            }
            // Not acked: the batch never completes, so no offset at or past it is committed.
            Err((e, msg)) => {
                use rdkafka::Message;
                let mut failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
                failure.get_or_insert_with(|| {
                    format!(
                        "Failed to send a record to topic {} partition {}: {e}",
                        msg.topic(),
                        msg.partition()
                    )
                });
            }
        }
    }
}

/// Runs a source task until asked to stop or it fails.
pub fn run_source_task(
    spec: &TaskSpec,
    env: &TaskEnv,
    control: &TaskControl,
) -> Result<(), TaskFailure> {
    let stopping = &control.stopping;
    let converters =
        RecordConverters::for_connector(&env.worker, &spec.connector_props, &env.plugins)?;
    let failure = Arc::new(Mutex::new(None));
    let producer: ThreadedProducer<DeliveryTracker> = producer_config(
        &env.clients,
        &spec.client_id(),
        &spec.client_overrides("producer"),
    )
    .create_with_context(DeliveryTracker {
        failure: failure.clone(),
        metrics: control.metrics.clone(),
    })
    .map_err(|e| format!("cannot create the task's producer: {e}"))?;

    let mut task = spec.plugin.new_source_task()?;
    let ctx = source_task_context(&spec.connector, env.offsets.clone(), stopping.clone());
    task.start(props_to_ffi(&spec.props), ctx)
        .into_result()
        .map_err(|e| format!("task failed to start: {}", e.message))?;
    tracing::info!("source task started");
    env.metrics.task_started(&control.metrics);

    let tracker = Arc::new(OffsetTracker::default());
    let committer = OffsetCommitter::spawn(
        &spec.connector,
        tracker.clone(),
        env.offsets.clone(),
        env.worker.offset_flush_interval,
        control.metrics.clone(),
    )
    .map_err(|e| format!("cannot start the offset commit thread: {e}"))?;
    let mut commits_seen = 0;
    let mut topics = TopicTracker::new(&spec.connector, env.topics.clone());
    let mut paused = false;
    let transforms = TransformChain::from_config(&spec.connector_props, &env.plugins)
        .map_err(|e| e.join("; "))?;
    let mut errors = ErrorReporter::new(
        ErrorPolicy::from_config(&spec.connector_props)?,
        &spec.connector,
        spec.id,
        &env.clients,
        control.metrics.clone(),
    )?;
    let result = (|| -> Result<(), TaskFailure> {
        let mut out = Outbound {
            converters: &converters,
            errors: &mut errors,
            topics: &mut topics,
            metrics: &control.metrics,
        };
        while !control.is_stopping() {
            if let Some(f) = failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(TaskFailure(f));
            }
            control.pause_change(&mut paused, spec, env);
            if paused {
                sleep_unless_stopping(stopping, Duration::from_millis(100));
                continue;
            }
            let polled_at = Instant::now();
            let records = match task.poll().into_result() {
                Ok(records) => {
                    control
                        .metrics
                        .source_polled(records.len(), polled_at.elapsed());
                    records
                }
                Err(e) if e.kind == ErrorKind::Retriable => {
                    tracing::warn!("poll failed, retrying: {}", e.message);
                    sleep_unless_stopping(stopping, Duration::from_millis(100));
                    continue;
                }
                Err(e) => return Err(TaskFailure(e.message.into_string())),
            };
            if records.is_empty() {
                // Nothing to send.
            } else if transforms.is_empty() {
                send_batch(&producer, &mut out, &tracker, &records, None)?;
            } else {
                let (kept, positions) = transform_batch(&transforms, records, out.errors)?;
                send_batch(&producer, &mut out, &tracker, &kept, Some(&positions))?;
            }
            out.errors.count_retries();
            let commits = committer.commits();
            if commits != commits_seen {
                commits_seen = commits;
                if let Err(e) = task.commit().into_result() {
                    tracing::warn!("task commit hook failed: {}", e.message);
                }
            }
        }
        Ok(())
    })();

    // Stopping or failed: commit what the broker has acknowledged, then stop the plugin.
    if producer.flush(STOP_FLUSH_TIMEOUT).is_err() {
        tracing::warn!(
            "{} records were not acknowledged before stopping; their offsets are not committed",
            tracker.in_flight()
        );
    }
    committer.finish();
    if let Err(e) = task.stop().into_result() {
        tracing::warn!("task stop failed: {}", e.message);
    }
    result
}

/// A record's source partition and offset.
type SourcePosition = (Value, Value);

/// Runs a polled batch through the transforms; returns the records to send and every polled
/// record's source position, dropped or not: a filtered record is done with and must not be
/// read again after a restart.
fn transform_batch(
    transforms: &TransformChain,
    records: RVec<SourceRecord>,
    errors: &mut ErrorReporter,
) -> Result<(Vec<SourceRecord>, Vec<SourcePosition>), TaskFailure> {
    let positions: Vec<SourcePosition> = records
        .iter()
        .map(|r| (r.source_partition.clone(), r.source_offset.clone()))
        .collect();
    let mut batch = Vec::with_capacity(records.len());
    let mut sources = Vec::with_capacity(records.len());
    for r in records {
        let (record, position) = Record::from_source(r);
        sources.push((record.topic.clone(), position));
        batch.push(record);
    }
    let mut kept = Vec::with_capacity(batch.len());
    for (result, (topic, position)) in transforms.apply_batch(batch).into_iter().zip(sources) {
        match result {
            Ok(Some(out)) => kept.push(out.into_source(position)),
            Ok(None) => {}
            Err(e) => {
                errors.failed(Stage::Transformation, &e, &FailedRecord::topic_only(&topic))?
            }
        }
    }
    Ok((kept, positions))
}

/// What a polled batch goes through before the producer.
struct Outbound<'a> {
    converters: &'a RecordConverters,
    errors: &'a mut ErrorReporter,
    topics: &'a mut TopicTracker,
    metrics: &'a TaskMetrics,
}

/// Converts and sends a batch. `positions` are every polled record's source positions when
/// transforms dropped some (else the records' own count); records that fail conversion go
/// to the error policy.
fn send_batch(
    producer: &ThreadedProducer<DeliveryTracker>,
    out: &mut Outbound<'_>,
    tracker: &OffsetTracker,
    records: &[SourceRecord],
    positions: Option<&[SourcePosition]>,
) -> Result<(), TaskFailure> {
    // Convert the whole batch first: a conversion error fails the task before anything
    // of the batch is tracked.
    let mut converted = Vec::with_capacity(records.len());
    for r in records.iter() {
        let key = out
            .converters
            .key
            .from_connect(&r.topic, r.key_schema.as_ref().into_option(), &r.key)
            .map_err(|e| {
                (
                    Stage::KeyConverter,
                    format!("Failed to convert the key: {e}"),
                )
            });
        let both = key.and_then(|key| {
            out.converters
                .value
                .from_connect(&r.topic, r.value_schema.as_ref().into_option(), &r.value)
                .map(|value| (key, value))
                .map_err(|e| {
                    (
                        Stage::ValueConverter,
                        format!("Failed to convert the value: {e}"),
                    )
                })
        });
        let both = both.and_then(|(key, value)| {
            headers_of(r, out.converters.header.as_ref())
                .map(|headers| (key, value, headers))
                .map_err(|e| {
                    (
                        Stage::HeaderConverter,
                        format!("Failed to convert a header: {e}"),
                    )
                })
        });
        match both {
            Ok(kv) => converted.push((r, kv)),
            Err((stage, e)) => out
                .errors
                .failed(stage, &e, &FailedRecord::topic_only(&r.topic))?,
        }
    }
    let batch = match positions {
        Some(all) => tracker.submit(converted.len(), all.iter().map(|(p, o)| (p, o))),
        None => tracker.submit(
            converted.len(),
            records
                .iter()
                .map(|r| (&r.source_partition, &r.source_offset)),
        ),
    };
    out.metrics.source_sent(converted.len());
    for (r, (key, value, headers)) in converted {
        out.topics.saw(&r.topic);
        let mut record = BaseRecord::with_opaque_to(r.topic.as_str(), batch.clone());
        if let Some(v) = &value {
            record = record.payload(&**v);
        }
        if let Some(k) = &key {
            record = record.key(&**k);
        }
        if let Some(p) = r.kafka_partition.into_option() {
            record = record.partition(p);
        }
        if let Some(ts) = r.timestamp.into_option() {
            record = record.timestamp(ts);
        }
        if let Some(headers) = headers {
            record = record.headers(headers);
        }
        send_with_backpressure(producer, record)?;
    }
    Ok(())
}

/// The record's headers as the header converter writes them; `None` when it has none.
fn headers_of(
    record: &SourceRecord,
    converter: &dyn HeaderConverter,
) -> Result<Option<OwnedHeaders>, ConversionError> {
    if record.headers.is_empty() {
        return Ok(None);
    }
    let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
    for h in record.headers.iter() {
        let bytes = converter.from_connect_header(
            &record.topic,
            &h.key,
            h.schema.as_ref().into_option(),
            &h.value,
        )?;
        headers = headers.insert(Header {
            key: h.key.as_str(),
            value: bytes.as_deref(),
        });
    }
    Ok(Some(headers))
}

/// Sends, waiting while the producer's queue is full (the worker never drops a record).
fn send_with_backpressure<'a>(
    producer: &ThreadedProducer<DeliveryTracker>,
    mut record: BaseRecord<'a, [u8], [u8], Arc<Batch>>,
) -> Result<(), TaskFailure> {
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err((e, back)) => {
                return Err(TaskFailure(format!(
                    "Failed to send a record to topic {}: {e}",
                    back.topic
                )));
            }
        }
    }
}
