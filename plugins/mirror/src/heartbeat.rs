//! MirrorHeartbeatConnector: a heartbeat record on the target's `heartbeats` topic every
//! `emit.heartbeats.interval.seconds`, so replication lag and liveness can be seen there.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use plugin_abi::prelude::*;

use crate::clients::{Admin, Cluster};
use crate::config::{self, Settings};
use crate::formats::Heartbeat;
use crate::policy::HEARTBEATS_TOPIC;

/// Kafka's `org.apache.kafka.connect.mirror.MirrorHeartbeatConnector`.
#[derive(Default)]
pub struct MirrorHeartbeatConnector {
    props: Props,
    enabled: bool,
}

impl SourceConnector for MirrorHeartbeatConnector {
    fn config(&self) -> ConfigDef {
        config::heartbeat_def()
    }

    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        config::validate_common(&self.config(), props)
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        let s = Settings::new(config::heartbeat_def(), props)?;
        self.enabled = s.bool("emit.heartbeats.enabled");
        if self.enabled {
            Admin::new(props, Cluster::Target)?.create_internal_topic(
                HEARTBEATS_TOPIC,
                s.long("heartbeats.topic.replication.factor")? as i32,
            )?;
        }
        self.props = props.clone();
        Ok(())
    }

    /// One task, or none when heartbeats are disabled.
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        if !self.enabled || max_tasks == 0 {
            return Ok(Vec::new());
        }
        Ok(vec![self.props.clone()])
    }
}

/// Kafka's `MirrorHeartbeatTask`.
#[derive(Default)]
pub struct MirrorHeartbeatTask {
    source_alias: String,
    target_alias: String,
    interval: Duration,
    next: Option<Instant>,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl SourceTask for MirrorHeartbeatTask {
    fn start(&mut self, props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        let s = Settings::new(config::heartbeat_def(), props)?;
        self.source_alias = s.source_alias();
        self.target_alias = s.target_alias();
        self.interval = s.seconds("emit.heartbeats.interval.seconds")?;
        self.next = Some(Instant::now());
        Ok(())
    }

    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        let next = self.next.ok_or_else(|| ConnectError::new("not started"))?;
        // Wait for the next beat in short naps, so a stopping worker is not held up.
        loop {
            let now = Instant::now();
            if now >= next {
                break;
            }
            if ctx.is_stopping() {
                return Ok(Vec::new());
            }
            std::thread::sleep((next - now).min(Duration::from_millis(200)));
        }
        self.next = Some(next + self.interval);
        let beat = Heartbeat {
            source_cluster_alias: self.source_alias.clone(),
            target_cluster_alias: self.target_alias.clone(),
            timestamp: now_millis(),
        };
        let mut record = SourceRecord::new(
            HEARTBEATS_TOPIC,
            Some(Schema::bytes()),
            Value::Bytes(beat.value().into()),
        )
        .with_source(
            Value::string_map([
                ("sourceClusterAlias", Value::string(&self.source_alias)),
                ("targetClusterAlias", Value::string(&self.target_alias)),
            ]),
            Value::string_map([("offset", Value::Int64(0))]),
        )
        .with_key(Some(Schema::bytes()), Value::Bytes(beat.key().into()));
        record.kafka_partition = Some(0).into();
        record.timestamp = Some(beat.timestamp).into();
        Ok(vec![record])
    }
}
