//! MirrorCheckpointConnector: translates the source cluster's consumer-group offsets to the
//! target through the offset syncs, writes them as checkpoints to
//! `<source>.checkpoints.internal` on the target and, with `sync.group.offsets.enabled`,
//! commits them for groups that have no active member on the target.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use plugin_abi::log;
use plugin_abi::prelude::*;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::clients::{assigned_consumer, consumer_groups, Admin, Cluster, REQUEST_TIMEOUT};
use crate::config::{self, Settings, TASK_CONSUMER_GROUPS};
use crate::formats::{Checkpoint, OffsetSync};
use crate::offsets::OffsetSyncStore;
use crate::policy::{NameFilter, ReplicationPolicy};
use crate::source::nap;

/// Kafka's `org.apache.kafka.connect.mirror.MirrorCheckpointConnector`.
#[derive(Default)]
pub struct MirrorCheckpointConnector {
    props: Props,
    groups: Arc<Mutex<BTreeSet<String>>>,
    enabled: bool,
    stop: Arc<AtomicBool>,
    refresher: Option<JoinHandle<()>>,
}

fn list_groups(
    consumer: &BaseConsumer,
    filter: &NameFilter,
) -> Result<BTreeSet<String>, ConnectError> {
    Ok(consumer_groups(consumer)?
        .into_iter()
        .map(|(g, _)| g)
        .filter(|g| filter.matches(g))
        .collect())
}

impl SourceConnector for MirrorCheckpointConnector {
    fn config(&self) -> ConfigDef {
        config::checkpoint_def()
    }

    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        config::validate_common(&self.config(), props)
    }

    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError> {
        let s = Settings::new(config::checkpoint_def(), props)?;
        self.enabled = s.enabled() && s.bool("emit.checkpoints.enabled");
        self.props = props.clone();
        if !self.enabled {
            return Ok(());
        }
        let filter = s.group_filter()?;
        Admin::new(props, Cluster::Target)?.create_internal_topic(
            &s.policy()?.checkpoints_topic(&s.source_alias()),
            s.long("checkpoints.topic.replication.factor")? as i32,
        )?;
        let source = assigned_consumer(props, Cluster::Source, None)?;
        let groups = list_groups(&source, &filter)?;
        log::info!("checkpointing {} consumer groups", groups.len());
        *self.groups.lock().unwrap_or_else(|e| e.into_inner()) = groups;
        if s.bool("refresh.groups.enabled") {
            let every = s.seconds("refresh.groups.interval.seconds")?;
            let (known, stop, ctx) = (self.groups.clone(), self.stop.clone(), ctx.clone());
            self.refresher = Some(
                std::thread::Builder::new()
                    .name("mirror-checkpoint-refresh".into())
                    .spawn(move || {
                        while nap(&stop, every) {
                            match list_groups(&source, &filter) {
                                Ok(groups) => {
                                    let mut known = known.lock().unwrap_or_else(|e| e.into_inner());
                                    if *known != groups {
                                        log::info!("consumer groups changed: reconfiguring tasks");
                                        *known = groups;
                                        ctx.request_task_reconfiguration();
                                    }
                                }
                                Err(e) => log::warn!("group refresh failed: {}", e.message),
                            }
                        }
                    })
                    .map_err(|e| ConnectError::new(format!("cannot start a thread: {e}")))?,
            );
        }
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        if !self.enabled {
            return Ok(Vec::new());
        }
        let groups: Vec<String> = self
            .groups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        let tasks = max_tasks.min(groups.len());
        Ok((0..tasks)
            .map(|i| {
                let mine: Vec<&str> = groups
                    .iter()
                    .skip(i)
                    .step_by(tasks)
                    .map(String::as_str)
                    .collect();
                let mut props = self.props.clone();
                props.insert(TASK_CONSUMER_GROUPS.into(), mine.join(","));
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

/// Reads the offset-syncs topic into an [`OffsetSyncStore`].
struct SyncReader {
    consumer: BaseConsumer,
    /// The topic's end when the task started: translation starts once it is reached.
    end: i64,
    store: OffsetSyncStore,
}

impl SyncReader {
    fn new(props: &Props, topic: &str, cluster: Cluster) -> Result<SyncReader, ConnectError> {
        let consumer = assigned_consumer(props, cluster, None)?;
        let (_, end) = consumer
            .fetch_watermarks(topic, 0, REQUEST_TIMEOUT)
            .map_err(|e| ConnectError::retriable(format!("cannot read the end of {topic}: {e}")))?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, 0, Offset::Beginning)
            .map_err(|e| ConnectError::new(format!("cannot assign {topic}: {e}")))?;
        consumer
            .assign(&tpl)
            .map_err(|e| ConnectError::new(format!("cannot assign {topic}: {e}")))?;
        let mut store = OffsetSyncStore::default();
        if end <= 0 {
            store.set_read_to_end();
        }
        Ok(SyncReader {
            consumer,
            end,
            store,
        })
    }

    /// Takes every sync already fetched.
    fn drain(&mut self) -> Result<(), ConnectError> {
        while let Some(result) = self.consumer.poll(Duration::ZERO) {
            let msg = result.map_err(|e| ConnectError::retriable(format!("offset syncs: {e}")))?;
            match OffsetSync::decode(
                msg.key().unwrap_or_default(),
                msg.payload().unwrap_or_default(),
            ) {
                Ok((topic, partition, sync)) => self.store.handle(&topic, partition, sync),
                Err(e) => log::warn!("skipping offset sync at offset {}: {e}", msg.offset()),
            }
            if !self.store.is_read_to_end() && msg.offset() + 1 >= self.end {
                self.store.set_read_to_end();
            }
        }
        Ok(())
    }
}

/// Kafka's `MirrorCheckpointTask`.
#[derive(Default)]
pub struct MirrorCheckpointTask {
    state: Option<CheckpointState>,
}

struct CheckpointState {
    props: Props,
    source_alias: String,
    checkpoints_topic: String,
    policy: ReplicationPolicy,
    topics: NameFilter,
    groups: Vec<String>,
    syncs: SyncReader,
    source: Admin,
    /// A consumer per group on the source, to read its committed offsets.
    source_groups: HashMap<String, BaseConsumer>,
    /// The latest checkpoint per group and remote partition.
    latest: HashMap<String, HashMap<(String, i32), Checkpoint>>,
    emit_every: Duration,
    next_emit: Instant,
    sync_every: Option<Duration>,
    next_sync: Instant,
}

impl CheckpointState {
    fn committed(&mut self, group: &str) -> Result<Vec<(String, i32, i64, String)>, ConnectError> {
        let topics = self.source.topics()?;
        let mut tpl = TopicPartitionList::new();
        for (topic, partitions) in topics {
            if !self.topics.matches(&topic) || self.policy.is_internal_topic(&topic) {
                continue;
            }
            for p in 0..partitions {
                tpl.add_partition(&topic, p);
            }
        }
        if tpl.count() == 0 {
            return Ok(Vec::new());
        }
        if !self.source_groups.contains_key(group) {
            let consumer = assigned_consumer(&self.props, Cluster::Source, Some(group))?;
            self.source_groups.insert(group.to_string(), consumer);
        }
        let committed = self.source_groups[group]
            .committed_offsets(tpl, REQUEST_TIMEOUT)
            .map_err(|e| ConnectError::retriable(format!("offsets of group {group}: {e}")))?;
        Ok(committed
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) => Some((
                    e.topic().to_string(),
                    e.partition(),
                    o,
                    e.metadata().to_string(),
                )),
                _ => None,
            })
            .collect())
    }

    /// The checkpoints that changed since the last round, as records.
    fn checkpoints(&mut self) -> Result<Vec<SourceRecord>, ConnectError> {
        let mut out = Vec::new();
        for group in self.groups.clone() {
            let committed = self.committed(&group)?;
            log::debug!("group {group} committed on the source: {committed:?}");
            for (topic, partition, upstream, metadata) in committed {
                let Some(downstream) = self.syncs.store.translate(&topic, partition, upstream)
                else {
                    continue;
                };
                if downstream < 0 {
                    continue;
                }
                let remote = self.policy.format_remote_topic(&self.source_alias, &topic);
                let checkpoint = Checkpoint {
                    group: group.clone(),
                    topic: remote.clone(),
                    partition,
                    upstream_offset: upstream,
                    downstream_offset: downstream,
                    metadata,
                };
                let record = self.record(&checkpoint);
                let latest = self.latest.entry(group.clone()).or_default();
                // Java's `checkpointIsMoreRecent`: after a rewind upstream, or when the
                // downstream offset moved forward (checkpoints stay monotonic).
                if let Some(last) = latest.get(&(remote.clone(), partition)) {
                    let rewound = checkpoint.upstream_offset < last.upstream_offset;
                    if !rewound && checkpoint.downstream_offset <= last.downstream_offset {
                        continue;
                    }
                }
                out.push(record);
                latest.insert((remote, partition), checkpoint);
            }
        }
        Ok(out)
    }

    fn record(&self, c: &Checkpoint) -> SourceRecord {
        let mut record = SourceRecord::new(
            &self.checkpoints_topic,
            Some(Schema::bytes()),
            Value::Bytes(c.value().into()),
        )
        .with_source(
            Value::string_map([
                ("group", Value::string(&c.group)),
                ("partition", Value::Int32(c.partition)),
                ("topic", Value::string(&c.topic)),
            ]),
            Value::string_map([("offset", Value::Int64(0))]),
        )
        .with_key(Some(Schema::bytes()), Value::Bytes(c.key().into()));
        record.kafka_partition = Some(0).into();
        record
    }

    /// Commits the latest checkpoints on the target for groups without active members there,
    /// where they are ahead of what the group has committed.
    fn sync_group_offsets(&self) -> Result<(), ConnectError> {
        if self.latest.is_empty() {
            return Ok(());
        }
        let probe = assigned_consumer(&self.props, Cluster::Target, None)?;
        let states: HashMap<String, String> = consumer_groups(&probe)?.into_iter().collect();
        for (group, checkpoints) in &self.latest {
            if let Some(state) = states.get(group) {
                if !state.eq_ignore_ascii_case("Empty") && !state.eq_ignore_ascii_case("Dead") {
                    log::debug!(
                        "group {group} is {state} on the target: its offsets are not synced"
                    );
                    continue;
                }
            }
            let consumer = assigned_consumer(&self.props, Cluster::Target, Some(group))?;
            let mut tpl = TopicPartitionList::new();
            for (topic, partition) in checkpoints.keys() {
                tpl.add_partition(topic, *partition);
            }
            let current = consumer
                .committed_offsets(tpl, REQUEST_TIMEOUT)
                .map_err(|e| ConnectError::retriable(format!("target offsets of {group}: {e}")))?;
            let mut commit = TopicPartitionList::new();
            for ((topic, partition), c) in checkpoints {
                let have =
                    current
                        .find_partition(topic, *partition)
                        .and_then(|e| match e.offset() {
                            Offset::Offset(o) => Some(o),
                            _ => None,
                        });
                if have.is_none_or(|h| h < c.downstream_offset) {
                    commit
                        .add_partition_offset(
                            topic,
                            *partition,
                            Offset::Offset(c.downstream_offset),
                        )
                        .map_err(|e| ConnectError::new(format!("offset for {topic}: {e}")))?;
                }
            }
            if commit.count() > 0 {
                consumer.commit(&commit, CommitMode::Sync).map_err(|e| {
                    ConnectError::retriable(format!("commit for group {group}: {e}"))
                })?;
                log::info!(
                    "synced {} offsets of group {group} to the target",
                    commit.count()
                );
            }
        }
        Ok(())
    }
}

impl SourceTask for MirrorCheckpointTask {
    fn start(&mut self, props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        let s = Settings::new(config::checkpoint_def(), props)?;
        let policy = s.policy()?;
        let (syncs_topic, on_source) = s.offset_syncs_topic()?;
        let cluster = if on_source {
            Cluster::Source
        } else {
            Cluster::Target
        };
        let groups = props
            .get(TASK_CONSUMER_GROUPS)
            .map(String::as_str)
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect();
        let now = Instant::now();
        self.state = Some(CheckpointState {
            props: props.clone(),
            source_alias: s.source_alias(),
            checkpoints_topic: policy.checkpoints_topic(&s.source_alias()),
            topics: s.topic_filter()?,
            policy,
            groups,
            syncs: SyncReader::new(props, &syncs_topic, cluster)?,
            source: Admin::new(props, Cluster::Source)?,
            source_groups: HashMap::new(),
            latest: HashMap::new(),
            emit_every: s.seconds("emit.checkpoints.interval.seconds")?,
            next_emit: now,
            sync_every: s
                .bool("sync.group.offsets.enabled")
                .then(|| s.seconds("sync.group.offsets.interval.seconds"))
                .transpose()?,
            next_sync: now,
        });
        Ok(())
    }

    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        let state = self
            .state
            .as_mut()
            .ok_or_else(|| ConnectError::new("not started"))?;
        state.syncs.drain()?;
        let now = Instant::now();
        let mut out = Vec::new();
        if now >= state.next_emit && state.syncs.store.is_read_to_end() {
            state.next_emit = now + state.emit_every;
            out = state.checkpoints()?;
        }
        if let Some(every) = state.sync_every {
            if now >= state.next_sync && !state.latest.is_empty() {
                state.next_sync = now + every;
                if let Err(e) = state.sync_group_offsets() {
                    log::warn!("group offsets not synced: {}", e.message);
                }
            }
        }
        if out.is_empty() && !ctx.is_stopping() {
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(out)
    }
}
