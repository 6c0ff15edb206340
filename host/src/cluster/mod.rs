//! Distributed mode: worker-group membership through Kafka's group coordinator and the
//! incremental cooperative assignment of connectors and tasks.
//!
//! - `protocol`: the Connect group protocol's bytes (Java's `ConnectProtocol` and
//!   `IncrementalCooperativeConnectProtocol`).
//! - `assignor`: the leader's pure assignment function.
//! - `settings`: the group settings from the worker's properties.
//! - `connection`: one plaintext connection to a broker (`kafka-protocol` frames).
//! - `coordinator`: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup.
//! - `leader`: the leader's round: metadata in, assignments out.
//! - `membership`: the member's state machine (group thread), and the herder's [`GroupListener`].
//! - `heartbeat`: the heartbeat thread.
//! - `herder`: the distributed worker that runs what the group assigns it.

pub mod assignor;
mod connection;
mod coordinator;
mod heartbeat;
pub mod herder;
mod leader;
mod membership;
pub mod protocol;
mod settings;

pub use assignor::ClusterWork;
pub use membership::{GroupListener, Membership, Rebalanced};
pub use protocol::{ConnectProtocol, ConnectorTaskId};
pub use settings::GroupSettings;

/// Marks a request one worker sends another, so it is never forwarded again.
pub const FORWARDED_HEADER: &str = "x-connect-forwarded";
