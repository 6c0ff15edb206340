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
        use std::os::unix::fs::PermissionsExt;
        let mut checked = Some(file);
        while let Some(path) = checked {
            let mode = std::fs::metadata(path)
                .map_err(|e| LoadError::Unreadable(e.to_string()))?
                .permissions()
                .mode();
            if mode & 0o002 != 0 {
                return Err(LoadError::WritableByOthers(format!(
                    "{} (mode {:o})",
                    path.display(),
                    mode & 0o7777
                )));
            }
            if path == root {
                break;
            }
            checked = path.parent().filter(|p| p.starts_with(root));
        }
    }
    #[cfg(not(unix))]
    let _ = (root, file);
    Ok(())
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
        set(&root, 0o1777);
        assert!(check_not_writable_by_others(&root, &file).is_err());
        set(&root, 0o755);
    }
}
