//! Standalone mode: one process, connectors from properties files, offsets in a local file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::util::Timeout;

use crate::config::{read_properties, WorkerConfig};
use crate::kafka::{ClientSettings, EmbeddedBroker};
use crate::plugins::{watch_plugin_path, PluginRegistry};
use crate::rest::{self, AdvertisedUrl, RestSecurity, RestState};
use crate::runtime::{TargetState, TaskEnv, Worker};
use crate::storage::{ActiveTopics, OffsetStore, StatusStore};

/// Runs a standalone worker until SIGINT or SIGTERM.
pub fn run(worker_file: &Path, connector_files: &[PathBuf]) -> anyhow::Result<()> {
    let config = WorkerConfig::from_props(read_properties(worker_file)?)
        .with_context(|| format!("invalid worker configuration {}", worker_file.display()))?;
    for key in config.unused_keys() {
        tracing::warn!(
            "The configuration '{key}' was supplied but isn't used by this worker yet; ignoring it"
        );
    }
    // First: a bad key, certificate or credentials file stops the worker before anything starts.
    let security = RestSecurity::from_config(&config)?;

    // Kept alive until the end of `run`: dropping it stops the embedded broker.
    let (_embedded, bootstrap_servers) = match &config.bootstrap_servers {
        Some(servers) => (None, servers.clone()),
        None => {
            let broker = EmbeddedBroker::start()?;
            let servers = broker.bootstrap_servers();
            tracing::warn!(
                "No bootstrap.servers configured: running an embedded Kafka broker at {servers}. \
                 Its topics live in memory and are lost when this worker stops; \
                 set bootstrap.servers to use a real Kafka cluster"
            );
            (Some(broker), servers)
        }
    };

    let registry = Arc::new(PluginRegistry::load(&config.plugin_path));
    // New libraries dropped into plugin.path are loaded while the worker runs.
    let _plugin_watch = watch_plugin_path(registry.clone(), &config.plugin_path);
    let offsets = Arc::new(OffsetStore::open(&config.offsets_file)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rest")
        .enable_all()
        .build()?;
    let listener = runtime.block_on(rest::bind(config.rest_listener.clone()))?;
    let advertised = AdvertisedUrl::from_config(&config, listener.local_addr()?.port())?;
    tracing::info!("REST API advertised as {advertised}");
    let worker_id = advertised.worker_id();
    let clients = ClientSettings {
        bootstrap_servers,
        common: config.shared_client_settings(),
        producer: config.client_overrides("producer."),
        consumer: config.client_overrides("consumer."),
    };
    let kafka_cluster_id = fetch_cluster_id(&clients);
    let config = Arc::new(config);
    let env = TaskEnv {
        worker: config.clone(),
        clients,
        offsets,
        status: Arc::new(StatusStore::default()),
        topics: Arc::new(ActiveTopics::new(config.topic_tracking)),
        plugins: registry,
        worker_id,
        metrics: Default::default(),
    };
    let worker = Arc::new(Worker::new(env));

    let state = Arc::new(RestState {
        worker: worker.clone(),
        kafka_cluster_id,
        ready: AtomicBool::new(false),
    });
    let (stop_rest, rest_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(rest::serve(listener, state.clone(), security, async {
        let _ = rest_stopped.await;
    }));

    let mut outcome = Ok(());
    for file in connector_files {
        let created = read_properties(file).and_then(|props| {
            worker
                .create_connector(props, TargetState::Running)
                .map(drop)
                .map_err(anyhow::Error::from)
        });
        if let Err(e) = created {
            outcome = Err(e)
                .with_context(|| format!("Failed to create connector for {}", file.display()));
            break;
        }
    }
    if outcome.is_ok() {
        state.ready.store(true, Ordering::Release);
        tracing::info!("Kafka Connect standalone worker started; stop it with Ctrl-C");
        let watcher = worker.clone();
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let w = watcher.clone();
                // Calls into plugins: never on the async threads themselves.
                let _ = tokio::task::spawn_blocking(move || w.check_connectors()).await;
            }
        });
        runtime.block_on(shutdown_signal());
        tracing::info!("Kafka Connect stopping");
    }
    worker.stop();
    let _ = stop_rest.send(());
    let _ = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(5), server).await });
    tracing::info!("Kafka Connect stopped");
    outcome
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub(crate) fn fetch_cluster_id(clients: &ClientSettings) -> String {
    let bootstrap_servers = &clients.bootstrap_servers;
    let producer: Result<BaseProducer, _> = crate::kafka::base_config(clients).create();
    match producer {
        Ok(p) => p
            .client()
            .fetch_cluster_id(Timeout::After(Duration::from_secs(5)))
            .unwrap_or_else(|| {
                tracing::warn!(
                    "could not fetch the Kafka cluster id from {bootstrap_servers} within 5 s"
                );
                String::new()
            }),
        Err(e) => {
            tracing::warn!("cannot create a Kafka client for {bootstrap_servers}: {e}");
            String::new()
        }
    }
}
