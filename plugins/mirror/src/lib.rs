//! MirrorMaker 2's connectors as a plugin library, under Kafka's class names and with its
//! configuration keys and record formats, so a migration from Java MirrorMaker 2 keeps its
//! topics, checkpoints and offsets:
//!
//! - [`source::MirrorSourceConnector`] replicates topics (`topics`, `topics.exclude`) from the
//!   source cluster to `<source alias>.<topic>` on the target (the worker's cluster), partition
//!   for partition, keeping keys, values, headers and timestamps, and writes offset syncs;
//! - [`checkpoint::MirrorCheckpointConnector`] translates consumer-group offsets to the target;
//! - [`heartbeat::MirrorHeartbeatConnector`] emits heartbeats to the target.
//!
//! The library brings its own librdkafka for the source cluster; records reach the target
//! through the worker's producer, with `ByteArrayConverter` for keys, values and headers.

pub mod checkpoint;
pub mod clients;
pub mod config;
pub mod formats;
pub mod heartbeat;
pub mod offsets;
pub mod policy;
pub mod source;

use checkpoint::{MirrorCheckpointConnector, MirrorCheckpointTask};
use heartbeat::{MirrorHeartbeatConnector, MirrorHeartbeatTask};
use source::{MirrorSourceConnector, MirrorSourceTask};

plugin_abi::export_plugins! {
    source "org.apache.kafka.connect.mirror.MirrorSourceConnector" => MirrorSourceConnector {
        task "org.apache.kafka.connect.mirror.MirrorSourceTask" => MirrorSourceTask
    }
    source "org.apache.kafka.connect.mirror.MirrorCheckpointConnector" => MirrorCheckpointConnector {
        task "org.apache.kafka.connect.mirror.MirrorCheckpointTask" => MirrorCheckpointTask
    }
    source "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector" => MirrorHeartbeatConnector {
        task "org.apache.kafka.connect.mirror.MirrorHeartbeatTask" => MirrorHeartbeatTask
    }
}
