//! `/connectors/{name}/offsets` (Kafka's KIP-875): read any time; alter and reset only
//! while the connector is STOPPED. Source offsets live in the worker's offset store, sink
//! offsets in the connector's consumer group `connect-<name>`.

use axum::extract::State;
use serde_json::{json, Value};

use super::error::{ErrorBody, Json, Path};
use super::model::{MessageBody, OffsetsBody, PartitionOffset};
use super::{blocking, RestError, Shared};
use crate::config::{ConnectorConfig, ConnectorType};
use crate::kafka::group_offsets::{self, sink_group, GroupOffset, TopicSelection};
use crate::runtime::{Herder, WorkerError};

/// `GET /connectors/{name}/offsets`.
#[utoipa::path(get, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = OffsetsBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
        (status = 500, description = "The offsets could not be read", body = ErrorBody),
    ))]
pub async fn get(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<OffsetsBody>, RestError> {
    let offsets = blocking(&state, move |w| read(w, &name)).await??;
    Ok(axum::Json(OffsetsBody { offsets }))
}

fn read(worker: &dyn Herder, name: &str) -> Result<Vec<PartitionOffset>, WorkerError> {
    let (config, kind, _) = worker.offsets_target(name)?;
    Ok(match kind {
        ConnectorType::Source => worker
            .env()
            .offsets
            .list(name)
            .into_iter()
            .map(|(partition, offset)| PartitionOffset {
                partition,
                offset: Some(offset),
            })
            .collect(),
        ConnectorType::Sink => group_offsets::committed(
            &worker.env().clients,
            &sink_group(name),
            &topic_selection(&config)?,
        )
        .map_err(WorkerError::Failed)?
        .into_iter()
        .map(|o| PartitionOffset {
            partition: json!({"kafka_topic": o.topic, "kafka_partition": o.partition}),
            offset: Some(json!({"kafka_offset": o.offset})),
        })
        .collect(),
    })
}

/// `PATCH /connectors/{name}/offsets`: sets the given partitions' offsets; a null offset
/// removes one. The connector must be STOPPED.
#[utoipa::path(patch, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path)),
    request_body = OffsetsBody,
    responses(
        (status = 200, body = MessageBody),
        (status = 400, description = "Malformed offsets", body = ErrorBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
        (status = 409, description = "The connector is not STOPPED", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn alter(
    State(state): Shared,
    Path(name): Path<String>,
    Json(mut body): Json<OffsetsBody>,
) -> Result<axum::Json<MessageBody>, RestError> {
    if body.offsets.is_empty() {
        return Err(RestError::bad_request(
            "Partitions / offsets need to be provided for an alter offsets request",
        ));
    }
    blocking(&state, move |w| {
        w.with_stopped(&name, &mut |config, kind| match kind {
            ConnectorType::Source => alter_source(w, &name, std::mem::take(&mut body.offsets)),
            ConnectorType::Sink => alter_sink(w, config, std::mem::take(&mut body.offsets)),
        })
    })
    .await??;
    Ok(axum::Json(MessageBody::new(
        "The offsets for this connector have been altered successfully",
    )))
}

fn alter_source(
    worker: &dyn Herder,
    name: &str,
    offsets: Vec<PartitionOffset>,
) -> Result<(), WorkerError> {
    let mut entries = Vec::with_capacity(offsets.len());
    for o in offsets {
        if !o.partition.is_object() {
            return Err(WorkerError::Invalid(vec![format!(
                "Source partitions must be JSON objects, not {}",
                o.partition
            )]));
        }
        if let Some(offset) = &o.offset {
            if !offset.is_object() {
                return Err(WorkerError::Invalid(vec![format!(
                    "Source offsets must be JSON objects or null, not {offset}"
                )]));
            }
        }
        entries.push((o.partition, o.offset));
    }
    worker
        .env()
        .offsets
        .alter(name, &entries)
        .map_err(|e| WorkerError::Failed(format!("{e:#}")))
}

fn alter_sink(
    worker: &dyn Herder,
    config: &ConnectorConfig,
    offsets: Vec<PartitionOffset>,
) -> Result<(), WorkerError> {
    let mut commits = Vec::new();
    let mut removals = 0;
    for o in offsets {
        let topic = o.partition["kafka_topic"].as_str();
        let partition = o.partition["kafka_partition"]
            .as_i64()
            .and_then(|p| i32::try_from(p).ok());
        let (Some(topic), Some(partition)) = (topic, partition) else {
            return Err(WorkerError::Invalid(vec![format!(
                "Sink partitions must be {{\"kafka_topic\": <string>, \"kafka_partition\": <int>}}, not {}",
                o.partition
            )]));
        };
        match o.offset {
            None | Some(Value::Null) => removals += 1,
            Some(offset) => match offset["kafka_offset"].as_i64() {
                Some(n) if n >= 0 => commits.push(GroupOffset {
                    topic: topic.to_string(),
                    partition,
                    offset: n,
                }),
                _ => {
                    return Err(WorkerError::Invalid(vec![format!(
                        "Sink offsets must be {{\"kafka_offset\": <non-negative int>}} or null, not {offset}"
                    )]))
                }
            },
        }
    }
    if removals > 0 {
        // Removing single partitions needs the broker's OffsetDelete API, which librdkafka's
        // Rust binding does not offer; DELETE removes them all.
        return Err(WorkerError::Invalid(vec![
            "Removing the offsets of single partitions of a sink connector is not supported; \
             DELETE /connectors/{name}/offsets resets all of them"
                .to_string(),
        ]));
    }
    group_offsets::commit(&worker.env().clients, &sink_group(&config.name), &commits)
        .map_err(WorkerError::Failed)
}

/// `DELETE /connectors/{name}/offsets`: forgets every offset; the connector starts from
/// scratch when resumed. The connector must be STOPPED.
#[utoipa::path(delete, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = MessageBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
        (status = 409, description = "The connector is not STOPPED", body = ErrorBody),
        (status = 500, description = "The broker refused", body = ErrorBody),
    ))]
pub async fn reset(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<MessageBody>, RestError> {
    blocking(&state, move |w| {
        w.with_stopped(&name, &mut |config, kind| match kind {
            ConnectorType::Source => w
                .env()
                .offsets
                .reset(&name)
                .map_err(|e| WorkerError::Failed(format!("{e:#}"))),
            ConnectorType::Sink => {
                group_offsets::delete_group(&w.env().clients, &sink_group(&config.name))
                    .map_err(WorkerError::Failed)
            }
        })
    })
    .await??;
    Ok(axum::Json(MessageBody::new(
        "The offsets for this connector have been reset successfully",
    )))
}

fn topic_selection(config: &ConnectorConfig) -> Result<TopicSelection, WorkerError> {
    match config
        .props
        .get("topics.regex")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        Some(regex) => regex::Regex::new(&format!("^(?:{regex})$"))
            .map(TopicSelection::Regex)
            .map_err(|e| WorkerError::Invalid(vec![format!("Invalid topics.regex: {e}")])),
        None => Ok(TopicSelection::List(config.topics())),
    }
}
