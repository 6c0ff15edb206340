//! The heartbeat thread: keeps a member's session alive on its own connection while the group
//! thread joins, syncs or waits for the herder's callbacks, and tells the group thread when the
//! coordinator starts a rebalance, expels the member or fails.

use std::time::{Duration, Instant};

use super::coordinator::{Coordinator, GroupError};
use super::membership::{Shared, State};

/// Sends a Heartbeat every `heartbeat.interval.ms` while the group thread holds a stable
/// generation; reports rebalances, expulsion and coordinator failures to it.
pub(super) fn run(shared: &Shared) {
    let settings = &shared.settings;
    let mut conn: Option<Coordinator> = None;
    let mut last_ok = Instant::now();
    let mut last_generation = None;
    loop {
        let stable = {
            let mut s = shared.lock();
            loop {
                if (s.closing && s.stable.is_none()) || s.abandoned {
                    return;
                }
                if s.stable.is_some() {
                    break;
                }
                s = shared
                    .wake
                    .wait_timeout(s, settings.heartbeat_interval)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
            s.stable.clone().expect("checked")
        };
        let (address, generation, member_id) = stable;
        if last_generation != Some(generation) {
            last_generation = Some(generation);
            last_ok = Instant::now();
        }
        if conn.as_ref().is_none_or(|c| c.address() != address) {
            conn = Coordinator::open(&address, settings).ok();
        }
        let result = match conn.as_mut() {
            Some(c) => c.heartbeat(generation, &member_id, settings.session_timeout),
            None => Err(GroupError::FindCoordinator(format!(
                "cannot connect to the coordinator {address}"
            ))),
        };
        let still_current = |s: &State| {
            s.completed
                && s.stable
                    .as_ref()
                    .is_some_and(|(_, g, m)| *g == generation && *m == member_id)
        };
        match result {
            Ok(()) => last_ok = Instant::now(),
            Err(GroupError::Rejoin) => {
                // The coordinator counts this heartbeat: the session stays alive while we rejoin.
                last_ok = Instant::now();
                shared.signal(|s| {
                    if still_current(s) {
                        s.rejoin = true;
                        s.rebalance_seen = true;
                    }
                });
            }
            Err(GroupError::ResetMember(reason)) => {
                tracing::warn!(group = %settings.group_id, "heartbeat: {reason}");
                shared.signal(|s| {
                    if still_current(s) {
                        s.lost = true;
                        s.stable = None;
                    }
                });
            }
            Err(GroupError::FindCoordinator(reason)) | Err(GroupError::Other(reason)) => {
                tracing::warn!(group = %settings.group_id, "heartbeat failed: {reason}");
                conn = None;
                shared.signal(|s| {
                    if still_current(s) {
                        s.coordinator_failed = true;
                    }
                });
            }
        }
        if last_ok.elapsed() >= settings.session_timeout {
            // The coordinator has expelled us by now: others may start our work.
            shared.signal(|s| {
                if still_current(s) {
                    s.lost = true;
                    s.stable = None;
                }
            });
        }
        pause(shared, settings.heartbeat_interval);
    }
}

/// Sleeps up to `d`; wakes early only when there is nothing left to heartbeat for.
fn pause(shared: &Shared, d: Duration) {
    let deadline = Instant::now() + d;
    let mut s = shared.lock();
    loop {
        let now = Instant::now();
        if now >= deadline || s.abandoned || (s.closing && s.stable.is_none()) {
            return;
        }
        s = shared
            .wake
            .wait_timeout(s, deadline - now)
            .map(|(g, _)| g)
            .unwrap_or_else(|p| p.into_inner().0);
    }
}
