//! The leader's incremental cooperative assignment, in the spirit of Java's
//! `IncrementalCooperativeAssignor`: a pure function of the members' current allocations, the
//! configured work, the leader's memory of its previous round and the clock.
//!
//! Rules:
//! - deleted connectors and tasks are revoked; an item claimed by two members stays with one
//!   (the one the leader last gave it to, else the first by member id) and is revoked from the other;
//! - connectors and tasks are each balanced within ±1 per member, revoking only a member's excess
//!   (the members that already run the most keep the extra ones); unaffected work never moves;
//! - a revoked item is not reassigned in the same round: its owner must stop it first, then rejoins,
//!   and the next round hands it out as unassigned work;
//! - new and unassigned work goes to the least loaded members;
//! - work given to a member last round that its metadata does not show is given to it again (it
//!   lost the round, or its metadata predates it): never to someone else meanwhile;
//! - the work of a member that left is held for up to `scheduled.rebalance.max.delay.ms` (every
//!   member is told to rejoin when it expires); a member that comes back (same URL) in the meantime
//!   gets its own work back, other new members take the rest; at expiry it is spread over everyone.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::protocol::ConnectorTaskId;

/// The configured work: every connector and its task count, as read from the config topic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterWork {
    /// The config-topic offset this snapshot was read to.
    pub config_offset: i64,
    /// Connector name → number of tasks (tasks `0..n`).
    pub connectors: BTreeMap<String, u32>,
}

impl ClusterWork {
    fn tasks(&self) -> BTreeSet<ConnectorTaskId> {
        self.connectors
            .iter()
            .flat_map(|(c, n)| (0..*n).map(move |t| ConnectorTaskId::new(c.clone(), t)))
            .collect()
    }
}

/// One member as the leader sees it in JoinGroup: its id, URL and what it runs now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberAllocation {
    pub id: String,
    pub url: String,
    pub connectors: BTreeSet<String>,
    pub tasks: BTreeSet<ConnectorTaskId>,
}

/// What one member is told: start these, stop those, rejoin after `delay` (if not zero).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberAssignment {
    pub connectors: Vec<String>,
    pub tasks: Vec<ConnectorTaskId>,
    pub revoked_connectors: Vec<String>,
    pub revoked_tasks: Vec<ConnectorTaskId>,
    pub delay: Duration,
}

/// What the leader remembers of the round it last assigned, to tell a departed member's work
/// (lost: to be held for a while) from work nobody had (to be assigned now).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaderMemory {
    /// Member id → URL, for every member of that round.
    members: BTreeMap<String, String>,
    connectors: BTreeMap<String, String>,
    tasks: BTreeMap<ConnectorTaskId, String>,
    /// What that round assigned (new or given again), item → member.
    given_connectors: BTreeMap<String, String>,
    given_tasks: BTreeMap<ConnectorTaskId, String>,
    held: Option<Held>,
}

/// Lost work being held back, with the URL of the member that ran each item.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    deadline: Instant,
    connectors: BTreeMap<String, String>,
    tasks: BTreeMap<ConnectorTaskId, String>,
}

impl LeaderMemory {
    /// Whether lost work is being held back now.
    pub fn holds_work(&self) -> bool {
        self.held.is_some()
    }
}

/// Everything the assignor looks at.
#[derive(Debug, Clone, Copy)]
pub struct AssignInput<'a> {
    pub members: &'a [MemberAllocation],
    pub work: &'a ClusterWork,
    /// The previous round's memory; `LeaderMemory::default()` when this leader did not assign
    /// the previous generation (then nothing counts as lost: unowned work is assigned at once).
    pub memory: &'a LeaderMemory,
    pub max_delay: Duration,
    pub now: Instant,
}

/// Per member (by id) what to do, and the memory for the next round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignOutput {
    pub members: BTreeMap<String, MemberAssignment>,
    pub memory: LeaderMemory,
}

/// One kind of work (connectors or tasks) through one round.
struct Round<T> {
    /// What each member keeps running (after deletions and duplicates are revoked).
    owned: BTreeMap<String, BTreeSet<T>>,
    assigned: BTreeMap<String, BTreeSet<T>>,
    revoked: BTreeMap<String, BTreeSet<T>>,
}

impl<T: Ord + Clone> Round<T> {
    /// Keeps each member's configured items, revoking deleted ones and duplicates.
    fn resolve(
        members: &[MemberAllocation],
        claims: impl Fn(&MemberAllocation) -> &BTreeSet<T>,
        configured: &BTreeSet<T>,
        last_owner: &BTreeMap<T, String>,
        just_given: &BTreeMap<T, String>,
    ) -> Round<T> {
        let mut round = Round {
            owned: BTreeMap::new(),
            assigned: BTreeMap::new(),
            revoked: BTreeMap::new(),
        };
        let mut claimants: BTreeMap<&T, Vec<&str>> = BTreeMap::new();
        for m in members {
            round.owned.insert(m.id.clone(), BTreeSet::new());
            round.assigned.insert(m.id.clone(), BTreeSet::new());
            round.revoked.insert(m.id.clone(), BTreeSet::new());
            for item in claims(m) {
                claimants.entry(item).or_default().push(&m.id);
            }
        }
        // What the leader gave a member last round and that member's metadata does not show is
        // given to it again: either the member never received it (its SyncGroup lost the race
        // with a newer generation) or its metadata predates that round (a coordinator that
        // completes a join without waiting for every member, as Tansu does, hands the leader
        // members' metadata from their previous join). A member starts only what it does not
        // run yet, so giving again is harmless; not giving would leave the work unowned until
        // some later round.
        for (item, owner) in just_given {
            let member = members.iter().find(|m| m.id == *owner);
            if member.is_some_and(|m| !claims(m).contains(item))
                && configured.contains(item)
                && !claimants.contains_key(item)
            {
                round.give(owner, item.clone());
            }
        }
        for (item, who) in claimants {
            let keeper = if !configured.contains(item) {
                None
            } else if let Some(last) = last_owner.get(item).filter(|l| who.contains(&l.as_str())) {
                Some(last.as_str())
            } else {
                who.iter().min().copied()
            };
            for member in who {
                let set = if Some(member) == keeper {
                    &mut round.owned
                } else {
                    &mut round.revoked
                };
                set.entry(member.to_string())
                    .or_default()
                    .insert(item.clone());
            }
        }
        round
    }

    fn has_owner(&self, item: &T) -> bool {
        self.owned.values().any(|s| s.contains(item))
    }

    fn count(&self, member: &str) -> usize {
        self.owned.get(member).map_or(0, BTreeSet::len)
            + self.assigned.get(member).map_or(0, BTreeSet::len)
    }

    fn give(&mut self, member: &str, item: T) {
        self.assigned
            .entry(member.to_string())
            .or_default()
            .insert(item);
    }

    /// Balances `total` items within ±1 per member: members over their share revoke the excess
    /// (`pick` chooses which of a member's kept items goes), `unassigned` goes to the least loaded
    /// (`prefer` breaks ties between equally loaded members for one item).
    fn balance(
        &mut self,
        members: &[String],
        total: usize,
        unassigned: Vec<T>,
        pick: impl Fn(&BTreeSet<T>) -> Option<T>,
        prefer: impl Fn(&Self, &str, &T) -> usize,
    ) {
        if members.is_empty() {
            return;
        }
        let base = total / members.len();
        let extra = total % members.len();
        // The members that run the most keep the extra items: fewest moves.
        let mut by_load: Vec<&String> = members.iter().collect();
        by_load.sort_by_key(|m| (std::cmp::Reverse(self.count(m)), (*m).clone()));
        let target: BTreeMap<&str, usize> = by_load
            .iter()
            .enumerate()
            .map(|(i, m)| (m.as_str(), base + usize::from(i < extra)))
            .collect();
        for m in members {
            while self.count(m) > target[m.as_str()] {
                let owned = self.owned.entry(m.clone()).or_default();
                let Some(item) = pick(owned) else { break };
                owned.remove(&item);
                self.revoked.entry(m.clone()).or_default().insert(item);
            }
        }
        for item in unassigned {
            let best = members
                .iter()
                .min_by_key(|m| {
                    let room = target[m.as_str()] as i64 - self.count(m) as i64;
                    (
                        std::cmp::Reverse(room),
                        prefer(self, m, &item),
                        self.count(m),
                        (*m).clone(),
                    )
                })
                .cloned();
            if let Some(m) = best {
                self.give(&m, item);
            }
        }
    }
}

/// Lost items: the previous round gave them to a member that is gone, and nobody has them now;
/// plus those already held back. Each with the URL of the member that ran it.
fn lost<T: Ord + Clone>(
    round: &Round<T>,
    configured: &BTreeSet<T>,
    memory_owners: &BTreeMap<T, String>,
    memory_members: &BTreeMap<String, String>,
    held: Option<&BTreeMap<T, String>>,
) -> BTreeMap<T, String> {
    let present = |id: &str| round.owned.contains_key(id);
    let mut lost: BTreeMap<T, String> = memory_owners
        .iter()
        .filter(|(item, owner)| {
            !present(owner) && configured.contains(*item) && !round.has_owner(item)
        })
        .map(|(item, owner)| {
            let url = memory_members.get(owner).cloned().unwrap_or_default();
            (item.clone(), url)
        })
        .collect();
    for (item, url) in held.into_iter().flatten() {
        if configured.contains(item) && !round.has_owner(item) {
            lost.entry(item.clone()).or_insert_with(|| url.clone());
        }
    }
    lost
}

/// Hands lost items to members that joined since the last round: each its own back (same URL),
/// the rest spread over them. Returns what is left.
fn hand_to_newcomers<T: Ord + Clone>(
    round: &mut Round<T>,
    lost: BTreeMap<T, String>,
    newcomers: &[&MemberAllocation],
) -> BTreeMap<T, String> {
    if newcomers.is_empty() {
        return lost;
    }
    let mut rest = Vec::new();
    for (item, url) in lost {
        match newcomers.iter().find(|m| m.url == url) {
            Some(m) => round.give(&m.id, item),
            None => rest.push(item),
        }
    }
    for item in rest {
        if let Some(m) = newcomers.iter().min_by_key(|m| (round.count(&m.id), &m.id)) {
            round.give(&m.id, item);
        }
    }
    BTreeMap::new()
}

/// Computes one round. Deterministic for equal inputs.
pub fn assign(input: AssignInput<'_>) -> AssignOutput {
    let AssignInput {
        members,
        work,
        memory,
        max_delay,
        now,
    } = input;
    let mut ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
    ids.sort();
    ids.dedup();
    let all_connectors: BTreeSet<String> = work.connectors.keys().cloned().collect();
    let all_tasks = work.tasks();
    let last_connector_owner = &memory.connectors;
    let last_task_owner = &memory.tasks;

    let mut conns = Round::resolve(
        members,
        |m| &m.connectors,
        &all_connectors,
        last_connector_owner,
        &memory.given_connectors,
    );
    let mut tasks = Round::resolve(
        members,
        |m| &m.tasks,
        &all_tasks,
        last_task_owner,
        &memory.given_tasks,
    );

    let lost_connectors = lost(
        &conns,
        &all_connectors,
        &memory.connectors,
        &memory.members,
        memory.held.as_ref().map(|h| &h.connectors),
    );
    let lost_tasks = lost(
        &tasks,
        &all_tasks,
        &memory.tasks,
        &memory.members,
        memory.held.as_ref().map(|h| &h.tasks),
    );

    // Lost work: held until the deadline, unless someone new can take it; then assigned.
    let mut held = None;
    let mut delay = Duration::ZERO;
    let (mut free_connectors, mut free_tasks) = (Vec::new(), Vec::new());
    if !lost_connectors.is_empty() || !lost_tasks.is_empty() {
        let deadline = memory.held.as_ref().map_or(now + max_delay, |h| h.deadline);
        if now >= deadline {
            free_connectors.extend(lost_connectors.into_keys());
            free_tasks.extend(lost_tasks.into_keys());
        } else {
            let newcomers: Vec<&MemberAllocation> = members
                .iter()
                .filter(|m| {
                    !memory.members.contains_key(&m.id)
                        && m.connectors.is_empty()
                        && m.tasks.is_empty()
                })
                .collect();
            let kept_connectors = hand_to_newcomers(&mut conns, lost_connectors, &newcomers);
            let kept_tasks = hand_to_newcomers(&mut tasks, lost_tasks, &newcomers);
            if !kept_connectors.is_empty() || !kept_tasks.is_empty() {
                delay = deadline - now;
                held = Some(Held {
                    deadline,
                    connectors: kept_connectors,
                    tasks: kept_tasks,
                });
            }
        }
    }
    let is_held_connector =
        |c: &String| held.as_ref().is_some_and(|h| h.connectors.contains_key(c));
    let is_held_task = |t: &ConnectorTaskId| held.as_ref().is_some_and(|h| h.tasks.contains_key(t));

    // Unassigned: configured, not owned, not just handed out, not held back, not lost-and-freed
    // (those are in free_* already).
    let taken_connector = |r: &Round<String>, c: &String| {
        r.has_owner(c) || r.assigned.values().any(|s| s.contains(c))
    };
    for c in &all_connectors {
        if !taken_connector(&conns, c) && !is_held_connector(c) && !free_connectors.contains(c) {
            free_connectors.push(c.clone());
        }
    }
    let taken_task = |r: &Round<ConnectorTaskId>, t: &ConnectorTaskId| {
        r.has_owner(t) || r.assigned.values().any(|s| s.contains(t))
    };
    for t in &all_tasks {
        if !taken_task(&tasks, t) && !is_held_task(t) && !free_tasks.contains(t) {
            free_tasks.push(t.clone());
        }
    }
    // Revoked duplicates are owned by someone else: they are not free. Revoked deleted items
    // are not configured: not free either.
    free_connectors.sort();
    free_tasks.sort();

    let active_connectors = all_connectors
        .iter()
        .filter(|c| !is_held_connector(c))
        .count();
    let active_tasks = all_tasks.iter().filter(|t| !is_held_task(t)).count();
    conns.balance(
        &ids,
        active_connectors,
        free_connectors,
        |owned| owned.iter().next_back().cloned(),
        |_, _, _| 0,
    );
    tasks.balance(
        &ids,
        active_tasks,
        free_tasks,
        // Give up a task of the connector this member runs the most tasks of: spreads connectors.
        |owned| {
            let mut per_connector: BTreeMap<&str, usize> = BTreeMap::new();
            for t in owned {
                *per_connector.entry(&t.connector).or_default() += 1;
            }
            let (busiest, _) = per_connector
                .iter()
                .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))?;
            owned
                .iter()
                .rev()
                .find(|t| t.connector == *busiest)
                .cloned()
        },
        // Prefer the member running the fewest tasks of the same connector.
        |round, member, item| {
            let mine = |s: Option<&BTreeSet<ConnectorTaskId>>| {
                s.map_or(0, |s| {
                    s.iter().filter(|t| t.connector == item.connector).count()
                })
            };
            mine(round.owned.get(member)) + mine(round.assigned.get(member))
        },
    );

    let mut out = AssignOutput::default();
    for m in members {
        out.memory.members.insert(m.id.clone(), m.url.clone());
    }
    for id in &ids {
        let owned_c = conns.owned.remove(id).unwrap_or_default();
        let owned_t = tasks.owned.remove(id).unwrap_or_default();
        let new_c = conns.assigned.remove(id).unwrap_or_default();
        let new_t = tasks.assigned.remove(id).unwrap_or_default();
        for c in owned_c.iter().chain(&new_c) {
            out.memory.connectors.insert(c.clone(), id.clone());
        }
        for t in owned_t.iter().chain(&new_t) {
            out.memory.tasks.insert(t.clone(), id.clone());
        }
        for c in &new_c {
            out.memory.given_connectors.insert(c.clone(), id.clone());
        }
        for t in &new_t {
            out.memory.given_tasks.insert(t.clone(), id.clone());
        }
        out.members.insert(
            id.clone(),
            MemberAssignment {
                connectors: new_c.into_iter().collect(),
                tasks: new_t.into_iter().collect(),
                revoked_connectors: conns
                    .revoked
                    .remove(id)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                revoked_tasks: tasks
                    .revoked
                    .remove(id)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                delay,
            },
        );
    }
    out.memory.held = held;
    out
}

#[cfg(test)]
mod tests;
