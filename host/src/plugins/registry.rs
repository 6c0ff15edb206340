//! The registry of plugin classes: connectors from libraries, converters built in.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use abi_stable::std_types::{RResult, RStr};
use plugin_abi::ffi::{
    ConnectorBox, ConverterBox, HeaderConverterBox, PluginDescriptor, PluginKind, PluginModuleRef,
    PredicateBox, SinkTaskBox, SourceTaskBox, TransformationBox,
};

use super::aliases::aliases_of;
use super::loader::{
    check_not_writable_by_others, load_library, scan_plugin_path, sha256_of, LoadError,
};
use super::verify::{check_in_child, CheckedClass};
use super::version::{compare_versions, VersionRange, BUILT_IN_VERSION};
use crate::data::BUILT_IN_CONVERTERS;

/// Where a plugin class comes from.
#[derive(Clone)]
pub enum PluginSource {
    BuiltIn,
    Library {
        path: PathBuf,
        module: PluginModuleRef,
        sha256: String,
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

    fn is_from(&self, file: &Path) -> bool {
        matches!(&self.source, PluginSource::Library { path, .. } if path == file)
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

/// What is known of a file under `plugin.path`, so a change to it can be told apart from
/// a repeated event.
#[derive(Clone, PartialEq)]
struct FileState {
    identity: FileIdentity,
    /// Set once the file was loaded (or refused after hashing).
    sha256: Option<String>,
    loaded: bool,
}

/// Cheap to read: inode, size and modification time.
#[derive(Clone, PartialEq, Debug)]
pub struct FileIdentity {
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl FileIdentity {
    pub fn of(path: &Path) -> Option<FileIdentity> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileIdentity {
            inode,
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// Every plugin class the worker knows. Classes are added while the worker runs (hot
/// discovery), so lookups take a snapshot; a running connector keeps the `PluginInfo` (and
/// so the library) it started with.
#[derive(Default)]
pub struct PluginRegistry {
    plugins: RwLock<Vec<Arc<PluginInfo>>>,
    files: Mutex<HashMap<PathBuf, FileState>>,
}

impl PluginRegistry {
    /// The built-ins plus every library under `plugin_path`; a bad file is skipped with a WARN.
    pub fn load(plugin_path: &[PathBuf]) -> PluginRegistry {
        let registry = PluginRegistry::with_built_ins();
        registry.load_files(&scan_plugin_path(plugin_path));
        registry
    }

    fn with_built_ins() -> PluginRegistry {
        let registry = PluginRegistry::default();
        let built_in = |class: &str, kind| PluginDescriptor {
            class: class.into(),
            kind,
            version: BUILT_IN_VERSION.into(),
            task_class: "".into(),
        };
        let mut descriptors: Vec<PluginDescriptor> = BUILT_IN_CONVERTERS
            .iter()
            .map(|(class, _)| built_in(class, PluginKind::Converter))
            .collect();
        // Kafka lists StringConverter as a header converter too.
        for class in [
            crate::data::SIMPLE_HEADER_CONVERTER,
            "org.apache.kafka.connect.storage.StringConverter",
        ] {
            descriptors.push(built_in(class, PluginKind::HeaderConverter));
        }
        for class in crate::transforms::registry::transform_classes() {
            descriptors.push(built_in(&class, PluginKind::Transformation));
        }
        for class in crate::transforms::registry::predicate_classes() {
            descriptors.push(built_in(&class, PluginKind::Predicate));
        }
        let mut plugins = registry.write();
        for d in descriptors {
            plugins.push(info(d, PluginSource::BuiltIn));
        }
        drop(plugins);
        registry
    }

    /// Checks and loads files found under `plugin.path` (each with its `plugin.path`
    /// entry): permissions first, then every file in one child process, hashing meanwhile,
    /// then the survivors in this process, in order.
    pub fn load_files(&self, files: &[(PathBuf, PathBuf)]) {
        let mut candidates = Vec::new();
        for (root, file) in files {
            match check_not_writable_by_others(root, file) {
                Ok(()) => candidates.push(file.clone()),
                Err(e) => self.refuse(file, &e),
            }
        }
        if candidates.is_empty() {
            return;
        }
        // Duplicates are refused on the child's word, before the worker hashes or opens them.
        let mut accepted: Vec<(PathBuf, Vec<CheckedClass>)> = Vec::new();
        let verdicts = check_in_child(&candidates);
        for (file, verdict) in candidates.into_iter().zip(verdicts) {
            let checked =
                verdict.and_then(|classes| match self.duplicate(&file, &classes, &accepted) {
                    Some(error) => Err(error),
                    None => Ok(classes),
                });
            match checked {
                Ok(classes) => accepted.push((file, classes)),
                Err(e) => self.refuse(&file, &e),
            }
        }
        let files: Vec<&PathBuf> = accepted.iter().map(|(f, _)| f).collect();
        for (file, sha) in files.iter().zip(hash_all(&files)) {
            match sha.and_then(|sha| self.add_library(file, &sha).map(|count| (count, sha))) {
                Ok((count, sha)) => tracing::info!(
                    file = %file.display(),
                    sha256 = %sha,
                    "loaded plugin library with {count} classes"
                ),
                Err(e) => self.refuse(file, &e),
            }
        }
    }

    fn refuse(&self, file: &Path, error: &LoadError) {
        self.record(file, FileIdentity::of(file), None, false);
        tracing::warn!(file = %file.display(), "skipping plugin file: {error}");
    }

    /// A class and version that `file` exports and that is already registered (from
    /// another file) or accepted earlier in this batch.
    fn duplicate(
        &self,
        file: &Path,
        classes: &[CheckedClass],
        accepted: &[(PathBuf, Vec<CheckedClass>)],
    ) -> Option<LoadError> {
        let plugins = self.read();
        classes.iter().find_map(|c| {
            let registered = registered_elsewhere(&plugins, file, &c.class, &c.version);
            let in_batch = || {
                accepted
                    .iter()
                    .find(|(_, cs)| {
                        cs.iter()
                            .any(|o| o.class == c.class && o.version == c.version)
                    })
                    .map(|(f, _)| f.display().to_string())
            };
            registered.or_else(in_batch).map(|location| {
                LoadError::Duplicate(format!("{} version {}", c.class, c.version), location)
            })
        })
    }

    /// Loads one checked library and registers its classes; all or nothing. A file at a
    /// path loaded before (replaced since) is loaded from a private copy: the dynamic loader
    /// would otherwise hand back the library already loaded under that name.
    fn add_library(&self, path: &Path, sha256: &str) -> Result<usize, LoadError> {
        let identity = FileIdentity::of(path);
        let loaded_before = self.lock_files().get(path).is_some_and(|f| f.loaded);
        let (module, descriptors) = if loaded_before {
            let copy = private_copy(path, sha256)?;
            let loaded = load_library(&copy);
            // The library stays mapped; the name is not needed any more.
            let _ = std::fs::remove_file(&copy);
            loaded?
        } else {
            load_library(path)?
        };
        let mut plugins = self.write();
        // A replaced file's classes leave the registry (running connectors keep theirs).
        plugins.retain(|p| !p.is_from(path));
        for d in &descriptors {
            if let Some(location) = registered_elsewhere(&plugins, path, &d.class, &d.version) {
                let error =
                    LoadError::Duplicate(format!("{} version {}", d.class, d.version), location);
                drop(plugins);
                self.record(path, identity, Some(sha256), false);
                return Err(error);
            }
        }
        let count = descriptors.len();
        for d in descriptors {
            plugins.push(info(
                d,
                PluginSource::Library {
                    path: path.to_path_buf(),
                    module,
                    sha256: sha256.to_string(),
                },
            ));
        }
        drop(plugins);
        self.record(path, identity, Some(sha256), true);
        Ok(count)
    }

    /// Looks at a file under `plugin.path` again (hot discovery): loads it when it is new
    /// or its content changed (logging the outcome as at start-up), forgets its classes
    /// when it is gone.
    pub fn refresh_file(&self, root: &Path, path: &Path) {
        let Some(identity) = FileIdentity::of(path) else {
            if self.lock_files().remove(path).is_some_and(|f| f.loaded) {
                self.write().retain(|p| !p.is_from(path));
                tracing::info!(file = %path.display(), "plugin file removed: its classes are no longer offered (running connectors keep them)");
            }
            return;
        };
        let known = self.lock_files().get(path).cloned();
        if known.as_ref().is_some_and(|k| k.identity == identity) {
            return;
        }
        if let Some(sha) = known.as_ref().and_then(|k| k.sha256.clone()) {
            // Touched or copied again with the same bytes: nothing to do.
            if sha256_of(path).is_ok_and(|now| now == sha) {
                if let Some(k) = self.lock_files().get_mut(path) {
                    k.identity = identity;
                }
                return;
            }
        }
        self.load_files(&[(root.to_path_buf(), path.to_path_buf())]);
    }

    /// Notes what a file was when it was last looked at, so only a change to it makes it
    /// worth another look. A path once loaded stays `loaded`: its name is taken in the
    /// dynamic loader, so later content is loaded from a private copy.
    fn record(
        &self,
        path: &Path,
        identity: Option<FileIdentity>,
        sha256: Option<&str>,
        loaded: bool,
    ) {
        if let Some(identity) = identity {
            let mut files = self.lock_files();
            let loaded = loaded || files.get(path).is_some_and(|f| f.loaded);
            files.insert(
                path.to_path_buf(),
                FileState {
                    identity,
                    sha256: sha256.map(str::to_string),
                    loaded,
                },
            );
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Arc<PluginInfo>>> {
        self.plugins.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<PluginInfo>>> {
        self.plugins.read().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_files(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, FileState>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells every library the most verbose level the worker now records, so plugins
    /// neither drop lines the worker wants nor format lines it drops.
    pub fn set_plugin_log_level(&self, level: plugin_abi::ffi::LogLevel) {
        let mut seen: HashSet<&str> = HashSet::new();
        let plugins = self.read();
        for p in plugins.iter() {
            if let PluginSource::Library { module, sha256, .. } = &p.source {
                if !seen.insert(sha256) {
                    continue;
                }
                // Absent in libraries built before the field existed: they keep their level.
                if let Some(set) = module.set_max_level() {
                    set(level);
                }
            }
        }
    }

    /// Every class, tasks included (a snapshot).
    pub fn all(&self) -> Vec<Arc<PluginInfo>> {
        self.read().clone()
    }

    /// The classes Kafka's REST API lists: everything but task classes, sorted by class,
    /// newest version first.
    pub fn listed(&self, connectors_only: bool) -> Vec<Arc<PluginInfo>> {
        let mut listed: Vec<Arc<PluginInfo>> = self
            .read()
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

    /// The transformation from a library whose class name or alias is `name`: the newest
    /// in `version` (any when `None`). `Ok(None)` when no library has the class at all.
    pub fn find_transformation(
        &self,
        name: &str,
        version: Option<&VersionRange>,
    ) -> Result<Option<Arc<PluginInfo>>, String> {
        self.find_library_class(PluginKind::Transformation, name, version)
    }

    /// As [`Self::find_transformation`], for header converters.
    pub fn find_header_converter(
        &self,
        name: &str,
        version: Option<&VersionRange>,
    ) -> Result<Option<Arc<PluginInfo>>, String> {
        self.find_library_class(PluginKind::HeaderConverter, name, version)
    }

    /// As [`Self::find_transformation`], for predicates.
    pub fn find_predicate(
        &self,
        name: &str,
        version: Option<&VersionRange>,
    ) -> Result<Option<Arc<PluginInfo>>, String> {
        self.find_library_class(PluginKind::Predicate, name, version)
    }

    /// As [`Self::find_transformation`], for converters.
    pub fn find_converter(
        &self,
        name: &str,
        version: Option<&VersionRange>,
    ) -> Result<Option<Arc<PluginInfo>>, String> {
        self.find_library_class(PluginKind::Converter, name, version)
    }

    fn find_library_class(
        &self,
        kind: PluginKind,
        name: &str,
        version: Option<&VersionRange>,
    ) -> Result<Option<Arc<PluginInfo>>, String> {
        let plugins = self.read();
        let of_kind = || {
            plugins
                .iter()
                .filter(move |p| p.kind == kind && matches!(p.source, PluginSource::Library { .. }))
        };
        let exact: Vec<&Arc<PluginInfo>> = of_kind().filter(|p| p.class == name).collect();
        let candidates = if exact.is_empty() {
            of_kind()
                .filter(|p| p.aliases.iter().any(|a| a == name))
                .collect()
        } else {
            exact
        };
        if candidates.is_empty() {
            return Ok(None);
        }
        newest_in(candidates, version, name).map(Some)
    }

    /// The connector whose class name or unambiguous alias is `name`: the newest in
    /// `version` (any when `None`).
    pub fn find_connector(
        &self,
        name: &str,
        version: Option<&VersionRange>,
    ) -> Result<Arc<PluginInfo>, String> {
        let plugins = self.read();
        let connectors: Vec<&Arc<PluginInfo>> =
            plugins.iter().filter(|p| p.is_connector()).collect();
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
        if matches.is_empty() {
            drop(plugins);
            return Err(format!(
                "Failed to find any class that implements Connector and which name matches {name}, available connectors are: {}",
                self.listed(true).iter().map(|p| format!("{} (version {})", p.class, p.version)).collect::<Vec<_>>().join(", ")
            ));
        }
        newest_in(matches, version, name)
    }
}

/// Where `class` in `version` is registered from, if from another file than `file`.
fn registered_elsewhere(
    plugins: &[Arc<PluginInfo>],
    file: &Path,
    class: &str,
    version: &str,
) -> Option<String> {
    plugins
        .iter()
        .find(|p| !p.is_from(file) && p.class == class && p.version == version)
        .map(|p| p.location())
}

/// The newest of one class's versions that `version` accepts.
fn newest_in(
    candidates: Vec<&Arc<PluginInfo>>,
    version: Option<&VersionRange>,
    name: &str,
) -> Result<Arc<PluginInfo>, String> {
    let newest = candidates
        .iter()
        .filter(|p| version.is_none_or(|r| r.contains(&p.version)))
        .max_by(|a, b| compare_versions(&a.version, &b.version));
    match newest {
        Some(p) => Ok((*p).clone()),
        None => {
            let mut versions: Vec<&str> = candidates.iter().map(|p| p.version.as_str()).collect();
            versions.sort_by(|a, b| compare_versions(a, b));
            Err(format!(
                "Plugin {name} has no version in the range {}; installed versions: {}",
                version.map(ToString::to_string).unwrap_or_default(),
                versions.join(", ")
            ))
        }
    }
}

/// The SHA-256 of each file, on two threads (the worker hashes every library it loads).
fn hash_all(files: &[&PathBuf]) -> Vec<Result<String, LoadError>> {
    let (first, second) = files.split_at(files.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| first.iter().map(|f| sha256_of(f)).collect::<Vec<_>>());
        let mine: Vec<_> = second.iter().map(|f| sha256_of(f)).collect();
        let mut all = other.join().expect("hashing does not panic");
        all.extend(mine);
        all
    })
}

/// Copies a library to a name of its own in the temporary directory.
fn private_copy(path: &Path, sha256: &str) -> Result<PathBuf, LoadError> {
    let dir = std::env::temp_dir().join(format!("connect-plugins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| LoadError::Unreadable(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let copy = dir.join(format!("{}-{name}", &sha256[..16.min(sha256.len())]));
    std::fs::copy(path, &copy).map_err(|e| LoadError::Unreadable(e.to_string()))?;
    Ok(copy)
}

fn info(d: PluginDescriptor, source: PluginSource) -> Arc<PluginInfo> {
    Arc::new(PluginInfo {
        aliases: match d.kind {
            PluginKind::SourceTask | PluginKind::SinkTask => Vec::new(),
            kind => aliases_of(d.class.as_str(), alias_suffix(kind)),
        },
        class: d.class.into_string(),
        kind: d.kind,
        version: d.version.into_string(),
        task_class: d.task_class.into_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_connector_error_names_the_class() {
        let err = PluginRegistry::load(&[])
            .find_connector("com.example.Nope", None)
            .err()
            .unwrap();
        assert!(err.contains("com.example.Nope"), "{err}");
    }
}
