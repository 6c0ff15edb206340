//! # plugin-abi: write Kafka Connect plugins in Rust
//!
//! A plugin is a `cdylib` that the `connect` worker loads from `plugin.path` at run time.
//! This crate is everything a plugin author needs:
//!
//! - [`connector`], [`source`], [`sink`]: the traits to implement, mirroring Kafka Connect's
//!   `SourceConnector`, `SinkConnector`, `SourceTask` and `SinkTask`;
//! - [`data`]: Kafka Connect's data model ([`data::Schema`], [`data::Value`], records, headers);
//! - [`config`]: [`config::ConfigDef`], the self-description of a plugin's configuration,
//!   which the worker renders, validates and documents;
//! - [`errors`]: [`errors::ConnectError`], how a plugin reports failures;
//! - [`export_plugins!`]: the one macro that makes a library loadable.
//!
//! The ABI itself ([`ffi`]) is built on `abi_stable`: the worker checks the layout of every
//! type at load time and refuses an incompatible library with a clear error instead of
//! calling into it. Authors never touch it directly; the export macro generates the glue,
//! and that glue catches every panic, so a panicking plugin fails its task, not the worker.
//!
//! ```
//! use plugin_abi::prelude::*;
//!
//! #[derive(Default)]
//! struct Counter { next: i64, topic: String }
//!
//! impl SourceTask for Counter {
//!     fn start(&mut self, props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
//!         self.topic = props.get("topic").cloned().unwrap_or_else(|| "numbers".into());
//!         Ok(())
//!     }
//!     fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
//!         self.next += 1;
//!         Ok(vec![SourceRecord::new(&self.topic, Some(Schema::int64()), Value::Int64(self.next))])
//!     }
//! }
//! ```

#![warn(missing_docs)]

pub mod config;
pub mod connector;
pub mod convert;
pub mod data;
pub mod errors;
mod export;
#[doc(hidden)]
pub use export::{__init_library, __set_max_level};
pub mod ffi;
mod logging;
pub mod sink;
pub mod source;
pub mod testing;
pub mod transform;

/// The `log` crate: use its macros (`log::info!` …) in a plugin; the lines reach the
/// worker's log with the connector and task that emitted them.
pub use log;

/// A connector or task configuration: Kafka Connect's `Map<String, String>`.
pub type Props = std::collections::HashMap<String, String>;

/// Everything a plugin author usually imports.
pub mod prelude {
    pub use crate::config::{
        ConfigDef, ConfigKey, ConfigType, ConfigValue, Importance, Validator, Width,
    };
    pub use crate::connector::{ConnectorContext, SinkConnector, SourceConnector};
    pub use crate::convert::{Converter, HeaderConverter};
    pub use crate::data::{
        ConnectRecord, Field, Header, Schema, SchemaType, SinkRecord, SourceRecord, Value,
    };
    pub use crate::errors::ConnectError;
    pub use crate::sink::{SinkTask, SinkTaskContext, TopicPartition, TopicPartitionOffset};
    pub use crate::source::{SourceTask, SourceTaskContext};
    pub use crate::transform::{Predicate, Transformation};
    pub use crate::{export_plugins, Props};
}
