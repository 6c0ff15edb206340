//! The group coordinator's requests for one member: FindCoordinator, JoinGroup (with protocol
//! type `connect`), SyncGroup, Heartbeat, LeaveGroup. Each answer's error code becomes what the
//! member has to do next ([`GroupError`]).

use std::ops::RangeInclusive;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::{
    ApiKey, FindCoordinatorRequest, GroupId, HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest,
    SyncGroupRequest,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;

use super::connection::{Connection, WireError};
use super::settings::GroupSettings;

/// Kafka's group protocol type for Connect workers.
pub const PROTOCOL_TYPE: &str = "connect";

// Versions we speak, intersected with the broker's. The tops are what Tansu 0.6 was measured
// with (JoinGroup v5, SyncGroup v5, Heartbeat v4); Kafka 3.x and 4.x accept all of these.
const FIND_COORDINATOR: RangeInclusive<i16> = 1..=4;
const JOIN_GROUP: RangeInclusive<i16> = 4..=5;
const SYNC_GROUP: RangeInclusive<i16> = 3..=5;
const HEARTBEAT: RangeInclusive<i16> = 3..=4;
const LEAVE_GROUP: RangeInclusive<i16> = 3..=4;

/// What a failed group request asks the member to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupError {
    /// The group is rebalancing (or the request raced one): join again, same member id.
    Rejoin,
    /// The coordinator no longer knows this member or generation: it has lost its work;
    /// join again as a new member.
    ResetMember(String),
    /// The coordinator moved, is loading, or the connection broke: find it again.
    FindCoordinator(String),
    /// Anything else (authorization, inconsistent protocol, bad timeouts): logged, retried later.
    Other(String),
}

impl GroupError {
    fn from_code(api: &str, code: i16) -> GroupError {
        let error = ResponseError::try_from_code(code);
        let text = error.map_or_else(|| format!("{api}: error {code}"), |e| format!("{api}: {e}"));
        match error {
            Some(ResponseError::RebalanceInProgress) => GroupError::Rejoin,
            Some(
                ResponseError::UnknownMemberId
                | ResponseError::IllegalGeneration
                | ResponseError::FencedInstanceId,
            ) => GroupError::ResetMember(text),
            Some(
                ResponseError::NotCoordinator
                | ResponseError::CoordinatorNotAvailable
                | ResponseError::CoordinatorLoadInProgress,
            ) => GroupError::FindCoordinator(text),
            _ => GroupError::Other(text),
        }
    }
}

impl From<WireError> for GroupError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Unsupported { .. } => GroupError::Other(e.to_string()),
            _ => GroupError::FindCoordinator(e.to_string()),
        }
    }
}

/// The group's state after a JoinGroup.
#[derive(Debug, Clone)]
pub struct Joined {
    pub generation: i32,
    pub member_id: String,
    pub leader: String,
    /// The protocol the coordinator chose among those every member offered.
    pub protocol: String,
    /// Every member's id and metadata (leader only; empty for followers).
    pub members: Vec<(String, Bytes)>,
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

/// Asks the bootstrap servers, one after another, which broker coordinates `group_id`.
pub fn find_coordinator(settings: &GroupSettings, timeout: Duration) -> Result<String, GroupError> {
    let mut last = GroupError::FindCoordinator("no bootstrap.servers".into());
    for server in settings.bootstrap_servers.split(',').map(str::trim) {
        if server.is_empty() {
            continue;
        }
        match ask_for_coordinator(server, settings, timeout) {
            Ok(address) => return Ok(address),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn ask_for_coordinator(
    server: &str,
    settings: &GroupSettings,
    timeout: Duration,
) -> Result<String, GroupError> {
    let mut conn = Connection::open(server, &settings.client_id, timeout)?;
    let version = conn.version(ApiKey::FindCoordinator, FIND_COORDINATOR)?;
    let mut request = FindCoordinatorRequest::default().with_key_type(0);
    if version >= 4 {
        request.coordinator_keys = vec![text(&settings.group_id)];
    } else {
        request.key = text(&settings.group_id);
    }
    let response = conn.call(&request, version, timeout)?;
    let (code, host, port) = if version >= 4 {
        let c = response.coordinators.first().ok_or_else(|| {
            GroupError::FindCoordinator(format!(
                "{server}: FindCoordinator answered no coordinator"
            ))
        })?;
        (c.error_code, c.host.to_string(), c.port)
    } else {
        (
            response.error_code,
            response.host.to_string(),
            response.port,
        )
    };
    if code != 0 {
        return Err(match GroupError::from_code("FindCoordinator", code) {
            GroupError::Other(t) => GroupError::Other(t),
            GroupError::FindCoordinator(t) | GroupError::ResetMember(t) => {
                GroupError::FindCoordinator(t)
            }
            GroupError::Rejoin => {
                GroupError::FindCoordinator("FindCoordinator: rebalancing".into())
            }
        });
    }
    Ok(format!("{host}:{port}"))
}

/// A connection to the group's coordinator.
pub struct Coordinator {
    conn: Connection,
    group_id: GroupId,
    join: i16,
    sync: i16,
    heartbeat: i16,
    leave: i16,
}

impl Coordinator {
    pub fn open(address: &str, settings: &GroupSettings) -> Result<Coordinator, GroupError> {
        let conn = Connection::open(address, &settings.client_id, settings.session_timeout)?;
        Ok(Coordinator {
            join: conn.version(ApiKey::JoinGroup, JOIN_GROUP)?,
            sync: conn.version(ApiKey::SyncGroup, SYNC_GROUP)?,
            heartbeat: conn.version(ApiKey::Heartbeat, HEARTBEAT)?,
            leave: conn.version(ApiKey::LeaveGroup, LEAVE_GROUP)?,
            group_id: GroupId(text(&settings.group_id)),
            conn,
        })
    }

    pub fn address(&self) -> &str {
        self.conn.address()
    }

    /// See [`Connection::aborter`].
    pub fn aborter(&self) -> Option<std::net::TcpStream> {
        self.conn.aborter()
    }

    /// JoinGroup; answers MEMBER_ID_REQUIRED by joining again with the id the coordinator gave.
    /// Blocks until the coordinator completes the round (up to the rebalance timeout).
    pub fn join(
        &mut self,
        member_id: &str,
        protocols: &[(&'static str, Bytes)],
        settings: &GroupSettings,
    ) -> Result<Joined, GroupError> {
        let mut member_id = member_id.to_string();
        // Long enough for the coordinator to wait out the slowest member.
        let timeout = settings.rebalance_timeout + settings.session_timeout;
        for _ in 0..2 {
            let request = JoinGroupRequest::default()
                .with_group_id(self.group_id.clone())
                .with_session_timeout_ms(millis(settings.session_timeout))
                .with_rebalance_timeout_ms(millis(settings.rebalance_timeout))
                .with_member_id(text(&member_id))
                .with_protocol_type(text(PROTOCOL_TYPE))
                .with_protocols(
                    protocols
                        .iter()
                        .map(|(name, metadata)| {
                            JoinGroupRequestProtocol::default()
                                .with_name(text(name))
                                .with_metadata(metadata.clone())
                        })
                        .collect(),
                );
            let response = self.conn.call(&request, self.join, timeout)?;
            match ResponseError::try_from_code(response.error_code) {
                None => {
                    return Ok(Joined {
                        generation: response.generation_id,
                        member_id: response.member_id.to_string(),
                        leader: response.leader.to_string(),
                        protocol: response
                            .protocol_name
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        members: response
                            .members
                            .into_iter()
                            .map(|m| (m.member_id.to_string(), m.metadata))
                            .collect(),
                    })
                }
                Some(ResponseError::MemberIdRequired) => {
                    member_id = response.member_id.to_string();
                }
                Some(_) => return Err(GroupError::from_code("JoinGroup", response.error_code)),
            }
        }
        Err(GroupError::Other(
            "JoinGroup: MEMBER_ID_REQUIRED twice in a row".into(),
        ))
    }

    /// SyncGroup: the leader sends every member's assignment; everyone gets its own back.
    pub fn sync(
        &mut self,
        joined: &Joined,
        assignments: Vec<(String, Bytes)>,
        settings: &GroupSettings,
    ) -> Result<Bytes, GroupError> {
        let request = SyncGroupRequest::default()
            .with_group_id(self.group_id.clone())
            .with_generation_id(joined.generation)
            .with_member_id(text(&joined.member_id))
            .with_protocol_type(Some(text(PROTOCOL_TYPE)))
            .with_protocol_name(Some(text(&joined.protocol)))
            .with_assignments(
                assignments
                    .into_iter()
                    .map(|(member, bytes)| {
                        SyncGroupRequestAssignment::default()
                            .with_member_id(text(&member))
                            .with_assignment(bytes)
                    })
                    .collect(),
            );
        let timeout = settings.rebalance_timeout + settings.session_timeout;
        let response = self.conn.call(&request, self.sync, timeout)?;
        if response.error_code != 0 {
            return Err(GroupError::from_code("SyncGroup", response.error_code));
        }
        Ok(response.assignment)
    }

    pub fn heartbeat(
        &mut self,
        generation: i32,
        member_id: &str,
        timeout: Duration,
    ) -> Result<(), GroupError> {
        let request = HeartbeatRequest::default()
            .with_group_id(self.group_id.clone())
            .with_generation_id(generation)
            .with_member_id(text(member_id));
        let response = self.conn.call(&request, self.heartbeat, timeout)?;
        if response.error_code != 0 {
            return Err(GroupError::from_code("Heartbeat", response.error_code));
        }
        Ok(())
    }

    pub fn leave(&mut self, member_id: &str, timeout: Duration) -> Result<(), GroupError> {
        let request = LeaveGroupRequest::default()
            .with_group_id(self.group_id.clone())
            .with_members(vec![
                MemberIdentity::default().with_member_id(text(member_id))
            ]);
        let response = self.conn.call(&request, self.leave, timeout)?;
        let code = response
            .members
            .first()
            .map(|m| m.error_code)
            .filter(|c| *c != 0)
            .unwrap_or(response.error_code);
        if code != 0 {
            return Err(GroupError::from_code("LeaveGroup", code));
        }
        Ok(())
    }
}

fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_what_the_member_does_next() {
        assert_eq!(GroupError::from_code("x", 27), GroupError::Rejoin);
        for code in [22, 25, 82] {
            assert!(matches!(
                GroupError::from_code("x", code),
                GroupError::ResetMember(_)
            ));
        }
        for code in [14, 15, 16] {
            assert!(matches!(
                GroupError::from_code("x", code),
                GroupError::FindCoordinator(_)
            ));
        }
        let other = GroupError::from_code("JoinGroup", 23);
        assert!(matches!(&other, GroupError::Other(t) if t.starts_with("JoinGroup: ")));
    }
}
