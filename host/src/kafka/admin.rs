//! Admin requests the worker makes: creating a topic it needs (a dead-letter queue).

use std::future::Future;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;

use super::ClientSettings;

const TIMEOUT: Duration = Duration::from_secs(30);

/// Waits for an admin request from any thread: on the worker's runtime when there is one,
/// else on a small runtime of its own (task threads have none).
pub fn block_on<F: Future>(request: F) -> Result<F::Output, String> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => Ok(handle.block_on(request)),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(request))
            .map_err(|e| format!("cannot run an admin request: {e}")),
    }
}

pub fn admin_client(
    settings: &ClientSettings,
) -> Result<AdminClient<DefaultClientContext>, String> {
    super::client_config::base_config(settings)
        .create()
        .map_err(|e| format!("cannot create an admin client: {e}"))
}

/// Whether the cluster knows `topic` (where the broker creates topics on request, as the
/// embedded one does, asking creates it).
fn topic_exists(settings: &ClientSettings, topic: &str) -> bool {
    let client: Result<rdkafka::producer::BaseProducer, _> =
        super::client_config::base_config(settings).create();
    let Ok(client) = client else {
        return false;
    };
    use rdkafka::producer::Producer;
    client
        .client()
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .is_ok_and(|m| {
            m.topics()
                .iter()
                .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty())
        })
}

/// Creates `topic` with one partition unless it exists. A replication factor the cluster
/// cannot meet (Kafka's default of 3 on a one-broker cluster) falls back to the broker's
/// default, with a WARN, where Java's worker fails the task.
pub fn ensure_topic(
    settings: &ClientSettings,
    topic: &str,
    replication: i32,
) -> Result<(), String> {
    ensure_topic_with(settings, topic, 1, replication, &[])
}

/// Creates `topic` unless it exists, with `partitions` partitions and the given topic
/// configuration (`cleanup.policy=compact` for the worker's internal topics); a replication
/// factor the cluster cannot meet falls back to the broker's default, with a WARN.
pub fn ensure_topic_with(
    settings: &ClientSettings,
    topic: &str,
    partitions: i32,
    replication: i32,
    config: &[(&str, &str)],
) -> Result<(), String> {
    if topic_exists(settings, topic) {
        return Ok(());
    }
    let admin = admin_client(settings)?;
    let options = AdminOptions::new().request_timeout(Some(TIMEOUT));
    let create = |rf: i32| {
        let mut new = NewTopic::new(topic, partitions, TopicReplication::Fixed(rf));
        for (key, value) in config {
            new = new.set(key, value);
        }
        block_on(admin.create_topics([&new], &options))
    };
    match create(replication)?.map_err(|e| e.to_string())?.pop() {
        Some(Ok(_)) | None => Ok(()),
        Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(()),
        Some(Err((_, RDKafkaErrorCode::InvalidReplicationFactor))) => {
            tracing::warn!(
                "the cluster cannot replicate topic {topic} {replication} times; creating it with the broker's default replication factor"
            );
            match create(-1)?.map_err(|e| e.to_string())?.pop() {
                Some(Ok(_)) | None | Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(()),
                Some(Err((_, code))) => Err(format!("cannot create topic {topic}: {code}")),
            }
        }
        Some(Err((_, code))) => Err(format!("cannot create topic {topic}: {code}")),
    }
}
