//! A compacted Kafka topic read from the beginning and followed to the end, with writes
//! acknowledged by the broker: what distributed mode keeps its configs, offsets and statuses
//! in (Java's `KafkaBasedLog`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::kafka::{admin, base_config, ClientSettings};

/// Called for every record of the topic, in order per partition: key, value (`None`: a
/// tombstone), partition.
pub type OnRecord = Box<dyn FnMut(&[u8], Option<&[u8]>, i32) + Send>;

/// Where and how the topic is created when it is missing.
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
    pub replication: i32,
}

/// The topic, followed by a thread of its own.
pub struct KafkaLog {
    topic: String,
    consumer: Arc<BaseConsumer>,
    /// Next offset to read, per partition: what the follower has applied.
    progress: Arc<(Mutex<HashMap<i32, i64>>, Condvar)>,
    producer: ThreadedProducer<Acks>,
    partitions: i32,
    stopping: Arc<AtomicBool>,
    follower: Option<JoinHandle<()>>,
}

/// Hands each write's outcome to whoever waits for it.
struct Acks;

type Ack = Result<(i32, i64), String>;

impl ClientContext for Acks {}

impl ProducerContext for Acks {
    type DeliveryOpaque = Box<Option<SyncSender<Ack>>>;

    fn delivery(&self, result: &DeliveryResult<'_>, waiter: Self::DeliveryOpaque) {
        let Some(waiter) = *waiter else { return };
        let outcome = match result {
            Ok(m) => Ok((m.partition(), m.offset())),
            Err((e, _)) => Err(e.to_string()),
        };
        let _ = waiter.send(outcome);
    }
}

const TIMEOUT: Duration = Duration::from_secs(30);

impl KafkaLog {
    /// Creates the topic (compacted) when it is missing, reads it to the end through
    /// `on_record`, then keeps following it.
    pub fn start(
        clients: &ClientSettings,
        spec: &TopicSpec,
        client_id: &str,
        mut on_record: OnRecord,
    ) -> anyhow::Result<KafkaLog> {
        admin::ensure_topic_with(
            clients,
            &spec.name,
            spec.partitions,
            spec.replication,
            &[("cleanup.policy", "compact")],
        )
        .map_err(|e| anyhow::anyhow!("internal topic {}: {e}", spec.name))?;
        let topic = spec.name.clone();
        let consumer: BaseConsumer = base_config(clients)
            .set("client.id", format!("{client_id}-reader"))
            // librdkafka wants a group even for assigned partitions; nothing is committed.
            .set("group.id", format!("{client_id}-reader"))
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false")
            .set("fetch.wait.max.ms", "50")
            .create()?;
        let partitions = partition_count(&consumer, &topic)?;
        let mut assignment = TopicPartitionList::new();
        for p in 0..partitions {
            assignment.add_partition_offset(&topic, p, Offset::Beginning)?;
        }
        consumer.assign(&assignment)?;
        let consumer = Arc::new(consumer);
        let producer: ThreadedProducer<Acks> = base_config(clients)
            .set("client.id", format!("{client_id}-writer"))
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "0")
            .create_with_context(Acks)?;
        let progress: Arc<(Mutex<HashMap<i32, i64>>, Condvar)> = Arc::default();
        let stopping = Arc::new(AtomicBool::new(false));
        let follower = {
            let (consumer, progress, stopping, name) = (
                consumer.clone(),
                progress.clone(),
                stopping.clone(),
                topic.clone(),
            );
            std::thread::Builder::new()
                .name(format!("log-{topic}"))
                .spawn(move || {
                    while !stopping.load(Ordering::Acquire) {
                        match consumer.poll(Duration::from_millis(100)) {
                            Some(Ok(m)) => {
                                on_record(m.key().unwrap_or_default(), m.payload(), m.partition());
                                let (applied, changed) = &*progress;
                                applied
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .insert(m.partition(), m.offset() + 1);
                                changed.notify_all();
                            }
                            Some(Err(e)) => tracing::warn!("reading topic {name}: {e}"),
                            None => {}
                        }
                    }
                })?
        };
        let log = KafkaLog {
            topic,
            consumer,
            progress,
            producer,
            partitions,
            stopping,
            follower: Some(follower),
        };
        log.read_to_end()?;
        Ok(log)
    }

    /// Waits until everything written to the topic before this call has been applied.
    pub fn read_to_end(&self) -> anyhow::Result<()> {
        let mut ends = HashMap::new();
        for p in 0..self.partitions {
            let (_, high) = self.consumer.fetch_watermarks(&self.topic, p, TIMEOUT)?;
            ends.insert(p, high);
        }
        let deadline = Instant::now() + TIMEOUT;
        let (applied, changed) = &*self.progress;
        let mut applied = applied.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let behind = ends
                .iter()
                .any(|(p, end)| *end > 0 && applied.get(p).copied().unwrap_or(0) < *end);
            if !behind {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                anyhow::bail!("could not read topic {} to its end within 30 s", self.topic);
            }
            applied = changed
                .wait_timeout(applied, left.min(Duration::from_millis(200)))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The next offset to read in partition 0: for the one-partition config topic, how far
    /// this worker has read (Java's config offset).
    pub fn position(&self) -> i64 {
        let (applied, _) = &*self.progress;
        applied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&0)
            .copied()
            .unwrap_or(0)
            - 1
    }

    /// Writes a record and waits for the broker to acknowledge it; returns its offset.
    pub fn write(&self, key: &[u8], value: Option<&[u8]>) -> anyhow::Result<i64> {
        let (sender, ack) = sync_channel(1);
        self.send(key, value, Some(sender))?;
        match ack.recv_timeout(TIMEOUT) {
            Ok(Ok((_, offset))) => Ok(offset),
            Ok(Err(e)) => anyhow::bail!("cannot write to topic {}: {e}", self.topic),
            Err(_) => anyhow::bail!("topic {}: no acknowledgement within 30 s", self.topic),
        }
    }

    /// Writes records and waits until the broker acknowledged every one.
    pub fn write_all(&self, records: &[(String, Option<Vec<u8>>)]) -> anyhow::Result<()> {
        let mut acks = Vec::with_capacity(records.len());
        for (key, value) in records {
            let (sender, ack) = sync_channel(1);
            self.send(key.as_bytes(), value.as_deref(), Some(sender))?;
            acks.push(ack);
        }
        for ack in acks {
            match ack.recv_timeout(TIMEOUT) {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => anyhow::bail!("cannot write to topic {}: {e}", self.topic),
                Err(_) => anyhow::bail!("topic {}: no acknowledgement within 30 s", self.topic),
            }
        }
        Ok(())
    }

    /// Writes a record without waiting for it (statuses: a later one supersedes it anyway).
    pub fn write_later(&self, key: &[u8], value: Option<&[u8]>) {
        if let Err(e) = self.send(key, value, None) {
            tracing::warn!("{e}");
        }
    }

    fn send(
        &self,
        key: &[u8],
        value: Option<&[u8]>,
        waiter: Option<SyncSender<Ack>>,
    ) -> anyhow::Result<()> {
        let mut record = BaseRecord::with_opaque_to(&self.topic, Box::new(waiter)).key(key);
        if let Some(value) = value {
            record = record.payload(value);
        }
        self.producer
            .send(record)
            .map_err(|(e, _)| anyhow::anyhow!("cannot write to topic {}: {e}", self.topic))
    }

    /// Waits for writes still queued (a worker that stops keeps its last statuses).
    pub fn flush(&self) {
        let _ = self.producer.flush(Duration::from_secs(5));
    }
}

/// How many partitions the topic has (a topic a moment old may take a while to show up).
fn partition_count(consumer: &BaseConsumer, topic: &str) -> anyhow::Result<i32> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let metadata = consumer.fetch_metadata(Some(topic), Duration::from_secs(10))?;
        if let Some(t) = metadata.topics().iter().find(|t| t.name() == topic) {
            if t.error().is_none() && !t.partitions().is_empty() {
                return Ok(t.partitions().len() as i32);
            }
        }
        if Instant::now() > deadline {
            anyhow::bail!("topic {topic} does not show up in the cluster's metadata");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Drop for KafkaLog {
    fn drop(&mut self) {
        self.flush();
        self.stopping.store(true, Ordering::Release);
        if let Some(follower) = self.follower.take() {
            let _ = follower.join();
        }
    }
}
