//! The binary interface between the worker and a plugin library.
//!
//! Plugin authors do not use this module: [`crate::export_plugins!`] generates the glue.
//! It is public for that generated code, which runs inside the plugin's crate (the
//! `make_*` and `new_*` functions, [`PluginEntry`], [`PluginModule`]), and for the worker,
//! which loads libraries and calls them through the `*Ffi` trait objects, handing them its
//! `Host*Context` implementations. [`crate::testing`] plays the worker's part in-process.
//!
//! Rules that keep old plugins loading as the ABI grows:
//! - the root module [`PluginModule`] is an `abi_stable` prefix type: new fields go after
//!   the last one and are optional for older libraries;
//! - trait objects ([`ConnectorFfi`], [`SourceTaskFfi`], [`SinkTaskFfi`] and the host's
//!   contexts) grow only by appending methods after their `last_prefix_field`;
//! - everything else is frozen: changing a type here is a breaking (major) change, and
//!   `abi_stable` refuses libraries built against an incompatible layout at load time.

mod adapters;
mod traits;

pub use abi_stable;
pub use adapters::{
    describe, make_converter, make_header_converter, make_predicate, make_sink_connector,
    make_sink_task, make_source_connector, make_source_task, make_transformation, new_connector,
    new_converter, new_header_converter, new_predicate, new_sink_task, new_source_task,
    new_transformation, Factory, PluginEntry,
};
pub use traits::*;

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, RResult, RStr, RString, RVec};
use abi_stable::{declare_root_module_statics, package_version_strings, StableAbi};

use crate::errors::ErrorKind;

/// The exported symbol under which every plugin library publishes its [`PluginModule`];
/// `abi_stable`'s loader looks it up by this name.
pub const ROOT_MODULE_SYMBOL: &str = "_1as_0lib_1header_0root_bmodule_bloader";

/// An error crossing the ABI: the stable form of [`ConnectError`](crate::errors::ConnectError),
/// into and from which it converts.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PluginError {
    /// What the worker does about it.
    pub kind: ErrorKind,
    /// What went wrong.
    pub message: RString,
}

impl From<crate::errors::ConnectError> for PluginError {
    fn from(e: crate::errors::ConnectError) -> Self {
        PluginError {
            kind: e.kind,
            message: e.message.into(),
        }
    }
}

impl From<PluginError> for crate::errors::ConnectError {
    fn from(e: PluginError) -> Self {
        crate::errors::ConnectError {
            kind: e.kind,
            message: e.message.into(),
        }
    }
}

/// What a plugin class is.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginKind {
    /// A [`SourceConnector`](crate::connector::SourceConnector).
    Source,
    /// A [`SinkConnector`](crate::connector::SinkConnector).
    Sink,
    /// A [`SourceTask`](crate::source::SourceTask).
    SourceTask,
    /// A [`SinkTask`](crate::sink::SinkTask).
    SinkTask,
    /// A [`Converter`](crate::convert::Converter).
    Converter,
    /// A [`HeaderConverter`](crate::convert::HeaderConverter).
    HeaderConverter,
    /// A [`Transformation`](crate::transform::Transformation).
    Transformation,
    /// A [`Predicate`](crate::transform::Predicate).
    Predicate,
}

impl PluginKind {
    /// The `type` Kafka Connect's REST API shows (`"source"`, `"sink"` …).
    pub fn rest_name(self) -> &'static str {
        match self {
            PluginKind::Source => "source",
            PluginKind::Sink => "sink",
            PluginKind::SourceTask => "source_task",
            PluginKind::SinkTask => "sink_task",
            PluginKind::Converter => "converter",
            PluginKind::HeaderConverter => "header_converter",
            PluginKind::Transformation => "transformation",
            PluginKind::Predicate => "predicate",
        }
    }
}

/// One class a library exports.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PluginDescriptor {
    /// Fully qualified class name, e.g. `org.apache.kafka.connect.file.FileStreamSourceConnector`.
    pub class: RString,
    /// What the class is, so the worker knows which constructor of [`PluginModule`] to call.
    pub kind: PluginKind,
    /// The plugin's version (its crate's), shown by the REST API and used to choose among
    /// installed versions.
    pub version: RString,
    /// For connectors, the class of their tasks; empty otherwise.
    pub task_class: RString,
}

/// A key/value pair of a configuration.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct KeyValue {
    /// The property name.
    pub key: RString,
    /// Its value.
    pub value: RString,
}

/// Converts a configuration to its ABI form.
pub fn props_to_ffi(props: &crate::Props) -> RVec<KeyValue> {
    props
        .iter()
        .map(|(k, v)| KeyValue {
            key: k.as_str().into(),
            value: v.as_str().into(),
        })
        .collect()
}

/// Converts a configuration from its ABI form.
pub fn props_from_ffi(props: &RVec<KeyValue>) -> crate::Props {
    props
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect()
}

/// Log levels across the ABI, from the least verbose; `log`'s levels map onto them.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// `log::Level::Error`.
    Error = 1,
    /// `log::Level::Warn`.
    Warn,
    /// `log::Level::Info`.
    Info,
    /// `log::Level::Debug`.
    Debug,
    /// `log::Level::Trace`.
    Trace,
}

/// What the worker gives every library when it loads it.
#[repr(C)]
#[derive(StableAbi, Clone, Copy)]
pub struct HostServices {
    /// Writes a line into the worker's log, in the context (connector, task) of the
    /// calling thread.
    pub log: extern "C" fn(level: LogLevel, target: RStr<'_>, message: RStr<'_>),
    /// The most verbose level the worker records; the plugin skips formatting the rest.
    pub max_level: LogLevel,
}

/// A connector instance across the ABI.
pub type ConnectorBox = ConnectorFfi_TO<'static, RBox<()>>;
/// A source task instance across the ABI.
pub type SourceTaskBox = SourceTaskFfi_TO<'static, RBox<()>>;
/// A sink task instance across the ABI.
pub type SinkTaskBox = SinkTaskFfi_TO<'static, RBox<()>>;
/// A transformation instance across the ABI.
pub type TransformationBox = TransformationFfi_TO<'static, RBox<()>>;
/// A converter instance across the ABI.
pub type ConverterBox = ConverterFfi_TO<'static, RBox<()>>;
/// A predicate instance across the ABI.
pub type PredicateBox = PredicateFfi_TO<'static, RBox<()>>;
/// A header converter instance across the ABI.
pub type HeaderConverterBox = HeaderConverterFfi_TO<'static, RBox<()>>;

/// The root module every plugin library exports.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
#[sabi(missing_field(panic))]
pub struct PluginModule {
    /// Called once, right after loading, before anything else.
    pub init: extern "C" fn(host: HostServices),
    /// The classes this library exports.
    pub plugins: extern "C" fn() -> RVec<PluginDescriptor>,
    /// Instantiates an exported source or sink connector.
    pub new_connector: extern "C" fn(class: RStr<'_>) -> RResult<ConnectorBox, PluginError>,
    /// Instantiates an exported source task.
    pub new_source_task: extern "C" fn(class: RStr<'_>) -> RResult<SourceTaskBox, PluginError>,
    /// Instantiates an exported sink task. The last field every library has.
    #[sabi(last_prefix_field)]
    pub new_sink_task: extern "C" fn(class: RStr<'_>) -> RResult<SinkTaskBox, PluginError>,
    /// Changes the most verbose level the library sends (the worker's log level changed at
    /// run time). Appended after the last prefix field: libraries built before it lack it,
    /// and the worker then leaves their level as it was at load.
    #[sabi(missing_field(option))]
    pub set_max_level: extern "C" fn(level: LogLevel),
    /// Instantiates an exported transformation. Appended like `set_max_level`: absent in
    /// libraries built before transformations could be plugins.
    #[sabi(missing_field(option))]
    pub new_transformation:
        extern "C" fn(class: RStr<'_>) -> RResult<TransformationBox, PluginError>,
    /// Instantiates an exported converter (appended as `new_transformation`).
    #[sabi(missing_field(option))]
    pub new_converter: extern "C" fn(class: RStr<'_>) -> RResult<ConverterBox, PluginError>,
    /// Instantiates an exported predicate (appended as `new_transformation`).
    #[sabi(missing_field(option))]
    pub new_predicate: extern "C" fn(class: RStr<'_>) -> RResult<PredicateBox, PluginError>,
    /// Instantiates an exported header converter (appended as `new_transformation`).
    #[sabi(missing_field(option))]
    pub new_header_converter:
        extern "C" fn(class: RStr<'_>) -> RResult<HeaderConverterBox, PluginError>,
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}
    const BASE_NAME: &'static str = "connect_plugin";
    const NAME: &'static str = "connect_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_module_symbol_is_abi_stables() {
        assert_eq!(
            super::ROOT_MODULE_SYMBOL,
            abi_stable::library::ROOT_MODULE_LOADER_NAME
        );
    }
}
