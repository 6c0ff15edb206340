//! Commits a source task's acknowledged offsets every `offset.flush.interval.ms` on a
//! thread of its own, so the file write and its fsync never stall the task's poll loop
//! (Java's worker commits on a separate thread too).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::offset_tracker::OffsetTracker;
use super::task::sleep_unless_stopping;
use crate::metrics::TaskMetrics;
use crate::storage::OffsetStore;

/// The committing thread of one source task.
pub struct OffsetCommitter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    connector: String,
    tracker: Arc<OffsetTracker>,
    store: Arc<OffsetStore>,
    stopping: AtomicBool,
    /// Successful commits so far: the task's `commit()` hook follows it.
    commits: AtomicU64,
    metrics: Arc<TaskMetrics>,
}

impl Shared {
    /// Writes whatever became committable since the last time.
    fn commit_once(&self) {
        let entries = self.tracker.take_committable();
        if entries.is_empty() {
            return;
        }
        match self.store.commit(&self.connector, &entries) {
            Ok(()) => {
                tracing::debug!("committed offsets of {} source partitions", entries.len());
                self.commits.fetch_add(1, Ordering::AcqRel);
                self.metrics.offset_commit(true);
            }
            // The store keeps the entries, so the next commit writes them again.
            Err(e) => {
                self.metrics.offset_commit(false);
                tracing::error!("offset commit failed, will retry at the next interval: {e:#}")
            }
        }
    }
}

impl OffsetCommitter {
    pub fn spawn(
        connector: &str,
        tracker: Arc<OffsetTracker>,
        store: Arc<OffsetStore>,
        interval: Duration,
        metrics: Arc<TaskMetrics>,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            connector: connector.to_string(),
            tracker,
            store,
            stopping: AtomicBool::new(false),
            commits: AtomicU64::new(0),
            metrics,
        });
        let worker = shared.clone();
        let span = tracing::Span::current();
        let thread = std::thread::Builder::new()
            .name(format!("offsets-{connector}"))
            .spawn(move || {
                let _entered = span.enter();
                loop {
                    sleep_unless_stopping(&worker.stopping, interval);
                    if worker.stopping.load(Ordering::Acquire) {
                        break;
                    }
                    worker.commit_once();
                }
            })?;
        Ok(OffsetCommitter {
            shared,
            thread: Some(thread),
        })
    }

    /// How many commits succeeded so far.
    pub fn commits(&self) -> u64 {
        self.shared.commits.load(Ordering::Acquire)
    }

    /// Stops the thread and makes one last commit, on the calling thread.
    pub fn finish(mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.shared.commit_once();
    }
}

impl Drop for OffsetCommitter {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
    }
}
