//! # plugin-abi: write Kafka Connect plugins in Rust
//!
//! A plugin is a `cdylib` that the `connect` worker loads from `plugin.path` at run time.
//! This crate is everything a plugin author needs:
//!
//! - [`connector`], [`source`], [`sink`]: the traits to implement, mirroring Kafka Connect's
//!   `SourceConnector`, `SinkConnector`, `SourceTask` and `SinkTask`, and the contexts through
//!   which a plugin asks things of the worker;
//! - [`data`]: Kafka Connect's data model ([`data::Schema`], [`data::Value`], records, headers);
//! - [`config`]: [`config::ConfigDef`], the self-description of a plugin's configuration,
//!   which the worker renders, validates and documents;
//! - [`errors`]: [`errors::ConnectError`], how a plugin reports failures;
//! - [`convert`] and [`transform`]: converters, transformations and predicates as plugins;
//! - [`export_plugins!`]: the one macro that makes a library loadable;
//! - [`testing`]: run a connector and its tasks in a plain `#[test]`, without a worker.
//!
//! Most plugins need only `use plugin_abi::prelude::*;`.
//!
//! The ABI itself ([`ffi`]) is built on `abi_stable`: the worker checks the layout of every
//! type at load time and refuses an incompatible library with a clear error instead of
//! calling into it. Authors never touch it directly; the export macro generates the glue,
//! and that glue catches every panic, so a panicking plugin fails its task, not the worker.
//!
//! ## How the worker runs a connector
//!
//! Kafka Connect's life cycle, unchanged:
//!
//! 1. A configuration is submitted. The worker makes an instance of the connector with
//!    `Default` and calls `validate`, by default a check against the connector's
//!    [`ConfigDef`](config::ConfigDef). Any error refuses the configuration.
//! 2. Another instance is `start`ed with the configuration, then asked for its
//!    `task_configs`: one configuration per task, at most `tasks.max`. This is how a
//!    connector splits the work (files, tables, partitions of the source) over tasks.
//! 3. Each task is an instance of the task type, made with `Default` and run on a thread of
//!    its own: `start` with its configuration, then `poll` (source) or `put` (sink) in a loop,
//!    then `stop`.
//! 4. A source task tags every record with a *source partition* and *source offset*
//!    ([`SourceRecord::with_source`](data::SourceRecord::with_source)). Once Kafka has
//!    acknowledged a record, the worker commits its offset; a restarted task reads it back
//!    with [`SourceTaskContext::offset`](source::SourceTaskContext::offset) and resumes after it.
//!    A sink task makes what `put` received durable in `flush`; the worker commits the
//!    consumer's offsets only up to what was flushed.
//!
//! Errors are [`ConnectError`](errors::ConnectError)s and their kind tells the worker what to
//! do: [`ConnectError::retriable`](errors::ConnectError::retriable) for a passing failure (the
//! worker calls `poll` again, or delivers the same batch to `put` again after a pause),
//! [`ConnectError::new`](errors::ConnectError::new) for anything else (the task fails, with the
//! message in its status), [`ConnectError::config`](errors::ConnectError::config) for a bad
//! setting. A panic is caught and fails the task like a fatal error. Log with the
//! [`log`] crate re-exported here: the lines reach the worker's log, tagged with the
//! connector and task that wrote them.
//!
//! ## A source connector
//!
//! `LinesSource` sends the lines of text files, one record per line. It shows every part of
//! a source: settings with validation, work split over tasks, offsets and resuming, retriable
//! and fatal errors, logging, the export, and a run in the test harness.
//!
//! ```
//! use std::io;
//! use std::time::Duration;
//!
//! use plugin_abi::errors::ErrorKind;
//! use plugin_abi::log;
//! use plugin_abi::prelude::*;
//!
//! /// Sends the lines of text files to a topic, one record per line.
//! #[derive(Default)]
//! pub struct LinesSource {
//!     props: Props,
//! }
//!
//! /// The settings, parsed. The worker validated them before `start`, so only a bug
//! /// (or a configuration that skipped validation) makes this fail.
//! struct Settings {
//!     files: Vec<String>,
//!     topic: String,
//!     batch_size: usize,
//! }
//!
//! impl Settings {
//!     fn parse(props: &Props) -> Result<Settings, ConnectError> {
//!         let def = LinesSource::definition();
//!         let get = |name: &'static str| {
//!             def.get(props, name)
//!                 .ok_or_else(|| ConnectError::config(format!("{name} is required")))
//!         };
//!         Ok(Settings {
//!             files: get("files")?.split(',').map(|f| f.trim().to_string()).collect(),
//!             topic: get("topic")?.to_string(),
//!             batch_size: get("batch.size")?
//!                 .parse()
//!                 .map_err(|_| ConnectError::config("batch.size is not a number"))?,
//!         })
//!     }
//! }
//!
//! impl LinesSource {
//!     fn definition() -> ConfigDef {
//!         ConfigDef::new()
//!             .define(
//!                 ConfigKey::new("files", ConfigType::List, Importance::High,
//!                     "The files to read, as absolute paths.")
//!                     .validator(Validator::NonEmptyString),
//!             )
//!             .define(
//!                 ConfigKey::new("topic", ConfigType::String, Importance::High,
//!                     "The topic the lines are sent to.")
//!                     .validator(Validator::NonEmptyString),
//!             )
//!             .define(
//!                 ConfigKey::new("batch.size", ConfigType::Int, Importance::Low,
//!                     "The most lines one poll returns.")
//!                     .default_value("100")
//!                     .validator(Validator::AtLeast(1)),
//!             )
//!     }
//! }
//!
//! impl SourceConnector for LinesSource {
//!     fn config(&self) -> ConfigDef {
//!         LinesSource::definition()
//!     }
//!
//!     // The ConfigDef checks types, ranges and required settings. What it cannot express
//!     // is added to the errors of the setting at fault.
//!     fn validate(&self, props: &Props) -> Vec<ConfigValue> {
//!         let mut values = self.config().validate(props);
//!         if let (Some(files), Some(value)) = (
//!             props.get("files"),
//!             values.iter_mut().find(|v| v.name.as_str() == "files"),
//!         ) {
//!             for file in files.split(',').map(str::trim) {
//!                 if !std::path::Path::new(file).is_absolute() {
//!                     value.errors.push(format!("{file} is not an absolute path").into());
//!                 }
//!             }
//!         }
//!         values
//!     }
//!
//!     fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
//!         Settings::parse(props)?;
//!         self.props = props.clone();
//!         Ok(())
//!     }
//!
//!     // The unit of work is a file: task i reads every n-th file from the i-th on.
//!     fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
//!         let files = Settings::parse(&self.props)?.files;
//!         let tasks = max_tasks.min(files.len());
//!         Ok((0..tasks)
//!             .map(|i| {
//!                 let mine: Vec<&str> =
//!                     files.iter().skip(i).step_by(tasks).map(String::as_str).collect();
//!                 let mut config = self.props.clone();
//!                 config.insert("files".into(), mine.join(","));
//!                 config
//!             })
//!             .collect())
//!     }
//! }
//!
//! /// Reads its share of the files, one file per poll, in turn.
//! #[derive(Default)]
//! pub struct LinesTask {
//!     topic: String,
//!     batch_size: usize,
//!     /// Each file and how many of its lines were sent.
//!     files: Vec<(String, i64)>,
//!     turn: usize,
//! }
//!
//! /// Where a record comes from: its file. The worker keeps one offset per partition.
//! fn partition(file: &str) -> Value {
//!     Value::string_map([("file", Value::string(file))])
//! }
//!
//! /// How far into its file a record is: the lines sent up to and including it.
//! fn offset(lines: i64) -> Value {
//!     Value::string_map([("lines", Value::Int64(lines))])
//! }
//!
//! impl SourceTask for LinesTask {
//!     fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError> {
//!         let settings = Settings::parse(props)?;
//!         for file in settings.files {
//!             // Resume after the last line whose offset was committed.
//!             let sent = ctx
//!                 .offset(&partition(&file))
//!                 .and_then(|o| o.get("lines").and_then(Value::as_i64))
//!                 .unwrap_or(0);
//!             log::info!("reading {file} from line {}", sent + 1);
//!             self.files.push((file, sent));
//!         }
//!         self.topic = settings.topic;
//!         self.batch_size = settings.batch_size;
//!         Ok(())
//!     }
//!
//!     fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
//!         self.turn = (self.turn + 1) % self.files.len();
//!         let (file, sent) = &mut self.files[self.turn];
//!         // An error returns before anything moved on: the next poll tries the same lines.
//!         let text = std::fs::read_to_string(&*file).map_err(|e| read_error(file, e))?;
//!         let records: Vec<SourceRecord> = text
//!             .lines()
//!             .skip(*sent as usize)
//!             .take(self.batch_size)
//!             .map(|line| {
//!                 *sent += 1;
//!                 SourceRecord::new(&self.topic, Some(Schema::string()), Value::string(line))
//!                     .with_source(partition(file), offset(*sent))
//!             })
//!             .collect();
//!         if records.is_empty() {
//!             // Nothing new: wait a little rather than have the worker spin.
//!             std::thread::sleep(Duration::from_millis(50));
//!         }
//!         Ok(records)
//!     }
//! }
//!
//! /// A file that is not there yet may appear: retriable, the worker polls again. Anything
//! /// else (not readable, not UTF-8) fails the task, with the message in its status.
//! fn read_error(file: &str, e: io::Error) -> ConnectError {
//!     let message = format!("cannot read {file}: {e}");
//!     match e.kind() {
//!         io::ErrorKind::NotFound | io::ErrorKind::Interrupted => {
//!             log::warn!("{message}; trying again");
//!             ConnectError::retriable(message)
//!         }
//!         _ => ConnectError::new(message),
//!     }
//! }
//!
//! // The library's one export: the connector and its task under Java-style class names.
//! plugin_abi::export_plugins! {
//!     source "com.example.LinesSourceConnector" => LinesSource {
//!         task "com.example.LinesSourceTask" => LinesTask
//!     }
//! }
//!
//! // Trying it out, as a `#[test]` would, with the harness from `plugin_abi::testing`.
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     use plugin_abi::testing::{props, SourceHarness};
//!     type Harness = SourceHarness<LinesSource, LinesTask>;
//!     let values = |records: Vec<SourceRecord>| -> Vec<String> {
//!         records.iter().map(|r| r.value.to_string()).collect()
//!     };
//!
//!     let dir = std::env::temp_dir().join(format!("lines-source-{}", std::process::id()));
//!     std::fs::create_dir_all(&dir)?;
//!     let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
//!     std::fs::write(&a, "one\ntwo\n")?;
//!     let files = format!("{},{}", a.display(), b.display());
//!
//!     // Validation comes first: a relative path is refused, naming the setting.
//!     let refused = Harness::new().start(props(&[("files", "a.txt"), ("topic", "lines")]));
//!     assert!(refused.unwrap_err().to_string().contains("a.txt is not an absolute path"));
//!
//!     // Two files, tasks.max=2: one file per task.
//!     let config = props(&[("files", &files), ("topic", "lines"), ("tasks.max", "2")]);
//!     let mut harness = Harness::new().start(config)?;
//!     assert_eq!(harness.task_count(), 2);
//!     assert_eq!(values(harness.poll(0)?), ["one", "two"]);
//!     // b.txt does not exist yet: retriable, the worker would poll again.
//!     assert_eq!(harness.poll(1).unwrap_err().kind, ErrorKind::Retriable);
//!
//!     // A restart commits the offsets of what was sent; the task resumes after them.
//!     std::fs::write(&a, "one\ntwo\nthree\n")?;
//!     harness.restart()?;
//!     assert_eq!(values(harness.poll(0)?), ["three"]);
//!
//!     harness.stop()?;
//!     std::fs::remove_dir_all(&dir)?;
//!     Ok(())
//! }
//! ```
//!
//! ## A sink connector
//!
//! `LinesSink` appends the value of every record to a file, one line per record. `put`
//! buffers; `flush` writes and syncs, so the worker commits the consumer's offsets only for
//! lines that are on disk.
//!
//! ```
//! use std::fs::{File, OpenOptions};
//! use std::io::Write;
//!
//! use plugin_abi::errors::ErrorKind;
//! use plugin_abi::log;
//! use plugin_abi::prelude::*;
//!
//! /// Appends the value of every record to a file, one line per record.
//! #[derive(Default)]
//! pub struct LinesSink {
//!     props: Props,
//! }
//!
//! impl SinkConnector for LinesSink {
//!     fn config(&self) -> ConfigDef {
//!         ConfigDef::new()
//!             .define(
//!                 ConfigKey::new("file", ConfigType::String, Importance::High,
//!                     "The file the lines are appended to.")
//!                     .validator(Validator::NonEmptyString),
//!             )
//!             .define(
//!                 ConfigKey::new("buffer.lines", ConfigType::Int, Importance::Low,
//!                     "Lines buffered before the task asks for an early commit.")
//!                     .default_value("1000")
//!                     .validator(Validator::AtLeast(1)),
//!             )
//!     }
//!
//!     fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
//!         self.props = props.clone();
//!         Ok(())
//!     }
//!
//!     // One file takes one writer: a single task, whatever tasks.max allows.
//!     fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
//!         Ok(vec![self.props.clone()])
//!     }
//! }
//!
//! /// Buffers lines in `put`, writes them out in `flush`.
//! #[derive(Default)]
//! pub struct LinesSinkTask {
//!     file: Option<File>,
//!     buffer: String,
//!     buffered: usize,
//!     max_buffered: usize,
//! }
//!
//! impl SinkTask for LinesSinkTask {
//!     fn start(&mut self, props: &Props, _ctx: &SinkTaskContext) -> Result<(), ConnectError> {
//!         let def = LinesSink::default().config();
//!         let path = def
//!             .get(props, "file")
//!             .ok_or_else(|| ConnectError::config("file is required"))?;
//!         self.max_buffered = def
//!             .get(props, "buffer.lines")
//!             .and_then(|n| n.parse().ok())
//!             .ok_or_else(|| ConnectError::config("buffer.lines is not a number"))?;
//!         // An io::Error converts into a fatal ConnectError: the task fails, saying why.
//!         self.file = Some(OpenOptions::new().create(true).append(true).open(path)?);
//!         log::info!("appending to {path}");
//!         Ok(())
//!     }
//!
//!     fn put(&mut self, records: &[SinkRecord], ctx: &SinkTaskContext) -> Result<(), ConnectError> {
//!         for r in records {
//!             let at = format!("{}-{}@{}", r.topic, r.kafka_partition, r.kafka_offset);
//!             match &r.value {
//!                 Value::Null => log::debug!("skipping the tombstone at {at}"),
//!                 // Retrying would not help: fail the task, naming the record.
//!                 Value::Bytes(_) => {
//!                     return Err(ConnectError::new(format!(
//!                         "the record at {at} holds bytes, not text: use a converter that reads text"
//!                     )))
//!                 }
//!                 value => {
//!                     self.buffer.push_str(&value.to_string());
//!                     self.buffer.push('\n');
//!                     self.buffered += 1;
//!                 }
//!             }
//!         }
//!         if self.buffered >= self.max_buffered {
//!             // Don't wait for offset.flush.interval.ms: have the worker flush and commit soon.
//!             ctx.request_commit();
//!         }
//!         Ok(())
//!     }
//!
//!     // Called by the default pre_commit before the worker commits `offsets`: when this
//!     // returns, everything `put` received must be durable.
//!     fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
//!         let file = self.file.as_mut().ok_or_else(|| ConnectError::new("flush before start"))?;
//!         file.write_all(self.buffer.as_bytes())?;
//!         file.sync_data()?;
//!         self.buffer.clear();
//!         self.buffered = 0;
//!         Ok(())
//!     }
//! }
//!
//! plugin_abi::export_plugins! {
//!     sink "com.example.LinesSinkConnector" => LinesSink {
//!         task "com.example.LinesSinkTask" => LinesSinkTask
//!     }
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     use plugin_abi::testing::{props, SinkHarness};
//!
//!     let path = std::env::temp_dir().join(format!("lines-sink-{}.txt", std::process::id()));
//!     let file = path.to_str().ok_or("a temporary path that is not UTF-8")?;
//!     let mut harness = SinkHarness::<LinesSink, LinesSinkTask>::new()
//!         .start(props(&[("file", file), ("buffer.lines", "2")]))?;
//!
//!     let text = |value: &str| Value::string(value);
//!     harness.put(&[
//!         SinkRecord::new("orders", 0, 41, Some(Schema::string()), text("first")),
//!         SinkRecord::new("orders", 0, 42, Some(Schema::string()), text("second")),
//!     ])?;
//!     assert!(harness.commit_requested()); // two lines buffered: buffer.lines reached
//!     assert_eq!(std::fs::read_to_string(&path)?, ""); // but nothing written yet
//!
//!     // The worker's commit: pre_commit flushes, then the next offsets are committed.
//!     let committed = harness.commit()?;
//!     assert_eq!(committed[0].offset, 43);
//!     assert_eq!(std::fs::read_to_string(&path)?, "first\nsecond\n");
//!
//!     // A record the task cannot write fails it.
//!     let bytes = Value::Bytes(vec![0xff].into());
//!     let record = SinkRecord::new("orders", 0, 43, Some(Schema::bytes()), bytes);
//!     assert_eq!(harness.put(&[record]).unwrap_err().kind, ErrorKind::Fatal);
//!
//!     harness.stop()?;
//!     std::fs::remove_file(&path)?;
//!     Ok(())
//! }
//! ```
//!
//! ## Building and exporting
//!
//! A plugin crate is a `cdylib` that depends on this crate:
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! plugin-abi = "1"
//! ```
//!
//! It calls [`export_plugins!`] exactly once, listing every class it exports (connectors
//! with their tasks, converters, transformations, predicates), as both examples above do.
//! The worker finds the library under `plugin.path`, checks its ABI, and lists its classes
//! under those names and the crate's version.
//!
//! ## Testing
//!
//! [`testing::SourceHarness`] and [`testing::SinkHarness`] run a connector and its tasks in a
//! `#[test]`, through the same glue the worker calls, as the examples above do. See
//! [`testing`].
//!
//! ## ABI compatibility
//!
//! This crate follows semver, with one rule for the ABI ([`ffi`]): **a change that adds a
//! function to the root module is minor; anything else is major.**
//!
//! - Minor: appending a field to [`ffi::PluginModule`] after its
//!   `#[sabi(last_prefix_field)]` (marked `#[sabi(missing_field(option))]`, so the worker sees
//!   `None` in older libraries); SDK-only additions that do not cross the ABI and break no
//!   plugin's source.
//! - Major: appending a method to a `#[sabi_trait]`. An earlier version of this rule called it
//!   minor; measured with `tests/tests/abi_compat.rs`, a worker whose `SourceTaskFfi` had two
//!   more methods refused the frozen 1.0 plugin (`VTable: too many fields (worker: 8,
//!   library: 6)`). New behaviour goes into the root module instead, or waits for 2.0.
//! - Major: anything that changes an existing type's layout (adding, removing, reordering or
//!   retyping fields or enum variants, changing a method's signature) and removing anything.
//!
//! A plugin built against 1.x therefore loads in every 1.y worker, and a worker refuses a
//! plugin of another major version or with a mismatched layout, naming the mismatch, before
//! calling into it. The ABI started at 1.0.0 because `abi_stable` treats a 0.x minor bump as
//! incompatible. The repository's `tests/fixtures/abi-1.0` (a frozen copy of 1.0.0 and a
//! plugin built against it) and `tests/tests/abi_compat.rs` check every change against this
//! rule; see "ABI compatibility" in `docs/plugin-authoring.md`.

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
