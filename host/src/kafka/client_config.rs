//! Builds librdkafka configurations from Kafka (Java client) settings.

use std::collections::HashMap;

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

/// Where the worker's clients connect, and the worker-level client overrides.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub bootstrap_servers: String,
    pub producer: HashMap<String, String>,
    pub consumer: HashMap<String, String>,
}

fn apply(config: &mut ClientConfig, overrides: &HashMap<String, String>) {
    let mut keys: Vec<&String> = overrides.keys().collect();
    keys.sort();
    for key in keys {
        match translate_java_key(key) {
            Some(to) => {
                config.set(to, &overrides[key]);
            }
            None => tracing::debug!("client setting {key} has no librdkafka equivalent; ignored"),
        }
    }
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
    apply(&mut config, &settings.producer);
    apply(&mut config, overrides);
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
    apply(&mut config, &settings.consumer);
    apply(&mut config, overrides);
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ClientSettings {
        ClientSettings {
            bootstrap_servers: "b:9092".into(),
            producer: [("max.request.size".to_string(), "2000000".to_string())]
                .into_iter()
                .collect(),
            consumer: HashMap::new(),
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
}
