//! [`export_plugins!`]: makes a `cdylib` loadable by the worker.

/// Exports a library's plugin classes under their (Java-style) class names.
///
/// Call it once per library, at the crate's top level. Each connector names its task class;
/// converters, transformations and predicates stand alone. Every type implements `Default`:
/// the worker makes a fresh instance for each use. Versions are the plugin crate's
/// `CARGO_PKG_VERSION`.
///
/// ```
/// # use plugin_abi::prelude::*;
/// # #[derive(Default)] struct CounterConnector;
/// # impl SourceConnector for CounterConnector {
/// #     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// #     fn start(&mut self, _: &Props, _: &ConnectorContext) -> Result<(), ConnectError> { Ok(()) }
/// #     fn task_configs(&mut self, _: usize) -> Result<Vec<Props>, ConnectError> { Ok(vec![]) }
/// # }
/// # #[derive(Default)] struct CounterTask;
/// # impl SourceTask for CounterTask {
/// #     fn start(&mut self, _: &Props, _: &SourceTaskContext) -> Result<(), ConnectError> { Ok(()) }
/// #     fn poll(&mut self, _: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
/// #         Ok(vec![])
/// #     }
/// # }
/// # #[derive(Default)] struct LogConnector;
/// # impl SinkConnector for LogConnector {
/// #     fn config(&self) -> ConfigDef { ConfigDef::new() }
/// #     fn start(&mut self, _: &Props, _: &ConnectorContext) -> Result<(), ConnectError> { Ok(()) }
/// #     fn task_configs(&mut self, _: usize) -> Result<Vec<Props>, ConnectError> { Ok(vec![]) }
/// # }
/// # #[derive(Default)] struct LogTask;
/// # impl SinkTask for LogTask {
/// #     fn start(&mut self, _: &Props, _: &SinkTaskContext) -> Result<(), ConnectError> { Ok(()) }
/// #     fn put(&mut self, _: &[SinkRecord], _: &SinkTaskContext) -> Result<(), ConnectError> {
/// #         Ok(())
/// #     }
/// # }
/// # #[derive(Default)] struct Uppercase;
/// # impl Transformation for Uppercase {
/// #     fn configure(&mut self, _: &Props) -> Result<(), ConnectError> { Ok(()) }
/// #     fn apply(&mut self, r: ConnectRecord) -> Result<Option<ConnectRecord>, ConnectError> {
/// #         Ok(Some(r))
/// #     }
/// # }
/// # #[derive(Default)] struct Rot13;
/// # impl Converter for Rot13 {
/// #     fn configure(&mut self, _: &Props, _: bool) -> Result<(), ConnectError> { Ok(()) }
/// #     fn from_connect(&self, _: &str, _: Option<&Schema>, _: &Value)
/// #         -> Result<Option<Vec<u8>>, ConnectError> { Ok(None) }
/// #     fn to_connect(&self, _: &str, _: Option<&[u8]>)
/// #         -> Result<(Option<Schema>, Value), ConnectError> { Ok((None, Value::Null)) }
/// # }
/// # #[derive(Default)] struct IsEven;
/// # impl Predicate for IsEven {
/// #     fn configure(&mut self, _: &Props) -> Result<(), ConnectError> { Ok(()) }
/// #     fn test(&mut self, _: &ConnectRecord) -> Result<bool, ConnectError> { Ok(true) }
/// # }
/// # #[derive(Default)] struct HexHeaders;
/// # impl HeaderConverter for HexHeaders {
/// #     fn configure(&mut self, _: &Props) -> Result<(), ConnectError> { Ok(()) }
/// #     fn from_connect_header(&self, _: &str, _: &str, _: Option<&Schema>, _: &Value)
/// #         -> Result<Option<Vec<u8>>, ConnectError> { Ok(None) }
/// #     fn to_connect_header(&self, _: &str, _: &str, _: Option<&[u8]>)
/// #         -> Result<(Option<Schema>, Value), ConnectError> { Ok((None, Value::Null)) }
/// # }
/// plugin_abi::export_plugins! {
///     source "com.example.CounterSourceConnector" => CounterConnector {
///         task "com.example.CounterSourceTask" => CounterTask
///     }
///     sink "com.example.LogSinkConnector" => LogConnector {
///         task "com.example.LogSinkTask" => LogTask
///     }
///     transformation "com.example.Uppercase" => Uppercase
///     converter "com.example.Rot13Converter" => Rot13
///     predicate "com.example.IsEven" => IsEven
///     header_converter "com.example.HexHeaders" => HexHeaders
/// }
/// ```
///
/// The generated functions catch every panic: a plugin can fail, never abort the worker.
#[macro_export]
macro_rules! export_plugins {
    ($( $kind:ident $class:literal => $main:ty $({ task $task_class:literal => $task:ty })? )+) => {
        const __CONNECT_PLUGIN_ENTRIES: &[$crate::ffi::PluginEntry] = &[
            $(
                $crate::__connect_plugin_entry!(main $kind $class, $main $(, $task_class)?),
                $( $crate::__connect_plugin_entry!(task $kind $task_class, $task), )?
            )+
        ];

        extern "C" fn __connect_plugin_init(host: $crate::ffi::HostServices) {
            $crate::__init_library(host)
        }

        extern "C" fn __connect_plugin_set_max_level(level: $crate::ffi::LogLevel) {
            $crate::__set_max_level(level)
        }

        extern "C" fn __connect_plugin_new_transformation(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::TransformationBox, $crate::ffi::PluginError> {
            $crate::ffi::new_transformation(__CONNECT_PLUGIN_ENTRIES, class)
        }

        extern "C" fn __connect_plugin_new_converter(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::ConverterBox, $crate::ffi::PluginError> {
            $crate::ffi::new_converter(__CONNECT_PLUGIN_ENTRIES, class)
        }

        extern "C" fn __connect_plugin_new_predicate(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::PredicateBox, $crate::ffi::PluginError> {
            $crate::ffi::new_predicate(__CONNECT_PLUGIN_ENTRIES, class)
        }

        extern "C" fn __connect_plugin_new_header_converter(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::HeaderConverterBox, $crate::ffi::PluginError> {
            $crate::ffi::new_header_converter(__CONNECT_PLUGIN_ENTRIES, class)
        }

        extern "C" fn __connect_plugin_list(
        ) -> $crate::ffi::abi_stable::std_types::RVec<$crate::ffi::PluginDescriptor> {
            $crate::ffi::describe(__CONNECT_PLUGIN_ENTRIES)
        }

        extern "C" fn __connect_plugin_new_connector(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::ConnectorBox, $crate::ffi::PluginError> {
            $crate::ffi::new_connector(__CONNECT_PLUGIN_ENTRIES, class)
        }

        extern "C" fn __connect_plugin_new_source_task(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::SourceTaskBox, $crate::ffi::PluginError> {
            $crate::ffi::new_source_task(__CONNECT_PLUGIN_ENTRIES, class)
        }

        extern "C" fn __connect_plugin_new_sink_task(
            class: $crate::ffi::abi_stable::std_types::RStr<'_>,
        ) -> $crate::ffi::abi_stable::std_types::RResult<$crate::ffi::SinkTaskBox, $crate::ffi::PluginError> {
            $crate::ffi::new_sink_task(__CONNECT_PLUGIN_ENTRIES, class)
        }

        fn __connect_plugin_root_module() -> $crate::ffi::PluginModuleRef {
            use $crate::ffi::abi_stable::prefix_type::PrefixTypeTrait;
            $crate::ffi::PluginModule {
                init: __connect_plugin_init,
                plugins: __connect_plugin_list,
                new_connector: __connect_plugin_new_connector,
                new_source_task: __connect_plugin_new_source_task,
                new_sink_task: __connect_plugin_new_sink_task,
                set_max_level: __connect_plugin_set_max_level,
                new_transformation: __connect_plugin_new_transformation,
                new_converter: __connect_plugin_new_converter,
                new_predicate: __connect_plugin_new_predicate,
                new_header_converter: __connect_plugin_new_header_converter,
            }
            .leak_into_prefix()
        }

        // What `#[abi_stable::export_root_module]` generates, spelled with `$crate` paths
        // so plugin crates need no direct `abi_stable` dependency. The name is
        // `plugin_abi::ffi::ROOT_MODULE_SYMBOL` (checked by a test).
        #[doc(hidden)]
        #[export_name = "_1as_0lib_1header_0root_bmodule_bloader"]
        pub static __CONNECT_PLUGIN_LIB_HEADER: $crate::ffi::abi_stable::library::LibHeader = {
            extern "C" fn erased_root_module() -> $crate::ffi::abi_stable::library::RootModuleResult {
                $crate::ffi::abi_stable::library::__call_root_module_loader(__connect_plugin_root_module)
            }
            // SAFETY: the constructor returns the `PluginModuleRef` named here.
            unsafe {
                $crate::ffi::abi_stable::library::LibHeader::from_constructor::<$crate::ffi::PluginModuleRef>(
                    erased_root_module,
                    $crate::ffi::abi_stable::library::CheckTypeLayout::Yes,
                )
            }
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __connect_plugin_entry {
    (main header_converter $class:literal, $ty:ty) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::HeaderConverter,
            version: env!("CARGO_PKG_VERSION"),
            task_class: "",
            factory: $crate::ffi::Factory::HeaderConverter(
                $crate::ffi::make_header_converter::<$ty>,
            ),
        }
    };
    (main predicate $class:literal, $ty:ty) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::Predicate,
            version: env!("CARGO_PKG_VERSION"),
            task_class: "",
            factory: $crate::ffi::Factory::Predicate($crate::ffi::make_predicate::<$ty>),
        }
    };
    (main converter $class:literal, $ty:ty) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::Converter,
            version: env!("CARGO_PKG_VERSION"),
            task_class: "",
            factory: $crate::ffi::Factory::Converter($crate::ffi::make_converter::<$ty>),
        }
    };
    (main transformation $class:literal, $ty:ty) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::Transformation,
            version: env!("CARGO_PKG_VERSION"),
            task_class: "",
            factory: $crate::ffi::Factory::Transformation($crate::ffi::make_transformation::<$ty>),
        }
    };
    (main source $class:literal, $ty:ty, $task_class:literal) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::Source,
            version: env!("CARGO_PKG_VERSION"),
            task_class: $task_class,
            factory: $crate::ffi::Factory::Connector($crate::ffi::make_source_connector::<$ty>),
        }
    };
    (main sink $class:literal, $ty:ty, $task_class:literal) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::Sink,
            version: env!("CARGO_PKG_VERSION"),
            task_class: $task_class,
            factory: $crate::ffi::Factory::Connector($crate::ffi::make_sink_connector::<$ty>),
        }
    };
    (task source $class:literal, $ty:ty) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::SourceTask,
            version: env!("CARGO_PKG_VERSION"),
            task_class: "",
            factory: $crate::ffi::Factory::SourceTask($crate::ffi::make_source_task::<$ty>),
        }
    };
    (task sink $class:literal, $ty:ty) => {
        $crate::ffi::PluginEntry {
            class: $class,
            kind: $crate::ffi::PluginKind::SinkTask,
            version: env!("CARGO_PKG_VERSION"),
            task_class: "",
            factory: $crate::ffi::Factory::SinkTask($crate::ffi::make_sink_task::<$ty>),
        }
    };
}

/// Called by the generated `set_max_level`; never unwinds.
#[doc(hidden)]
pub fn __set_max_level(level: crate::ffi::LogLevel) {
    let _ = std::panic::catch_unwind(|| crate::logging::set_max_level(level));
}

/// Called by the generated `init`: installs the host's logger, never unwinds.
#[doc(hidden)]
pub fn __init_library(host: crate::ffi::HostServices) {
    let _ = std::panic::catch_unwind(|| crate::logging::init(host));
}
