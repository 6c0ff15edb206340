//! Distributed mode: one worker of a group that shares connectors through Kafka's group
//! coordinator, with its configs, offsets and statuses in Kafka topics.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;

use crate::cluster::herder::DistributedHerder;
use crate::cluster::{ConnectProtocol, GroupSettings, Membership};
use crate::config::{read_properties, DistributedConfig, Protocol, WorkerConfig};
use crate::kafka::ClientSettings;
use crate::plugins::{watch_plugin_path, PluginRegistry};
use crate::rest::{self, AdvertisedUrl, RestSecurity, RestState};
use crate::runtime::{Herder, TaskEnv, Worker};
use crate::standalone::{fetch_cluster_id, shutdown_signal};
use crate::storage::config_topic::{ClusterConfig, ConfigRecord};
use crate::storage::{status_topic, ActiveTopics, KafkaLog, OffsetStore, StatusStore, TopicSpec};

/// Runs a distributed worker until SIGINT or SIGTERM.
pub fn run(worker_file: &Path) -> anyhow::Result<()> {
    let config = WorkerConfig::distributed(read_properties(worker_file)?)
        .with_context(|| format!("invalid worker configuration {}", worker_file.display()))?;
    for key in config.unused_keys() {
        tracing::warn!(
            "The configuration '{key}' was supplied but isn't used by this worker yet; ignoring it"
        );
    }
    let registry = Arc::new(PluginRegistry::load(&config.plugin_path));
    let _plugin_watch = watch_plugin_path(registry.clone(), &config.plugin_path);
    let runtime = rest_runtime()?;
    let worker = DistributedWorker::start(config, registry, &runtime)
        .with_context(|| format!("invalid worker configuration {}", worker_file.display()))?;
    runtime.block_on(shutdown_signal());
    tracing::info!("Kafka Connect stopping");
    worker.stop(&runtime);
    tracing::info!("Kafka Connect stopped");
    Ok(())
}

/// The threads that serve the REST API of every worker in this process.
pub fn rest_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rest")
        .enable_all()
        .build()
}

/// A running member of a worker group, with its REST API; several can share a process (the
/// dedicated MirrorMaker runs one per replication flow).
pub struct DistributedWorker {
    herder: Arc<DistributedHerder>,
    status_log: Arc<KafkaLog>,
    stop_rest: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    rest_url: String,
}

impl DistributedWorker {
    /// Reads the internal topics to their ends, joins the group and serves the REST API on
    /// `runtime`, with the plugins of `registry`.
    pub fn start(
        config: WorkerConfig,
        registry: Arc<PluginRegistry>,
        runtime: &tokio::runtime::Runtime,
    ) -> anyhow::Result<DistributedWorker> {
        let cluster = DistributedConfig::from_props(&config.props)?;
        start(config, cluster, registry, runtime)
    }

    pub fn herder(&self) -> &Arc<DistributedHerder> {
        &self.herder
    }

    /// The REST API's advertised URL.
    pub fn rest_url(&self) -> &str {
        &self.rest_url
    }

    /// Leaves the group, stopping what runs here, and closes the REST API.
    pub fn stop(self, runtime: &tokio::runtime::Runtime) {
        self.herder.shutdown();
        self.status_log.flush();
        let _ = self.stop_rest.send(());
        let server = self.server;
        let _ =
            runtime.block_on(async { tokio::time::timeout(Duration::from_secs(5), server).await });
    }
}

fn start(
    config: WorkerConfig,
    cluster: DistributedConfig,
    registry: Arc<PluginRegistry>,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<DistributedWorker> {
    let security = RestSecurity::from_config(&config)?;
    // The group membership speaks Kafka's protocol itself, in plaintext only so far.
    if let Some(protocol) = config
        .props
        .get("security.protocol")
        .map(|p| p.trim().to_ascii_uppercase())
        .filter(|p| !p.is_empty() && p != "PLAINTEXT")
    {
        anyhow::bail!(
            "security.protocol={protocol}: distributed mode joins its group over plaintext \
             connections only so far; use standalone mode, or a PLAINTEXT listener for the workers"
        );
    }
    // The embedded broker (librdkafka's mock cluster) drops a JoinGroup of protocol type
    // `connect`: a distributed worker needs a real cluster.
    let Some(bootstrap_servers) = config.bootstrap_servers.clone() else {
        anyhow::bail!(
            "distributed mode needs bootstrap.servers: the workers of a group meet through a \
             Kafka cluster's group coordinator, which the embedded broker does not provide for \
             Connect workers (use standalone mode to run without Kafka)"
        );
    };

    let listener = runtime.block_on(rest::bind(config.rest_listener.clone()))?;
    let advertised = AdvertisedUrl::from_config(&config, listener.local_addr()?.port())?;
    tracing::info!("REST API advertised as {advertised}");
    let worker_id = advertised.worker_id();
    let clients = ClientSettings {
        bootstrap_servers: bootstrap_servers.clone(),
        common: config.shared_client_settings(),
        producer: config.client_overrides("producer."),
        consumer: config.client_overrides("consumer."),
    };
    let kafka_cluster_id = fetch_cluster_id(&clients);
    let client_id = format!("connect-{worker_id}");

    // The three topics, each read to its end before this worker joins the group.
    let status = Arc::new(StatusStore::default());
    let status_log = {
        let status = status.clone();
        Arc::new(KafkaLog::start(
            &clients,
            &TopicSpec {
                name: cluster.status_topic.clone(),
                partitions: cluster.status_partitions,
                replication: cluster.status_replication,
            },
            &format!("{client_id}-statuses"),
            Box::new(move |key, value, _| {
                if let Some(record) = status_topic::decode(key, value) {
                    status.apply(record, crate::config::ConnectorType::Source);
                }
            }),
        )?)
    };
    {
        let log = status_log.clone();
        status.publish_to(Box::new(move |record| {
            let (key, value) = status_topic::encode(&record);
            log.write_later(key.as_bytes(), value.as_deref());
        }));
    }
    let offsets = OffsetStore::on_topic(
        &clients,
        &TopicSpec {
            name: cluster.offset_topic.clone(),
            partitions: cluster.offset_partitions,
            replication: cluster.offset_replication,
        },
        &format!("{client_id}-offsets"),
    )?;
    let cluster_config: Arc<RwLock<ClusterConfig>> = Arc::default();
    let (changes_in, changes) = channel();
    let config_log = {
        let cluster_config = cluster_config.clone();
        KafkaLog::start(
            &clients,
            &TopicSpec {
                name: cluster.config_topic.clone(),
                // Java requires exactly one: the records' order is the configuration's history.
                partitions: 1,
                replication: cluster.config_replication,
            },
            &format!("{client_id}-configs"),
            Box::new(move |key, value, _| {
                let Some(record) = ConfigRecord::decode(key, value) else {
                    return;
                };
                let change = cluster_config
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .apply(record);
                if let Some(change) = change {
                    let _ = changes_in.send(change);
                }
            }),
        )?
    };

    let config = Arc::new(config);
    let env = TaskEnv {
        worker: config.clone(),
        clients,
        offsets: Arc::new(offsets),
        status,
        topics: Arc::new(ActiveTopics::new(config.topic_tracking)),
        plugins: registry,
        worker_id: worker_id.clone(),
        metrics: Default::default(),
    };
    let herder = Arc::new(DistributedHerder::new(
        Worker::new(env),
        config_log,
        cluster_config,
        status_log.clone(),
        advertised.to_string(),
    ));
    let membership = Membership::start(
        GroupSettings {
            bootstrap_servers,
            group_id: cluster.group_id.clone(),
            client_id: client_id.clone(),
            session_timeout: cluster.session_timeout,
            heartbeat_interval: cluster.heartbeat_interval,
            rebalance_timeout: cluster.rebalance_timeout,
            scheduled_rebalance_max_delay: cluster.scheduled_rebalance_max_delay,
            protocol: match cluster.protocol {
                Protocol::Eager => ConnectProtocol::Eager,
                Protocol::Compatible => ConnectProtocol::Compatible,
                Protocol::Sessioned => ConnectProtocol::Sessioned,
            },
        },
        herder.clone(),
    )?;
    herder.set_membership(membership);
    {
        let herder = herder.clone();
        std::thread::Builder::new()
            .name("herder".into())
            .spawn(move || herder.run(changes))?;
    }

    let state = Arc::new(RestState {
        worker: herder.clone(),
        kafka_cluster_id,
        ready: AtomicBool::new(false),
    });
    let (stop_rest, rest_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(rest::serve(listener, state.clone(), security, async {
        let _ = rest_stopped.await;
    }));
    {
        // Healthy once this worker has joined the group.
        let (state, herder) = (state.clone(), herder.clone());
        runtime.spawn(async move {
            while herder.leader_url().is_err() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            state.ready.store(true, Ordering::Release);
            tracing::info!(
                "Kafka Connect distributed worker joined group {}; stop it with Ctrl-C",
                cluster.group_id
            );
        });
    }
    Ok(DistributedWorker {
        herder,
        status_log,
        stop_rest,
        server,
        rest_url: advertised.to_string(),
    })
}
