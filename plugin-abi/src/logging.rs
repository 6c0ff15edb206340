//! Routes the plugin's `log` records into the worker's log.
//!
//! A library has its own copy of the `log` crate and its statics, so the worker hands
//! each library a callback when it loads it, and the library installs a logger that
//! forwards to it. The worker adds the connector and task of the calling thread.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use abi_stable::std_types::RStr;

use crate::ffi::{HostServices, LogLevel};

static HOST: OnceLock<HostServices> = OnceLock::new();
/// The most verbose level the worker records now (`LogLevel` as a number).
static MAX_LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Info as u8);

fn max_level() -> u8 {
    MAX_LEVEL.load(Ordering::Relaxed)
}

struct HostLogger;

fn to_ffi(level: log::Level) -> LogLevel {
    match level {
        log::Level::Error => LogLevel::Error,
        log::Level::Warn => LogLevel::Warn,
        log::Level::Info => LogLevel::Info,
        log::Level::Debug => LogLevel::Debug,
        log::Level::Trace => LogLevel::Trace,
    }
}

impl log::Log for HostLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        HOST.get().is_some() && to_ffi(metadata.level()) as u8 <= max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if let Some(host) = HOST.get() {
            if to_ffi(record.level()) as u8 <= max_level() {
                let message = record.args().to_string();
                (host.log)(
                    to_ffi(record.level()),
                    RStr::from(record.target()),
                    RStr::from(message.as_str()),
                );
            }
        }
    }

    fn flush(&self) {}
}

static LOGGER: HostLogger = HostLogger;

/// Installs the host's logger in this library; called once by the root module's `init`.
pub fn init(host: HostServices) {
    let max_level = host.max_level;
    if HOST.set(host).is_ok() {
        // Fails only if the plugin installed its own logger first; that one stays.
        let _ = log::set_logger(&LOGGER);
        set_max_level(max_level);
    }
}

/// Sends records up to `level` from now on.
pub fn set_max_level(level: LogLevel) {
    MAX_LEVEL.store(level as u8, Ordering::Relaxed);
    log::set_max_level(match level {
        LogLevel::Error => log::LevelFilter::Error,
        LogLevel::Warn => log::LevelFilter::Warn,
        LogLevel::Info => log::LevelFilter::Info,
        LogLevel::Debug => log::LevelFilter::Debug,
        LogLevel::Trace => log::LevelFilter::Trace,
    });
}
