//! MirrorSourceConnector: replicates the source cluster's topics to the target, partition
//! for partition, and records offset syncs for the checkpoint connector.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use plugin_abi::log;
use plugin_abi::prelude::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

use crate::clients::{
    assigned_consumer, client_config, require_bootstrap, Admin, Cluster, REQUEST_TIMEOUT,
};
use crate::config::{self, Settings, TASK_TOPIC_PARTITIONS};
use crate::formats::OffsetSync;
use crate::offsets::PartitionState;
use crate::policy::{NameFilter, ReplicationPolicy};

/// The most records one poll returns.
const MAX_BATCH: usize = 4096;

/// Topic configs never copied to the target (Kafka's `DefaultConfigPropertyFilter`).
const CONFIG_PROPERTIES_EXCLUDE: &[&str] = &[
    "follower.replication.throttled.replicas",
    "leader.replication.throttled.replicas",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "unclean.leader.election.enable",
    "min.insync.replicas",
];

/// What the connector and its refresh thread share.
struct Replication {
    source: Admin,
    target: Admin,
    policy: ReplicationPolicy,
    filter: NameFilter,
    source_alias: String,
    target_alias: String,
    replication_factor: i32,
    sync_configs: bool,
}

impl Replication {
    /// The source topics to replicate and their partition counts.
    fn source_topics(&self) -> Result<BTreeMap<String, i32>, ConnectError> {
        Ok(self
            .source
            .topics()?
            .into_iter()
            .filter(|(t, _)| self.should_replicate(t))
            .collect())
    }

    fn should_replicate(&self, topic: &str) -> bool {
        self.filter.matches(topic)
            && !self.policy.is_internal_topic(topic)
            && !self.policy.is_cycle(topic, &self.target_alias)
    }

    fn remote(&self, topic: &str) -> String {
        self.policy.format_remote_topic(&self.source_alias, topic)
    }

    fn configs_of(&self, topic: &str) -> Vec<(String, String)> {
        if !self.sync_configs {
            return Vec::new();
        }
        match self.source.topic_configs(topic) {
            Ok(configs) => configs
                .into_iter()
                .filter(|(k, _)| !CONFIG_PROPERTIES_EXCLUDE.contains(&k.as_str()))
                .collect(),
            Err(e) => {
                log::warn!("topic configs of {topic} are not synced: {}", e.message);
                Vec::new()
            }
        }
    }

    /// Creates the remote topics that are missing and grows those with fewer partitions.
    fn create_remote_topics(&self, topics: &BTreeMap<String, i32>) -> Result<(), ConnectError> {
        let existing = self.target.topics()?;
        for (topic, &partitions) in topics {
            let remote = self.remote(topic);
            match existing.get(&remote) {
                None => self.target.create_topic(
                    &remote,
                    partitions,
                    self.replication_factor,
                    &self.configs_of(topic),
                )?,
                Some(&have) if have < partitions => {
                    self.target.add_partitions(&remote, partitions)?
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Copies the source topics' configs to their remote topics.
    fn sync_topic_configs(&self, topics: &BTreeMap<String, i32>) {
        for topic in topics.keys() {
            let configs = self.configs_of(topic);
            if configs.is_empty() {
                continue;
            }
            if let Err(e) = self
                .target
                .alter_topic_configs(&self.remote(topic), &configs)
            {
                log::warn!("topic configs of {topic} are not synced: {}", e.message);
            }
        }
    }
}

/// Kafka's `org.apache.kafka.connect.mirror.MirrorSourceConnector`.
#[derive(Default)]
pub struct MirrorSourceConnector {
    props: Props,
    known: Arc<Mutex<BTreeMap<String, i32>>>,
    stop: Arc<AtomicBool>,
    refresher: Option<JoinHandle<()>>,
}

impl SourceConnector for MirrorSourceConnector {
    fn config(&self) -> ConfigDef {
        config::source_def()
    }

    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        config::validate_common(&self.config(), props)
    }

    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError> {
        let s = Settings::new(config::source_def(), props)?;
        if !s.enabled() {
            log::info!(
                "{}->{} is not enabled: nothing to replicate",
                s.source_alias(),
                s.target_alias()
            );
            return Ok(());
        }
        require_bootstrap(props, Cluster::Source)?;
        require_bootstrap(props, Cluster::Target)?;
        let replication = Replication {
            source: Admin::new(props, Cluster::Source)?,
            target: Admin::new(props, Cluster::Target)?,
            policy: s.policy()?,
            filter: s.topic_filter()?,
            source_alias: s.source_alias(),
            target_alias: s.target_alias(),
            replication_factor: s.long("replication.factor")? as i32,
            sync_configs: s.bool("sync.topic.configs.enabled"),
        };
        if s.bool("emit.offset-syncs.enabled") {
            let (topic, on_source) = s.offset_syncs_topic()?;
            let admin = if on_source {
                &replication.source
            } else {
                &replication.target
            };
            admin.create_internal_topic(
                &topic,
                s.long("offset-syncs.topic.replication.factor")? as i32,
            )?;
        }
        let topics = replication.source_topics()?;
        replication.create_remote_topics(&topics)?;
        log::info!(
            "replicating {} topics from {} to {}",
            topics.len(),
            replication.source_alias,
            replication.target_alias
        );
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) = topics;
        self.props = props.clone();

        let refresh = s
            .bool("refresh.topics.enabled")
            .then(|| s.seconds("refresh.topics.interval.seconds"))
            .transpose()?;
        let sync = s
            .bool("sync.topic.configs.enabled")
            .then(|| s.seconds("sync.topic.configs.interval.seconds"))
            .transpose()?;
        let (known, stop, ctx) = (self.known.clone(), self.stop.clone(), ctx.clone());
        self.refresher = Some(
            std::thread::Builder::new()
                .name("mirror-source-refresh".into())
                .spawn(move || refresh_loop(replication, known, stop, ctx, refresh, sync))
                .map_err(|e| ConnectError::new(format!("cannot start a thread: {e}")))?,
        );
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let partitions: Vec<String> = known
            .iter()
            .flat_map(|(t, &n)| (0..n).map(move |p| format!("{t}-{p}")))
            .collect();
        let tasks = max_tasks.min(partitions.len());
        Ok((0..tasks)
            .map(|i| {
                let mine: Vec<&str> = partitions
                    .iter()
                    .skip(i)
                    .step_by(tasks)
                    .map(String::as_str)
                    .collect();
                let mut props = self.props.clone();
                props.insert(TASK_TOPIC_PARTITIONS.into(), mine.join(","));
                props.insert("task.index".into(), i.to_string());
                props
            })
            .collect())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.refresher.take() {
            let _ = t.join();
        }
        Ok(())
    }
}

/// Sleeps up to `d`, waking early when `stop` is set; returns whether to go on.
pub fn nap(stop: &AtomicBool, d: Duration) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if stop.load(Ordering::Acquire) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100).min(until - Instant::now()));
    }
    !stop.load(Ordering::Acquire)
}

fn refresh_loop(
    replication: Replication,
    known: Arc<Mutex<BTreeMap<String, i32>>>,
    stop: Arc<AtomicBool>,
    ctx: ConnectorContext,
    refresh: Option<Duration>,
    sync: Option<Duration>,
) {
    let now = Instant::now();
    let (mut next_refresh, mut next_sync) = (refresh.map(|d| now + d), sync.map(|d| now + d));
    if let Some(topics) = sync.map(|_| known.lock().unwrap_or_else(|e| e.into_inner()).clone()) {
        replication.sync_topic_configs(&topics);
    }
    while nap(&stop, Duration::from_millis(200)) {
        let now = Instant::now();
        if let (Some(at), Some(every)) = (next_refresh, refresh) {
            if now >= at {
                next_refresh = Some(now + every);
                match replication.source_topics() {
                    Ok(topics) => {
                        let changed = *known.lock().unwrap_or_else(|e| e.into_inner()) != topics;
                        if changed {
                            match replication.create_remote_topics(&topics) {
                                Ok(()) => {
                                    log::info!("topics or partitions changed: reconfiguring tasks");
                                    *known.lock().unwrap_or_else(|e| e.into_inner()) = topics;
                                    ctx.request_task_reconfiguration();
                                }
                                Err(e) => log::warn!("remote topics not created: {}", e.message),
                            }
                        }
                    }
                    Err(e) => log::warn!("topic refresh failed: {}", e.message),
                }
            }
        }
        if let (Some(at), Some(every)) = (next_sync, sync) {
            if now >= at {
                next_sync = Some(now + every);
                let topics = known.lock().unwrap_or_else(|e| e.into_inner()).clone();
                replication.sync_topic_configs(&topics);
            }
        }
    }
}

/// `topic-partition` as MirrorMaker encodes it in task configurations.
pub fn decode_topic_partition(s: &str) -> Result<(String, i32), ConnectError> {
    s.rsplit_once('-')
        .and_then(|(t, p)| Some((t.to_string(), p.parse().ok()?)))
        .filter(|(t, _)| !t.is_empty())
        .ok_or_else(|| ConnectError::config(format!("{TASK_TOPIC_PARTITIONS}: bad entry {s}")))
}

/// The source partition of a replicated record: `{cluster, partition, topic}`.
fn source_partition(cluster: &str, topic: &str, partition: i32) -> Value {
    Value::string_map([
        ("cluster", Value::string(cluster)),
        ("partition", Value::Int32(partition)),
        ("topic", Value::string(topic)),
    ])
}

/// Kafka's `MirrorSourceTask`.
///
/// Offset syncs need the downstream offset of each acknowledged record, which Java's task
/// gets from `commitRecord(record, metadata)`. The ABI has no such call (adding a method to
/// `SourceTaskFfi` makes abi_stable refuse every plugin built against ABI 1.0), so the task
/// derives it: it owns each remote partition it writes (partitions map 1:1, one task per
/// partition), so the record it sends n-th after start lands at the remote partition's end
/// at start + n (the worker's producer is idempotent and keeps order). After each offset
/// commit it reads the committed upstream offsets back and turns the records up to them
/// (acknowledged, hence written) into offset syncs with Java's rules. Should anything else
/// append to a remote partition meanwhile, the offsets counted would be too low: translation
/// then lands earlier (records read again), never later.
#[derive(Default)]
pub struct MirrorSourceTask {
    consumer: Option<BaseConsumer>,
    poll_timeout: Duration,
    source_alias: String,
    policy: Option<ReplicationPolicy>,
    /// Remote topic name per source topic.
    remote: HashMap<String, String>,
    /// Offset syncs: where they go and what each partition needs.
    syncs: Option<SyncWriter>,
    /// The worker committed offsets since the last poll: offset syncs may be due.
    committed: bool,
}

/// The records of one partition sent but not yet known to be committed.
struct Pending {
    /// Where the next record lands in the remote partition.
    next_downstream: i64,
    /// (upstream, downstream) of the records sent, oldest first.
    sent: VecDeque<(i64, i64)>,
    /// Records were sent since the partition's end was last read.
    unchecked: bool,
}

struct SyncWriter {
    producer: BaseProducer,
    topic: String,
    max_offset_lag: i64,
    partitions: HashMap<(String, i32), PartitionState>,
    pending: HashMap<(String, i32), Pending>,
    /// Reads the remote partitions' ends.
    target: BaseConsumer,
    /// Remote topic per source topic.
    remote: HashMap<String, String>,
}

impl SyncWriter {
    /// The worker committed offsets: the records up to them were acknowledged.
    fn committed(&mut self, cluster: &str, ctx: &SourceTaskContext) {
        let keys: Vec<(String, i32)> = self
            .pending
            .iter()
            .filter(|(_, p)| !p.sent.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for (topic, partition) in keys {
            let Some(upto) = ctx
                .offset(&source_partition(cluster, &topic, partition))
                .and_then(|o| o.get("offset").and_then(Value::as_i64))
            else {
                continue;
            };
            let mut acked = Vec::new();
            if let Some(p) = self.pending.get_mut(&(topic.clone(), partition)) {
                while p.sent.front().is_some_and(|(u, _)| *u <= upto) {
                    acked.extend(p.sent.pop_front());
                }
            }
            for (upstream, downstream) in acked {
                self.record(&topic, partition, upstream, downstream);
            }
        }
        self.recalibrate();
    }

    /// A partition whose records were all acknowledged ends where its next record will land,
    /// unless something else was appended meanwhile (a crashed run's last requests, which a
    /// broker may still append after this task read the end at start): then follow the end.
    fn recalibrate(&mut self) {
        for ((topic, partition), p) in self.pending.iter_mut() {
            if !p.sent.is_empty() || !p.unchecked {
                continue;
            }
            let Some(remote) = self.remote.get(topic) else {
                continue;
            };
            if let Ok((_, end)) = self
                .target
                .fetch_watermarks(remote, *partition, REQUEST_TIMEOUT)
            {
                p.unchecked = false;
                if end > p.next_downstream {
                    log::info!(
                        "{remote}-{partition} ends at {end}, not {}: offset syncs follow",
                        p.next_downstream
                    );
                    p.next_downstream = end;
                }
            }
        }
    }

    fn record(&mut self, topic: &str, partition: i32, upstream: i64, downstream: i64) {
        let lag = self.max_offset_lag;
        let state = self
            .partitions
            .entry((topic.to_string(), partition))
            .or_insert_with(|| PartitionState::new(lag));
        if !state.update(upstream, downstream) {
            return;
        }
        let key = OffsetSync::key(topic, partition);
        let value = OffsetSync {
            upstream_offset: upstream,
            downstream_offset: downstream,
        }
        .value();
        let record = BaseRecord::<[u8], [u8]>::to(&self.topic)
            .partition(0)
            .key(&key[..])
            .payload(&value[..]);
        if let Err((e, _)) = self.producer.send(record) {
            // A missed sync only makes translation less precise until the next one.
            log::warn!("offset sync for {topic}-{partition} not sent: {e}");
        }
    }
}

impl SourceTask for MirrorSourceTask {
    fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        let s = Settings::new(config::source_def(), props)?;
        self.source_alias = s.source_alias();
        let policy = s.policy()?;
        self.poll_timeout = Duration::from_millis(s.long("consumer.poll.timeout.ms")? as u64)
            .min(Duration::from_millis(500));
        let assigned = props
            .get(TASK_TOPIC_PARTITIONS)
            .map(String::as_str)
            .unwrap_or("");
        let mut tpl = TopicPartitionList::new();
        for entry in assigned.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (topic, partition) = decode_topic_partition(entry)?;
            let committed = ctx
                .offset(&source_partition(&self.source_alias, &topic, partition))
                .and_then(|o| o.get("offset").and_then(Value::as_i64));
            let offset = match committed {
                Some(o) => Offset::Offset(o + 1),
                None => Offset::Beginning,
            };
            log::info!("replicating {topic}-{partition} from {offset:?}");
            tpl.add_partition_offset(&topic, partition, offset)
                .map_err(|e| ConnectError::new(format!("cannot assign {entry}: {e}")))?;
            self.remote.insert(
                topic.clone(),
                policy.format_remote_topic(&self.source_alias, &topic),
            );
        }
        let consumer = assigned_consumer(props, Cluster::Source, None)?;
        consumer
            .assign(&tpl)
            .map_err(|e| ConnectError::new(format!("cannot assign partitions: {e}")))?;
        self.consumer = Some(consumer);
        self.policy = Some(policy);
        if s.bool("emit.offset-syncs.enabled") {
            let (topic, on_source) = s.offset_syncs_topic()?;
            let cluster = if on_source {
                Cluster::Source
            } else {
                Cluster::Target
            };
            require_bootstrap(props, cluster)?;
            let producer = client_config(props, cluster, "producer")
                .create()
                .map_err(|e| ConnectError::new(format!("cannot create a producer: {e}")))?;
            // Where each remote partition ends now: the first record sent lands there.
            let target = assigned_consumer(props, Cluster::Target, None)?;
            let mut pending = HashMap::new();
            for entry in tpl.elements() {
                let (topic, partition) = (entry.topic().to_string(), entry.partition());
                let remote = &self.remote[&topic];
                // A remote topic the broker creates on first use has no end yet: 0. On other
                // errors 0 counts too low, the safe side; the end is followed later.
                let end = match target.fetch_watermarks(remote, partition, REQUEST_TIMEOUT) {
                    Ok((_, end)) => end,
                    Err(e) => {
                        log::warn!("end of {remote}-{partition} unknown ({e}): counting from 0");
                        0
                    }
                };
                let sent = VecDeque::new();
                pending.insert(
                    (topic, partition),
                    Pending {
                        next_downstream: end,
                        sent,
                        unchecked: false,
                    },
                );
            }
            self.syncs = Some(SyncWriter {
                producer,
                topic,
                max_offset_lag: s.long("offset.lag.max")?,
                partitions: HashMap::new(),
                pending,
                target,
                remote: self.remote.clone(),
            });
        }
        Ok(())
    }

    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        let consumer = self
            .consumer
            .as_ref()
            .ok_or_else(|| ConnectError::new("not started"))?;
        if let Some(s) = self.syncs.as_mut() {
            if std::mem::take(&mut self.committed) {
                s.committed(&self.source_alias, ctx);
            }
            s.producer.poll(Duration::ZERO);
        }
        let mut out = Vec::new();
        let mut timeout = self.poll_timeout;
        while out.len() < MAX_BATCH {
            let Some(result) = consumer.poll(timeout) else {
                break;
            };
            // Once data flows, take what is already fetched without waiting.
            timeout = Duration::ZERO;
            let msg = result.map_err(|e| ConnectError::retriable(format!("poll failed: {e}")))?;
            let topic = msg.topic();
            if let Some(s) = self.syncs.as_mut() {
                if let Some(p) = s.pending.get_mut(&(topic.to_string(), msg.partition())) {
                    p.sent.push_back((msg.offset(), p.next_downstream));
                    p.next_downstream += 1;
                    p.unchecked = true;
                }
            }
            let remote = match self.remote.get(topic) {
                Some(r) => r.clone(),
                None => self
                    .policy
                    .as_ref()
                    .map(|p| p.format_remote_topic(&self.source_alias, topic))
                    .unwrap_or_default(),
            };
            let mut record = SourceRecord::new(
                &remote,
                Some(Schema::bytes()),
                msg.payload()
                    .map(|p| Value::Bytes(p.to_vec().into()))
                    .unwrap_or(Value::Null),
            )
            .with_source(
                source_partition(&self.source_alias, topic, msg.partition()),
                Value::string_map([("offset", Value::Int64(msg.offset()))]),
            )
            .with_key(
                Some(Schema::optional_bytes()),
                msg.key()
                    .map(|k| Value::Bytes(k.to_vec().into()))
                    .unwrap_or(Value::Null),
            );
            record.kafka_partition = Some(msg.partition()).into();
            record.timestamp = msg.timestamp().to_millis().into();
            if let Some(headers) = msg.headers() {
                for h in headers.iter() {
                    record.headers.push(plugin_abi::data::Header {
                        key: h.key.into(),
                        schema: Some(Schema::optional_bytes()).into(),
                        value: h
                            .value
                            .map(|v| Value::Bytes(v.to_vec().into()))
                            .unwrap_or(Value::Null),
                    });
                }
            }
            out.push(record);
        }
        Ok(out)
    }

    fn commit(&mut self) -> Result<(), ConnectError> {
        self.committed = true;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        if let Some(s) = &self.syncs {
            let _ = s.producer.flush(Duration::from_secs(5));
        }
        self.consumer = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_partitions_decode_at_the_last_dash() {
        assert_eq!(
            decode_topic_partition("my-topic-12").unwrap(),
            ("my-topic".into(), 12)
        );
        assert!(decode_topic_partition("nodash").is_err());
        assert!(decode_topic_partition("-3").is_err());
        assert!(decode_topic_partition("t-x").is_err());
    }

    #[test]
    fn tasks_split_the_partitions_round_robin() {
        let mut c = MirrorSourceConnector::default();
        *c.known.lock().unwrap() = [("a".to_string(), 3), ("b".to_string(), 2)].into();
        let configs = c.task_configs(2).unwrap();
        let parts: Vec<&str> = configs
            .iter()
            .map(|p| p[TASK_TOPIC_PARTITIONS].as_str())
            .collect();
        assert_eq!(parts, ["a-0,a-2,b-1", "a-1,b-0"]);
        assert_eq!(c.task_configs(10).unwrap().len(), 5);
        *c.known.lock().unwrap() = BTreeMap::new();
        assert!(c.task_configs(4).unwrap().is_empty());
    }

    #[test]
    fn a_disabled_flow_needs_no_cluster_and_runs_no_tasks() {
        use plugin_abi::testing::{props, SourceHarness};
        // No bootstrap servers at all: a disabled flow must not even try to connect.
        let h = SourceHarness::<MirrorSourceConnector, MirrorSourceTask>::new()
            .start(props(&[("enabled", "false"), ("tasks.max", "4")]))
            .unwrap();
        assert_eq!(h.task_count(), 0);
        let h = SourceHarness::<
            crate::checkpoint::MirrorCheckpointConnector,
            crate::checkpoint::MirrorCheckpointTask,
        >::new()
        .start(props(&[("enabled", "false"), ("tasks.max", "4")]))
        .unwrap();
        assert_eq!(h.task_count(), 0);
    }
}
