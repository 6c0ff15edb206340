//! The plugin's own Kafka clients (librdkafka, linked into this library): settings from the
//! connector's `source.cluster.*` / `target.cluster.*` keys, topic listing and creation.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use plugin_abi::log;
use plugin_abi::prelude::*;
use rdkafka::admin::{
    AdminClient, AdminOptions, AlterConfig, NewPartitions, NewTopic, ResourceSpecifier,
    TopicReplication,
};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;

/// How long a metadata or admin request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Which cluster a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cluster {
    Source,
    Target,
}

impl Cluster {
    fn prefix(self) -> &'static str {
        match self {
            Cluster::Source => "source",
            Cluster::Target => "target",
        }
    }
}

/// The client settings for `cluster` and `role` (`consumer`, `producer`, `admin`), as Java's
/// `MirrorConnectorConfig` gathers them: `<cluster>.cluster.*` (but `alias`), then
/// `<cluster>.<role>.*` on top. Keys librdkafka does not know are skipped with a WARN.
pub fn client_config(props: &Props, cluster: Cluster, role: &str) -> ClientConfig {
    let cluster_prefix = format!("{}.cluster.", cluster.prefix());
    let role_prefix = format!("{}.{role}.", cluster.prefix());
    let mut settings: BTreeMap<&str, &str> = BTreeMap::new();
    for prefix in [&cluster_prefix, &role_prefix] {
        for (k, v) in props {
            if let Some(key) = k.strip_prefix(prefix.as_str()) {
                if key != "alias" {
                    settings.insert(key, v);
                }
            }
        }
    }
    let mut config = ClientConfig::new();
    for (key, value) in settings {
        let mut probe = ClientConfig::new();
        probe.set(key, value);
        match probe.create_native_config() {
            Ok(_) => {
                config.set(key, value);
            }
            Err(e) => warn_once(format!(
                "{}.cluster.{key} is not a client setting librdkafka knows, not used: {e}",
                cluster.prefix()
            )),
        }
    }
    config
}

/// Logs `message` at WARN the first time only: tasks make clients again and again (a dedicated
/// MirrorMaker passes worker settings such as `offset.flush.interval.ms` under
/// `target.cluster.*`, as Java's does), and one line per key says it all.
fn warn_once(message: String) {
    static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let first = WARNED
        .lock()
        .map(|mut warned| warned.insert(message.clone()))
        .unwrap_or(true);
    if first {
        log::warn!("{message}");
    }
}

/// A client's `bootstrap.servers`, required.
pub fn require_bootstrap(props: &Props, cluster: Cluster) -> Result<(), ConnectError> {
    let key = format!("{}.cluster.bootstrap.servers", cluster.prefix());
    match props.get(&key) {
        Some(v) if !v.trim().is_empty() => Ok(()),
        _ => Err(ConnectError::config(format!("{key} is required"))),
    }
}

/// An admin client with a small runtime to wait for its answers.
pub struct Admin {
    client: AdminClient<DefaultClientContext>,
    runtime: tokio::runtime::Runtime,
    cluster: Cluster,
}

fn fatal(what: &str) -> impl Fn(rdkafka::error::KafkaError) -> ConnectError + '_ {
    move |e| ConnectError::new(format!("{what}: {e}"))
}

impl Admin {
    /// An admin client for `cluster`.
    pub fn new(props: &Props, cluster: Cluster) -> Result<Admin, ConnectError> {
        require_bootstrap(props, cluster)?;
        let client = client_config(props, cluster, "admin")
            .create()
            .map_err(fatal("cannot create an admin client"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| ConnectError::new(format!("cannot start a runtime: {e}")))?;
        Ok(Admin {
            client,
            runtime,
            cluster,
        })
    }

    fn options() -> AdminOptions {
        AdminOptions::new().operation_timeout(Some(REQUEST_TIMEOUT))
    }

    /// Every topic of the cluster and its partition count.
    pub fn topics(&self) -> Result<BTreeMap<String, i32>, ConnectError> {
        let metadata = self
            .client
            .inner()
            .fetch_metadata(None, REQUEST_TIMEOUT)
            .map_err(|e| {
                ConnectError::retriable(format!(
                    "cannot list the topics of the {} cluster: {e}",
                    self.cluster.prefix()
                ))
            })?;
        Ok(metadata
            .topics()
            .iter()
            .filter(|t| t.error().is_none())
            .map(|t| (t.name().to_string(), t.partitions().len() as i32))
            .collect())
    }

    /// Creates `topic` with `partitions` partitions; an existing topic is left as it is.
    pub fn create_topic(
        &self,
        topic: &str,
        partitions: i32,
        replication_factor: i32,
        configs: &[(String, String)],
    ) -> Result<(), ConnectError> {
        let mut new = NewTopic::new(
            topic,
            partitions,
            TopicReplication::Fixed(replication_factor),
        );
        for (k, v) in configs {
            new = new.set(k, v);
        }
        let results = match self
            .runtime
            .block_on(self.client.create_topics([&new], &Self::options()))
        {
            Ok(results) => results,
            // A broker that does not answer CreateTopics (librdkafka's mock cluster) may still
            // create topics on first use: go on, as Java's connector does for remote topics.
            Err(e) => {
                log::warn!(
                    "topic {topic} not created (the broker may create it on first use): {e}"
                );
                return Ok(());
            }
        };
        for result in results {
            match result {
                Ok(_) => log::info!("created topic {topic} with {partitions} partitions"),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((t, code)) => {
                    return Err(ConnectError::new(format!(
                        "cannot create topic {t}: {code}"
                    )))
                }
            }
        }
        Ok(())
    }

    /// Grows `topic` to `partitions` partitions.
    pub fn add_partitions(&self, topic: &str, partitions: i32) -> Result<(), ConnectError> {
        let new = NewPartitions::new(topic, partitions as usize);
        let results = self
            .runtime
            .block_on(self.client.create_partitions([&new], &Self::options()))
            .map_err(fatal("cannot add partitions"))?;
        for result in results {
            if let Err((t, code)) = result {
                return Err(ConnectError::new(format!(
                    "cannot grow topic {t} to {partitions} partitions: {code}"
                )));
            }
        }
        log::info!("grew topic {topic} to {partitions} partitions");
        Ok(())
    }

    /// The settings of `topic` set explicitly (not defaults, not sensitive, not read-only).
    pub fn topic_configs(&self, topic: &str) -> Result<Vec<(String, String)>, ConnectError> {
        let spec = ResourceSpecifier::Topic(topic);
        let results = self
            .runtime
            .block_on(self.client.describe_configs([&spec], &Self::options()))
            .map_err(fatal("cannot describe topic configs"))?;
        let mut out = Vec::new();
        for result in results {
            let resource = result.map_err(|code| {
                ConnectError::new(format!("cannot describe the configs of {topic}: {code}"))
            })?;
            for e in resource.entries {
                if e.is_default || e.is_sensitive || e.is_read_only {
                    continue;
                }
                if let Some(v) = e.value {
                    out.push((e.name, v));
                }
            }
        }
        Ok(out)
    }

    /// Sets `topic`'s settings (Kafka's AlterConfigs: the given set replaces the previous one).
    pub fn alter_topic_configs(
        &self,
        topic: &str,
        configs: &[(String, String)],
    ) -> Result<(), ConnectError> {
        let mut alter = AlterConfig::new(ResourceSpecifier::Topic(topic));
        for (k, v) in configs {
            alter = alter.set(k, v);
        }
        let results = self
            .runtime
            .block_on(self.client.alter_configs([&alter], &Self::options()))
            .map_err(fatal("cannot alter topic configs"))?;
        for result in results {
            if let Err((_, code)) = result {
                return Err(ConnectError::new(format!(
                    "cannot alter the configs of {topic}: {code}"
                )));
            }
        }
        Ok(())
    }

    /// Creates a compacted single-partition topic for MirrorMaker's own records.
    pub fn create_internal_topic(
        &self,
        topic: &str,
        replication_factor: i32,
    ) -> Result<(), ConnectError> {
        self.create_topic(
            topic,
            1,
            replication_factor,
            &[("cleanup.policy".to_string(), "compact".to_string())],
        )
    }
}

/// A consumer for `cluster` that is assigned partitions and never commits on its own.
pub fn assigned_consumer(
    props: &Props,
    cluster: Cluster,
    group: Option<&str>,
) -> Result<BaseConsumer, ConnectError> {
    require_bootstrap(props, cluster)?;
    let mut config = client_config(props, cluster, "consumer");
    config
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false");
    if config.get("auto.offset.reset").is_none() {
        config.set("auto.offset.reset", "earliest");
    }
    if let Some(group) = group {
        config.set("group.id", group);
    } else if config.get("group.id").is_none() {
        // librdkafka wants one even for a consumer that only assigns.
        config.set("group.id", "connect-mirror");
    }
    config.create().map_err(fatal("cannot create a consumer"))
}

/// The consumer groups of a cluster and their states (`Empty`, `Stable` …).
pub fn consumer_groups(consumer: &BaseConsumer) -> Result<Vec<(String, String)>, ConnectError> {
    let groups = consumer
        .fetch_group_list(None, REQUEST_TIMEOUT)
        .map_err(|e| ConnectError::retriable(format!("cannot list consumer groups: {e}")))?;
    Ok(groups
        .groups()
        .iter()
        .map(|g| (g.name().to_string(), g.state().to_string()))
        .collect())
}
