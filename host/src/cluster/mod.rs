//! Distributed mode: worker-group membership through Kafka's group coordinator and the
//! incremental cooperative assignment of connectors and tasks.
//!
//! - `protocol`: the Connect group protocol's bytes (Java's `ConnectProtocol` and
//!   `IncrementalCooperativeConnectProtocol`).
//! - `assignor`: the leader's pure assignment function.

pub mod assignor;
pub mod protocol;

pub use assignor::ClusterWork;
pub use protocol::{ConnectProtocol, ConnectorTaskId};
