//! Offset syncs: when the source task writes one (Java's `OffsetSyncWriter.PartitionState`),
//! and how the checkpoint task translates a group's upstream offset with them (Java's
//! `OffsetSyncStore`: 64 syncs per partition at exponentially spaced distances).
//!
//! One deviation, for precision only: besides Java's 64 slots the store keeps the latest
//! [`RECENT`] syncs of each partition exactly, so a group far behind the replication head
//! still translates to the nearest sync at or before its offset (Java's buckets may fall back
//! to a sync thousands of records earlier). The rule is Java's either way: the latest sync
//! at or before the group's offset, plus one when past it; an upstream offset going back
//! (a recreated or truncated topic) forgets everything older.

use std::collections::{HashMap, VecDeque};

use crate::formats::OffsetSync;

/// What the source task remembers of one partition to decide when to emit an offset sync.
#[derive(Debug, Clone)]
pub struct PartitionState {
    previous_upstream: i64,
    previous_downstream: i64,
    last_sync_downstream: i64,
    max_offset_lag: i64,
}

impl PartitionState {
    pub fn new(max_offset_lag: i64) -> PartitionState {
        PartitionState {
            previous_upstream: -1,
            previous_downstream: -1,
            last_sync_downstream: -1,
            max_offset_lag,
        }
    }

    /// A record at `upstream` was written at `downstream`: whether to emit a sync for it.
    /// A sync is due for the first record, when translation would lag `offset.lag.max`
    /// behind, after a gap upstream (compaction, transactions) and when the target went back.
    pub fn update(&mut self, upstream: i64, downstream: i64) -> bool {
        let first = self.last_sync_downstream == -1;
        // Translation lands one past the last sync, hence the + 1.
        let too_stale = downstream - (self.last_sync_downstream + 1) >= self.max_offset_lag;
        let skipped_upstream = upstream - self.previous_upstream != 1;
        let truncated_downstream = downstream < self.previous_downstream;
        let sync = first || too_stale || skipped_upstream || truncated_downstream;
        if sync {
            self.last_sync_downstream = downstream;
        }
        self.previous_upstream = upstream;
        self.previous_downstream = downstream;
        sync
    }
}

const SYNCS: usize = 64;
/// How many of the latest syncs per partition are kept exactly (16 bytes each).
pub const RECENT: usize = 8192;

/// The offset syncs read so far, per upstream topic partition.
#[derive(Debug, Default)]
pub struct OffsetSyncStore {
    syncs: HashMap<(String, i32), [OffsetSync; SYNCS]>,
    /// The latest syncs, in upstream order.
    recent: HashMap<(String, i32), VecDeque<OffsetSync>>,
    read_to_end: bool,
}

impl OffsetSyncStore {
    /// The syncs topic was read to its end once: translation may start. Syncs read before
    /// replace each other wholesale, as Java's store does while catching up.
    pub fn set_read_to_end(&mut self) {
        self.read_to_end = true;
    }

    pub fn is_read_to_end(&self) -> bool {
        self.read_to_end
    }

    /// Takes a sync read from the offset-syncs topic.
    pub fn handle(&mut self, topic: &str, partition: i32, sync: OffsetSync) {
        let recent = self
            .recent
            .entry((topic.to_string(), partition))
            .or_default();
        if recent
            .back()
            .is_some_and(|last| last.upstream_offset > sync.upstream_offset)
        {
            recent.clear();
        }
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back(sync);
        let read_to_end = self.read_to_end;
        let syncs = self
            .syncs
            .entry((topic.to_string(), partition))
            .or_insert([sync; SYNCS]);
        let upstream = sync.upstream_offset;
        if !read_to_end || syncs[0].upstream_offset > upstream {
            *syncs = [sync; SYNCS];
            return;
        }
        syncs[0] = sync;
        for (i, slot) in syncs.iter_mut().enumerate().skip(1) {
            let mask = i64::MAX << i;
            if (slot.upstream_offset ^ upstream) & mask != 0 {
                *slot = sync;
            } else {
                break;
            }
        }
    }

    /// The downstream offset for a group at `upstream` in `topic`/`partition`: `None` when it
    /// cannot be translated yet, `Some(-1)` when the group is behind every sync kept.
    pub fn translate(&self, topic: &str, partition: i32, upstream: i64) -> Option<i64> {
        if !self.read_to_end {
            return None;
        }
        let key = (topic.to_string(), partition);
        let syncs = self.syncs.get(&key)?;
        let oldest = syncs[SYNCS - 1];
        let mut sync = if oldest.upstream_offset > upstream {
            oldest
        } else {
            syncs
                .iter()
                .find(|s| s.upstream_offset <= upstream)
                .copied()
                .unwrap_or(oldest)
        };
        // A closer sync among the exact recent ones, if any.
        if let Some(recent) = self.recent.get(&key) {
            let after = recent.partition_point(|s| s.upstream_offset <= upstream);
            if let Some(closer) = after.checked_sub(1).map(|i| recent[i]) {
                if closer.upstream_offset > sync.upstream_offset || sync.upstream_offset > upstream
                {
                    sync = closer;
                }
            }
        }
        if sync.upstream_offset > upstream {
            return Some(-1);
        }
        // Past the sync, only one downstream record is known to follow it.
        let step = if upstream == sync.upstream_offset {
            0
        } else {
            1
        };
        Some(sync.downstream_offset + step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync(upstream: i64, downstream: i64) -> OffsetSync {
        OffsetSync {
            upstream_offset: upstream,
            downstream_offset: downstream,
        }
    }

    #[test]
    fn a_sync_is_emitted_first_then_every_offset_lag_max_and_after_gaps() {
        let mut p = PartitionState::new(100);
        assert!(p.update(0, 0));
        let emitted: Vec<i64> = (1..300).filter(|&o| p.update(o, o)).collect();
        assert_eq!(emitted, [101, 202]);
        // A gap upstream (compaction) forces one.
        assert!(p.update(305, 300));
        // The target going back (a truncated remote topic) forces one.
        assert!(p.update(306, 10));
        let mut zero = PartitionState::new(0);
        assert!(zero.update(0, 0) && zero.update(1, 1));
    }

    #[test]
    fn nothing_is_translated_before_the_topic_was_read_to_the_end() {
        let mut s = OffsetSyncStore::default();
        s.handle("t", 0, sync(10, 5));
        assert_eq!(s.translate("t", 0, 10), None);
        s.set_read_to_end();
        assert_eq!(s.translate("t", 0, 10), Some(5));
        assert_eq!(s.translate("other", 0, 10), None);
    }

    #[test]
    fn translation_lands_on_the_sync_or_one_past_it_never_further() {
        let mut s = OffsetSyncStore::default();
        s.set_read_to_end();
        s.handle("t", 0, sync(100, 50));
        s.handle("t", 0, sync(200, 150));
        assert_eq!(s.translate("t", 0, 100), Some(50));
        assert_eq!(s.translate("t", 0, 150), Some(51));
        assert_eq!(s.translate("t", 0, 200), Some(150));
        assert_eq!(s.translate("t", 0, 1000), Some(151));
        // Behind every sync kept: -1, as Java.
        assert_eq!(s.translate("t", 0, 99), Some(-1));
    }

    #[test]
    fn a_sync_behind_the_latest_resets_the_partition() {
        let mut s = OffsetSyncStore::default();
        s.set_read_to_end();
        s.handle("t", 0, sync(500, 500));
        s.handle("t", 0, sync(10, 600));
        assert_eq!(s.translate("t", 0, 500), Some(601));
        assert_eq!(s.translate("t", 0, 9), Some(-1));
    }

    #[test]
    fn a_group_far_behind_the_head_translates_to_the_nearest_recent_sync() {
        let mut s = OffsetSyncStore::default();
        s.set_read_to_end();
        for o in (0..10_000).step_by(101) {
            s.handle("t", 0, sync(o, o));
        }
        // Java's buckets alone would answer with a sync thousands of records back.
        assert_eq!(s.translate("t", 0, 5_000), Some(4_949 + 1));
        assert_eq!(s.translate("t", 0, 4_949), Some(4_949));
    }

    #[test]
    fn older_syncs_are_kept_at_growing_distances() {
        let mut s = OffsetSyncStore::default();
        s.set_read_to_end();
        for o in (0..(RECENT as i64 + 100) * 100).step_by(100) {
            s.handle("t", 0, sync(o, o + 7));
        }
        // An offset far behind the latest sync still translates to a nearby sync.
        // Beyond the exact window, Java's buckets still answer, further back.
        let t = s.translate("t", 0, 5_000).unwrap();
        assert!(t > 0 && t <= 5_007, "{t}");
        let last = (RECENT as i64 + 99) * 100;
        assert_eq!(s.translate("t", 0, last), Some(last + 7));
        assert_eq!(s.translate("t", 0, 20_050), Some(20_008));
    }
}
