use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value as Json_};

use super::{RestError, RestState};
use crate::storage::ConnectorStatus;

type Shared = State<Arc<RestState>>;

/// `GET /`: the worker's version and the Kafka cluster it works with.
pub async fn server_info(State(state): Shared) -> Json<Json_> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("CONNECT_GIT_COMMIT").unwrap_or("unknown"),
        "kafka_cluster_id": state.kafka_cluster_id,
    }))
}

/// `GET /connectors`: the names of all connectors.
pub async fn list_connectors(State(state): Shared) -> Json<Vec<String>> {
    Json(state.worker.connector_names())
}

fn status_json(status: &ConnectorStatus) -> Json_ {
    let mut connector = json!({"state": status.state, "worker_id": status.worker_id});
    if let Some(trace) = &status.trace {
        connector["trace"] = json!(trace);
    }
    json!({
        "name": status.name,
        "connector": connector,
        "tasks": status.tasks.values().collect::<Vec<_>>(),
        "type": status.connector_type.name(),
    })
}

fn known(state: &RestState, name: &str) -> Result<ConnectorStatus, RestError> {
    state
        .worker
        .status(name)
        .ok_or_else(|| RestError::unknown_connector(name))
}

/// `GET /connectors/{name}/status`.
pub async fn connector_status(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<Json<Json_>, RestError> {
    Ok(Json(status_json(&known(&state, &name)?)))
}

/// `GET /connectors/{name}/config`.
pub async fn connector_config(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<Json<BTreeMap<String, String>>, RestError> {
    let config = state
        .worker
        .connector_config(&name)
        .ok_or_else(|| RestError::unknown_connector(&name))?;
    Ok(Json(config.into_iter().collect()))
}

/// `GET /connectors/{name}`: config, tasks and type.
pub async fn connector_info(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<Json<Json_>, RestError> {
    let status = known(&state, &name)?;
    let config: BTreeMap<String, String> = state
        .worker
        .connector_config(&name)
        .unwrap_or_default()
        .into_iter()
        .collect();
    let tasks: Vec<Json_> = (0..state.worker.task_configs(&name).unwrap_or_default().len())
        .map(|task| json!({"connector": name, "task": task}))
        .collect();
    Ok(Json(
        json!({"name": name, "config": config, "tasks": tasks, "type": status.connector_type.name()}),
    ))
}

/// `GET /connectors/{name}/tasks`: each task's id and configuration.
pub async fn connector_tasks(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<Json<Json_>, RestError> {
    let configs = state
        .worker
        .task_configs(&name)
        .ok_or_else(|| RestError::unknown_connector(&name))?;
    let tasks: Vec<Json_> = configs
        .into_iter()
        .enumerate()
        .map(|(task, config)| {
            let config: BTreeMap<String, String> = config.into_iter().collect();
            json!({"id": {"connector": name, "task": task}, "config": config})
        })
        .collect();
    Ok(Json(json!(tasks)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginsQuery {
    connectors_only: Option<bool>,
}

/// `GET /connector-plugins[?connectorsOnly=false]`.
pub async fn list_plugins(
    State(state): Shared,
    Query(query): Query<PluginsQuery>,
) -> Json<Vec<Json_>> {
    let plugins = state
        .worker
        .registry()
        .listed(query.connectors_only.unwrap_or(true));
    Json(
        plugins
            .iter()
            .map(|p| json!({"class": p.class, "type": p.kind.rest_name(), "version": p.version}))
            .collect(),
    )
}

pub async fn not_found(uri: Uri) -> RestError {
    RestError::not_found(format!("HTTP 404 Not Found: no resource at {}", uri.path()))
}

pub async fn method_not_allowed() -> RestError {
    RestError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "HTTP 405 Method Not Allowed",
    )
}
