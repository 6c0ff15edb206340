//! Plugin-side glue: wraps the safe SDK traits into the ABI's trait objects.
//!
//! Every call that enters the library goes through [`guard`], which turns a panic into a
//! [`PluginError`] of kind `Panic`. A panic must never reach `abi_stable`'s FFI shims:
//! unwinding through `extern "C"` aborts the whole worker process.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RResult, RSlice, RStr, RVec, Tuple2};

use super::{
    props_from_ffi, props_to_ffi, ConnectorBox, ConnectorFfi, ConnectorFfi_TO, ConverterBox,
    ConverterFfi, ConverterFfi_TO, HeaderConverterBox, HeaderConverterFfi, HeaderConverterFfi_TO,
    HostConnectorContextBox, HostSinkTaskContextBox, HostSourceTaskContextBox, KeyValue,
    PluginDescriptor, PluginError, PluginKind, PredicateBox, PredicateFfi, PredicateFfi_TO,
    SinkTaskBox, SinkTaskFfi, SinkTaskFfi_TO, SourceTaskBox, SourceTaskFfi, SourceTaskFfi_TO,
    TransformationBox, TransformationFfi, TransformationFfi_TO,
};
use crate::config::{ConfigDef, ConfigValue};
use crate::connector::{ConnectorContext, SinkConnector, SourceConnector};
use crate::convert::{Converter, HeaderConverter};
use crate::data::{ConnectRecord, SinkRecord, SourceRecord};
use crate::data::{Schema, Value};
use crate::errors::{ConnectError, ErrorKind};
use crate::sink::{SinkTask, SinkTaskContext, TopicPartition, TopicPartitionOffset};
use crate::source::{SourceTask, SourceTaskContext};
use crate::transform::{Predicate, Transformation};
use crate::Props;

/// How to make an instance of an exported class: one of the `make_*` functions,
/// instantiated for the plugin's type. Plugin-side only; never crosses the ABI.
#[derive(Clone, Copy)]
pub enum Factory {
    /// A source or sink connector; the argument is its task class.
    Connector(fn(&'static str) -> ConnectorBox),
    /// A source task.
    SourceTask(fn() -> SourceTaskBox),
    /// A sink task.
    SinkTask(fn() -> SinkTaskBox),
    /// A transformation.
    Transformation(fn() -> TransformationBox),
    /// A converter.
    Converter(fn() -> ConverterBox),
    /// A predicate.
    Predicate(fn() -> PredicateBox),
    /// A header converter.
    HeaderConverter(fn() -> HeaderConverterBox),
}

/// One exported class, as listed by [`crate::export_plugins!`]: the table the generated
/// root module's functions look classes up in. Plugin-side only; never crosses the ABI.
pub struct PluginEntry {
    /// The class name the worker asks for.
    pub class: &'static str,
    /// What the class is.
    pub kind: PluginKind,
    /// The plugin crate's version.
    pub version: &'static str,
    /// For connectors, the class of their tasks; empty otherwise.
    pub task_class: &'static str,
    /// How to make an instance.
    pub factory: Factory,
}

/// Describes every class of a library.
pub fn describe(entries: &[PluginEntry]) -> RVec<PluginDescriptor> {
    entries
        .iter()
        .map(|e| PluginDescriptor {
            class: e.class.into(),
            kind: e.kind,
            version: e.version.into(),
            task_class: e.task_class.into(),
        })
        .collect()
}

fn find<'a>(entries: &'a [PluginEntry], class: RStr<'_>) -> Result<&'a PluginEntry, ConnectError> {
    entries
        .iter()
        .find(|e| e.class == class.as_str())
        .ok_or_else(|| ConnectError::new(format!("this library has no class {class}")))
}

/// Instantiates the connector `class`.
pub fn new_connector(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<ConnectorBox, PluginError> {
    guard("new connector", || match find(entries, class)?.factory {
        Factory::Connector(make) => Ok(make(find(entries, class)?.task_class)),
        _ => Err(ConnectError::new(format!("{class} is not a connector"))),
    })
}

/// Instantiates the source task `class`.
pub fn new_source_task(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<SourceTaskBox, PluginError> {
    guard("new source task", || match find(entries, class)?.factory {
        Factory::SourceTask(make) => Ok(make()),
        _ => Err(ConnectError::new(format!("{class} is not a source task"))),
    })
}

/// Instantiates the sink task `class`.
pub fn new_sink_task(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<SinkTaskBox, PluginError> {
    guard("new sink task", || match find(entries, class)?.factory {
        Factory::SinkTask(make) => Ok(make()),
        _ => Err(ConnectError::new(format!("{class} is not a sink task"))),
    })
}

/// Instantiates the transformation `class`.
pub fn new_transformation(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<TransformationBox, PluginError> {
    guard("new transformation", || {
        match find(entries, class)?.factory {
            Factory::Transformation(make) => Ok(make()),
            _ => Err(ConnectError::new(format!(
                "{class} is not a transformation"
            ))),
        }
    })
}

/// Instantiates the converter `class`.
pub fn new_converter(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<ConverterBox, PluginError> {
    guard("new converter", || match find(entries, class)?.factory {
        Factory::Converter(make) => Ok(make()),
        _ => Err(ConnectError::new(format!("{class} is not a converter"))),
    })
}

/// Instantiates the predicate `class`.
pub fn new_predicate(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<PredicateBox, PluginError> {
    guard("new predicate", || match find(entries, class)?.factory {
        Factory::Predicate(make) => Ok(make()),
        _ => Err(ConnectError::new(format!("{class} is not a predicate"))),
    })
}

/// Instantiates the header converter `class`.
pub fn new_header_converter(
    entries: &[PluginEntry],
    class: RStr<'_>,
) -> RResult<HeaderConverterBox, PluginError> {
    guard("new header converter", || {
        match find(entries, class)?.factory {
            Factory::HeaderConverter(make) => Ok(make()),
            _ => Err(ConnectError::new(format!(
                "{class} is not a header converter"
            ))),
        }
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

/// Runs `f`, turning a panic into an error so it never unwinds across the ABI.
pub(crate) fn guard<R>(
    what: &str,
    f: impl FnOnce() -> Result<R, ConnectError>,
) -> RResult<R, PluginError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => RResult::ROk(value),
        Ok(Err(e)) => RResult::RErr(e.into()),
        Err(payload) => RResult::RErr(PluginError {
            kind: ErrorKind::Panic,
            message: format!(
                "plugin panicked in {what}: {}",
                panic_message(payload.as_ref())
            )
            .into(),
        }),
    }
}

/// Source and sink connectors share one life cycle; this erases the difference.
trait AnyConnector: Send + 'static {
    fn config(&self) -> ConfigDef;
    fn validate(&self, props: &Props) -> Vec<ConfigValue>;
    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError>;
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError>;
    fn stop(&mut self) -> Result<(), ConnectError>;
}

struct Source<C>(C);
struct Sink<C>(C);

macro_rules! any_connector {
    ($wrapper:ident, $bound:ident) => {
        impl<C: $bound> AnyConnector for $wrapper<C> {
            fn config(&self) -> ConfigDef {
                self.0.config()
            }
            fn validate(&self, props: &Props) -> Vec<ConfigValue> {
                self.0.validate(props)
            }
            fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError> {
                self.0.start(props, ctx)
            }
            fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
                self.0.task_configs(max_tasks)
            }
            fn stop(&mut self) -> Result<(), ConnectError> {
                self.0.stop()
            }
        }
    };
}
any_connector!(Source, SourceConnector);
any_connector!(Sink, SinkConnector);

struct ConnectorAdapter<C> {
    inner: C,
    ctx: Option<ConnectorContext>,
}

impl<C: AnyConnector> ConnectorFfi for ConnectorAdapter<C> {
    fn config(&self) -> RResult<ConfigDef, PluginError> {
        guard("config", || Ok(self.inner.config()))
    }
    fn validate(&self, props: RVec<KeyValue>) -> RResult<RVec<ConfigValue>, PluginError> {
        guard("validate", || {
            Ok(self.inner.validate(&props_from_ffi(&props)).into())
        })
    }
    fn start(
        &mut self,
        props: RVec<KeyValue>,
        ctx: HostConnectorContextBox,
    ) -> RResult<(), PluginError> {
        guard("start", || {
            let ctx = self.ctx.insert(ConnectorContext::new(ctx));
            self.inner.start(&props_from_ffi(&props), ctx)
        })
    }
    fn task_configs(&mut self, max_tasks: u32) -> RResult<RVec<RVec<KeyValue>>, PluginError> {
        guard("task_configs", || {
            let configs = self.inner.task_configs(max_tasks as usize)?;
            Ok(configs.iter().map(props_to_ffi).collect())
        })
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        guard("stop", || self.inner.stop())
    }
}

/// Makes a source connector instance; used by [`crate::export_plugins!`].
pub fn make_source_connector<C: SourceConnector + Default>(
    _task_class: &'static str,
) -> ConnectorBox {
    ConnectorFfi_TO::from_value(
        ConnectorAdapter {
            inner: Source(C::default()),
            ctx: None,
        },
        TD_Opaque,
    )
}

/// Makes a sink connector instance; used by [`crate::export_plugins!`].
pub fn make_sink_connector<C: SinkConnector + Default>(_task_class: &'static str) -> ConnectorBox {
    ConnectorFfi_TO::from_value(
        ConnectorAdapter {
            inner: Sink(C::default()),
            ctx: None,
        },
        TD_Opaque,
    )
}

struct SourceTaskAdapter<T> {
    inner: T,
    ctx: Option<SourceTaskContext>,
}

fn not_started() -> ConnectError {
    ConnectError::new("the task was called before start")
}

impl<T: SourceTask> SourceTaskFfi for SourceTaskAdapter<T> {
    fn start(
        &mut self,
        props: RVec<KeyValue>,
        ctx: HostSourceTaskContextBox,
    ) -> RResult<(), PluginError> {
        guard("start", || {
            let ctx = self.ctx.insert(SourceTaskContext::new(ctx));
            self.inner.start(&props_from_ffi(&props), ctx)
        })
    }
    fn poll(&mut self) -> RResult<RVec<SourceRecord>, PluginError> {
        guard("poll", || {
            let ctx = self.ctx.as_ref().ok_or_else(not_started)?;
            Ok(self.inner.poll(ctx)?.into())
        })
    }
    fn commit(&mut self) -> RResult<(), PluginError> {
        guard("commit", || self.inner.commit())
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        guard("stop", || self.inner.stop())
    }
}

/// Makes a source task instance; used by [`crate::export_plugins!`].
pub fn make_source_task<T: SourceTask + Default>() -> SourceTaskBox {
    SourceTaskFfi_TO::from_value(
        SourceTaskAdapter {
            inner: T::default(),
            ctx: None,
        },
        TD_Opaque,
    )
}

struct SinkTaskAdapter<T> {
    inner: T,
    ctx: Option<SinkTaskContext>,
}

impl<T: SinkTask> SinkTaskFfi for SinkTaskAdapter<T> {
    fn start(
        &mut self,
        props: RVec<KeyValue>,
        ctx: HostSinkTaskContextBox,
    ) -> RResult<(), PluginError> {
        guard("start", || {
            let ctx = self.ctx.insert(SinkTaskContext::new(ctx));
            self.inner.start(&props_from_ffi(&props), ctx)
        })
    }
    fn open(&mut self, partitions: RVec<TopicPartition>) -> RResult<(), PluginError> {
        guard("open", || self.inner.open(partitions.into_vec()))
    }
    fn put(&mut self, records: RSlice<'_, SinkRecord>) -> RResult<(), PluginError> {
        guard("put", || {
            let ctx = self.ctx.as_ref().ok_or_else(not_started)?;
            self.inner.put(records.as_slice(), ctx)
        })
    }
    fn flush(&mut self, offsets: RVec<TopicPartitionOffset>) -> RResult<(), PluginError> {
        guard("flush", || self.inner.flush(&offsets))
    }
    fn pre_commit(
        &mut self,
        offsets: RVec<TopicPartitionOffset>,
    ) -> RResult<RVec<TopicPartitionOffset>, PluginError> {
        guard("pre_commit", || {
            Ok(self.inner.pre_commit(offsets.into_vec())?.into())
        })
    }
    fn close(&mut self, partitions: RVec<TopicPartition>) -> RResult<(), PluginError> {
        guard("close", || self.inner.close(partitions.into_vec()))
    }
    fn stop(&mut self) -> RResult<(), PluginError> {
        guard("stop", || self.inner.stop())
    }
}

/// Makes a sink task instance; used by [`crate::export_plugins!`].
pub fn make_sink_task<T: SinkTask + Default>() -> SinkTaskBox {
    SinkTaskFfi_TO::from_value(
        SinkTaskAdapter {
            inner: T::default(),
            ctx: None,
        },
        TD_Opaque,
    )
}

struct TransformationAdapter<T>(T);

impl<T: Transformation> TransformationFfi for TransformationAdapter<T> {
    fn config(&self) -> RResult<ConfigDef, PluginError> {
        guard("config", || Ok(self.0.config()))
    }
    fn configure(&mut self, props: RVec<KeyValue>) -> RResult<(), PluginError> {
        guard("configure", || self.0.configure(&props_from_ffi(&props)))
    }
    fn apply_batch(
        &mut self,
        records: RVec<ConnectRecord>,
    ) -> RVec<RResult<ROption<ConnectRecord>, PluginError>> {
        // Each record is guarded on its own: a panic fails that record, not the batch.
        records
            .into_iter()
            .map(|r| guard("apply", || self.0.apply(r).map(ROption::from)))
            .collect()
    }
}

/// Makes a transformation instance; used by [`crate::export_plugins!`].
pub fn make_transformation<T: Transformation + Default>() -> TransformationBox {
    TransformationFfi_TO::from_value(TransformationAdapter(T::default()), TD_Opaque)
}

struct ConverterAdapter<C>(C);

impl<C: Converter> ConverterFfi for ConverterAdapter<C> {
    fn config(&self) -> RResult<ConfigDef, PluginError> {
        guard("config", || Ok(self.0.config()))
    }
    fn configure(&mut self, props: RVec<KeyValue>, is_key: bool) -> RResult<(), PluginError> {
        guard("configure", || {
            self.0.configure(&props_from_ffi(&props), is_key)
        })
    }
    fn from_connect(
        &self,
        topic: RStr<'_>,
        schema: ROption<&Schema>,
        value: &Value,
    ) -> RResult<ROption<RVec<u8>>, PluginError> {
        guard("from_connect", || {
            let bytes = self
                .0
                .from_connect(topic.as_str(), schema.into_option(), value)?;
            Ok(bytes.map(RVec::from).into())
        })
    }
    fn to_connect(
        &self,
        topic: RStr<'_>,
        bytes: ROption<RSlice<'_, u8>>,
    ) -> RResult<Tuple2<ROption<Schema>, Value>, PluginError> {
        guard("to_connect", || {
            let bytes = bytes.into_option().map(|b| b.as_slice());
            let (schema, value) = self.0.to_connect(topic.as_str(), bytes)?;
            Ok(Tuple2(schema.into(), value))
        })
    }
}

/// Makes a converter instance; used by [`crate::export_plugins!`].
pub fn make_converter<C: Converter + Default>() -> ConverterBox {
    ConverterFfi_TO::from_value(ConverterAdapter(C::default()), TD_Opaque)
}

struct PredicateAdapter<P>(P);

impl<P: Predicate> PredicateFfi for PredicateAdapter<P> {
    fn config(&self) -> RResult<ConfigDef, PluginError> {
        guard("config", || Ok(self.0.config()))
    }
    fn configure(&mut self, props: RVec<KeyValue>) -> RResult<(), PluginError> {
        guard("configure", || self.0.configure(&props_from_ffi(&props)))
    }
    fn test_batch(
        &mut self,
        records: RSlice<'_, ConnectRecord>,
    ) -> RVec<RResult<bool, PluginError>> {
        records
            .iter()
            .map(|r| guard("test", || self.0.test(r)))
            .collect()
    }
}

/// Makes a predicate instance; used by [`crate::export_plugins!`].
pub fn make_predicate<P: Predicate + Default>() -> PredicateBox {
    PredicateFfi_TO::from_value(PredicateAdapter(P::default()), TD_Opaque)
}

struct HeaderConverterAdapter<C>(C);

impl<C: HeaderConverter> HeaderConverterFfi for HeaderConverterAdapter<C> {
    fn config(&self) -> RResult<ConfigDef, PluginError> {
        guard("config", || Ok(self.0.config()))
    }
    fn configure(&mut self, props: RVec<KeyValue>) -> RResult<(), PluginError> {
        guard("configure", || self.0.configure(&props_from_ffi(&props)))
    }
    fn from_connect_header(
        &self,
        topic: RStr<'_>,
        header: RStr<'_>,
        schema: ROption<&Schema>,
        value: &Value,
    ) -> RResult<ROption<RVec<u8>>, PluginError> {
        guard("from_connect_header", || {
            let bytes = self.0.from_connect_header(
                topic.as_str(),
                header.as_str(),
                schema.into_option(),
                value,
            )?;
            Ok(bytes.map(RVec::from).into())
        })
    }
    fn to_connect_header(
        &self,
        topic: RStr<'_>,
        header: RStr<'_>,
        bytes: ROption<RSlice<'_, u8>>,
    ) -> RResult<Tuple2<ROption<Schema>, Value>, PluginError> {
        guard("to_connect_header", || {
            let bytes = bytes.into_option().map(|b| b.as_slice());
            let (schema, value) =
                self.0
                    .to_connect_header(topic.as_str(), header.as_str(), bytes)?;
            Ok(Tuple2(schema.into(), value))
        })
    }
}

/// Makes a header converter instance; used by [`crate::export_plugins!`].
pub fn make_header_converter<C: HeaderConverter + Default>() -> HeaderConverterBox {
    HeaderConverterFfi_TO::from_value(HeaderConverterAdapter(C::default()), TD_Opaque)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_a_panic_into_an_error() {
        let result: RResult<(), PluginError> = guard("poll", || panic!("boom"));
        let err = result.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Panic);
        assert_eq!(err.message.as_str(), "plugin panicked in poll: boom");
    }

    #[test]
    fn guard_passes_errors_through() {
        let result: RResult<(), PluginError> =
            guard("poll", || Err(ConnectError::retriable("later")));
        assert_eq!(result.unwrap_err().kind, ErrorKind::Retriable);
    }
}
