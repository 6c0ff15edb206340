use abi_stable::std_types::{ROption, RString, RVec};
use abi_stable::StableAbi;

use super::{Schema, Value};

/// A record header.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Header {
    /// The header's name; several headers may share one.
    pub key: RString,
    /// The value's schema, if it has one.
    pub schema: ROption<Schema>,
    /// The header's value, serialized by the connector's header converter.
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
    /// The Kafka topic the record goes to.
    pub topic: RString,
    /// `None` lets the producer's partitioner choose.
    pub kafka_partition: ROption<i32>,
    /// The key's schema; `None` for schemaless data.
    pub key_schema: ROption<Schema>,
    /// The key, serialized by the key converter; `Null` for no key.
    pub key: Value,
    /// The value's schema; `None` for schemaless data.
    pub value_schema: ROption<Schema>,
    /// The value, serialized by the value converter.
    pub value: Value,
    /// Milliseconds since the epoch; `None` lets the producer stamp it.
    pub timestamp: ROption<i64>,
    /// The record's headers, in order.
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
    /// The record has no timestamp.
    NoTimestampType,
    /// Set by the producer.
    CreateTime,
    /// Set by the broker when it appended the record.
    LogAppendTime,
}

/// A record consumed for a sink task, as Kafka Connect's `SinkRecord`.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct SinkRecord {
    /// The topic it was consumed from (after transformations, the topic they set).
    pub topic: RString,
    /// The partition it was consumed from.
    pub kafka_partition: i32,
    /// Its offset in that partition.
    pub kafka_offset: i64,
    /// Milliseconds since the epoch, if the record has a timestamp.
    pub timestamp: ROption<i64>,
    /// Who set the timestamp.
    pub timestamp_type: TimestampType,
    /// The key's schema, as the key converter read it; `None` for schemaless data.
    pub key_schema: ROption<Schema>,
    /// The key; `Null` for no key.
    pub key: Value,
    /// The value's schema, as the value converter read it; `None` for schemaless data.
    pub value_schema: ROption<Schema>,
    /// The value; `Null` for a tombstone.
    pub value: Value,
    /// The record's headers, in order.
    pub headers: RVec<Header>,
}

impl SinkRecord {
    /// A record consumed from `topic`'s `partition` at `offset`, with a value and no key,
    /// timestamp or headers: what tests of a sink task need.
    pub fn new(
        topic: &str,
        partition: i32,
        offset: i64,
        value_schema: Option<Schema>,
        value: Value,
    ) -> SinkRecord {
        SinkRecord {
            topic: topic.into(),
            kafka_partition: partition,
            kafka_offset: offset,
            timestamp: ROption::RNone,
            timestamp_type: TimestampType::NoTimestampType,
            key_schema: ROption::RNone,
            key: Value::Null,
            value_schema: value_schema.into(),
            value,
            headers: RVec::new(),
        }
    }

    /// Sets the key.
    pub fn with_key(mut self, schema: Option<Schema>, key: Value) -> SinkRecord {
        self.key_schema = schema.into();
        self.key = key;
        self
    }
}

/// A record as transformations see it (Kafka Connect's `ConnectRecord`): what source and
/// sink records share.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    /// The topic; a transformation may change it to reroute the record.
    pub topic: RString,
    /// The Kafka partition, when known or chosen.
    pub kafka_partition: ROption<i32>,
    /// The key's schema; `None` for schemaless data.
    pub key_schema: ROption<Schema>,
    /// The key; `Null` for no key.
    pub key: Value,
    /// The value's schema; `None` for schemaless data.
    pub value_schema: ROption<Schema>,
    /// The value.
    pub value: Value,
    /// Milliseconds since the epoch.
    pub timestamp: ROption<i64>,
    /// The record's headers, in order.
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
