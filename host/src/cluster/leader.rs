//! The leader's part of a round: read every member's metadata, ask the herder for the configured
//! work, run the assignor and encode each member's assignment for SyncGroup.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::assignor::{assign, AssignInput, LeaderMemory, MemberAllocation};
use super::coordinator::Joined;
use super::protocol::{Assignment, ConnectProtocol, WorkerMetadata, CONFIG_MISMATCH, NO_ERROR};

/// The leader's SyncGroup content and its memory for the next round.
pub struct LeaderRound {
    pub assignments: Vec<(String, Bytes)>,
    pub memory: LeaderMemory,
}

/// Computes and encodes every member's assignment. `cluster_work` reads the config topic to at
/// least the offset it is given. On a config mismatch (the leader cannot read as far as some
/// member has) every member gets error 1 and nothing changes.
pub fn lead(
    joined: &Joined,
    protocol: ConnectProtocol,
    memory: &LeaderMemory,
    max_delay: Duration,
    cluster_work: impl FnOnce(i64) -> Result<super::ClusterWork, String>,
    now: Instant,
) -> Result<LeaderRound, String> {
    let mut members = Vec::with_capacity(joined.members.len());
    let mut max_offset = -1;
    let mut leader_url = String::new();
    for (id, bytes) in &joined.members {
        let metadata = WorkerMetadata::decode(bytes)
            .map_err(|e| format!("member {id} sent metadata this leader cannot read: {e}"))?;
        max_offset = max_offset.max(metadata.config_offset);
        if *id == joined.member_id {
            leader_url = metadata.url.clone();
        }
        let allocation = metadata.allocation.unwrap_or_default();
        members.push(MemberAllocation {
            id: id.clone(),
            url: metadata.url,
            connectors: allocation.connectors.into_iter().collect(),
            tasks: allocation.tasks.into_iter().collect(),
        });
    }
    let header = |error, config_offset| Assignment {
        version: protocol.version(),
        error,
        leader: joined.member_id.clone(),
        leader_url: leader_url.clone(),
        config_offset,
        ..Assignment::default()
    };
    let work = match cluster_work(max_offset) {
        Ok(work) if work.config_offset >= max_offset => work,
        Ok(work) => {
            tracing::warn!(
                "the leader's config snapshot (offset {}) is behind a member's (offset {max_offset}): \
                 no assignment this round",
                work.config_offset
            );
            return everyone(
                &members,
                header(CONFIG_MISMATCH, work.config_offset),
                memory,
            );
        }
        Err(e) => {
            tracing::warn!("the leader cannot read the config topic to offset {max_offset}: {e}");
            return everyone(&members, header(CONFIG_MISMATCH, max_offset), memory);
        }
    };
    // Eager: every member stopped everything before joining, so nothing is "lost" to wait for.
    let max_delay = if protocol == ConnectProtocol::Eager {
        Duration::ZERO
    } else {
        max_delay
    };
    let out = assign(AssignInput {
        members: &members,
        work: &work,
        memory,
        max_delay,
        now,
    });
    tracing::debug!(
        "assignor: members {:?}, work {:?} at offset {}, held back: {}; out {:?}",
        members
            .iter()
            .map(|m| (&m.id, m.connectors.len(), m.tasks.len()))
            .collect::<Vec<_>>(),
        work.connectors,
        work.config_offset,
        out.memory.holds_work(),
        out.members
    );
    let mut assignments = Vec::with_capacity(out.members.len());
    for (id, a) in out.members {
        let assignment = Assignment {
            connectors: a.connectors,
            tasks: a.tasks,
            revoked_connectors: a.revoked_connectors,
            revoked_tasks: a.revoked_tasks,
            delay_ms: i32::try_from(a.delay.as_millis()).unwrap_or(i32::MAX),
            ..header(NO_ERROR, work.config_offset)
        };
        let bytes = assignment.encode().map_err(|e| e.to_string())?;
        assignments.push((id, Bytes::from(bytes)));
    }
    Ok(LeaderRound {
        assignments,
        memory: out.memory,
    })
}

/// The same assignment (an error, nothing assigned) for every member.
fn everyone(
    members: &[MemberAllocation],
    assignment: Assignment,
    memory: &LeaderMemory,
) -> Result<LeaderRound, String> {
    let bytes = Bytes::from(assignment.encode().map_err(|e| e.to_string())?);
    Ok(LeaderRound {
        assignments: members
            .iter()
            .map(|m| (m.id.clone(), bytes.clone()))
            .collect(),
        memory: memory.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{ClusterWork, ConnectorTaskId};

    fn joined(members: &[(&str, WorkerMetadata)]) -> Joined {
        Joined {
            generation: 3,
            member_id: members[0].0.to_string(),
            leader: members[0].0.to_string(),
            protocol: "sessioned".into(),
            members: members
                .iter()
                .map(|(id, m)| (id.to_string(), Bytes::from(m.encode().unwrap())))
                .collect(),
        }
    }

    fn metadata(url: &str, offset: i64, tasks: &[(&str, u32)]) -> WorkerMetadata {
        WorkerMetadata {
            version: 2,
            url: url.into(),
            config_offset: offset,
            allocation: (!tasks.is_empty()).then(|| Assignment {
                version: 2,
                tasks: tasks
                    .iter()
                    .map(|(c, t)| ConnectorTaskId::new(*c, *t))
                    .collect(),
                ..Assignment::default()
            }),
        }
    }

    fn work(offset: i64) -> ClusterWork {
        ClusterWork {
            config_offset: offset,
            connectors: [("a".to_string(), 2)].into(),
        }
    }

    fn decode(round: &LeaderRound, id: &str) -> Assignment {
        let (_, bytes) = round.assignments.iter().find(|(m, _)| m == id).unwrap();
        Assignment::decode(bytes).unwrap()
    }

    #[test]
    fn the_leader_reads_config_to_the_highest_member_offset_and_assigns() {
        let j = joined(&[
            ("m1", metadata("http://w1/", 4, &[("a", 0)])),
            ("m2", metadata("http://w2/", 9, &[])),
        ]);
        let mut asked = None;
        let round = lead(
            &j,
            ConnectProtocol::Sessioned,
            &LeaderMemory::default(),
            Duration::from_secs(300),
            |min| {
                asked = Some(min);
                Ok(work(9))
            },
            Instant::now(),
        )
        .unwrap();
        assert_eq!(asked, Some(9));
        let m2 = decode(&round, "m2");
        assert_eq!(m2.version, 2);
        assert_eq!(
            (m2.leader.as_str(), m2.leader_url.as_str()),
            ("m1", "http://w1/")
        );
        assert_eq!(m2.config_offset, 9);
        // m1 keeps a-0 and the connector goes to the least loaded.
        assert_eq!(m2.tasks, vec![ConnectorTaskId::new("a", 1)]);
        assert!(decode(&round, "m1").tasks.is_empty());
    }

    #[test]
    fn a_leader_behind_a_member_sends_config_mismatch_to_everyone() {
        let j = joined(&[
            ("m1", metadata("http://w1/", 4, &[])),
            ("m2", metadata("http://w2/", 9, &[])),
        ]);
        for result in [Ok(work(5)), Err("config topic unreadable".to_string())] {
            let round = lead(
                &j,
                ConnectProtocol::Compatible,
                &LeaderMemory::default(),
                Duration::ZERO,
                |_| result.clone(),
                Instant::now(),
            )
            .unwrap();
            for id in ["m1", "m2"] {
                let a = decode(&round, id);
                assert_eq!(a.error, CONFIG_MISMATCH);
                assert!(a.is_empty());
            }
        }
    }

    #[test]
    fn eager_assignments_are_v0() {
        let j = joined(&[(
            "m1",
            WorkerMetadata {
                version: 0,
                url: "u".into(),
                config_offset: 1,
                allocation: None,
            },
        )]);
        let round = lead(
            &j,
            ConnectProtocol::Eager,
            &LeaderMemory::default(),
            Duration::from_secs(300),
            |_| Ok(work(1)),
            Instant::now(),
        )
        .unwrap();
        let a = decode(&round, "m1");
        assert_eq!(a.version, 0);
        assert_eq!(a.connectors, vec!["a".to_string()]);
        assert_eq!(a.tasks.len(), 2);
    }

    #[test]
    fn unreadable_member_metadata_is_an_error() {
        let mut j = joined(&[("m1", metadata("u", 1, &[]))]);
        j.members.push(("m2".into(), Bytes::from_static(&[0, 1])));
        let err = lead(
            &j,
            ConnectProtocol::Sessioned,
            &LeaderMemory::default(),
            Duration::ZERO,
            |_| Ok(work(1)),
            Instant::now(),
        )
        .err()
        .unwrap();
        assert!(err.contains("m2"), "{err}");
    }
}
