//! A sink connector's offsets: the committed offsets of its consumer group
//! `connect-<connector>`, read and changed while the connector is stopped (Kafka's KIP-875).

use std::time::Duration;

use rdkafka::admin::AdminOptions;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use super::ClientSettings;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The consumer group of a sink connector's tasks (Java's `connect-<name>`).
pub fn sink_group(connector: &str) -> String {
    format!("connect-{connector}")
}

/// One partition's committed offset: the next offset the sink consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The topics a sink reads: its `topics` list, or every topic matching `topics.regex`.
pub enum TopicSelection {
    List(Vec<String>),
    Regex(regex::Regex),
}

fn consumer(settings: &ClientSettings, group: &str) -> Result<BaseConsumer, String> {
    let mut config = super::consumer_config(
        settings,
        group,
        &format!("{group}-offsets"),
        &Default::default(),
    );
    // Only reads and commits: never joins the group.
    config.set("allow.auto.create.topics", "false");
    config
        .create()
        .map_err(|e| format!("cannot create a consumer for group {group}: {e}"))
}

/// The group's committed offsets on the selected topics' partitions.
pub fn committed(
    settings: &ClientSettings,
    group: &str,
    topics: &TopicSelection,
) -> Result<Vec<GroupOffset>, String> {
    let consumer = consumer(settings, group)?;
    let metadata = consumer
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| format!("cannot read the cluster's topics: {e}"))?;
    let mut tpl = TopicPartitionList::new();
    for topic in metadata.topics() {
        let wanted = match topics {
            TopicSelection::List(list) => list.iter().any(|t| t == topic.name()),
            TopicSelection::Regex(re) => re.is_match(topic.name()),
        };
        if wanted {
            for p in topic.partitions() {
                tpl.add_partition(topic.name(), p.id());
            }
        }
    }
    if tpl.count() == 0 {
        return Ok(Vec::new());
    }
    let committed = consumer
        .committed_offsets(tpl, TIMEOUT)
        .map_err(|e| format!("cannot read the committed offsets of group {group}: {e}"))?;
    let mut offsets: Vec<GroupOffset> = committed
        .elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(offset) => Some(GroupOffset {
                topic: e.topic().to_string(),
                partition: e.partition(),
                offset,
            }),
            _ => None,
        })
        .collect();
    offsets.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(offsets)
}

/// Commits the given offsets for the group (which must have no active members).
pub fn commit(
    settings: &ClientSettings,
    group: &str,
    offsets: &[GroupOffset],
) -> Result<(), String> {
    if offsets.is_empty() {
        return Ok(());
    }
    let consumer = consumer(settings, group)?;
    let mut tpl = TopicPartitionList::new();
    for o in offsets {
        tpl.add_partition_offset(&o.topic, o.partition, Offset::Offset(o.offset))
            .map_err(|e| {
                format!(
                    "invalid offset {} for {}-{}: {e}",
                    o.offset, o.topic, o.partition
                )
            })?;
    }
    consumer
        .commit(&tpl, CommitMode::Sync)
        .map_err(|e| format!("cannot commit offsets for group {group}: {e}"))
}

/// Deletes the group and with it every committed offset (Java's reset of a sink's offsets).
pub fn delete_group(settings: &ClientSettings, group: &str) -> Result<(), String> {
    let admin = super::admin::admin_client(settings)?;
    let options = AdminOptions::new().request_timeout(Some(TIMEOUT));
    let results = super::admin::block_on(admin.delete_groups(&[group], &options))?
        .map_err(|e| format!("cannot delete consumer group {group}: {e}"))?;
    for result in results {
        match result {
            Ok(_) => {}
            // A group that never committed does not exist: nothing to reset.
            Err((_, rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)) => {}
            Err((_, code)) => return Err(format!("cannot delete consumer group {group}: {code}")),
        }
    }
    Ok(())
}
