//! The record transforms see: what source and sink records share (Kafka's `ConnectRecord`).

use plugin_abi::data::{Header, Schema, SinkRecord, SourceRecord, TimestampType, Value};

/// A record on its way through the transformation chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub topic: String,
    pub partition: Option<i32>,
    pub key_schema: Option<Schema>,
    pub key: Value,
    pub value_schema: Option<Schema>,
    pub value: Value,
    /// Milliseconds since the epoch.
    pub timestamp: Option<i64>,
    pub headers: Vec<Header>,
}

impl Record {
    /// A record with only a topic and a value: for tests and simple uses.
    pub fn new(topic: &str, value_schema: Option<Schema>, value: Value) -> Record {
        Record {
            topic: topic.to_string(),
            partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp: None,
            headers: Vec::new(),
        }
    }

    /// Sets the key.
    pub fn with_key(mut self, schema: Option<Schema>, key: Value) -> Record {
        self.key_schema = schema;
        self.key = key;
        self
    }

    /// The key or the value, with its schema.
    pub fn part(&self, side: super::Side) -> (Option<&Schema>, &Value) {
        match side {
            super::Side::Key => (self.key_schema.as_ref(), &self.key),
            super::Side::Value => (self.value_schema.as_ref(), &self.value),
        }
    }

    /// Replaces the key or the value and its schema.
    pub fn set_part(&mut self, side: super::Side, schema: Option<Schema>, value: Value) {
        match side {
            super::Side::Key => {
                self.key_schema = schema;
                self.key = value;
            }
            super::Side::Value => {
                self.value_schema = schema;
                self.value = value;
            }
        }
    }

    /// Takes a source record apart: the record, and its source partition and offset.
    pub fn from_source(r: SourceRecord) -> (Record, (Value, Value)) {
        (
            Record {
                topic: r.topic.into_string(),
                partition: r.kafka_partition.into_option(),
                key_schema: r.key_schema.into_option(),
                key: r.key,
                value_schema: r.value_schema.into_option(),
                value: r.value,
                timestamp: r.timestamp.into_option(),
                headers: r.headers.into_vec(),
            },
            (r.source_partition, r.source_offset),
        )
    }

    /// Puts a source record back together.
    pub fn into_source(self, (partition, offset): (Value, Value)) -> SourceRecord {
        SourceRecord {
            source_partition: partition,
            source_offset: offset,
            topic: self.topic.into(),
            kafka_partition: self.partition.into(),
            key_schema: self.key_schema.into(),
            key: self.key,
            value_schema: self.value_schema.into(),
            value: self.value,
            timestamp: self.timestamp.into(),
            headers: self.headers.into(),
        }
    }

    /// A consumed record as transforms see it, and where it was consumed.
    pub fn from_sink(r: SinkRecord) -> (Record, SinkOrigin) {
        let origin = SinkOrigin {
            partition: r.kafka_partition,
            offset: r.kafka_offset,
            timestamp_type: r.timestamp_type,
        };
        let record = Record {
            topic: r.topic.into_string(),
            partition: Some(r.kafka_partition),
            key_schema: r.key_schema.into_option(),
            key: r.key,
            value_schema: r.value_schema.into_option(),
            value: r.value,
            timestamp: r.timestamp.into_option(),
            headers: r.headers.into_vec(),
        };
        (record, origin)
    }

    /// The sink record to `put`, keeping where the original was consumed.
    pub fn into_sink(self, origin: SinkOrigin) -> SinkRecord {
        SinkRecord {
            topic: self.topic.into(),
            kafka_partition: self.partition.unwrap_or(origin.partition),
            kafka_offset: origin.offset,
            timestamp: self.timestamp.into(),
            timestamp_type: origin.timestamp_type,
            key_schema: self.key_schema.into(),
            key: self.key,
            value_schema: self.value_schema.into(),
            value: self.value,
            headers: self.headers.into(),
        }
    }
}

/// Where a sink record was consumed: kept aside while it is transformed.
#[derive(Debug, Clone, Copy)]
pub struct SinkOrigin {
    pub partition: i32,
    pub offset: i64,
    pub timestamp_type: TimestampType,
}
