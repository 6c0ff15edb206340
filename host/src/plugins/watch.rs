//! Hot discovery: the worker watches `plugin.path` and loads libraries dropped in while it
//! runs, without a restart.
//!
//! A file is looked at once it has been quiet for a moment (no more writes), so a slow copy
//! is not opened half-written; a copy to a temporary name followed by a rename is safest
//! (the temporary name, `.x.so.tmp`, is not a library name and is never opened).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use super::loader::{is_library_name, scan_plugin_path};
use super::registry::PluginRegistry;

/// How long a file must go without events before it is opened.
const QUIET: Duration = Duration::from_millis(400);

/// Starts watching the `plugin.path` directories; the watch lasts as long as the returned
/// watcher lives. Directories that cannot be watched are reported and left out.
pub fn watch_plugin_path(
    registry: Arc<PluginRegistry>,
    dirs: &[PathBuf],
) -> Option<notify::RecommendedWatcher> {
    let (events_tx, events) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = match notify::recommended_watcher(events_tx) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(
                "cannot watch plugin.path for new plugins: {e}; new files need a restart"
            );
            return None;
        }
    };
    let mut roots = Vec::new();
    for dir in dirs {
        match watcher.watch(dir, RecursiveMode::Recursive) {
            Ok(()) => roots.push(dir.clone()),
            Err(e) => {
                tracing::warn!(path = %dir.display(), "cannot watch this plugin.path entry for new plugins: {e}")
            }
        }
    }
    if roots.is_empty() {
        return None;
    }
    let spawned = std::thread::Builder::new()
        .name("plugin-watch".into())
        .spawn(move || settle_and_load(&registry, &roots, &events));
    if let Err(e) = spawned {
        tracing::warn!("cannot start the plugin.path watcher: {e}");
        return None;
    }
    Some(watcher)
}

/// Collects the paths events name and hands each to the registry once it is quiet.
fn settle_and_load(
    registry: &PluginRegistry,
    roots: &[PathBuf],
    events: &mpsc::Receiver<notify::Result<notify::Event>>,
) {
    let mut pending: HashMap<PathBuf, Instant> = HashMap::new();
    loop {
        match events.recv_timeout(QUIET / 4) {
            Ok(Ok(event)) => {
                if !changes_content(&event.kind) {
                    // Reads, including the worker's own (hashing, loading), change nothing.
                    continue;
                }
                for path in event.paths {
                    for file in library_files_at(&path) {
                        pending.insert(file, Instant::now());
                    }
                }
            }
            Ok(Err(e)) => tracing::debug!("plugin.path watch error: {e}"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        let quiet: Vec<PathBuf> = pending
            .iter()
            .filter(|(_, last)| last.elapsed() >= QUIET)
            .map(|(p, _)| p.clone())
            .collect();
        for file in quiet {
            pending.remove(&file);
            let Some(root) = roots.iter().find(|r| file.starts_with(r)) else {
                continue;
            };
            registry.refresh_file(root, &file);
        }
    }
}

/// Whether an event can mean a new, changed or removed file (or one whose permissions
/// changed): anything but reads.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The library files an event path stands for: the file itself, or every library below a
/// directory that was moved in.
fn library_files_at(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        return scan_plugin_path(std::slice::from_ref(&path.to_path_buf()))
            .into_iter()
            .map(|(_, file)| file)
            .collect();
    }
    if is_library_name(path) {
        vec![path.to_path_buf()]
    } else {
        Vec::new()
    }
}
