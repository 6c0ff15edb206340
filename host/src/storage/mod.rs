//! Where the worker keeps its state: source offsets, connector/task status, active topics;
//! in distributed mode, in Kafka topics (Java's formats).

pub mod config_topic;
mod kafka_log;
mod offsets;
mod status;
pub mod status_topic;
mod topics;

pub use kafka_log::{KafkaLog, TopicSpec};
pub use offsets::OffsetStore;
pub use status::{ConnectorStatus, State, StatusEntry, StatusRecord, StatusStore, TaskStatus};
pub use topics::{ActiveTopics, TopicTracker};
