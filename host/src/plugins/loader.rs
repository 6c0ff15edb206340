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
}

/// The library files below the `plugin.path` directories, in a stable order.
pub fn scan_plugin_path(dirs: &[PathBuf]) -> Vec<PathBuf> {
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
                    files.push(e.into_path())
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("cannot read part of plugin.path: {e}"),
            }
        }
    }
    files
}

fn is_library_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some(std::env::consts::DLL_EXTENSION)
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
        LibraryError::OpenError { .. } => LoadError::NotALibrary(first_line(&full)),
        LibraryError::GetSymbolError { .. } => LoadError::NoRootModule,
        LibraryError::AbiInstability(_) => LoadError::IncompatibleAbi(error_lines(&full)),
        LibraryError::IncompatibleVersionNumber { .. } | LibraryError::ParseVersionError(_) => {
            LoadError::IncompatibleAbi(first_line(&full))
        }
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

/// abi_stable's layout mismatch report runs to hundreds of lines of type dumps: keep only
/// its `Error:` lines (the full text is logged at DEBUG).
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
        assert_eq!(scan_plugin_path(&[dir.path().to_path_buf()]), [path]);
    }
}
