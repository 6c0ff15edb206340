//! The registry of plugin classes: connectors from libraries, converters built in.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use abi_stable::std_types::{RResult, RStr};
use plugin_abi::ffi::{
    ConnectorBox, ConverterBox, HeaderConverterBox, PluginDescriptor, PluginKind, PluginModuleRef,
    PredicateBox, SinkTaskBox, SourceTaskBox, TransformationBox,
};

use super::aliases::aliases_of;
use super::loader::{load_library, scan_plugin_path, LoadError};
use crate::data::BUILT_IN_CONVERTERS;

/// Where a plugin class comes from.
#[derive(Clone)]
pub enum PluginSource {
    BuiltIn,
    Library {
        path: PathBuf,
        module: PluginModuleRef,
    },
}

/// One registered class.
#[derive(Clone)]
pub struct PluginInfo {
    pub class: String,
    pub kind: PluginKind,
    pub version: String,
    /// A connector's task class.
    pub task_class: String,
    pub aliases: Vec<String>,
    pub source: PluginSource,
}

impl PluginInfo {
    /// The library file, or `built-in`.
    pub fn location(&self) -> String {
        match &self.source {
            PluginSource::BuiltIn => "built-in".to_string(),
            PluginSource::Library { path, .. } => path.display().to_string(),
        }
    }

    fn module(&self) -> Result<PluginModuleRef, String> {
        match &self.source {
            PluginSource::Library { module, .. } => Ok(*module),
            PluginSource::BuiltIn => {
                Err(format!("{} is built in, not a library class", self.class))
            }
        }
    }

    pub fn is_connector(&self) -> bool {
        matches!(self.kind, PluginKind::Source | PluginKind::Sink)
    }

    /// A new connector instance.
    pub fn new_connector(&self) -> Result<ConnectorBox, String> {
        let module = self.module()?;
        into_result((module.new_connector())(RStr::from(self.class.as_str())))
    }

    /// A new instance of this transformation class.
    pub fn new_transformation(&self) -> Result<TransformationBox, String> {
        let module = self.module()?;
        let make = module.new_transformation().ok_or_else(|| {
            format!(
                "{} was built against an older plugin-abi without transformations",
                self.location()
            )
        })?;
        into_result(make(RStr::from(self.class.as_str())))
    }

    /// A new instance of this converter class.
    pub fn new_converter(&self) -> Result<ConverterBox, String> {
        let module = self.module()?;
        let make = module.new_converter().ok_or_else(|| {
            format!(
                "{} was built against an older plugin-abi without converters",
                self.location()
            )
        })?;
        into_result(make(RStr::from(self.class.as_str())))
    }

    /// A new instance of this header converter class.
    pub fn new_header_converter(&self) -> Result<HeaderConverterBox, String> {
        let module = self.module()?;
        let make = module.new_header_converter().ok_or_else(|| {
            format!(
                "{} was built against an older plugin-abi without header converters",
                self.location()
            )
        })?;
        into_result(make(RStr::from(self.class.as_str())))
    }

    /// A new instance of this predicate class.
    pub fn new_predicate(&self) -> Result<PredicateBox, String> {
        let module = self.module()?;
        let make = module.new_predicate().ok_or_else(|| {
            format!(
                "{} was built against an older plugin-abi without predicates",
                self.location()
            )
        })?;
        into_result(make(RStr::from(self.class.as_str())))
    }

    /// A new instance of this source connector's task class.
    pub fn new_source_task(&self) -> Result<SourceTaskBox, String> {
        let module = self.module()?;
        into_result((module.new_source_task())(RStr::from(
            self.task_class.as_str(),
        )))
    }

    /// A new instance of this sink connector's task class.
    pub fn new_sink_task(&self) -> Result<SinkTaskBox, String> {
        let module = self.module()?;
        into_result((module.new_sink_task())(RStr::from(
            self.task_class.as_str(),
        )))
    }
}

fn into_result<T>(r: RResult<T, plugin_abi::ffi::PluginError>) -> Result<T, String> {
    r.into_result().map_err(|e| e.message.into_string())
}

fn alias_suffix(kind: PluginKind) -> &'static str {
    match kind {
        PluginKind::Source | PluginKind::Sink => "Connector",
        PluginKind::Converter => "Converter",
        PluginKind::HeaderConverter => "HeaderConverter",
        PluginKind::Transformation => "Transformation",
        PluginKind::Predicate => "Predicate",
        PluginKind::SourceTask | PluginKind::SinkTask => "Task",
    }
}

/// Orders versions numerically where they are numbers (`1.10.0` after `1.9.2`).
fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<(u64, String)> {
        v.split(['.', '-', '+'])
            .map(|p| (p.parse::<u64>().unwrap_or(0), p.to_string()))
            .collect()
    };
    parts(a).cmp(&parts(b))
}

/// Every plugin class the worker knows.
#[derive(Clone, Default)]
pub struct PluginRegistry {
    plugins: Vec<Arc<PluginInfo>>,
}

impl PluginRegistry {
    /// The built-ins plus every library under `plugin_path`; a bad file is skipped with a WARN.
    pub fn load(plugin_path: &[PathBuf]) -> PluginRegistry {
        let mut registry = PluginRegistry::default();
        for (class, _) in BUILT_IN_CONVERTERS {
            registry.add(
                PluginDescriptor {
                    class: (*class).into(),
                    kind: PluginKind::Converter,
                    version: env!("CARGO_PKG_VERSION").into(),
                    task_class: "".into(),
                },
                PluginSource::BuiltIn,
            );
        }
        // Kafka lists StringConverter as a header converter too.
        for class in [
            crate::data::SIMPLE_HEADER_CONVERTER,
            "org.apache.kafka.connect.storage.StringConverter",
        ] {
            registry.add(
                PluginDescriptor {
                    class: class.into(),
                    kind: PluginKind::HeaderConverter,
                    version: env!("CARGO_PKG_VERSION").into(),
                    task_class: "".into(),
                },
                PluginSource::BuiltIn,
            );
        }
        let transforms = crate::transforms::registry::transform_classes()
            .into_iter()
            .map(|c| (c, PluginKind::Transformation));
        let predicates = crate::transforms::registry::predicate_classes()
            .into_iter()
            .map(|c| (c, PluginKind::Predicate));
        for (class, kind) in transforms.chain(predicates) {
            registry.add(
                PluginDescriptor {
                    class: class.into(),
                    kind,
                    version: env!("CARGO_PKG_VERSION").into(),
                    task_class: "".into(),
                },
                PluginSource::BuiltIn,
            );
        }
        for file in scan_plugin_path(plugin_path) {
            match registry.add_library(&file) {
                Ok(count) => {
                    tracing::info!(file = %file.display(), "loaded plugin library with {count} classes")
                }
                Err(e) => tracing::warn!(file = %file.display(), "skipping plugin file: {e}"),
            }
        }
        registry
    }

    /// Loads one library and registers its classes; all or nothing.
    pub fn add_library(&mut self, path: &Path) -> Result<usize, LoadError> {
        let (module, descriptors) = load_library(path)?;
        for d in &descriptors {
            if let Some(existing) = self
                .plugins
                .iter()
                .find(|p| p.class == d.class.as_str() && p.version == d.version.as_str())
            {
                return Err(LoadError::Duplicate(
                    format!("{} version {}", d.class, d.version),
                    existing.location(),
                ));
            }
        }
        let count = descriptors.len();
        for d in descriptors {
            self.add(
                d,
                PluginSource::Library {
                    path: path.to_path_buf(),
                    module,
                },
            );
        }
        Ok(count)
    }

    fn add(&mut self, d: PluginDescriptor, source: PluginSource) {
        self.plugins.push(Arc::new(PluginInfo {
            aliases: match d.kind {
                PluginKind::SourceTask | PluginKind::SinkTask => Vec::new(),
                kind => aliases_of(d.class.as_str(), alias_suffix(kind)),
            },
            class: d.class.into_string(),
            kind: d.kind,
            version: d.version.into_string(),
            task_class: d.task_class.into_string(),
            source,
        }));
    }

    /// Tells every library the most verbose level the worker now records, so plugins
    /// neither drop lines the worker wants nor format lines it drops.
    pub fn set_plugin_log_level(&self, level: plugin_abi::ffi::LogLevel) {
        let mut seen: Vec<&Path> = Vec::new();
        for p in &self.plugins {
            if let PluginSource::Library { path, module } = &p.source {
                if seen.contains(&path.as_path()) {
                    continue;
                }
                seen.push(path);
                // Absent in libraries built before the field existed: they keep their level.
                if let Some(set) = module.set_max_level() {
                    set(level);
                }
            }
        }
    }

    /// Every class, tasks included.
    pub fn all(&self) -> &[Arc<PluginInfo>] {
        &self.plugins
    }

    /// The classes Kafka's REST API lists: everything but task classes, sorted by class.
    pub fn listed(&self, connectors_only: bool) -> Vec<Arc<PluginInfo>> {
        let mut listed: Vec<Arc<PluginInfo>> = self
            .plugins
            .iter()
            .filter(|p| {
                if connectors_only {
                    p.is_connector()
                } else {
                    !matches!(p.kind, PluginKind::SourceTask | PluginKind::SinkTask)
                }
            })
            .cloned()
            .collect();
        listed.sort_by(|a, b| {
            a.class
                .cmp(&b.class)
                .then_with(|| compare_versions(&b.version, &a.version))
        });
        listed
    }

    /// The newest transformation from a library whose class name or alias is `name`.
    pub fn find_transformation(&self, name: &str) -> Option<Arc<PluginInfo>> {
        self.find_library_class(PluginKind::Transformation, name)
    }

    /// The newest header converter from a library whose class name or alias is `name`.
    pub fn find_header_converter(&self, name: &str) -> Option<Arc<PluginInfo>> {
        self.find_library_class(PluginKind::HeaderConverter, name)
    }

    /// The newest predicate from a library whose class name or alias is `name`.
    pub fn find_predicate(&self, name: &str) -> Option<Arc<PluginInfo>> {
        self.find_library_class(PluginKind::Predicate, name)
    }

    /// The newest converter from a library whose class name or alias is `name`.
    pub fn find_converter(&self, name: &str) -> Option<Arc<PluginInfo>> {
        self.find_library_class(PluginKind::Converter, name)
    }

    fn find_library_class(&self, kind: PluginKind, name: &str) -> Option<Arc<PluginInfo>> {
        let library_transforms = || {
            self.plugins
                .iter()
                .filter(move |p| p.kind == kind && matches!(p.source, PluginSource::Library { .. }))
        };
        let exact: Vec<&Arc<PluginInfo>> =
            library_transforms().filter(|p| p.class == name).collect();
        let candidates = if exact.is_empty() {
            library_transforms()
                .filter(|p| p.aliases.iter().any(|a| a == name))
                .collect()
        } else {
            exact
        };
        candidates
            .into_iter()
            .max_by(|a, b| compare_versions(&a.version, &b.version))
            .cloned()
    }

    /// The newest connector whose class name or unambiguous alias is `name`.
    pub fn find_connector(&self, name: &str) -> Result<Arc<PluginInfo>, String> {
        let connectors: Vec<&Arc<PluginInfo>> =
            self.plugins.iter().filter(|p| p.is_connector()).collect();
        let mut matches: Vec<&Arc<PluginInfo>> = connectors
            .iter()
            .copied()
            .filter(|p| p.class == name)
            .collect();
        if matches.is_empty() {
            matches = connectors
                .iter()
                .copied()
                .filter(|p| p.aliases.iter().any(|a| a == name))
                .collect();
            let classes: HashSet<&str> = matches.iter().map(|p| p.class.as_str()).collect();
            if classes.len() > 1 {
                let mut classes: Vec<&str> = classes.into_iter().collect();
                classes.sort_unstable();
                return Err(format!(
                    "Connector alias {name} is ambiguous: it matches {}; use the full class name",
                    classes.join(", ")
                ));
            }
        }
        matches
            .into_iter()
            .max_by(|a, b| compare_versions(&a.version, &b.version))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "Failed to find any class that implements Connector and which name matches {name}, available connectors are: {}",
                    self.listed(true).iter().map(|p| format!("{} (version {})", p.class, p.version)).collect::<Vec<_>>().join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.10.0", "1.9.2"), Ordering::Greater);
        assert_eq!(compare_versions("2.0.0", "2.0.0"), Ordering::Equal);
    }

    #[test]
    fn an_unknown_connector_error_names_the_class() {
        let err = PluginRegistry::load(&[])
            .find_connector("com.example.Nope")
            .err()
            .unwrap();
        assert!(err.contains("com.example.Nope"), "{err}");
    }
}
