//! Log set-up: `tracing` to stderr (stdout belongs to sinks and sources without a file),
//! with levels that change at run time (`/admin/loggers`, Kafka's KIP-495).
//!
//! A logger is a `tracing` target prefix (`connect::runtime`, `plugin` for every plugin's
//! lines, `librdkafka`); `root` is the default level.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// The name of the default level, as in Java's log4j.
pub const ROOT: &str = "root";

/// Levels as Kafka names them; FATAL is ERROR here.
const LEVELS: &[&str] = &["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

/// A logger's level and when it was last set over REST (epoch ms).
#[derive(Debug, Clone, PartialEq)]
pub struct LoggerLevel {
    pub level: String,
    pub last_modified: Option<u64>,
}

/// The levels in force, and the handle that swaps the filter.
pub struct Loggers {
    handle: reload::Handle<EnvFilter, Registry>,
    levels: Mutex<BTreeMap<String, LoggerLevel>>,
}

static LOGGERS: OnceLock<Loggers> = OnceLock::new();

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One line of text per event, its connector and task spans in front.
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields.message`, and
    /// `span` with `connector` and `task`), for log shippers.
    Json,
}

impl LogFormat {
    /// `log.format` (worker setting) or `CONNECT_LOG_FORMAT`: `text` or `json`.
    pub fn parse(text: &str) -> Result<LogFormat, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "Invalid value {other} for configuration log.format: must be text or json"
            )),
        }
    }
}

/// Installs the log subscriber; `RUST_LOG` (simple `level` and `target=level` directives)
/// overrides the default of `info`. librdkafka's own lines arrive through the `log` bridge.
pub fn init(format: LogFormat) {
    let mut levels = BTreeMap::new();
    levels.insert(ROOT.to_string(), level("INFO", None));
    if let Ok(spec) = std::env::var("RUST_LOG") {
        for directive in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let (name, lvl) = directive.split_once('=').unwrap_or((ROOT, directive));
            if let Some(lvl) = normalize(lvl) {
                levels.insert(name.to_string(), level(&lvl, None));
            }
        }
    }
    let (filter, handle) = reload::Layer::new(filter_of(&levels));
    let text = (format == LogFormat::Text).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_thread_names(false)
    });
    let json = (format == LogFormat::Json).then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .with_current_span(true)
            .with_span_list(false)
    });
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json)
        .try_init();
    if installed.is_ok() {
        let _ = LOGGERS.set(Loggers {
            handle,
            levels: Mutex::new(levels),
        });
    }
}

/// The worker's loggers, once [`init`] ran.
pub fn loggers() -> Option<&'static Loggers> {
    LOGGERS.get()
}

fn level(level: &str, last_modified: Option<u64>) -> LoggerLevel {
    LoggerLevel {
        level: level.to_string(),
        last_modified,
    }
}

/// Kafka's level name for `text`, case-insensitively; `None` when it is no level.
pub fn normalize(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    LEVELS.contains(&upper.as_str()).then_some(upper)
}

fn directive_level(level: &str) -> &'static str {
    match level {
        "OFF" => "off",
        "FATAL" | "ERROR" => "error",
        "WARN" => "warn",
        "INFO" => "info",
        "DEBUG" => "debug",
        _ => "trace",
    }
}

fn filter_of(levels: &BTreeMap<String, LoggerLevel>) -> EnvFilter {
    let mut spec = String::new();
    for (name, l) in levels {
        if !spec.is_empty() {
            spec.push(',');
        }
        if name == ROOT {
            spec.push_str(directive_level(&l.level));
        } else {
            spec.push_str(&format!("{name}={}", directive_level(&l.level)));
        }
    }
    EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new("info"))
}

impl Loggers {
    /// Every logger with a level set, and `root`.
    pub fn all(&self) -> BTreeMap<String, LoggerLevel> {
        self.levels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A logger's level: its own, else its nearest ancestor's, else root's.
    pub fn get(&self, name: &str) -> LoggerLevel {
        let levels = self.levels.lock().unwrap_or_else(|e| e.into_inner());
        let mut candidate = name;
        loop {
            if let Some(l) = levels.get(candidate) {
                return l.clone();
            }
            match candidate.rsplit_once("::") {
                Some((parent, _)) => candidate = parent,
                None => return levels[ROOT].clone(),
            }
        }
    }

    /// Sets `name` and every logger below it (every logger, for `root`) to `level`;
    /// returns the loggers whose level changed, sorted.
    pub fn set(&self, name: &str, level_name: &str) -> Result<Vec<String>, String> {
        let level_name =
            normalize(level_name).ok_or_else(|| format!("invalid log level '{level_name}'."))?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default();
        let mut levels = self.levels.lock().unwrap_or_else(|e| e.into_inner());
        let below = |logger: &str| {
            name == ROOT || logger == name || logger.starts_with(&format!("{name}::"))
        };
        let mut changed = Vec::new();
        let mut names: Vec<String> = levels.keys().filter(|l| below(l)).cloned().collect();
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
        for logger in names {
            let effective = levels.get(&logger).map(|l| l.level.clone());
            if effective.as_deref() != Some(level_name.as_str()) {
                changed.push(logger.clone());
            }
            levels.insert(logger, level(&level_name, Some(now)));
        }
        changed.sort();
        self.handle
            .reload(filter_of(&levels))
            .map_err(|e| format!("cannot change the log filter: {e}"))?;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_kafkas_names_in_any_case() {
        assert_eq!(normalize("debug").as_deref(), Some("DEBUG"));
        assert_eq!(normalize(" Fatal ").as_deref(), Some("FATAL"));
        assert_eq!(normalize("verbose"), None);
    }

    #[test]
    fn the_filter_lists_root_then_targets() {
        let mut levels = BTreeMap::new();
        levels.insert(ROOT.to_string(), level("WARN", None));
        levels.insert("connect::runtime".to_string(), level("DEBUG", None));
        assert_eq!(
            filter_of(&levels).to_string().split(',').count(),
            2,
            "{}",
            filter_of(&levels)
        );
    }
}
