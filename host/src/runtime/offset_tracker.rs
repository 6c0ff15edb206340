//! Which source offsets may be committed: only those of records the broker acknowledged,
//! and only up to the first record still in flight (Kafka's `SubmittedRecords`).
//!
//! Records are tracked per polled batch, so the hot path costs one atomic decrement per
//! acknowledgement rather than a lock per record.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use plugin_abi::data::Value;

/// One polled batch: how many of its records are still unacknowledged, and the last
/// offset it reached in each source partition.
pub struct Batch {
    records: usize,
    in_flight: AtomicUsize,
    offsets: Vec<(Value, Value)>,
}

impl Batch {
    /// A record of this batch was acknowledged; returns whether it was the batch's last.
    pub fn acked(&self) -> bool {
        self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// How many records the batch has.
    pub fn records(&self) -> usize {
        self.records
    }

    fn done(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }
}

/// The batches of one task, oldest first.
#[derive(Default)]
pub struct OffsetTracker {
    batches: Mutex<VecDeque<Arc<Batch>>>,
}

impl OffsetTracker {
    /// Starts tracking a batch of `records` records whose source positions are
    /// `(partition, offset)` pairs in poll order (records without offsets contribute none).
    pub fn submit<'a>(
        &self,
        records: usize,
        positions: impl Iterator<Item = (&'a Value, &'a Value)>,
    ) -> Arc<Batch> {
        let mut offsets: Vec<(Value, Value)> = Vec::new();
        for (partition, offset) in positions {
            if partition.is_null() || offset.is_null() {
                continue;
            }
            // Consecutive records usually share a partition: compare with the last one first.
            match offsets.iter_mut().rev().find(|(p, _)| p == partition) {
                Some(entry) => entry.1 = offset.clone(),
                None => offsets.push((partition.clone(), offset.clone())),
            }
        }
        let batch = Arc::new(Batch {
            records,
            in_flight: AtomicUsize::new(records),
            offsets,
        });
        self.batches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(batch.clone());
        batch
    }

    /// Removes the fully acknowledged batches at the front and returns the offsets they
    /// reached, newest per partition.
    pub fn take_committable(&self) -> Vec<(Value, Value)> {
        let mut batches = self.batches.lock().unwrap_or_else(|e| e.into_inner());
        let mut result: Vec<(Value, Value)> = Vec::new();
        while batches.front().is_some_and(|b| b.done()) {
            let Some(batch) = batches.pop_front() else {
                break;
            };
            for (partition, offset) in &batch.offsets {
                match result.iter_mut().find(|(p, _)| p == partition) {
                    Some(entry) => entry.1 = offset.clone(),
                    None => result.push((partition.clone(), offset.clone())),
                }
            }
        }
        result
    }

    /// Records submitted but not yet acknowledged.
    pub fn in_flight(&self) -> usize {
        let batches = self.batches.lock().unwrap_or_else(|e| e.into_inner());
        batches
            .iter()
            .map(|b| b.in_flight.load(Ordering::Acquire))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(n: i64) -> (Value, Value) {
        (
            Value::string_map([("f", Value::string("a"))]),
            Value::string_map([("position", Value::Int64(n))]),
        )
    }

    fn submit(t: &OffsetTracker, positions: &[(Value, Value)]) -> Arc<Batch> {
        t.submit(positions.len(), positions.iter().map(|(p, o)| (p, o)))
    }

    #[test]
    fn nothing_is_committable_before_acks() {
        let t = OffsetTracker::default();
        submit(&t, &[pos(1), pos(2)]);
        assert!(t.take_committable().is_empty());
        assert_eq!(t.in_flight(), 2);
    }

    #[test]
    fn a_later_batch_acked_first_waits_for_the_earlier_one() {
        let t = OffsetTracker::default();
        let first = submit(&t, &[pos(1), pos(2)]);
        let second = submit(&t, &[pos(3)]);
        assert!(second.acked(), "the second batch's only record");
        assert!(
            t.take_committable().is_empty(),
            "must not skip the unacked first batch"
        );
        assert!(!first.acked());
        assert!(
            t.take_committable().is_empty(),
            "one record of the first batch is still in flight"
        );
        assert!(first.acked());
        assert_eq!(t.take_committable(), vec![pos(3)]);
        assert!(t.take_committable().is_empty());
    }

    #[test]
    fn records_without_offsets_still_count_as_in_flight() {
        let t = OffsetTracker::default();
        let b = t.submit(2, std::iter::empty());
        b.acked();
        assert_eq!(t.in_flight(), 1);
    }
}
