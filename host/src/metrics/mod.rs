//! The worker's metrics, served at `GET /metrics` in Prometheus's text format: Kafka
//! Connect's metric set (worker, connector, task, source, sink and error metrics) under the
//! names the Prometheus JMX exporter gives Java's (`docs/metrics.md` lists them).
//!
//! Counting is cheap: each task owns a [`TaskMetrics`] of plain atomics that its loop
//! updates once per batch; a scrape reads them and the status store.

mod export;
mod registry;
mod task;

pub use export::{encode, Reading, TaskMetric, TASK_METRICS};
pub use registry::{Metrics, Startups};
pub use task::{ErrorMetrics, Histogram, TaskKind, TaskMetrics};
