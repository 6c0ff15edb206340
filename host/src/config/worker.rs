use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};

use super::properties::subset;

/// Worker keys this worker acts on (standalone mode).
const USED_KEYS: &[&str] = &[
    "bootstrap.servers",
    "log.format",
    "key.converter",
    "value.converter",
    "header.converter",
    "offset.storage.file.filename",
    "offset.flush.interval.ms",
    "plugin.path",
    "listeners",
    "rest.host.name",
    "rest.port",
    "topic.tracking.enable",
    "topic.tracking.allow.reset",
    "config.providers",
    // REST security (rest/tls.rs, auth.rs, cors.rs, advertised.rs).
    "rest.advertised.host.name",
    "rest.advertised.port",
    "rest.advertised.listener",
    "rest.extension.classes",
    "rest.basic.auth.credentials.file",
    "rest.basic.auth.realm",
    "access.control.allow.origin",
    "access.control.allow.methods",
    // Distributed mode (config/distributed.rs).
    "group.id",
    "config.storage.topic",
    "config.storage.replication.factor",
    "offset.storage.topic",
    "offset.storage.replication.factor",
    "offset.storage.partitions",
    "status.storage.topic",
    "status.storage.replication.factor",
    "status.storage.partitions",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "rebalance.timeout.ms",
    "scheduled.rebalance.max.delay.ms",
    "connect.protocol",
];

/// Prefixes whose keys are passed on (converter settings, client settings).
const USED_PREFIXES: &[&str] = &[
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "producer.",
    "consumer.",
    "admin.",
    "config.providers.",
];

/// Prefixes of the https listener's TLS keys, used only when the listener is `https://`
/// (rest/tls.rs warns about the ones it ignores).
const TLS_PREFIXES: &[&str] = &["listeners.https.", "ssl."];

/// A standalone worker's configuration, from Kafka's worker keys.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The settings, with `${provider:path:key}` variables resolved (as Kafka's `AbstractConfig`).
    pub props: HashMap<String, String>,
    /// `config.providers`: resolve variables in connector configurations when they start.
    pub providers: std::sync::Arc<super::ConfigProviders>,
    /// `None` runs the embedded broker.
    pub bootstrap_servers: Option<String>,
    pub offsets_file: PathBuf,
    pub offset_flush_interval: Duration,
    pub plugin_path: Vec<PathBuf>,
    /// Host and port of the REST listener.
    pub rest_listener: (String, u16),
    /// The REST listener is `https://`: TLS from the `listeners.https.ssl.*` keys.
    pub rest_https: bool,
    /// `topic.tracking.enable`: record the topics each connector uses (default true).
    pub topic_tracking: bool,
    /// `topic.tracking.allow.reset`: allow `PUT /connectors/{name}/topics/reset` (default true).
    pub topic_tracking_reset: bool,
}

impl WorkerConfig {
    /// A standalone worker's configuration.
    pub fn from_props(props: HashMap<String, String>) -> anyhow::Result<WorkerConfig> {
        Self::parse(props, true)
    }

    /// A distributed worker's: offsets go to `offset.storage.topic`, not to a file.
    pub fn distributed(props: HashMap<String, String>) -> anyhow::Result<WorkerConfig> {
        Self::parse(props, false)
    }

    fn parse(props: HashMap<String, String>, standalone: bool) -> anyhow::Result<WorkerConfig> {
        let providers = super::ConfigProviders::from_worker_props(&props)?;
        let props = providers.resolve(&props)?;
        let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let offsets_file = match get("offset.storage.file.filename") {
            Some(file) => file.into(),
            None if standalone => bail!("Missing required configuration \"offset.storage.file.filename\" which has no default value."),
            None => PathBuf::new(),
        };
        let interval_ms: u64 = match get("offset.flush.interval.ms") {
            None => 60_000,
            Some(v) => v.parse().with_context(|| {
                format!("Invalid value {v} for configuration offset.flush.interval.ms: Not a number of milliseconds")
            })?,
        };
        let plugin_path = match get("plugin.path") {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect(),
            // Java has no default; ours is the directory the build installs plugins into.
            None => vec![PathBuf::from("plugin.path")],
        };
        let (rest_listener, rest_https) = rest_listener(&props)?;
        for key in ["key.converter", "value.converter"] {
            if get(key).is_none() {
                bail!("Missing required configuration \"{key}\" which has no default value.");
            }
        }
        let flag = |key: &str| -> anyhow::Result<bool> {
            match get(key).map(str::to_ascii_lowercase).as_deref() {
                None | Some("true") => Ok(true),
                Some("false") => Ok(false),
                Some(v) => bail!("Invalid value {v} for configuration {key}: Expected value to be either true or false"),
            }
        };
        Ok(WorkerConfig {
            providers: std::sync::Arc::new(providers),
            topic_tracking: flag("topic.tracking.enable")?,
            topic_tracking_reset: flag("topic.tracking.allow.reset")?,
            bootstrap_servers: get("bootstrap.servers").map(str::to_string),
            offsets_file,
            offset_flush_interval: Duration::from_millis(interval_ms),
            plugin_path,
            rest_listener,
            rest_https,
            props,
        })
    }

    /// Keys Kafka knows that this worker does not act on (yet): worth a warning, not a failure.
    pub fn unused_keys(&self) -> Vec<&str> {
        let mut unused: Vec<&str> = self
            .props
            .keys()
            .map(String::as_str)
            .filter(|k| {
                !USED_KEYS.contains(k)
                    && !USED_PREFIXES.iter().any(|p| k.starts_with(p))
                    && !crate::kafka::is_shared_client_key(k)
            })
            .filter(|k| !(self.rest_https && TLS_PREFIXES.iter().any(|p| k.starts_with(p))))
            .collect();
        unused.sort_unstable();
        unused
    }

    /// The settings of the worker-level converter `key.converter`, `value.converter` …
    pub fn converter(&self, which: &str) -> Option<(String, HashMap<String, String>)> {
        let class = self.props.get(which)?.trim().to_string();
        Some((class, subset(&self.props, &format!("{which}."))))
    }

    /// The connection and security settings every Kafka client of the worker takes
    /// (`security.protocol`, `sasl.*`, `ssl.*`, …).
    pub fn shared_client_settings(&self) -> HashMap<String, String> {
        self.props
            .iter()
            .filter(|(k, _)| crate::kafka::is_shared_client_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Client settings with `prefix` (`producer.`, `consumer.`, `admin.`) removed.
    pub fn client_overrides(&self, prefix: &str) -> HashMap<String, String> {
        subset(&self.props, prefix)
    }
}

/// `listeners` (first entry) or the deprecated `rest.host.name`/`rest.port`; default `http://:8083`.
/// Returns the host, the port and whether the listener is `https://`.
fn rest_listener(props: &HashMap<String, String>) -> anyhow::Result<((String, u16), bool)> {
    let listener = match props
        .get("listeners")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        Some(l) => l.split(',').next().unwrap_or(l).trim().to_string(),
        None => {
            let host = props.get("rest.host.name").cloned().unwrap_or_default();
            let port = props
                .get("rest.port")
                .cloned()
                .unwrap_or_else(|| "8083".into());
            format!("http://{host}:{port}")
        }
    };
    let lower = listener.to_ascii_lowercase();
    let (rest, https) = if lower.starts_with("http://") {
        (&listener["http://".len()..], false)
    } else if lower.starts_with("https://") {
        (&listener["https://".len()..], true)
    } else {
        bail!("Invalid listener {listener}: expected http://host:port or https://host:port")
    };
    let (host, port) = rest
        .rsplit_once(':')
        .with_context(|| format!("Invalid listener {listener}: expected http://host:port"))?;
    let port = port
        .parse()
        .with_context(|| format!("Invalid listener {listener}: bad port {port}"))?;
    let host = if host.is_empty() { "0.0.0.0" } else { host };
    Ok(((host.to_string(), port), https))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> anyhow::Result<WorkerConfig> {
        WorkerConfig::from_props(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    const BASE: &[(&str, &str)] = &[
        (
            "key.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("offset.storage.file.filename", "/tmp/connect.offsets"),
    ];

    #[test]
    fn defaults_match_kafka() {
        let c = config(BASE).unwrap();
        assert_eq!(c.rest_listener, ("0.0.0.0".to_string(), 8083));
        assert_eq!(c.offset_flush_interval, Duration::from_secs(60));
        assert!(c.bootstrap_servers.is_none());
    }

    #[test]
    fn listeners_win_over_rest_port() {
        let mut pairs = BASE.to_vec();
        pairs.push(("listeners", "http://127.0.0.1:9999,http://other:1"));
        pairs.push(("rest.port", "1234"));
        assert_eq!(
            config(&pairs).unwrap().rest_listener,
            ("127.0.0.1".to_string(), 9999)
        );
    }

    #[test]
    fn https_listeners_are_recognised() {
        let mut pairs = BASE.to_vec();
        pairs.push(("listeners", "HTTPS://localhost:8443"));
        let c = config(&pairs).unwrap();
        assert_eq!(c.rest_listener, ("localhost".to_string(), 8443));
        assert!(c.rest_https);
        assert!(!config(BASE).unwrap().rest_https);
        pairs.push(("ssl.keystore.location", "/k.pem"));
        assert!(config(&pairs).unwrap().unused_keys().is_empty());
        // Top-level ssl.* also configure the Kafka clients; the listener's own keys only
        // mean something with an https listener.
        let mut plain = BASE.to_vec();
        plain.push(("ssl.keystore.location", "/k.pem"));
        plain.push(("listeners.https.ssl.keystore.location", "/k.pem"));
        assert_eq!(
            config(&plain).unwrap().unused_keys(),
            ["listeners.https.ssl.keystore.location"]
        );
        pairs.push(("listeners", "ftp://localhost:21"));
        let err = config(&pairs).unwrap_err().to_string();
        assert!(err.contains("ftp://localhost:21"), "{err}");
    }

    #[test]
    fn missing_offsets_file_is_named() {
        let err = config(&BASE[..2]).unwrap_err().to_string();
        assert!(err.contains("offset.storage.file.filename"), "{err}");
    }

    fn kafka_fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/kafka")
            .join(name)
    }

    #[test]
    fn kafkas_own_standalone_files_are_accepted_unchanged() {
        let modern = WorkerConfig::from_props(
            crate::config::read_properties(&kafka_fixture("connect-standalone.properties"))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(modern.bootstrap_servers.as_deref(), Some("localhost:9092"));
        assert_eq!(modern.offset_flush_interval, Duration::from_secs(10));
        assert!(
            modern.unused_keys().is_empty(),
            "{:?}",
            modern.unused_keys()
        );
        let legacy = WorkerConfig::from_props(
            crate::config::read_properties(&kafka_fixture("connect-standalone-2.0.properties"))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            legacy.unused_keys().len(),
            4,
            "the internal.* keys are warned about: {:?}",
            legacy.unused_keys()
        );
    }

    #[test]
    fn variables_in_the_worker_config_are_resolved_at_start_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("w.properties");
        std::fs::write(&file, "offsets=/tmp/from-a-provider.offsets\n").unwrap();
        let mut pairs = BASE[..2].to_vec();
        let reference = format!("${{file:{}:offsets}}", file.display());
        pairs.push(("offset.storage.file.filename", &reference));
        pairs.push(("config.providers", "file"));
        pairs.push(("config.providers.file.class", "FileConfigProvider"));
        let c = config(&pairs).unwrap();
        assert_eq!(
            c.offsets_file,
            PathBuf::from("/tmp/from-a-provider.offsets")
        );
        assert!(c.unused_keys().is_empty(), "{:?}", c.unused_keys());
    }

    #[test]
    fn unknown_keys_are_listed_not_fatal() {
        let mut pairs = BASE.to_vec();
        pairs.push(("task.shutdown.graceful.timeout.ms", "5000"));
        pairs.push(("producer.linger.ms", "5"));
        assert_eq!(
            config(&pairs).unwrap().unused_keys(),
            ["task.shutdown.graceful.timeout.ms"]
        );
    }
}
