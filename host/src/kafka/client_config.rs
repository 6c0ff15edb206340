//! Builds librdkafka configurations from Kafka (Java client) settings.

use std::collections::{BTreeMap, HashMap};

use rdkafka::ClientConfig;

/// How a Java client key maps onto librdkafka.
enum Mapping {
    Same,
    Renamed(&'static str),
    /// Java-only (serializers, blocking limits): no librdkafka equivalent.
    Dropped,
}

fn mapping(key: &str) -> Mapping {
    match key {
        "key.serializer"
        | "value.serializer"
        | "key.deserializer"
        | "value.deserializer"
        | "max.block.ms"
        | "max.poll.records"
        | "max.poll.interval.ms.ignored"
        | "buffer.memory"
        | "interceptor.classes"
        | "metric.reporters"
        | "exclude.internal.topics" => Mapping::Dropped,
        "max.request.size" => Mapping::Renamed("message.max.bytes"),
        "delivery.timeout.ms" => Mapping::Renamed("message.timeout.ms"),
        "max.in.flight.requests.per.connection" => Mapping::Renamed("max.in.flight"),
        "fetch.max.wait.ms" => Mapping::Renamed("fetch.wait.max.ms"),
        "sasl.mechanism" => Mapping::Renamed("sasl.mechanisms"),
        // Java-only TLS settings: the JVM's engine, not OpenSSL's.
        "ssl.truststore.type"
        | "ssl.truststore.password"
        | "ssl.keystore.type"
        | "ssl.protocol"
        | "ssl.enabled.protocols"
        | "ssl.keymanager.algorithm"
        | "ssl.trustmanager.algorithm"
        | "ssl.secure.random.implementation"
        | "ssl.engine.factory.class"
        | "ssl.provider"
        | "sasl.login.class"
        | "sasl.login.callback.handler.class"
        | "sasl.client.callback.handler.class" => Mapping::Dropped,
        _ => Mapping::Same,
    }
}

/// The librdkafka name of a Java client key, or `None` for a Java-only key.
pub fn translate_java_key(key: &str) -> Option<&str> {
    match mapping(key) {
        Mapping::Same => Some(key),
        Mapping::Renamed(to) => Some(to),
        Mapping::Dropped => None,
    }
}

/// Where the worker's clients connect, and the worker-level client settings.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    pub bootstrap_servers: String,
    /// Connection and security settings from the top of the worker file
    /// (`security.protocol`, `sasl.*`, `ssl.*`, …), given to every client the worker makes.
    /// Java's worker gives them only to its own clients, so users repeat each under
    /// `producer.` and `consumer.`; here the prefixed copies still win, but are not needed.
    pub common: HashMap<String, String>,
    pub producer: HashMap<String, String>,
    pub consumer: HashMap<String, String>,
}

/// Whether a top-level worker key is a connection or security setting every client needs.
pub fn is_shared_client_key(key: &str) -> bool {
    matches!(
        key,
        "security.protocol" | "client.dns.lookup" | "socket.connection.setup.timeout.ms"
    ) || key.starts_with("sasl.")
        || key.starts_with("ssl.")
}

/// A client configuration with the worker's connection and security settings: what admin
/// requests and metadata lookups use.
pub fn base_config(settings: &ClientSettings) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &settings.bootstrap_servers);
    apply(&mut config, &[&settings.common]);
    config
}

/// Sets the layers' settings in order (later layers win), Java names and values turned into
/// librdkafka's.
fn apply(config: &mut ClientConfig, layers: &[&HashMap<String, String>]) {
    let mut merged: BTreeMap<&str, &str> = BTreeMap::new();
    for layer in layers {
        for (k, v) in layer.iter() {
            merged.insert(k, v);
        }
    }
    for (key, value) in librdkafka_settings(&merged) {
        config.set(key, value);
    }
}

/// The librdkafka settings for Java client settings: names translated, Java-only keys
/// dropped, and the security keys whose Java form librdkafka does not read (JAAS login
/// strings, PEM keystores and truststores) turned into librdkafka's own keys.
fn librdkafka_settings(java: &BTreeMap<&str, &str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let pem = |type_key: &str, location: &str| {
        java.get(type_key)
            .map(|t| t.eq_ignore_ascii_case("PEM"))
            .unwrap_or_else(|| {
                let lower = location.to_ascii_lowercase();
                lower.ends_with(".pem") || lower.ends_with(".crt")
            })
    };
    for (&key, &value) in java {
        match key {
            "sasl.jaas.config" => match jaas_credentials(value) {
                Some((user, password)) => {
                    out.push(("sasl.username".into(), user));
                    out.push(("sasl.password".into(), password));
                }
                None => tracing::warn!(
                    "sasl.jaas.config: only the PLAIN and SCRAM login modules' username and password are understood; ignored"
                ),
            },
            "ssl.truststore.location" if pem("ssl.truststore.type", value) => {
                out.push(("ssl.ca.location".into(), value.into()));
            }
            "ssl.truststore.location" => tracing::warn!(
                "ssl.truststore.location {value}: only PEM truststores can be read (set ssl.truststore.type=PEM); ignored"
            ),
            "ssl.truststore.certificates" => out.push(("ssl.ca.pem".into(), value.into())),
            "ssl.keystore.location" if pem("ssl.keystore.type", value) => {
                // A PEM keystore holds the key and its certificate chain in one file.
                out.push(("ssl.certificate.location".into(), value.into()));
                out.push(("ssl.key.location".into(), value.into()));
            }
            "ssl.keystore.password" if java.get("ssl.keystore.type").is_some_and(|t| t.eq_ignore_ascii_case("PEM")) => {}
            "ssl.keystore.certificate.chain" => {
                out.push(("ssl.certificate.pem".into(), value.into()))
            }
            "ssl.keystore.key" => out.push(("ssl.key.pem".into(), value.into())),
            "ssl.endpoint.identification.algorithm" => out.push((
                key.into(),
                if value.trim().is_empty() { "none" } else { value }.into(),
            )),
            _ => match translate_java_key(key) {
                Some(to) => out.push((to.into(), value.into())),
                None => tracing::debug!("client setting {key} has no librdkafka equivalent; ignored"),
            },
        }
    }
    out
}

/// `username` and `password` of a PLAIN or SCRAM JAAS login string, as Java writes it:
/// `org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";`
fn jaas_credentials(jaas: &str) -> Option<(String, String)> {
    if !(jaas.contains("PlainLoginModule") || jaas.contains("ScramLoginModule")) {
        return None;
    }
    let option = |name: &str| -> Option<String> {
        let start = jaas.find(&format!("{name}=\""))? + name.len() + 2;
        let end = jaas[start..].find('"')? + start;
        Some(jaas[start..end].to_string())
    };
    Some((option("username")?, option("password")?))
}

/// A source task's producer: Java's worker defaults (acks=all, ordered, retried without
/// end), then worker `producer.*` settings, then the connector's `producer.override.*`.
pub fn producer_config(
    settings: &ClientSettings,
    client_id: &str,
    overrides: &HashMap<String, String>,
) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &settings.bootstrap_servers)
        .set("client.id", client_id)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", "0")
        .set("linger.ms", "5")
        .set("batch.num.messages", "10000");
    apply(
        &mut config,
        &[&settings.common, &settings.producer, overrides],
    );
    config
}

/// A sink task's consumer in group `connect-<connector>`: offsets committed only by the
/// worker after the task flushed, earliest by default, as Java's worker.
pub fn consumer_config(
    settings: &ClientSettings,
    group: &str,
    client_id: &str,
    overrides: &HashMap<String, String>,
) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &settings.bootstrap_servers)
        .set("group.id", group)
        .set("client.id", client_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("allow.auto.create.topics", "true")
        .set("queued.min.messages", "100000")
        // librdkafka postpones the next fetch by this much whenever its local queue is
        // over the thresholds above; at the default 1000 ms a sink that keeps up stalls
        // for a second after each burst (measured: 1M x 100 B in 5.6 s; at 10 ms, 0.85 s).
        .set("fetch.queue.backoff.ms", "10")
        .set("enable.partition.eof", "false");
    apply(
        &mut config,
        &[&settings.common, &settings.consumer, overrides],
    );
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as map;

    fn settings() -> ClientSettings {
        ClientSettings {
            bootstrap_servers: "b:9092".into(),
            producer: [("max.request.size".to_string(), "2000000".to_string())]
                .into_iter()
                .collect(),
            ..ClientSettings::default()
        }
    }

    #[test]
    fn java_names_are_translated_and_java_only_keys_dropped() {
        let overrides = [
            ("key.serializer".to_string(), "x".to_string()),
            ("linger.ms".to_string(), "50".to_string()),
        ]
        .into_iter()
        .collect();
        let config = producer_config(&settings(), "c", &overrides);
        assert_eq!(config.get("message.max.bytes"), Some("2000000"));
        assert_eq!(config.get("linger.ms"), Some("50"));
        assert_eq!(config.get("key.serializer"), None);
        assert_eq!(config.get("acks"), Some("all"));
    }

    #[test]
    fn sink_consumers_commit_manually_from_earliest() {
        let config = consumer_config(&settings(), "connect-x", "c", &HashMap::new());
        assert_eq!(config.get("group.id"), Some("connect-x"));
        assert_eq!(config.get("enable.auto.commit"), Some("false"));
        assert_eq!(config.get("auto.offset.reset"), Some("earliest"));
    }

    #[test]
    fn worker_security_reaches_every_client_and_prefixed_settings_win() {
        let settings = ClientSettings {
            bootstrap_servers: "b:9093".into(),
            common: map(&[
                ("security.protocol", "SASL_SSL"),
                ("sasl.mechanism", "SCRAM-SHA-512"),
                (
                    "sasl.jaas.config",
                    r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="s3cret";"#,
                ),
                ("ssl.truststore.type", "PEM"),
                ("ssl.truststore.location", "/etc/ca.pem"),
                ("ssl.endpoint.identification.algorithm", ""),
            ]),
            consumer: map(&[("security.protocol", "SSL")]),
            ..ClientSettings::default()
        };
        let producer = producer_config(&settings, "p", &HashMap::new());
        assert_eq!(producer.get("security.protocol"), Some("SASL_SSL"));
        assert_eq!(producer.get("sasl.mechanisms"), Some("SCRAM-SHA-512"));
        assert_eq!(producer.get("sasl.username"), Some("connect"));
        assert_eq!(producer.get("sasl.password"), Some("s3cret"));
        assert_eq!(producer.get("ssl.ca.location"), Some("/etc/ca.pem"));
        assert_eq!(
            producer.get("ssl.endpoint.identification.algorithm"),
            Some("none")
        );
        assert_eq!(producer.get("ssl.truststore.type"), None);
        let consumer = consumer_config(&settings, "g", "c", &HashMap::new());
        assert_eq!(consumer.get("security.protocol"), Some("SSL"));
        assert_eq!(base_config(&settings).get("sasl.username"), Some("connect"));
    }

    #[test]
    fn a_pem_keystore_is_the_key_and_certificate_files() {
        let settings = ClientSettings {
            common: map(&[
                ("ssl.keystore.type", "PEM"),
                ("ssl.keystore.location", "/etc/client.pem"),
                ("ssl.key.password", "k"),
            ]),
            ..ClientSettings::default()
        };
        let config = base_config(&settings);
        assert_eq!(
            config.get("ssl.certificate.location"),
            Some("/etc/client.pem")
        );
        assert_eq!(config.get("ssl.key.location"), Some("/etc/client.pem"));
        assert_eq!(config.get("ssl.key.password"), Some("k"));
    }

    #[test]
    fn jaas_strings_give_their_credentials() {
        assert_eq!(
            jaas_credentials(
                r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";"#
            ),
            Some(("a".into(), "b".into()))
        );
        assert_eq!(jaas_credentials("com.example.Kerberos required;"), None);
    }
}
