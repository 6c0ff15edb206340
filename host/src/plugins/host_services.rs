//! What the worker gives each library at load: a logger into the worker's `tracing`.

use abi_stable::std_types::RStr;
use plugin_abi::ffi::{HostServices, LogLevel};

/// Plugin log lines become `tracing` events on the calling thread, so they carry the
/// span of the task or connector that called into the plugin.
extern "C" fn log(level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
    let (target, message) = (target.as_str(), message.as_str());
    match level {
        LogLevel::Error => tracing::error!(target: "plugin", plugin = target, "{message}"),
        LogLevel::Warn => tracing::warn!(target: "plugin", plugin = target, "{message}"),
        LogLevel::Info => tracing::info!(target: "plugin", plugin = target, "{message}"),
        LogLevel::Debug => tracing::debug!(target: "plugin", plugin = target, "{message}"),
        LogLevel::Trace => tracing::trace!(target: "plugin", plugin = target, "{message}"),
    }
}

/// The most verbose level the worker's log filter lets through now.
pub fn max_level() -> LogLevel {
    use tracing::level_filters::LevelFilter;
    match LevelFilter::current() {
        LevelFilter::OFF | LevelFilter::ERROR => LogLevel::Error,
        LevelFilter::WARN => LogLevel::Warn,
        LevelFilter::INFO => LogLevel::Info,
        LevelFilter::DEBUG => LogLevel::Debug,
        _ => LogLevel::Trace,
    }
}

pub fn host_services() -> HostServices {
    HostServices {
        log,
        max_level: max_level(),
    }
}
