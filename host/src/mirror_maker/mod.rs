//! The dedicated MirrorMaker (`connect mirror-maker mm2.properties`, Kafka's
//! `connect-mirror-maker.sh`): one distributed worker per replication flow in this process,
//! each in the group `<source>-mm2` on the flow's target cluster with its configs, offsets
//! and statuses there, running the flow's three mirror connectors. Several processes with the
//! same file share the work as the workers of a distributed cluster do.

mod config;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

pub use config::{Flow, MirrorMakerConfig, CONNECTOR_CLASSES};

use crate::cluster::herder::DistributedHerder;
use crate::config::{connector_definitions, read_properties, WorkerConfig};
use crate::distributed::{rest_runtime, DistributedWorker};
use crate::plugins::{watch_plugin_path, PluginRegistry};
use crate::runtime::Herder;
use crate::standalone::shutdown_signal;

/// How often each flow's worker checks, while it leads its group, that the config topic holds
/// the connectors the file asks for.
const CONFIGURE_EVERY: Duration = Duration::from_secs(2);

/// A flow, the herder of its worker and the connector configurations the file wants there.
type WantedFlow = (Flow, Arc<DistributedHerder>, Vec<HashMap<String, String>>);

/// Runs the flows of `file` whose target is in `targets` (all when `None`) until SIGINT or
/// SIGTERM.
pub fn run(file: &Path, targets: Option<&[String]>) -> anyhow::Result<()> {
    let invalid = || format!("invalid MirrorMaker configuration {}", file.display());
    let mm = MirrorMakerConfig::from_props(read_properties(file)?).with_context(invalid)?;
    let flows = mm.flows(targets).with_context(invalid)?;
    if flows.is_empty() {
        anyhow::bail!(
            "{}: no replication flow to run here (set A->B.enabled = true, or leave \
             emit.heartbeats.enabled on)",
            file.display()
        );
    }
    let mut configs = Vec::new();
    for flow in &flows {
        let worker = WorkerConfig::distributed(mm.worker_props(flow))
            .with_context(|| format!("{}: the worker of flow {flow}", invalid()))?;
        configs.push(worker);
    }
    // One plugin.path for every flow: the top-level one.
    let plugin_path = configs[0].plugin_path.clone();
    let registry = Arc::new(PluginRegistry::load(&plugin_path));
    let _plugin_watch = watch_plugin_path(registry.clone(), &plugin_path);
    let names = mirror_setting_names(&registry, &plugin_path)?;

    let runtime = rest_runtime()?;
    let mut workers = Vec::new();
    let mut wanted: Vec<WantedFlow> = Vec::new();
    for (flow, worker) in flows.into_iter().zip(configs) {
        let group = worker.props.get("group.id").cloned().unwrap_or_default();
        let target = worker.bootstrap_servers.clone().unwrap_or_default();
        let worker = DistributedWorker::start(worker, registry.clone(), &runtime)
            .with_context(|| format!("cannot start the worker of flow {flow}"))?;
        tracing::info!(
            "MirrorMaker flow {flow} ({}): group {group} on {target}, REST API {}",
            if mm.enabled(&flow) {
                "replicating"
            } else {
                "heartbeats only"
            },
            worker.rest_url()
        );
        let connectors = CONNECTOR_CLASSES
            .iter()
            .map(|class| mm.connector_props(&flow, class, &names))
            .collect();
        wanted.push((flow, worker.herder().clone(), connectors));
        workers.push(worker);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let configurer = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("mirror-configure".into())
            .spawn(move || {
                let mut last_error: HashMap<String, String> = HashMap::new();
                while !stop.load(Ordering::Acquire) {
                    for (flow, herder, connectors) in &wanted {
                        for props in connectors {
                            configure(flow, herder.as_ref(), props, &mut last_error);
                        }
                    }
                    let until = Instant::now() + CONFIGURE_EVERY;
                    while Instant::now() < until && !stop.load(Ordering::Acquire) {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            })?
    };
    tracing::info!("MirrorMaker running; stop it with Ctrl-C");
    runtime.block_on(shutdown_signal());
    tracing::info!("MirrorMaker stopping");
    stop.store(true, Ordering::Release);
    let _ = configurer.join();
    for worker in workers {
        worker.stop(&runtime);
    }
    tracing::info!("MirrorMaker stopped");
    Ok(())
}

/// As Java's `MirrorHerder` after each rebalance: the leader writes the connector's
/// configuration when the config topic does not hold exactly it. Followers do nothing; an
/// error is logged once until it changes.
fn configure(
    flow: &Flow,
    herder: &dyn Herder,
    props: &HashMap<String, String>,
    last_error: &mut HashMap<String, String>,
) {
    if !matches!(herder.leader_url(), Ok(None)) {
        return;
    }
    let name = props.get("name").cloned().unwrap_or_default();
    let key = format!("{flow} {name}");
    if herder.info(&name).is_ok_and(|info| info.config == *props) {
        last_error.remove(&key);
        return;
    }
    match herder.put_connector_config(props.clone()) {
        Ok((created, _)) => {
            last_error.remove(&key);
            tracing::info!(
                "MirrorMaker flow {flow}: {} {name}",
                if created { "created" } else { "reconfigured" }
            );
        }
        Err(e) => {
            let message = e.to_string();
            if last_error.get(&key) != Some(&message) {
                tracing::warn!("MirrorMaker flow {flow}: cannot configure {name}: {message}");
                last_error.insert(key, message);
            }
        }
    }
}

/// Every setting the three mirror connectors define (Kafka keeps only these from the top
/// level of the file for them); an error naming plugin.path when one is not installed.
fn mirror_setting_names(
    registry: &PluginRegistry,
    plugin_path: &[std::path::PathBuf],
) -> anyhow::Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for class in CONNECTOR_CLASSES {
        let plugin = registry.find_connector(class, None).map_err(|_| {
            anyhow::anyhow!(
                "{class} is not installed under plugin.path ({}): the dedicated MirrorMaker runs \
                 the mirror plugin (the connect_mirror library; `cargo xtask plugins` builds it \
                 into plugin.path/)",
                plugin_path
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let def = connector_definitions(&plugin)
            .map_err(|e| anyhow::anyhow!("{class}: cannot read its settings: {e}"))?;
        names.extend(def.keys.iter().map(|k| k.name.to_string()));
    }
    Ok(names)
}
