//! The worker's metrics: start-up counts, and the metrics of every task it runs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use super::task::{TaskKind, TaskMetrics};

/// Attempts to start connectors or tasks, and how they ended.
#[derive(Default)]
pub struct Startups {
    pub attempts: AtomicU64,
    pub successes: AtomicU64,
    pub failures: AtomicU64,
}

impl Startups {
    pub fn attempted(&self) {
        self.attempts.fetch_add(1, Relaxed);
    }

    pub fn ended(&self, ok: bool) {
        let counter = if ok { &self.successes } else { &self.failures };
        counter.fetch_add(1, Relaxed);
    }
}

/// One worker's metrics. A task's metrics live from its start until the worker stops it
/// (a stopped, restarted or deleted task's counters go with it, as in Java); a failed task
/// keeps them until it is restarted or removed.
#[derive(Default)]
pub struct Metrics {
    pub connector_startups: Startups,
    pub task_startups: Startups,
    tasks: Mutex<BTreeMap<(String, u32), Arc<TaskMetrics>>>,
}

impl Metrics {
    /// New, zeroed metrics for a task about to start (replacing any of the same id), and
    /// one more task start-up attempt.
    pub fn add_task(&self, connector: &str, id: u32, kind: TaskKind) -> Arc<TaskMetrics> {
        self.task_startups.attempted();
        let metrics = Arc::new(TaskMetrics::new(kind));
        self.lock()
            .insert((connector.to_string(), id), metrics.clone());
        metrics
    }

    /// The task's plugin started: a successful task start-up.
    pub fn task_started(&self, task: &TaskMetrics) {
        if task.mark_started() {
            self.task_startups.ended(true);
        }
    }

    /// Forgets a stopped task's metrics, unless a newer task of that id replaced them.
    pub fn remove_task(&self, connector: &str, id: u32, metrics: &Arc<TaskMetrics>) {
        let mut tasks = self.lock();
        let key = (connector.to_string(), id);
        if tasks.get(&key).is_some_and(|m| Arc::ptr_eq(m, metrics)) {
            tasks.remove(&key);
        }
    }

    /// Every task's metrics, by connector and task id.
    pub fn tasks(&self) -> Vec<((String, u32), Arc<TaskMetrics>)> {
        self.lock()
            .iter()
            .map(|(k, m)| (k.clone(), m.clone()))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, u32), Arc<TaskMetrics>>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restarted_task_counts_from_zero_and_the_old_one_cannot_remove_it() {
        let m = Metrics::default();
        let first = m.add_task("c", 0, TaskKind::Source);
        first.source_sent(5);
        let second = m.add_task("c", 0, TaskKind::Source);
        m.remove_task("c", 0, &first);
        let tasks = m.tasks();
        assert_eq!(tasks.len(), 1);
        assert!(Arc::ptr_eq(&tasks[0].1, &second));
        assert_eq!(second.source_record_sent.load(Relaxed), 0);
        m.remove_task("c", 0, &second);
        assert!(m.tasks().is_empty());
        assert_eq!(m.task_startups.attempts.load(Relaxed), 2);
    }

    #[test]
    fn a_task_start_counts_once() {
        let m = Metrics::default();
        let t = m.add_task("c", 0, TaskKind::Sink);
        m.task_started(&t);
        m.task_started(&t);
        assert_eq!(m.task_startups.successes.load(Relaxed), 1);
        assert!(t.has_started());
    }
}
