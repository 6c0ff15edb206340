//! The dedicated MirrorMaker's top-level file (Kafka's `connect-mirror-maker.properties`), read
//! as Kafka's `MirrorMakerConfig` reads it: `clusters`, `<alias>.*` cluster settings and
//! `<source>-><target>.*` flow settings, turned into one worker configuration and three
//! connector configurations per flow.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use anyhow::bail;

/// The ByteArrayConverter: records pass through the internal workers unchanged.
const BYTE_ARRAY_CONVERTER: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// The three connectors each flow runs, by Java class name.
pub const CONNECTOR_CLASSES: [&str; 3] = [
    "org.apache.kafka.connect.mirror.MirrorSourceConnector",
    "org.apache.kafka.connect.mirror.MirrorCheckpointConnector",
    "org.apache.kafka.connect.mirror.MirrorHeartbeatConnector",
];

/// Top-level keys (prefixes) every flow's worker takes, as Kafka's `workerConfig` accepts
/// them, and `plugin.path` for where the mirror plugin is.
const WORKER_PREFIXES: &[&str] = &[
    "offset.storage",
    "config.storage",
    "status.storage",
    "key.converter",
    "value.converter",
    "header.converter",
    "task",
    "worker",
    "replication.policy",
    "config.providers",
    "plugin.path",
    "rest.advertised.",
    "log.format",
];

/// One replication flow: a source cluster and a target cluster.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    pub source: String,
    pub target: String,
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}->{}", self.source, self.target)
    }
}

/// The parsed top-level file.
#[derive(Debug, Clone)]
pub struct MirrorMakerConfig {
    raw: HashMap<String, String>,
    clusters: Vec<String>,
}

impl MirrorMakerConfig {
    pub fn from_props(raw: HashMap<String, String>) -> anyhow::Result<MirrorMakerConfig> {
        let raw: HashMap<String, String> = raw
            .into_iter()
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let Some(list) = raw.get("clusters") else {
            bail!("Missing required configuration \"clusters\" which has no default value.");
        };
        let mut clusters: Vec<String> = Vec::new();
        for alias in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            if !clusters.iter().any(|c| c == alias) {
                clusters.push(alias.to_string());
            }
        }
        if clusters.len() < 2 {
            bail!("clusters = {list}: MirrorMaker needs at least two cluster aliases");
        }
        for alias in &clusters {
            if alias.contains("->") || alias.contains('.') {
                bail!("cluster alias {alias:?}: aliases cannot contain '.' or '->'");
            }
            if raw
                .get(&format!("{alias}.bootstrap.servers"))
                .or_else(|| raw.get("bootstrap.servers"))
                .is_none_or(|v| v.is_empty())
            {
                bail!("Missing required configuration \"{alias}.bootstrap.servers\": where is cluster {alias}?");
            }
        }
        Ok(MirrorMakerConfig { raw, clusters })
    }

    pub fn clusters(&self) -> &[String] {
        &self.clusters
    }

    /// The flows that get a worker, as Kafka's `clusterPairs`: every ordered pair that is
    /// `enabled` or emits heartbeats (on by default: the reverse of an enabled flow monitors
    /// it), keeping only those whose target is in `targets` when given (`--clusters`).
    pub fn flows(&self, targets: Option<&[String]>) -> anyhow::Result<Vec<Flow>> {
        if let Some(targets) = targets {
            if let Some(unknown) = targets.iter().find(|t| !self.clusters.contains(t)) {
                bail!(
                    "--clusters {unknown}: not one of clusters = {}",
                    self.clusters.join(", ")
                );
            }
        }
        let is_true = |key: &str| {
            self.raw
                .get(key)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        let heartbeats_everywhere = self
            .raw
            .get("emit.heartbeats.enabled")
            .is_none_or(|v| v.eq_ignore_ascii_case("true"));
        let mut flows = Vec::new();
        for source in &self.clusters {
            for target in &self.clusters {
                if source == target || targets.is_some_and(|t| !t.contains(target)) {
                    continue;
                }
                let flow = Flow {
                    source: source.clone(),
                    target: target.clone(),
                };
                let heartbeats = match self.raw.get(&format!("{flow}.emit.heartbeats.enabled")) {
                    Some(v) => v.eq_ignore_ascii_case("true"),
                    None => heartbeats_everywhere,
                };
                if is_true(&format!("{flow}.enabled")) || heartbeats {
                    flows.push(flow);
                }
            }
        }
        Ok(flows)
    }

    /// Whether the flow replicates topics and checkpoints (not only heartbeats).
    pub fn enabled(&self, flow: &Flow) -> bool {
        self.raw
            .get(&format!("{flow}.enabled"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// A cluster's settings (`<alias>.*`, the alias stripped), with its client connection
    /// settings copied to `producer.`, `consumer.` and `admin.`, and the top-level ones below
    /// them, as Kafka's `clusterProps`.
    fn cluster_props(&self, alias: &str) -> HashMap<String, String> {
        let mut props = stripped(&self.raw, &format!("{alias}."));
        let copy_to_clients = |props: &mut HashMap<String, String>, k: &str, v: &str| {
            for role in ["producer.", "consumer.", "admin."] {
                props
                    .entry(format!("{role}{k}"))
                    .or_insert_with(|| v.to_string());
            }
        };
        let own: Vec<(String, String)> = props
            .iter()
            .filter(|(k, _)| is_client_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in own {
            copy_to_clients(&mut props, &k, &v);
        }
        for (k, v) in self.raw.iter().filter(|(k, _)| is_client_key(k)) {
            copy_to_clients(&mut props, k, v);
            props.entry(k.clone()).or_insert_with(|| v.clone());
        }
        props
    }

    /// The flow's worker: the target cluster's settings and the top-level worker keys, with
    /// Kafka's defaults for the group and its internal topics (on the target, named after
    /// the source) and ByteArrayConverter for keys, values and headers.
    pub fn worker_props(&self, flow: &Flow) -> HashMap<String, String> {
        let mut props = self.cluster_props(&flow.target);
        for (k, v) in &self.raw {
            if WORKER_PREFIXES.iter().any(|p| k.starts_with(p)) {
                props.insert(k.clone(), v.clone());
            }
        }
        let source = &flow.source;
        let defaults = [
            ("client.id", flow.to_string()),
            ("group.id", format!("{source}-mm2")),
            (
                "offset.storage.topic",
                format!("mm2-offsets.{source}.internal"),
            ),
            (
                "status.storage.topic",
                format!("mm2-status.{source}.internal"),
            ),
            (
                "config.storage.topic",
                format!("mm2-configs.{source}.internal"),
            ),
            ("key.converter", BYTE_ARRAY_CONVERTER.to_string()),
            ("value.converter", BYTE_ARRAY_CONVERTER.to_string()),
            ("header.converter", BYTE_ARRAY_CONVERTER.to_string()),
        ];
        for (k, v) in defaults {
            props.entry(k.to_string()).or_insert(v);
        }
        // The REST API serves only this process's flows (task configurations a follower
        // forwards to its leader, status): any free port, one per flow, on the host of
        // `listeners` (loopback unless set).
        let host = self
            .raw
            .get("listeners")
            .and_then(|l| l.split(',').next())
            .and_then(|l| l.trim().rsplit_once(':'))
            .map(|(scheme_host, _port)| scheme_host.to_string())
            .unwrap_or_else(|| "http://localhost".to_string());
        props.insert("listeners".into(), format!("{host}:0"));
        props
    }

    /// The configuration of one of the flow's connectors (`class`, one of
    /// [`CONNECTOR_CLASSES`]), as Kafka's `connectorBaseConfig`: the top-level keys the mirror
    /// connectors define (`names`), both clusters' settings under `source.cluster.` /
    /// `target.cluster.` (client roles under `source.` / `target.`), then the flow's own
    /// `<source>-><target>.*` keys; `enabled` is false unless the flow says otherwise.
    pub fn connector_props(
        &self,
        flow: &Flow,
        class: &str,
        names: &BTreeSet<String>,
    ) -> HashMap<String, String> {
        let mut props: HashMap<String, String> = self
            .raw
            .iter()
            .filter(|(k, _)| names.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in &self.raw {
            if k.starts_with("config.providers") || k.starts_with("replication.policy") {
                props.insert(k.clone(), v.clone());
            }
        }
        for (alias, side) in [(&flow.source, "source"), (&flow.target, "target")] {
            for (k, v) in self.cluster_props(alias) {
                let key = if is_client_role_key(&k) {
                    format!("{side}.{k}")
                } else {
                    format!("{side}.cluster.{k}")
                };
                props.insert(key, v);
            }
        }
        let simple_name = class.rsplit('.').next().unwrap_or(class);
        let defaults = [
            ("name", simple_name),
            ("connector.class", class),
            ("source.cluster.alias", &flow.source),
            ("target.cluster.alias", &flow.target),
        ];
        for (k, v) in defaults {
            props.entry(k.to_string()).or_insert_with(|| v.to_string());
        }
        props.extend(stripped(&self.raw, &format!("{flow}.")));
        props
            .entry("enabled".to_string())
            .or_insert_with(|| "false".to_string());
        props
    }
}

/// The keys that start with `prefix`, without it.
fn stripped(raw: &HashMap<String, String>, prefix: &str) -> HashMap<String, String> {
    raw.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
        .collect()
}

/// The connection settings Kafka's `MirrorClientConfig` knows: how to reach and authenticate
/// to a cluster.
fn is_client_key(key: &str) -> bool {
    key == "bootstrap.servers"
        || key == "security.protocol"
        || key.starts_with("ssl.")
        || key.starts_with("sasl.")
}

/// A client role's setting (`producer.*`, `consumer.*`, `admin.*`), matched as Kafka matches
/// them: by the bare word.
fn is_client_role_key(key: &str) -> bool {
    key.starts_with("producer") || key.starts_with("consumer") || key.starts_with("admin")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> MirrorMakerConfig {
        let props = java_properties::read(text.as_bytes()).unwrap();
        MirrorMakerConfig::from_props(props).unwrap()
    }

    fn flow(source: &str, target: &str) -> Flow {
        Flow {
            source: source.into(),
            target: target.into(),
        }
    }

    fn names() -> BTreeSet<String> {
        [
            "topics",
            "tasks.max",
            "replication.factor",
            "emit.heartbeats.interval.seconds",
        ]
        .map(String::from)
        .into()
    }

    #[test]
    fn kafkas_own_file_gives_both_flows_with_kafkas_names() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/kafka/connect-mirror-maker.properties"
        ))
        .unwrap();
        let c = config(&text);
        assert_eq!(c.clusters(), ["A", "B"]);
        let flows = c.flows(None).unwrap();
        assert_eq!(flows, [flow("A", "B"), flow("B", "A")]);
        let w = c.worker_props(&flow("A", "B"));
        assert_eq!(
            w["bootstrap.servers"],
            "B_host1:9092, B_host2:9092, B_host3:9092"
        );
        assert_eq!(w["group.id"], "A-mm2");
        assert_eq!(w["config.storage.topic"], "mm2-configs.A.internal");
        assert_eq!(w["offset.storage.topic"], "mm2-offsets.A.internal");
        assert_eq!(w["status.storage.topic"], "mm2-status.A.internal");
        assert_eq!(w["offset.storage.replication.factor"], "1");
        assert_eq!(w["key.converter"], BYTE_ARRAY_CONVERTER);
        assert_eq!(w["header.converter"], BYTE_ARRAY_CONVERTER);
        assert_eq!(w["client.id"], "A->B");
        assert_eq!(w["listeners"], "http://localhost:0");
        assert!(!w.contains_key("A.bootstrap.servers"));
        let s = c.connector_props(&flow("A", "B"), CONNECTOR_CLASSES[0], &names());
        assert_eq!(s["name"], "MirrorSourceConnector");
        assert_eq!(s["connector.class"], CONNECTOR_CLASSES[0]);
        assert_eq!(
            s["source.cluster.bootstrap.servers"],
            "A_host1:9092, A_host2:9092, A_host3:9092"
        );
        assert_eq!(
            s["source.consumer.bootstrap.servers"],
            s["source.cluster.bootstrap.servers"]
        );
        assert_eq!(
            s["target.producer.bootstrap.servers"],
            w["bootstrap.servers"]
        );
        assert_eq!(s["source.cluster.alias"], "A");
        assert_eq!(s["target.cluster.alias"], "B");
        assert_eq!(s["topics"], ".*");
        assert_eq!(s["replication.factor"], "1");
        assert_eq!(s["enabled"], "true");
    }

    #[test]
    fn flows_are_the_enabled_pairs_and_their_heartbeat_monitors() {
        let c = config("clusters = A, B, C\nA.bootstrap.servers=a:1\nB.bootstrap.servers=b:1\nC.bootstrap.servers=c:1\nA->B.enabled=true\nemit.heartbeats.enabled=false\nB->A.emit.heartbeats.enabled=true\n");
        assert_eq!(c.flows(None).unwrap(), [flow("A", "B"), flow("B", "A")]);
        assert!(c.enabled(&flow("A", "B")));
        assert!(!c.enabled(&flow("B", "A")));
        // `--clusters A`: only the flows that write to A run in this process.
        assert_eq!(c.flows(Some(&["A".into()])).unwrap(), [flow("B", "A")]);
        assert!(c.flows(Some(&["D".into()])).is_err());
        // Heartbeats are on by default: every pair gets a worker.
        let all = config("clusters=A,B,C\nbootstrap.servers=x:1\n");
        assert_eq!(all.flows(None).unwrap().len(), 6);
    }

    #[test]
    fn flow_settings_override_top_level_ones_and_disabled_flows_say_so() {
        let c = config(
            "clusters=A,B\nA.bootstrap.servers=a:1\nB.bootstrap.servers=b:1\n\
             topics=orders.*\ntasks.max=2\nA->B.enabled=true\nA->B.topics=payments\n\
             A->B.tasks.max=8\nsecurity.protocol=PLAINTEXT\nB.consumer.fetch.max.bytes=100\n\
             unknown.top.level=1\nA.offset.flush.interval.ms=5\nlisteners=http://0.0.0.0:8083\n",
        );
        let s = c.connector_props(&flow("A", "B"), CONNECTOR_CLASSES[0], &names());
        assert_eq!(s["topics"], "payments");
        assert_eq!(s["tasks.max"], "8");
        assert_eq!(s["enabled"], "true");
        assert!(!s.contains_key("unknown.top.level"));
        assert_eq!(s["source.cluster.security.protocol"], "PLAINTEXT");
        assert_eq!(s["source.admin.security.protocol"], "PLAINTEXT");
        assert_eq!(s["target.consumer.fetch.max.bytes"], "100");
        assert_eq!(s["source.cluster.offset.flush.interval.ms"], "5");
        let h = c.connector_props(&flow("B", "A"), CONNECTOR_CLASSES[2], &names());
        assert_eq!(h["name"], "MirrorHeartbeatConnector");
        assert_eq!(h["topics"], "orders.*");
        assert_eq!(h["tasks.max"], "2");
        assert_eq!(h["enabled"], "false");
        let w = c.worker_props(&flow("B", "A"));
        assert_eq!(w["bootstrap.servers"], "a:1");
        assert_eq!(w["offset.flush.interval.ms"], "5");
        assert_eq!(w["listeners"], "http://0.0.0.0:0");
        assert_eq!(w["group.id"], "B-mm2");
    }

    #[test]
    fn bad_files_say_what_is_missing() {
        let err = |text: &str| {
            MirrorMakerConfig::from_props(java_properties::read(text.as_bytes()).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert!(err("A.bootstrap.servers=a:1\n").contains("\"clusters\""));
        assert!(err("clusters=A\nA.bootstrap.servers=a:1\n").contains("at least two"));
        assert!(err("clusters=A,B\nA.bootstrap.servers=a:1\n").contains("B.bootstrap.servers"));
        assert!(err("clusters=A.x,B\nbootstrap.servers=a:1\n").contains("cannot contain"));
    }
}
