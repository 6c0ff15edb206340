use abi_stable::std_types::{ROption, RString, RVec};
use abi_stable::StableAbi;

use super::{Schema, Value};

/// A record header.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Header {
    pub key: RString,
    pub schema: ROption<Schema>,
    pub value: Value,
}

/// A record produced by a source task, as Kafka Connect's `SourceRecord`.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// Where the record comes from (a map with string keys, e.g. `{"filename": …}`).
    pub source_partition: Value,
    /// How far into that source this record is (a map, e.g. `{"position": 120}`).
    pub source_offset: Value,
    pub topic: RString,
    /// `None` lets the producer's partitioner choose.
    pub kafka_partition: ROption<i32>,
    pub key_schema: ROption<Schema>,
    pub key: Value,
    pub value_schema: ROption<Schema>,
    pub value: Value,
    /// Milliseconds since the epoch; `None` lets the producer stamp it.
    pub timestamp: ROption<i64>,
    pub headers: RVec<Header>,
}

impl SourceRecord {
    /// A record for `topic` with a value and no key, partition, offset or headers.
    pub fn new(topic: &str, value_schema: Option<Schema>, value: Value) -> SourceRecord {
        SourceRecord {
            source_partition: Value::Null,
            source_offset: Value::Null,
            topic: topic.into(),
            kafka_partition: ROption::RNone,
            key_schema: ROption::RNone,
            key: Value::Null,
            value_schema: value_schema.into(),
            value,
            timestamp: ROption::RNone,
            headers: RVec::new(),
        }
    }

    /// Sets where in its source this record is, so a restarted task resumes after it.
    pub fn with_source(mut self, partition: Value, offset: Value) -> SourceRecord {
        self.source_partition = partition;
        self.source_offset = offset;
        self
    }

    /// Sets the key.
    pub fn with_key(mut self, schema: Option<Schema>, key: Value) -> SourceRecord {
        self.key_schema = schema.into();
        self.key = key;
        self
    }
}

/// How a consumed record's timestamp was set.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    NoTimestampType,
    CreateTime,
    LogAppendTime,
}

/// A record consumed for a sink task, as Kafka Connect's `SinkRecord`.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct SinkRecord {
    pub topic: RString,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
    pub timestamp: ROption<i64>,
    pub timestamp_type: TimestampType,
    pub key_schema: ROption<Schema>,
    pub key: Value,
    pub value_schema: ROption<Schema>,
    pub value: Value,
    pub headers: RVec<Header>,
}

/// A record as transformations see it (Kafka Connect's `ConnectRecord`): what source and
/// sink records share.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    pub topic: RString,
    pub kafka_partition: ROption<i32>,
    pub key_schema: ROption<Schema>,
    pub key: Value,
    pub value_schema: ROption<Schema>,
    pub value: Value,
    /// Milliseconds since the epoch.
    pub timestamp: ROption<i64>,
    pub headers: RVec<Header>,
}

impl ConnectRecord {
    /// A record for `topic` with a value and nothing else.
    pub fn new(topic: &str, value_schema: Option<Schema>, value: Value) -> ConnectRecord {
        ConnectRecord {
            topic: topic.into(),
            kafka_partition: ROption::RNone,
            key_schema: ROption::RNone,
            key: Value::Null,
            value_schema: value_schema.into(),
            value,
            timestamp: ROption::RNone,
            headers: RVec::new(),
        }
    }
}
