//! A worker's membership in its Connect group: joins through Kafka's group coordinator, leads
//! the assignment when elected, heartbeats on its own thread, and tells the herder (through a
//! [`GroupListener`]) what to stop and what to start after each round.
//!
//! Two threads per member: the *group* thread joins, syncs and runs the listener's callbacks;
//! the *heartbeat* thread keeps the session alive meanwhile, on its own connection, so a long
//! callback (stopping tasks, committing offsets) does not get the member expelled. A heartbeat
//! answered REBALANCE_IN_PROGRESS makes the group thread rejoin when its callback returns.
//!
//! With `connect.protocol=eager` (protocol `default`) the member stops everything it runs before
//! each JoinGroup, as Java's eager protocol does, and the leader's cooperative assignor then sees
//! only empty allocations: it assigns everything in one round and holds nothing back. Java's eager
//! assignor would assign round-robin instead; the balance is the same.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;

use super::assignor::LeaderMemory;
use super::coordinator::{find_coordinator, Coordinator, GroupError, Joined};
use super::heartbeat;
use super::leader::lead;
use super::protocol::{Assignment, ConnectProtocol, ConnectorTaskId, WorkerMetadata, NO_ERROR};
use super::settings::GroupSettings;
use super::ClusterWork;

/// Pause before retrying after a failed request or a config mismatch.
const RETRY_BACKOFF: Duration = Duration::from_millis(500);
/// Pause before joining again when the group is still rebalancing.
const REJOIN_BACKOFF: Duration = Duration::from_millis(50);
/// How long Tansu holds a follower's JoinGroup before it takes the follower's new metadata.
const FOLLOWER_JOIN_HOLD: Duration = Duration::from_secs(3);
/// How long close lets a pending JoinGroup/SyncGroup finish before aborting it.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// What the herder learns after a completed rebalance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebalanced {
    pub generation: i32,
    pub member_id: String,
    pub leader_id: String,
    pub leader_url: String,
    pub is_leader: bool,
    /// The config-topic offset the assignment was computed at: read at least this far before
    /// starting the assigned work.
    pub config_offset: i64,
    /// 0 none, 1 config mismatch (nothing assigned; the member rejoins shortly).
    pub error: i16,
    pub assigned_connectors: Vec<String>,
    pub assigned_tasks: Vec<ConnectorTaskId>,
    /// Everything this member owns after applying the round.
    pub owned_connectors: Vec<String>,
    pub owned_tasks: Vec<ConnectorTaskId>,
}

/// The herder's side of the membership. Callbacks run on the group thread, one at a time.
pub trait GroupListener: Send + Sync + 'static {
    /// This worker's advertised REST URL and the config-topic offset it has read to.
    fn metadata(&self) -> (String, i64);
    /// Leader only: the configured work, read to at least `min_offset` (the highest offset any
    /// member reported). An error, or a snapshot below `min_offset`, fails the round with a
    /// config mismatch for everyone.
    fn cluster_work(&self, min_offset: i64) -> Result<ClusterWork, String>;
    /// Stop these; blocks until stopped (offsets committed) so nobody else starts them meanwhile.
    /// Also called with everything owned when the membership is lost (UNKNOWN_MEMBER_ID,
    /// ILLEGAL_GENERATION, no heartbeat answered for `session.timeout.ms`) and on close.
    fn on_revoked(&self, connectors: &[String], tasks: &[ConnectorTaskId]);
    /// Start what was newly assigned (blocking is fine; heartbeats go on meanwhile).
    fn on_assigned(&self, round: &Rebalanced);
}

/// A running group membership. [`Membership::close`] (or drop) leaves the group.
pub struct Membership {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

/// State shared by the handle and the two threads.
pub(super) struct Shared {
    pub(super) settings: GroupSettings,
    pub(super) listener: Arc<dyn GroupListener>,
    pub(super) state: Mutex<State>,
    pub(super) wake: Condvar,
}

#[derive(Default)]
pub(super) struct State {
    /// Rejoin as soon as possible (herder asked, or a heartbeat saw a rebalance).
    pub(super) rejoin: bool,
    /// The herder asked for a rebalance: the next join must start a new generation.
    pub(super) requested: bool,
    /// A heartbeat answered REBALANCE_IN_PROGRESS.
    pub(super) rebalance_seen: bool,
    /// The coordinator expelled this member: everything is lost.
    pub(super) lost: bool,
    /// The coordinator connection failed: find it again.
    pub(super) coordinator_failed: bool,
    pub(super) closing: bool,
    /// Tests: stop dead, as a killed process would.
    pub(super) abandoned: bool,
    /// Heartbeats go out while this is set: (coordinator address, generation, member id).
    pub(super) stable: Option<(String, i32, String)>,
    /// The generation in `stable` completed its SyncGroup: heartbeat answers now concern the
    /// group thread. Before that (joining) heartbeats only keep the session alive: some
    /// coordinators (Tansu) expel a member whose last contact is older than the session timeout,
    /// rebalancing or not.
    pub(super) completed: bool,
    pub(super) current: Option<Rebalanced>,
    /// The group thread's coordinator socket, so close can abort a blocked JoinGroup.
    pub(super) in_flight: Option<TcpStream>,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn signal(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.wake.notify_all();
    }

    fn stopping(&self) -> bool {
        let s = self.lock();
        s.closing || s.abandoned
    }

    /// Sleeps up to `d`, waking early when stopping.
    fn pause(&self, d: Duration) {
        let deadline = Instant::now() + d;
        let mut s = self.lock();
        while !(s.closing || s.abandoned) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            s = self
                .wake
                .wait_timeout(s, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
}

impl Membership {
    /// Joins in the background (two threads); returns at once.
    pub fn start(
        settings: GroupSettings,
        listener: Arc<dyn GroupListener>,
    ) -> anyhow::Result<Membership> {
        settings.check()?;
        let shared = Arc::new(Shared {
            settings,
            listener,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        let name = &shared.settings.client_id;
        let group = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("{name}-group"))
                .spawn(move || GroupThread::new(shared).run())
                .context("start the group membership thread")?
        };
        let heartbeat = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("{name}-heartbeat"))
                .spawn(move || heartbeat::run(&shared))
                .context("start the heartbeat thread")?
        };
        Ok(Membership {
            shared,
            threads: vec![group, heartbeat],
        })
    }

    /// Asks for a rebalance (connectors or task counts changed in the config topic).
    pub fn request_rejoin(&self) {
        self.shared.signal(|s| {
            s.rejoin = true;
            s.requested = true;
        });
    }

    /// The latest completed round, if any.
    pub fn current(&self) -> Option<Rebalanced> {
        self.shared.lock().current.clone()
    }

    /// Revokes everything owned (`on_revoked`), sends LeaveGroup and stops.
    pub fn close(self) {
        // Drop does it.
    }

    /// Stops at once without revoking or leaving the group, as if the process had died: the
    /// coordinator expels this member after `session.timeout.ms`. For tests of failover.
    #[doc(hidden)]
    pub fn abandon(mut self) {
        self.shared.signal(|s| {
            s.abandoned = true;
            s.stable = None;
            if let Some(sock) = s.in_flight.take() {
                let _ = sock.shutdown(std::net::Shutdown::Both);
            }
        });
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        // A JoinGroup or SyncGroup in flight may finish first (up to CLOSE_GRACE): a LeaveGroup
        // that overtakes a pending JoinGroup is undone by it on Tansu (the member comes back
        // until its session expires). Then it is aborted.
        let deadline = Instant::now() + CLOSE_GRACE;
        let mut s = self.shared.lock();
        s.closing = true;
        self.shared.wake.notify_all();
        while s.in_flight.is_some() && Instant::now() < deadline {
            s = self
                .shared
                .wake
                .wait_timeout(s, deadline.saturating_duration_since(Instant::now()))
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        if let Some(sock) = s.in_flight.take() {
            let _ = sock.shutdown(std::net::Shutdown::Both);
        }
        drop(s);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The group thread's state.
struct GroupThread {
    shared: Arc<Shared>,
    coordinator: Option<Coordinator>,
    member_id: String,
    generation: i32,
    /// The protocol chosen in the last round.
    protocol: Option<ConnectProtocol>,
    owned_connectors: BTreeSet<String>,
    owned_tasks: BTreeSet<ConnectorTaskId>,
    /// The last assignment received (its leader fields go back in the metadata).
    last: Option<Assignment>,
    /// What this member assigned when it led the generation in `.0`.
    memory: Option<(i32, LeaderMemory)>,
    /// The last generation this member completed.
    completed: Option<i32>,
    /// A delayed rebalance: rejoin at this time.
    rejoin_at: Option<Instant>,
    /// When the delay of the last new assignment expires (a repeated one does not extend it).
    delay_deadline: Option<Instant>,
    /// How many times this member changed its metadata only to start a new generation.
    nudges: i32,
    /// The next join must start a new generation (see [`GroupThread::join_protocols`]).
    nudge: bool,
    /// This round was joined because a heartbeat saw a rebalance.
    after_rebalance: bool,
    /// This round's metadata was changed to start a new generation.
    nudged: bool,
}

/// Why the group thread stopped waiting.
enum Wake {
    Rejoin,
    Lost,
    CoordinatorFailed,
    Stop,
}

impl GroupThread {
    fn new(shared: Arc<Shared>) -> GroupThread {
        GroupThread {
            shared,
            coordinator: None,
            member_id: String::new(),
            generation: -1,
            protocol: None,
            owned_connectors: BTreeSet::new(),
            owned_tasks: BTreeSet::new(),
            last: None,
            memory: None,
            completed: None,
            rejoin_at: None,
            delay_deadline: None,
            nudges: 0,
            nudge: false,
            after_rebalance: false,
            nudged: false,
        }
    }

    fn run(mut self) {
        // However this thread ends (a panicking listener included), the heartbeats stop with it.
        struct StopHeartbeats(Arc<Shared>);
        impl Drop for StopHeartbeats {
            fn drop(&mut self) {
                self.0.signal(|s| {
                    s.stable = None;
                    s.closing = true;
                });
            }
        }
        let _guard = StopHeartbeats(self.shared.clone());
        loop {
            if self.shared.stopping() {
                break;
            }
            if let Err(e) = self.round() {
                self.shared.signal(|s| s.in_flight = None);
                if self.shared.stopping() {
                    break;
                }
                self.handle(e);
                continue;
            }
            match self.wait() {
                Wake::Stop => break,
                Wake::Rejoin => {}
                Wake::Lost => self.lose_everything("no heartbeat was answered within session.timeout.ms, or the coordinator expelled this member"),
                Wake::CoordinatorFailed => self.coordinator = None,
            }
        }
        self.stop();
    }

    /// One JoinGroup + SyncGroup, then the callbacks.
    fn round(&mut self) -> Result<(), GroupError> {
        let mut requested = false;
        self.shared.signal(|s| {
            s.rejoin = false;
            s.completed = false;
            s.coordinator_failed = false;
            self.after_rebalance = std::mem::take(&mut s.rebalance_seen);
            requested = std::mem::take(&mut s.requested);
        });
        let expired = self
            .delay_deadline
            .is_some_and(|deadline| Instant::now() >= deadline);
        if expired {
            self.delay_deadline = None;
        }
        // Kafka starts a new generation whenever the leader rejoins; Tansu only when a member's
        // metadata changed, and answers an unchanged leader's SyncGroup with the old round's
        // assignment. A rebalance the herder asked for (a new connector, a new task count) may
        // come before this worker's metadata shows the config offset that caused it: change
        // the metadata so the round happens.
        let nudge = expired || requested || std::mem::take(&mut self.nudge);
        self.nudged = false;
        if nudge {
            self.count_nudge();
        }
        self.rejoin_at = None;
        let settings = self.shared.settings.clone();
        if self.coordinator.is_none() {
            let address = find_coordinator(&settings, settings.session_timeout)?;
            let coordinator = Coordinator::open(&address, &settings)?;
            tracing::info!(group = %settings.group_id, "group coordinator is {address}");
            self.coordinator = Some(coordinator);
        }
        if self.protocol == Some(ConnectProtocol::Eager) {
            // Eager: stop everything before joining.
            self.revoke_all();
        }
        let mut protocols = self.join_protocols(&settings, nudge)?;
        let coordinator = self.coordinator.as_mut().expect("set above");
        self.shared.lock().in_flight = coordinator.aborter();
        let address = coordinator.address().to_string();
        let started = Instant::now();
        let mut joined = coordinator.join(&self.member_id, &protocols, &settings)?;
        tracing::debug!(generation = joined.generation, leader = %joined.leader, nudge, "joined");
        if self.shared.stopping() {
            self.member_id = joined.member_id.clone();
            self.shared.signal(|s| s.in_flight = None);
            return Err(GroupError::Rejoin);
        }
        if joined.leader == joined.member_id {
            let wait = if !self.led_last_round() && joined.members.len() > 1 {
                // A new leader (the last one died or left) must not assign from the followers'
                // metadata of their previous join: Kafka's coordinator makes every member rejoin
                // before it answers the leader; Tansu answers at once with what each member sent
                // last, which may predate the work it runs now, and the leader would give that
                // work to a second member. Start a new generation (new metadata), so that every
                // follower's heartbeat sees the rebalance and it rejoins, then ask for the
                // metadata once their joins are through (Tansu holds a follower's JoinGroup 3 s).
                // On Kafka this costs one extra round when the leadership changes.
                self.count_nudge();
                protocols = self.join_protocols(&settings, true)?;
                let coordinator = self.coordinator.as_mut().expect("set above");
                joined = coordinator.join(&joined.member_id, &protocols, &settings)?;
                settings.heartbeat_interval + FOLLOWER_JOIN_HOLD + REJOIN_BACKOFF * 2
            } else {
                // Kafka's coordinator answers JoinGroup once every member has rejoined; Tansu
                // answers at once, with the metadata members sent at their last join. Give the
                // others one heartbeat to notice the rebalance and rejoin, then ask again for
                // their metadata (same metadata: no new generation). On Kafka this delays a quick
                // round by up to one heartbeat interval.
                (settings.heartbeat_interval + REJOIN_BACKOFF * 2).saturating_sub(started.elapsed())
            };
            if !wait.is_zero() && joined.leader == joined.member_id {
                self.heartbeat_in(&address, &joined);
                self.shared.pause(wait);
                if self.shared.stopping() {
                    self.shared.signal(|s| s.in_flight = None);
                    return Err(GroupError::Rejoin);
                }
                let coordinator = self.coordinator.as_mut().expect("set above");
                joined = coordinator.join(&joined.member_id, &protocols, &settings)?;
            }
        }
        self.member_id = joined.member_id.clone();
        self.generation = joined.generation;
        // Kafka expects heartbeats while SyncGroup is pending.
        self.heartbeat_in(&address, &joined);
        let protocol = ConnectProtocol::from_name(&joined.protocol).ok_or_else(|| {
            GroupError::Other(format!(
                "the coordinator chose protocol {:?}, which this worker did not offer",
                joined.protocol
            ))
        })?;
        let assignments = if joined.leader == joined.member_id {
            self.lead(&joined, protocol, &settings)?
        } else {
            Vec::new()
        };
        let coordinator = self.coordinator.as_mut().expect("set above");
        tracing::debug!(generation = joined.generation, leader = %joined.leader, "joined; syncing");
        let bytes = coordinator.sync(&joined, assignments, &settings)?;
        tracing::debug!(generation = joined.generation, "synced");
        self.shared.signal(|s| s.in_flight = None);
        let assignment = Assignment::decode(&bytes).map_err(|e| {
            GroupError::Other(format!("the leader's assignment cannot be read: {e}"))
        })?;
        self.protocol = Some(protocol);
        self.completed = Some(joined.generation);
        self.shared.signal(|s| s.completed = true);
        self.apply(&joined, assignment);
        Ok(())
    }

    /// The JoinGroup protocols with this worker's metadata, most preferred first.
    fn join_protocols(
        &self,
        settings: &GroupSettings,
        nudge: bool,
    ) -> Result<Vec<(&'static str, Bytes)>, GroupError> {
        let (url, config_offset) = self.shared.listener.metadata();
        // As Java's assignment snapshot: the last assignment's leader, offset and delay, with
        // everything owned now. To be sure to start a new generation (when a scheduled delay
        // expired, or a heartbeat saw a rebalance the coordinator then did not run), the delay
        // field counts down instead (-1, -2, …): Java's leader ignores it, and a coordinator
        // that answers a rejoin with unchanged metadata with the old generation (Tansu) sees new
        // metadata and rebalances.
        let allocation = self.last.as_ref().map(|last| Assignment {
            connectors: self.owned_connectors.iter().cloned().collect(),
            tasks: self.owned_tasks.iter().cloned().collect(),
            revoked_connectors: Vec::new(),
            revoked_tasks: Vec::new(),
            delay_ms: if nudge {
                -self.nudges.max(1)
            } else {
                last.delay_ms
            },
            ..last.clone()
        });
        settings
            .protocol
            .offered()
            .into_iter()
            .map(|p| {
                let metadata = WorkerMetadata {
                    version: p.version(),
                    url: url.clone(),
                    config_offset,
                    allocation: allocation.clone().map(|a| Assignment {
                        version: p.version(),
                        ..a
                    }),
                };
                let bytes = metadata
                    .encode()
                    .map_err(|e| GroupError::Other(format!("worker metadata: {e}")))?;
                Ok((p.name(), Bytes::from(bytes)))
            })
            .collect()
    }

    fn lead(
        &mut self,
        joined: &Joined,
        protocol: ConnectProtocol,
        settings: &GroupSettings,
    ) -> Result<Vec<(String, Bytes)>, GroupError> {
        // The memory counts only if this member led the last generation it completed.
        let memory = match &self.memory {
            Some((_, memory)) if self.led_last_round() => memory.clone(),
            _ => LeaderMemory::default(),
        };
        let listener = self.shared.listener.clone();
        let round = lead(
            joined,
            protocol,
            &memory,
            settings.scheduled_rebalance_max_delay,
            |min| listener.cluster_work(min),
            Instant::now(),
        )
        .map_err(GroupError::Other)?;
        self.memory = Some((joined.generation, round.memory));
        Ok(round.assignments)
    }

    /// One more metadata change made only to start a new generation (see `join_protocols`).
    fn count_nudge(&mut self) {
        self.nudges = self.nudges.wrapping_add(1);
        self.nudged = true;
    }

    /// Heartbeats in `joined`'s generation from here on.
    fn heartbeat_in(&self, address: &str, joined: &Joined) {
        self.shared.signal(|s| {
            s.stable = Some((
                address.to_string(),
                joined.generation,
                joined.member_id.clone(),
            ));
        });
    }

    /// Whether this member led the last generation it completed (its memory of that round counts).
    fn led_last_round(&self) -> bool {
        matches!((&self.memory, self.completed), (Some((generation, _)), Some(completed)) if *generation == completed)
    }

    /// Revokes, records, assigns; schedules the follow-up rejoin if the round asks for one.
    fn apply(&mut self, joined: &Joined, a: Assignment) {
        let revoked_connectors: Vec<String> = a
            .revoked_connectors
            .iter()
            .filter(|c| self.owned_connectors.contains(*c))
            .cloned()
            .collect();
        let revoked_tasks: Vec<ConnectorTaskId> = a
            .revoked_tasks
            .iter()
            .filter(|t| self.owned_tasks.contains(*t))
            .cloned()
            .collect();
        if !revoked_connectors.is_empty() || !revoked_tasks.is_empty() {
            self.shared
                .listener
                .on_revoked(&revoked_connectors, &revoked_tasks);
            for c in &revoked_connectors {
                self.owned_connectors.remove(c);
            }
            for t in &revoked_tasks {
                self.owned_tasks.remove(t);
            }
        }
        // A coordinator may hand the same generation's assignment out again (Tansu does when a
        // member rejoins with unchanged metadata): only what is not running yet is new.
        let assigned_connectors: Vec<String> = a
            .connectors
            .iter()
            .filter(|c| self.owned_connectors.insert((*c).clone()))
            .cloned()
            .collect();
        let assigned_tasks: Vec<ConnectorTaskId> = a
            .tasks
            .iter()
            .filter(|t| self.owned_tasks.insert((*t).clone()))
            .cloned()
            .collect();
        let round = Rebalanced {
            generation: joined.generation,
            member_id: joined.member_id.clone(),
            leader_id: a.leader.clone(),
            leader_url: a.leader_url.clone(),
            is_leader: joined.leader == joined.member_id,
            config_offset: a.config_offset,
            error: a.error,
            assigned_connectors,
            assigned_tasks,
            owned_connectors: self.owned_connectors.iter().cloned().collect(),
            owned_tasks: self.owned_tasks.iter().cloned().collect(),
        };
        let repeated = self.shared.lock().current.as_ref().is_some_and(|c| {
            c.generation == round.generation
                && c.member_id == round.member_id
                && round.assigned_connectors.is_empty()
                && round.assigned_tasks.is_empty()
        });
        let revoked = !revoked_connectors.is_empty() || !revoked_tasks.is_empty();
        if !repeated || revoked {
            tracing::info!(
                group = %self.shared.settings.group_id,
                generation = joined.generation,
                member = %joined.member_id,
                leader = %a.leader,
                error = a.error,
                assigned = round.assigned_connectors.len() + round.assigned_tasks.len(),
                revoked = revoked_connectors.len() + revoked_tasks.len(),
                owned = round.owned_connectors.len() + round.owned_tasks.len(),
                delay_ms = a.delay_ms,
                "rebalance complete"
            );
            self.shared.lock().current = Some(round.clone());
            self.shared.listener.on_assigned(&round);
        }
        if repeated && (self.after_rebalance || self.nudged) {
            // The rejoin got the old generation back, with the old round's assignment: a
            // heartbeat said the group rebalances, but Tansu drops an expired member without
            // starting one; or this member changed its metadata to start one (a new connector),
            // and Tansu still answered with the old generation (seen under load on Tansu 0.6;
            // Kafka starts a new generation whenever the leader rejoins). Start one.
            tracing::debug!(
                generation = joined.generation,
                "the old generation came back: joining again"
            );
            self.nudge = true;
            self.shared.signal(|s| s.rejoin = true);
        } else if a.error != NO_ERROR {
            self.rejoin_at = Some(Instant::now() + RETRY_BACKOFF);
        } else if revoked {
            // What was revoked is handed out in the next round, once this member stopped it.
            self.shared.signal(|s| s.rejoin = true);
        }
        // A member that was given work does not rejoin to show it: each rejoin with new metadata
        // starts a new generation on a coordinator that does not wait for every member (Tansu),
        // and the others may lose the round that gave them theirs. The leader gives work again
        // while a member's metadata does not show it (see the assignor), so stale metadata
        // costs nothing.
        if a.delay_ms > 0 {
            // A repeated assignment (same generation) keeps the deadline of the first.
            if !repeated || self.delay_deadline.is_none() {
                self.delay_deadline =
                    Some(Instant::now() + Duration::from_millis(a.delay_ms as u64));
            }
            if self.rejoin_at.is_none() && !self.shared.lock().rejoin {
                self.rejoin_at = self.delay_deadline;
            }
        } else if !repeated {
            self.delay_deadline = None;
        }
        self.last = Some(a);
    }

    /// Waits for a reason to rejoin (or stop) while the heartbeat thread keeps the session.
    fn wait(&self) -> Wake {
        let mut s = self.shared.lock();
        loop {
            if s.closing || s.abandoned {
                return Wake::Stop;
            }
            if s.lost {
                s.lost = false;
                return Wake::Lost;
            }
            if s.coordinator_failed {
                return Wake::CoordinatorFailed;
            }
            if s.rejoin {
                return Wake::Rejoin;
            }
            let timeout = match self.rejoin_at {
                Some(at) => {
                    let now = Instant::now();
                    if now >= at {
                        return Wake::Rejoin;
                    }
                    at - now
                }
                None => Duration::from_secs(3600),
            };
            s = self
                .shared
                .wake
                .wait_timeout(s, timeout)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    fn handle(&mut self, e: GroupError) {
        self.shared.signal(|s| s.in_flight = None);
        match e {
            GroupError::Rejoin => {
                // Tansu answers a follower's SyncGroup at once with REBALANCE_IN_PROGRESS until
                // the leader has synced: do not spin.
                tracing::debug!("the group is rebalancing: joining again");
                self.shared.pause(REJOIN_BACKOFF);
            }
            GroupError::ResetMember(reason) => self.lose_everything(&reason),
            GroupError::FindCoordinator(reason) => {
                tracing::warn!(group = %self.shared.settings.group_id, "lost the group coordinator ({reason}): looking for it again");
                self.coordinator = None;
                self.shared.pause(RETRY_BACKOFF);
            }
            GroupError::Other(reason) => {
                tracing::error!(group = %self.shared.settings.group_id, "group membership: {reason}; retrying");
                self.coordinator = None;
                self.shared.pause(RETRY_BACKOFF);
            }
        }
    }

    /// The membership is gone: stop everything and join again as a new member.
    fn lose_everything(&mut self, reason: &str) {
        tracing::warn!(
            group = %self.shared.settings.group_id,
            member = %self.member_id,
            "lost the group membership ({reason}): stopping all work and joining again"
        );
        self.shared.signal(|s| {
            s.stable = None;
            s.lost = false;
        });
        self.revoke_all();
        self.member_id.clear();
        self.generation = -1;
        self.last = None;
        self.memory = None;
        self.shared.lock().current = None;
    }

    fn revoke_all(&mut self) {
        if self.owned_connectors.is_empty() && self.owned_tasks.is_empty() {
            return;
        }
        let connectors: Vec<String> = std::mem::take(&mut self.owned_connectors)
            .into_iter()
            .collect();
        let tasks: Vec<ConnectorTaskId> =
            std::mem::take(&mut self.owned_tasks).into_iter().collect();
        self.shared.listener.on_revoked(&connectors, &tasks);
    }

    /// Closing: stop everything, then leave the group. Abandoned: just go.
    fn stop(mut self) {
        if self.shared.lock().abandoned {
            return;
        }
        // Heartbeats continue while the herder stops the work.
        self.revoke_all();
        self.shared.signal(|s| s.stable = None);
        if self.member_id.is_empty() {
            return;
        }
        let settings = &self.shared.settings;
        let timeout = settings.session_timeout.min(Duration::from_secs(5));
        let left = match self.coordinator.take() {
            Some(mut c) => c.leave(&self.member_id, timeout),
            None => Err(GroupError::FindCoordinator("no coordinator".into())),
        }
        .or_else(|_| {
            let address = find_coordinator(settings, timeout)?;
            Coordinator::open(&address, settings)?.leave(&self.member_id, timeout)
        });
        match left {
            Ok(()) => {
                tracing::info!(group = %settings.group_id, member = %self.member_id, "left the group")
            }
            Err(e) => {
                tracing::warn!(group = %settings.group_id, "LeaveGroup failed ({e:?}): the coordinator expels this member after session.timeout.ms")
            }
        }
    }
}
