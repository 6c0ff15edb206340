//! Where the worker keeps its state: source offsets, connector/task status, active topics.

mod offsets;
mod status;
mod topics;

pub use offsets::FileOffsetStore;
pub use status::{ConnectorStatus, State, StatusStore, TaskStatus};
pub use topics::{ActiveTopics, TopicTracker};
