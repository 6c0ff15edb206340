//! Run a connector and its tasks in a plain `#[test]`, without a worker or Kafka.
//!
//! [`SourceHarness`] and [`SinkHarness`] play the worker's part in the test's own thread:
//! they validate the configuration, start the connector, split it into tasks with
//! `task_configs`, start the tasks, and then let the test drive them: poll a source task
//! and commit its offsets, hand records to a sink task and commit what it flushed,
//! stop and restart. They also record what the plugin asked of the worker through its
//! contexts: errors raised, reconfigurations and commits requested.
//!
//! The harnesses call the plugin through the same ABI adapters the worker calls
//! ([`ffi::make_source_connector`](crate::ffi::make_source_connector) and its siblings,
//! which [`export_plugins!`](crate::export_plugins!) uses), so a test also exercises the
//! glue: a task that panics comes back as an error of kind
//! [`Panic`](crate::errors::ErrorKind::Panic), exactly as the worker would see it.
//!
//! ```
//! use plugin_abi::prelude::*;
//! use plugin_abi::testing::{props, SourceHarness};
//! # #[derive(Default)] struct Numbers(Props);
//! # impl SourceConnector for Numbers {
//! #     fn config(&self) -> ConfigDef {
//! #         ConfigDef::new().define(ConfigKey::new("topic", ConfigType::String, Importance::High, "Where to."))
//! #     }
//! #     fn start(&mut self, p: &Props, _: &ConnectorContext) -> Result<(), ConnectError> { self.0 = p.clone(); Ok(()) }
//! #     fn task_configs(&mut self, _: usize) -> Result<Vec<Props>, ConnectError> { Ok(vec![self.0.clone()]) }
//! # }
//! # #[derive(Default)] struct NumbersTask { next: i64, topic: String }
//! # impl SourceTask for NumbersTask {
//! #     fn start(&mut self, p: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError> {
//! #         self.topic = p["topic"].clone();
//! #         let at = ctx.offset(&Value::string_map([("stream", "n".into())]));
//! #         self.next = at.and_then(|o| o.get("next").and_then(Value::as_i64)).unwrap_or(0);
//! #         Ok(())
//! #     }
//! #     fn poll(&mut self, _: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
//! #         self.next += 1;
//! #         Ok(vec![SourceRecord::new(&self.topic, None, Value::Int64(self.next - 1)).with_source(
//! #             Value::string_map([("stream", "n".into())]),
//! #             Value::string_map([("next", Value::Int64(self.next))]),
//! #         )])
//! #     }
//! # }
//! // `Numbers` is a source connector whose task counts from 0.
//! let mut harness = SourceHarness::<Numbers, NumbersTask>::new()
//!     .start(props(&[("topic", "numbers")]))
//!     .expect("a valid configuration");
//! assert_eq!(harness.poll(0).unwrap()[0].value, Value::Int64(0));
//! assert_eq!(harness.poll(0).unwrap()[0].value, Value::Int64(1));
//! harness.restart().unwrap(); // stop (committing the offsets), start again
//! assert_eq!(harness.poll(0).unwrap()[0].value, Value::Int64(2));
//! ```
//!
//! What the harnesses leave out: no records reach Kafka, and there are no converters,
//! transformations or retries (a [`Retriable`](crate::errors::ErrorKind::Retriable) error is
//! returned to the test, which may call again, as the worker would). They call only what the
//! worker calls, so [`SinkTask::open`](crate::sink::SinkTask::open) and `close` are not called.
//! Kafka's `SinkTaskContext.pause`, `resume` and `offset(…)` have no counterpart in this ABI,
//! so there is nothing to observe for them. The plugin's `log` lines go to whatever logger
//! the test installs, none by default.

mod connector;
mod error;
mod sink;
mod source;

pub use connector::props;
pub use error::HarnessError;
pub use sink::SinkHarness;
pub use source::SourceHarness;

#[cfg(test)]
mod tests;
