//! Plugin discovery and the registry: every library under `plugin.path`, and the built-ins.

mod aliases;
mod host_services;
mod loader;
mod registry;
pub mod verify;
pub mod version;
mod watch;

pub use host_services::max_level;
pub use loader::{load_library, scan_plugin_path, LoadError};
pub use registry::{PluginInfo, PluginRegistry, PluginSource};
pub use watch::watch_plugin_path;
