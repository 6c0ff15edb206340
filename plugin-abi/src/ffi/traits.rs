//! The `#[sabi_trait]` objects that cross the ABI, both ways.
#![allow(non_camel_case_types, non_local_definitions)]

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, ROption, RResult, RSlice, RStr, RString, RVec, Tuple2};

use super::{KeyValue, PluginError};
use crate::config::{ConfigDef, ConfigValue};
use crate::data::{ConnectRecord, Schema, SinkRecord, SourceRecord, Value};
use crate::sink::{TopicPartition, TopicPartitionOffset};

/// Implemented by the worker: what a connector may ask of it.
#[sabi_trait]
pub trait HostConnectorContext: Send + Sync {
    /// The connector's task configurations changed: the worker asks for them again.
    fn request_task_reconfiguration(&self);
    /// The connector failed outside of a call from the worker.
    #[sabi(last_prefix_field)]
    fn raise_error(&self, message: RString);
}

/// Implemented by the worker: what a source task may ask of it.
#[sabi_trait]
pub trait HostSourceTaskContext: Send + Sync {
    /// The last committed offset of a source partition.
    fn offset(&self, partition: &Value) -> ROption<Value>;
    /// True once the worker wants the task to stop: a blocking `poll` should return.
    #[sabi(last_prefix_field)]
    fn is_stopping(&self) -> bool;
}

/// Implemented by the worker: what a sink task may ask of it.
#[sabi_trait]
pub trait HostSinkTaskContext: Send + Sync {
    /// The partitions assigned to the task.
    fn assignment(&self) -> RVec<TopicPartition>;
    /// Asks the worker to flush and commit offsets soon.
    fn request_commit(&self);
    /// True once the worker wants the task to stop.
    #[sabi(last_prefix_field)]
    fn is_stopping(&self) -> bool;
}

/// The worker's connector context, as handed to a connector's `start`; the SDK wraps it in
/// a [`ConnectorContext`](crate::connector::ConnectorContext).
pub type HostConnectorContextBox = HostConnectorContext_TO<'static, RBox<()>>;
/// The worker's source task context; the SDK wraps it in a
/// [`SourceTaskContext`](crate::source::SourceTaskContext).
pub type HostSourceTaskContextBox = HostSourceTaskContext_TO<'static, RBox<()>>;
/// The worker's sink task context; the SDK wraps it in a
/// [`SinkTaskContext`](crate::sink::SinkTaskContext).
pub type HostSinkTaskContextBox = HostSinkTaskContext_TO<'static, RBox<()>>;

/// A connector, as the worker sees it: source and sink connectors alike, each method the
/// counterpart of [`SourceConnector`](crate::connector::SourceConnector)'s.
#[sabi_trait]
pub trait ConnectorFfi: Send {
    /// The connector's settings.
    fn config(&self) -> RResult<ConfigDef, PluginError>;
    /// Validates a configuration: one result per setting.
    fn validate(&self, props: RVec<KeyValue>) -> RResult<RVec<ConfigValue>, PluginError>;
    /// Starts the connector with its configuration and the worker's context.
    fn start(
        &mut self,
        props: RVec<KeyValue>,
        ctx: HostConnectorContextBox,
    ) -> RResult<(), PluginError>;
    /// At most `max_tasks` task configurations.
    fn task_configs(&mut self, max_tasks: u32) -> RResult<RVec<RVec<KeyValue>>, PluginError>;
    /// Stops the connector.
    #[sabi(last_prefix_field)]
    fn stop(&mut self) -> RResult<(), PluginError>;
}

/// A source task, as the worker sees it (the counterpart of
/// [`SourceTask`](crate::source::SourceTask)).
#[sabi_trait]
pub trait SourceTaskFfi: Send {
    /// Starts the task with its configuration and the worker's context.
    fn start(
        &mut self,
        props: RVec<KeyValue>,
        ctx: HostSourceTaskContextBox,
    ) -> RResult<(), PluginError>;
    /// A batch of records; empty when there is nothing yet.
    fn poll(&mut self) -> RResult<RVec<SourceRecord>, PluginError>;
    /// Offsets up to the last polled records were committed.
    fn commit(&mut self) -> RResult<(), PluginError>;
    /// Stops the task.
    #[sabi(last_prefix_field)]
    fn stop(&mut self) -> RResult<(), PluginError>;
}

/// A sink task, as the worker sees it (the counterpart of [`SinkTask`](crate::sink::SinkTask)).
#[sabi_trait]
pub trait SinkTaskFfi: Send {
    /// Starts the task with its configuration and the worker's context.
    fn start(
        &mut self,
        props: RVec<KeyValue>,
        ctx: HostSinkTaskContextBox,
    ) -> RResult<(), PluginError>;
    /// Partitions were assigned to the task.
    fn open(&mut self, partitions: RVec<TopicPartition>) -> RResult<(), PluginError>;
    /// A batch, lent: the worker keeps it to deliver again after a retriable error.
    fn put(&mut self, records: RSlice<'_, SinkRecord>) -> RResult<(), PluginError>;
    /// Makes what `put` received durable.
    fn flush(&mut self, offsets: RVec<TopicPartitionOffset>) -> RResult<(), PluginError>;
    /// The offsets safe to commit; by default those flushed.
    fn pre_commit(
        &mut self,
        offsets: RVec<TopicPartitionOffset>,
    ) -> RResult<RVec<TopicPartitionOffset>, PluginError>;
    /// Partitions were taken from the task.
    fn close(&mut self, partitions: RVec<TopicPartition>) -> RResult<(), PluginError>;
    /// Stops the task.
    #[sabi(last_prefix_field)]
    fn stop(&mut self) -> RResult<(), PluginError>;
}

/// A transformation, as the worker sees it. Records cross in batches.
#[sabi_trait]
pub trait TransformationFfi: Send {
    /// The transformation's settings.
    fn config(&self) -> RResult<ConfigDef, PluginError>;
    /// Reads its settings.
    fn configure(&mut self, props: RVec<KeyValue>) -> RResult<(), PluginError>;
    /// One result per record, in order: the transformed record, `RNone` when dropped, or
    /// the error of that record alone.
    #[sabi(last_prefix_field)]
    fn apply_batch(
        &mut self,
        records: RVec<ConnectRecord>,
    ) -> RVec<RResult<ROption<ConnectRecord>, PluginError>>;
}

/// A deserialized key, value or header: its schema (if any) and value.
pub type SchemaAndValue = Tuple2<ROption<Schema>, Value>;

/// A converter, as the worker sees it; called from several task threads at once.
#[sabi_trait]
pub trait ConverterFfi: Send + Sync {
    /// The converter's settings.
    fn config(&self) -> RResult<ConfigDef, PluginError>;
    /// Reads its settings; `is_key` tells keys from values.
    fn configure(&mut self, props: RVec<KeyValue>, is_key: bool) -> RResult<(), PluginError>;
    /// Serializes a value; `RNone` for a null.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect(
        &self,
        topic: RStr<'_>,
        schema: ROption<&Schema>,
        value: &Value,
    ) -> RResult<ROption<RVec<u8>>, PluginError>;
    /// Deserializes bytes (`RNone` for a null) into a schema and a value.
    #[sabi(last_prefix_field)]
    fn to_connect(
        &self,
        topic: RStr<'_>,
        bytes: ROption<RSlice<'_, u8>>,
    ) -> RResult<SchemaAndValue, PluginError>;
}

/// A predicate, as the worker sees it. Records cross in batches.
#[sabi_trait]
pub trait PredicateFfi: Send {
    /// The predicate's settings.
    fn config(&self) -> RResult<ConfigDef, PluginError>;
    /// Reads its settings.
    fn configure(&mut self, props: RVec<KeyValue>) -> RResult<(), PluginError>;
    /// One answer per record, in order.
    #[sabi(last_prefix_field)]
    fn test_batch(
        &mut self,
        records: RSlice<'_, ConnectRecord>,
    ) -> RVec<RResult<bool, PluginError>>;
}

/// A header converter, as the worker sees it; called from several task threads at once.
#[sabi_trait]
pub trait HeaderConverterFfi: Send + Sync {
    /// The header converter's settings.
    fn config(&self) -> RResult<ConfigDef, PluginError>;
    /// Reads its settings.
    fn configure(&mut self, props: RVec<KeyValue>) -> RResult<(), PluginError>;
    /// Serializes the value of one header; `RNone` for a null.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_header(
        &self,
        topic: RStr<'_>,
        header: RStr<'_>,
        schema: ROption<&Schema>,
        value: &Value,
    ) -> RResult<ROption<RVec<u8>>, PluginError>;
    /// Deserializes the bytes of one header (`RNone` for a null).
    #[sabi(last_prefix_field)]
    fn to_connect_header(
        &self,
        topic: RStr<'_>,
        header: RStr<'_>,
        bytes: ROption<RSlice<'_, u8>>,
    ) -> RResult<SchemaAndValue, PluginError>;
}
