//! What one task counts: plain atomics the task thread (and, for a source, the producer's
//! delivery thread) updates once per batch, and a scrape reads.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Whether a task reads from a system into Kafka or from Kafka into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Source,
    Sink,
}

/// Upper bounds of the time buckets, in microseconds (1 ms to 10 s).
const TIME_BOUNDS_US: [u64; 8] = [
    1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 10_000_000,
];
/// Upper bounds of the batch-size buckets, in records.
const SIZE_BOUNDS: [u64; 8] = [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000];

/// A histogram of whole numbers with fixed bounds: one bucket, the sum and the maximum are
/// updated per observation (three relaxed atomics); the count is the buckets' sum.
pub struct Histogram {
    bounds: &'static [u64; 8],
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    buckets: [AtomicU64; 9],
    sum: AtomicU64,
    max: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [u64; 8]) -> Histogram {
        Histogram {
            bounds,
            buckets: Default::default(),
            sum: AtomicU64::new(0),
            max: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: u64) {
        let bucket = self.bounds.partition_point(|&bound| bound < value);
        self.buckets[bucket].fetch_add(1, Relaxed);
        self.sum.fetch_add(value, Relaxed);
        self.max.fetch_max(value, Relaxed);
    }

    pub fn sum(&self) -> u64 {
        self.sum.load(Relaxed)
    }

    pub fn max(&self) -> u64 {
        self.max.load(Relaxed)
    }

    /// `(upper bound, count)` per bucket (not cumulative), each bound divided by `scale`,
    /// the last `f64::MAX` (which `prometheus-client` writes as `+Inf`); and the total count.
    pub fn buckets(&self, scale: f64) -> (Vec<(f64, u64)>, u64) {
        let mut total = 0;
        let mut out = Vec::with_capacity(self.buckets.len());
        for (i, bucket) in self.buckets.iter().enumerate() {
            let count = bucket.load(Relaxed);
            total += count;
            let bound = self.bounds.get(i).map_or(f64::MAX, |&b| b as f64 / scale);
            out.push((bound, count));
        }
        (out, total)
    }
}

/// Kafka Connect's `task-error-metrics` of one task.
#[derive(Default)]
pub struct ErrorMetrics {
    /// Records that failed (a stage failed for them and no retry helped).
    pub record_errors: AtomicU64,
    /// Failed attempts of a stage, retries included.
    pub record_failures: AtomicU64,
    pub records_skipped: AtomicU64,
    pub errors_logged: AtomicU64,
    pub dlq_produce_requests: AtomicU64,
    pub dlq_produce_failures: AtomicU64,
    pub retries: AtomicU64,
}

/// Everything one task counts, since it (re)started.
pub struct TaskMetrics {
    pub kind: TaskKind,
    /// The plugin's `start` returned: the task started (for the worker's startup counts).
    started: AtomicBool,
    // connector-task-metrics
    /// Records per polled batch (source) or per `put` (sink).
    pub batch_size: Histogram,
    pub offset_commit_success: AtomicU64,
    pub offset_commit_failure: AtomicU64,
    // source-task-metrics
    pub source_record_poll: AtomicU64,
    /// Records handed to the producer; minus the written ones, the active count.
    pub source_record_sent: AtomicU64,
    pub source_record_write: AtomicU64,
    /// Time spent in the plugin's `poll` (batches with records), in microseconds.
    pub poll_batch_time: Histogram,
    // sink-task-metrics
    pub sink_record_read: AtomicU64,
    pub sink_record_send: AtomicU64,
    /// Time spent in the plugin's `put` (retries included), in microseconds.
    pub put_batch_time: Histogram,
    pub offset_commit_completion: AtomicU64,
    pub offset_commit_skip: AtomicU64,
    pub partition_count: AtomicU64,
    // task-error-metrics
    pub errors: ErrorMetrics,
}

impl TaskMetrics {
    pub fn new(kind: TaskKind) -> TaskMetrics {
        TaskMetrics {
            kind,
            started: AtomicBool::new(false),
            batch_size: Histogram::new(&SIZE_BOUNDS),
            offset_commit_success: AtomicU64::new(0),
            offset_commit_failure: AtomicU64::new(0),
            source_record_poll: AtomicU64::new(0),
            source_record_sent: AtomicU64::new(0),
            source_record_write: AtomicU64::new(0),
            poll_batch_time: Histogram::new(&TIME_BOUNDS_US),
            sink_record_read: AtomicU64::new(0),
            sink_record_send: AtomicU64::new(0),
            put_batch_time: Histogram::new(&TIME_BOUNDS_US),
            offset_commit_completion: AtomicU64::new(0),
            offset_commit_skip: AtomicU64::new(0),
            partition_count: AtomicU64::new(0),
            errors: ErrorMetrics::default(),
        }
    }

    pub(super) fn mark_started(&self) -> bool {
        !self.started.swap(true, Relaxed)
    }

    pub fn has_started(&self) -> bool {
        self.started.load(Relaxed)
    }

    /// A source `poll` returned `records` records (none: not counted, as Java counts only
    /// polls that return a batch) after `took`.
    pub fn source_polled(&self, records: usize, took: Duration) {
        if records == 0 {
            return;
        }
        self.source_record_poll.fetch_add(records as u64, Relaxed);
        self.batch_size.observe(records as u64);
        self.poll_batch_time.observe(micros(took));
    }

    /// `records` records went to the producer.
    pub fn source_sent(&self, records: usize) {
        self.source_record_sent.fetch_add(records as u64, Relaxed);
    }

    /// The broker acknowledged `records` records (a whole batch).
    pub fn source_written(&self, records: usize) {
        self.source_record_write.fetch_add(records as u64, Relaxed);
    }

    /// Records sent but not yet acknowledged (Java's `source-record-active-count`).
    pub fn source_active(&self) -> u64 {
        let written = self.source_record_write.load(Relaxed);
        self.source_record_sent
            .load(Relaxed)
            .saturating_sub(written)
    }

    /// A sink consumed `records` records from Kafka.
    pub fn sink_read(&self, records: usize) {
        self.sink_record_read.fetch_add(records as u64, Relaxed);
    }

    /// A sink's `put` took `records` records in `took`.
    pub fn sink_put(&self, records: usize, took: Duration) {
        self.sink_record_send.fetch_add(records as u64, Relaxed);
        self.batch_size.observe(records as u64);
        self.put_batch_time.observe(micros(took));
    }

    /// An offset commit succeeded or failed.
    pub fn offset_commit(&self, ok: bool) {
        let counter = if ok {
            &self.offset_commit_success
        } else {
            &self.offset_commit_failure
        };
        counter.fetch_add(1, Relaxed);
    }

    /// A sink committed its consumer offsets.
    pub fn sink_commit_completed(&self) {
        self.offset_commit(true);
        self.offset_commit_completion.fetch_add(1, Relaxed);
    }

    /// A sink's `pre_commit` returned no offsets: nothing was committed.
    pub fn sink_commit_skipped(&self) {
        self.offset_commit_skip.fetch_add(1, Relaxed);
    }

    pub fn set_partition_count(&self, partitions: usize) {
        self.partition_count.store(partitions as u64, Relaxed);
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_each_value_in_the_first_bucket_that_holds_it() {
        let h = Histogram::new(&SIZE_BOUNDS);
        for v in [1, 1, 2, 10, 11, 20_000] {
            h.observe(v);
        }
        let (buckets, count) = h.buckets(1.0);
        assert_eq!(count, 6);
        assert_eq!(buckets[0], (1.0, 2));
        assert_eq!(buckets[1], (10.0, 2));
        assert_eq!(buckets[2], (100.0, 1));
        assert_eq!(buckets[8], (f64::MAX, 1));
        assert_eq!((h.sum(), h.max()), (20_025, 20_000));
    }

    #[test]
    fn empty_polls_are_not_counted_and_active_records_are_sent_minus_written() {
        let m = TaskMetrics::new(TaskKind::Source);
        m.source_polled(0, Duration::from_millis(5));
        assert_eq!(m.poll_batch_time.buckets(1.0).1, 0);
        m.source_polled(100, Duration::from_millis(5));
        m.source_sent(100);
        m.source_written(60);
        assert_eq!(m.source_record_poll.load(Relaxed), 100);
        assert_eq!(m.source_active(), 40);
        assert_eq!(m.poll_batch_time.max(), 5_000);
    }
}
