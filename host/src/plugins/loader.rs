//! Opens plugin libraries and checks them before anything of theirs is called.

use std::path::{Path, PathBuf};

use abi_stable::library::{lib_header_from_path, LibraryError};
use plugin_abi::ffi::{PluginDescriptor, PluginModuleRef};

use super::host_services::host_services;

/// Why a file under `plugin.path` was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a loadable library: {0}")]
    NotALibrary(String),
    #[error("not a Kafka Connect plugin: it does not export the plugin root module")]
    NoRootModule,
    #[error("built against an incompatible plugin ABI: {0}")]
    IncompatibleAbi(String),
    #[error("its plugin root module failed to initialise: {0}")]
    InitFailed(String),
    #[error("it duplicates {0}, already loaded from {1}")]
    Duplicate(String, String),
    #[error("refused: {0} is writable by other users; plugin files and their directories must be writable only by their owner")]
    WritableByOthers(String),
    #[error("it crashed the process that checked it ({0}); the worker did not load it")]
    Crashed(String),
    #[error("cannot read it: {0}")]
    Unreadable(String),
    /// The checking process's verdict, already worded.
    #[error("{0}")]
    Refused(String),
}

/// The library files below the `plugin.path` directories, in a stable order, each with the
/// `plugin.path` entry it was found under.
pub fn scan_plugin_path(dirs: &[PathBuf]) -> Vec<(PathBuf, PathBuf)> {
    let mut files = Vec::new();
    for dir in dirs {
        if !dir.is_dir() {
            tracing::warn!(path = %dir.display(), "plugin.path entry is not a directory; skipping it");
            continue;
        }
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(e) if e.file_type().is_file() && is_library_name(e.path()) => {
                    files.push((dir.clone(), e.into_path()))
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("cannot read part of plugin.path: {e}"),
            }
        }
    }
    files
}

/// Whether the name is one the platform gives shared libraries (`x.so`, not `.x.so.tmp`).
pub fn is_library_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some(std::env::consts::DLL_EXTENSION)
}

/// Refuses a file that another user could have written: the file itself or any directory
/// between its `plugin.path` entry and it (the entry included). Whoever can write there can
/// run code inside the worker.
pub fn check_not_writable_by_others(root: &Path, file: &Path) -> Result<(), LoadError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // A sticky directory (/tmp) lets others add entries but not replace ours: it is
        // safe when what we found in it belongs to us or to root.
        let mut below_owner: Option<u32> = None;
        let mut checked = Some(file);
        while let Some(path) = checked {
            let meta = std::fs::metadata(path).map_err(|e| LoadError::Unreadable(e.to_string()))?;
            let mode = meta.mode();
            let sticky_and_ours = mode & 0o1000 != 0
                && below_owner.is_some_and(|uid| uid == 0 || uid == current_uid());
            if mode & 0o002 != 0 && !sticky_and_ours {
                return Err(LoadError::WritableByOthers(format!(
                    "{} (mode {:o})",
                    path.display(),
                    mode & 0o7777
                )));
            }
            if path == root {
                break;
            }
            below_owner = Some(meta.uid());
            checked = path.parent().filter(|p| p.starts_with(root));
        }
    }
    #[cfg(not(unix))]
    let _ = (root, file);
    Ok(())
}

#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The SHA-256 of a file, in hex, as `sha256sum` prints it.
pub fn sha256_of(path: &Path) -> Result<String, LoadError> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| LoadError::Unreadable(e.to_string()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| LoadError::Unreadable(e.to_string()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Opens one library, checks its ABI and asks what it exports. The library stays loaded
/// for the life of the process (libraries are never unloaded).
pub fn load_library(path: &Path) -> Result<(PluginModuleRef, Vec<PluginDescriptor>), LoadError> {
    let header = lib_header_from_path(path).map_err(classify)?;
    let module = header
        .init_root_module::<PluginModuleRef>()
        .map_err(classify)?;
    (module.init())(host_services());
    let descriptors = (module.plugins())().into_vec();
    Ok((module, descriptors))
}

fn classify(error: LibraryError) -> LoadError {
    let full = error.to_string();
    tracing::debug!("library error in full: {full}");
    match error {
        // The loader's own reason (e.g. "file too short"), not abi_stable's preamble.
        LibraryError::OpenError { err, .. } => LoadError::NotALibrary(first_line(&err.to_string())),
        LibraryError::GetSymbolError { .. } => LoadError::NoRootModule,
        LibraryError::AbiInstability(_) => LoadError::IncompatibleAbi(layout_mismatches(&full)),
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => LoadError::IncompatibleAbi(format!(
            "the library was built against plugin-abi {actual_version}, this worker implements \
             plugin-abi {expected_version}; a plugin loads only in a worker of the same major \
             version"
        )),
        LibraryError::ParseVersionError(_) => LoadError::IncompatibleAbi(first_line(&full)),
        LibraryError::InvalidAbiHeader(_) => LoadError::IncompatibleAbi(first_line(&full)),
        _ => LoadError::InitFailed(first_line(&full)),
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// abi_stable's layout mismatch report runs to hundreds of lines of type dumps (the full
/// text is logged at DEBUG). It is a series of blocks, one per type that differs, each
/// `N error(s)` followed by the chain of fields leading to that type, both layouts, and
/// `Error:<what>` lines with the `Expected:` (the worker's) and `Found:` (the library's)
/// values. Each block becomes one line naming where the mismatch is and what differs, e.g.
/// `PluginDescriptor.task_class: mismatched type (worker: RString, library: RStr<'a>)`.
fn layout_mismatches(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| is_block_start(lines[i]))
        .chain([lines.len()])
        .collect();
    let mut found: Vec<String> = Vec::new();
    for block in starts.windows(2).map(|w| &lines[w[0]..w[1]]) {
        let errors = block_errors(block);
        if errors.is_empty() {
            continue;
        }
        let line = match block_location(block) {
            Some(place) => format!("{place}: {}", errors.join("; ")),
            None => errors.join("; "),
        };
        if !found.contains(&line) {
            found.push(line);
        }
    }
    if found.is_empty() {
        return error_lines(text);
    }
    found.truncate(5);
    found.join(" | ")
}

/// `2 error(s)inside:` or `1 error(s).`: where the report of one type starts.
fn is_block_start(line: &str) -> bool {
    line.split_once(" error(s)")
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The type that differs, as `Owner.field` (or the type's name), from the chain of fields
/// between `<other>` and the layouts.
fn block_location(block: &[&str]) -> Option<String> {
    let end = block
        .iter()
        .position(|l| l.starts_with("Layout of expected type:") || l.starts_with("Error:"))
        .unwrap_or(block.len());
    let mut chain: Vec<(&str, &str)> = Vec::new();
    let mut field = None;
    for line in block[..end].iter().map(|l| l.trim()) {
        if let Some(name) = line.strip_prefix("field_name:") {
            field = Some(name);
        } else if let (Some(ty), Some(name)) = (line.strip_prefix("type:"), field) {
            chain.push((name, ty.trim()));
            field = None;
        }
    }
    let (last_field, last_type) = *chain.last()?;
    let is_position = last_field.bytes().all(|b| b.is_ascii_digit());
    match chain.len().checked_sub(2).map(|i| chain[i]) {
        Some((_, owner)) if !is_position => Some(format!("{owner}.{last_field}")),
        _ => Some(last_type.to_string()),
    }
}

/// Each `Error:` of a block with its expected and found values, on one line.
fn block_errors(block: &[&str]) -> Vec<String> {
    let mut errors = Vec::new();
    let mut i = 0;
    while i < block.len() {
        let Some(what) = block[i].trim().strip_prefix("Error:") else {
            i += 1;
            continue;
        };
        i += 1;
        let mut values: Vec<(&str, Vec<&str>)> = Vec::new();
        while i < block.len() && !block[i].trim().starts_with("Error:") {
            let line = block[i];
            if line == "Expected:" || line == "Found:" {
                values.push((line, Vec::new()));
            } else if let (Some((_, value)), true) = (values.last_mut(), line.starts_with(' ')) {
                value.push(line.trim());
            } else if !line.trim().is_empty() && !values.is_empty() {
                break;
            }
            i += 1;
        }
        let value = |label: &str| {
            values
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| summarise(v))
        };
        errors.push(match (value("Expected:"), value("Found:")) {
            (Some(worker), Some(library)) => {
                format!("{what} (worker: {worker}, library: {library})")
            }
            _ => what.to_string(),
        });
    }
    errors
}

/// A layout value on one line: `name: Type` for a field, else its lines joined (shortened).
fn summarise(value: &[&str]) -> String {
    let get = |key: &str| value.iter().find_map(|l| l.strip_prefix(key));
    let text = match (get("field_name:"), get("type:")) {
        (Some(name), Some(ty)) => format!("{name}: {}", ty.trim()),
        _ => value.join(" "),
    };
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// The `Error:` lines of a report, for one whose blocks could not be read.
fn error_lines(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Error:"))
    {
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        first_line(text)
    } else {
        lines.truncate(5);
        lines.join(" | ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_error_lines_of_a_layout_report_are_kept() {
        let report = "Found:\n  TypeLayout{…}\nError: mismatched field names\n  more dump\nError: mismatched field names\nError: too many fields\n";
        assert_eq!(
            error_lines(report),
            "Error: mismatched field names | Error: too many fields"
        );
    }

    /// abi_stable's report for a library whose `PluginDescriptor.task_class` is an
    /// `RStr<'static>` instead of an `RString`, with the type dumps shortened.
    const TASK_CLASS_REPORT: &str = "Compared <this>:
    --- Type Layout ---
    type:PluginModule
To <other>:
    --- Type Layout ---
    type:PluginModule

0 error(s)inside:
    <other>

    field_name:0
    type:PluginModule

2 error(s)inside:
    <other>

    field_name:0
    type:PluginModule
    size:40 align:8

    field_name:plugins
    type:AFunctionPointer
    fn pointer(s):
        fn()->RVec

    fn()->RVec

    field_name:0
    type:PluginDescriptor
    size:88 align:8

Layout of expected type:
    --- Type Layout ---
    type:PluginDescriptor
    data:
        Struct with Fields:
            field_name:class
            type:RString

Layout of found type:
    --- Type Layout ---
    type:PluginDescriptor



Error:incompatible type size
Expected:
    104
Found:
    88

Error:field references different lifetimes
Expected:
    field_name:task_class
    type:RString
    size:32 align:8
Found:
    field_name:task_class
    type:RStr<'a>
    size:16 align:8
1 error(s)inside:
    <other>

    field_name:0
    type:PluginDescriptor
    size:88 align:8

    field_name:task_class
    type:RStr<'a>
    size:16 align:8

Layout of expected type:
    --- Type Layout ---
    type:RString

Layout of found type:
    --- Type Layout ---
    type:RStr<'a>



Error:mismatched type
Expected:
    RString
Found:
    RStr<'a>

";

    #[test]
    fn a_layout_report_becomes_the_place_and_the_difference() {
        assert_eq!(
            layout_mismatches(TASK_CLASS_REPORT),
            "PluginDescriptor: incompatible type size (worker: 104, library: 88); \
             field references different lifetimes (worker: task_class: RString, library: \
             task_class: RStr<'a>) | PluginDescriptor.task_class: mismatched type (worker: \
             RString, library: RStr<'a>)"
        );
        // Text that is not in that form keeps its Error: lines.
        assert_eq!(
            layout_mismatches("Error:something new\nError:something new\n"),
            "Error:something new"
        );
    }

    #[test]
    fn a_text_file_is_not_a_library() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(format!("x.{}", std::env::consts::DLL_EXTENSION));
        std::fs::write(&path, "hello").unwrap();
        assert!(matches!(
            load_library(&path),
            Err(LoadError::NotALibrary(_))
        ));
        let root = dir.path().to_path_buf();
        assert_eq!(
            scan_plugin_path(std::slice::from_ref(&root)),
            [(root, path)]
        );
    }

    #[test]
    fn the_hash_is_sha256sums() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, "abc").unwrap();
        assert_eq!(
            sha256_of(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[cfg(unix)]
    #[test]
    fn files_and_directories_writable_by_others_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("plugins");
        let sub = root.join("vendor");
        std::fs::create_dir_all(&sub).unwrap();
        let file = sub.join("x.so");
        std::fs::write(&file, "x").unwrap();
        set(&root, 0o755);
        set(&sub, 0o755);
        set(&file, 0o644);
        assert!(check_not_writable_by_others(&root, &file).is_ok());
        set(&file, 0o666);
        let err = check_not_writable_by_others(&root, &file).unwrap_err();
        assert!(err.to_string().contains("x.so (mode 666)"), "{err}");
        set(&file, 0o644);
        set(&sub, 0o777);
        let err = check_not_writable_by_others(&root, &file).unwrap_err();
        assert!(err.to_string().contains("vendor (mode 777)"), "{err}");
        set(&sub, 0o755);
        set(&root, 0o777);
        assert!(check_not_writable_by_others(&root, &file).is_err());
        // Sticky, like /tmp: others cannot replace what is ours in it.
        set(&root, 0o1777);
        assert!(check_not_writable_by_others(&root, &file).is_ok());
        set(&root, 0o755);
    }
}
