//! TEMPORARY: the membership interface as agreed with the `group` branch, stubbed so the
//! herder compiles until that branch is merged.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub mod herder;

/// Marks a request one worker sends another, so it is never forwarded again.
pub const FORWARDED_HEADER: &str = "x-connect-forwarded";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectorTaskId {
    pub connector: String,
    pub task: u32,
}
#[derive(Clone, Copy, Debug)]
pub enum ConnectProtocol {
    Eager,
    Compatible,
    Sessioned,
}
pub struct GroupSettings {
    pub bootstrap_servers: String,
    pub group_id: String,
    pub client_id: String,
    pub session_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub rebalance_timeout: Duration,
    pub scheduled_rebalance_max_delay: Duration,
    pub protocol: ConnectProtocol,
}
pub struct ClusterWork {
    pub config_offset: i64,
    pub connectors: BTreeMap<String, u32>,
}
#[derive(Clone, Debug)]
pub struct Rebalanced {
    pub generation: i32,
    pub member_id: String,
    pub leader_id: String,
    pub leader_url: String,
    pub is_leader: bool,
    pub config_offset: i64,
    pub error: i16,
    pub assigned_connectors: Vec<String>,
    pub assigned_tasks: Vec<ConnectorTaskId>,
    pub owned_connectors: Vec<String>,
    pub owned_tasks: Vec<ConnectorTaskId>,
}
pub trait GroupListener: Send + Sync + 'static {
    fn metadata(&self) -> (String, i64);
    fn cluster_work(&self, min_offset: i64) -> Result<ClusterWork, String>;
    fn on_revoked(&self, connectors: &[String], tasks: &[ConnectorTaskId]);
    fn on_assigned(&self, round: &Rebalanced);
}
pub struct Membership;
impl Membership {
    pub fn start(
        _settings: GroupSettings,
        _listener: Arc<dyn GroupListener>,
    ) -> anyhow::Result<Membership> {
        anyhow::bail!("not merged yet")
    }
    pub fn request_rejoin(&self) {}
    pub fn current(&self) -> Option<Rebalanced> {
        None
    }
    pub fn close(self) {}
}
