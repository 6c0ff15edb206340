//! Kafka Connect's data model: schemas, values, records and headers.
//!
//! Every type here is `abi_stable`-safe and crosses the plugin boundary as it is, so a
//! batch of records moves between a plugin and the worker without being copied.

mod record;
mod schema;
mod value;

pub use record::{ConnectRecord, Header, SinkRecord, SourceRecord, TimestampType};
pub use schema::{logical, Field, Schema, SchemaBuilder, SchemaData, SchemaType};
pub use value::Value;
