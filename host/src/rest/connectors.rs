//! `/connectors…`: create, read, reconfigure, pause, resume, stop, restart, delete.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ErrorBody, Json, Path, Query};
use super::model::{
    config_values, ActiveTopicsBody, ConfigInput, ConnectorInfoBody, ConnectorStatusBody,
    CreateConnectorRequest, ExpandedConnector, TaskId, TaskInfoBody, TaskStateBody,
};
use super::{blocking, RestError, Shared};
use crate::runtime::TargetState;

/// `GET /connectors`: the names of all connectors; with `expand=status` and/or
/// `expand=info`, a map from name to those details.
#[utoipa::path(get, path = "/connectors", tag = "connectors",
    params(("expand" = Option<Vec<String>>, Query, description = "status and/or info", explode = true)),
    responses(
        (status = 200, description = "Connector names, or name → details with expand", body = serde_json::Value),
    ))]
pub async fn list(State(state): Shared, RawQuery(query): RawQuery) -> Response {
    let expand: Vec<String> = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == "expand")
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect();
    let names = state.worker.connector_names();
    let (status, info) = (
        expand.iter().any(|e| e == "status"),
        expand.iter().any(|e| e == "info"),
    );
    if !status && !info {
        return axum::Json(names).into_response();
    }
    let mut all = BTreeMap::new();
    for name in names {
        let mut entry = ExpandedConnector::default();
        if status {
            entry.status = state.worker.status(&name).map(ConnectorStatusBody::from);
        }
        if info {
            entry.info = state.worker.info(&name).ok().map(ConnectorInfoBody::from);
        }
        all.insert(name, entry);
    }
    axum::Json(all).into_response()
}

/// `POST /connectors`: creates a connector from `{"name", "config", "initial_state"}`.
#[utoipa::path(post, path = "/connectors", tag = "connectors",
    request_body = CreateConnectorRequest,
    responses(
        (status = 201, description = "Created", body = ConnectorInfoBody),
        (status = 400, description = "Malformed body or invalid configuration", body = ErrorBody),
        (status = 409, description = "A connector of that name exists", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn create(
    State(state): Shared,
    Json(request): Json<CreateConnectorRequest>,
) -> Result<(StatusCode, axum::Json<ConnectorInfoBody>), RestError> {
    let mut config = config_values(request.config.unwrap_or_default());
    let name = match (request.name, config.get("name")) {
        (Some(name), Some(in_config)) if &name != in_config => {
            return Err(RestError::bad_request(format!(
                "Connector name configuration ({in_config}) doesn't match connector name in the URL ({name})"
            )))
        }
        (Some(name), _) => name,
        (None, Some(in_config)) => in_config.clone(),
        (None, None) => {
            return Err(RestError::bad_request(
                "Connector name configuration must be provided",
            ))
        }
    };
    check_name(&name)?;
    config.insert("name".to_string(), name);
    let target = request.initial_state.unwrap_or(TargetState::Running);
    let info = blocking(&state, move |w| w.create_connector(config, target)).await??;
    Ok((StatusCode::CREATED, axum::Json(info.into())))
}

/// Names a connector may have: not empty, no control characters, no `/` (it must fit in a
/// URL path segment).
fn check_name(name: &str) -> Result<(), RestError> {
    if name.trim().is_empty() {
        return Err(RestError::bad_request(
            "Connector name configuration must be provided",
        ));
    }
    if name.chars().any(|c| c.is_control() || c == '/') {
        return Err(RestError::bad_request(format!(
            "Invalid connector name {name:?}: it must not contain '/' or control characters"
        )));
    }
    Ok(())
}

/// `GET /connectors/{name}`: configuration, tasks and type.
#[utoipa::path(get, path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = ConnectorInfoBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn info(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<ConnectorInfoBody>, RestError> {
    Ok(axum::Json(state.worker.info(&name)?.into()))
}

/// `GET /connectors/{name}/config`.
#[utoipa::path(get, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = BTreeMap<String, String>),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn config(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<BTreeMap<String, String>>, RestError> {
    Ok(axum::Json(
        state.worker.info(&name)?.config.into_iter().collect(),
    ))
}

/// `PUT /connectors/{name}/config`: creates the connector (201) or replaces its
/// configuration and restarts it (200).
#[utoipa::path(put, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path)),
    request_body = ConfigInput,
    responses(
        (status = 200, description = "Updated", body = ConnectorInfoBody),
        (status = 201, description = "Created", body = ConnectorInfoBody),
        (status = 400, description = "Malformed body or invalid configuration", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn put_config(
    State(state): Shared,
    Path(name): Path<String>,
    Json(config): Json<ConfigInput>,
) -> Result<(StatusCode, axum::Json<ConnectorInfoBody>), RestError> {
    let config = config_values(config);
    put(state, name, config).await
}

async fn put(
    state: std::sync::Arc<super::RestState>,
    name: String,
    mut config: HashMap<String, String>,
) -> Result<(StatusCode, axum::Json<ConnectorInfoBody>), RestError> {
    check_name(&name)?;
    match config.get("name") {
        Some(in_config) if *in_config != name => {
            return Err(RestError::bad_request(format!(
                "Connector name configuration ({in_config}) doesn't match connector name in the URL ({name})"
            )))
        }
        _ => {
            config.insert("name".to_string(), name);
        }
    }
    let (created, info) = blocking(&state, move |w| w.put_connector_config(config)).await??;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(info.into())))
}

/// `PATCH /connectors/{name}/config`: changes only the keys given; a null value removes
/// the key. The connector restarts with the result.
#[utoipa::path(patch, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path)),
    request_body = ConfigInput,
    responses(
        (status = 200, description = "Updated", body = ConnectorInfoBody),
        (status = 400, description = "Malformed body or invalid configuration", body = ErrorBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn patch_config(
    State(state): Shared,
    Path(name): Path<String>,
    Json(patch): Json<ConfigInput>,
) -> Result<(StatusCode, axum::Json<ConnectorInfoBody>), RestError> {
    let mut config = state.worker.info(&name)?.config;
    for (key, value) in patch {
        match value.0 {
            Some(v) => config.insert(key, v),
            None => config.remove(&key),
        };
    }
    put(state, name, config).await
}

/// `GET /connectors/{name}/status`.
#[utoipa::path(get, path = "/connectors/{name}/status", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = ConnectorStatusBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn status(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<ConnectorStatusBody>, RestError> {
    let status = state
        .worker
        .status(&name)
        .ok_or_else(|| RestError::not_found(format!("No status found for connector {name}")))?;
    Ok(axum::Json(status.into()))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct RestartQuery {
    /// Restart the tasks too: `true` in any case; anything else is false, as in Java.
    #[serde(default, deserialize_with = "super::model::java_bool")]
    #[param(value_type = Option<String>)]
    include_tasks: Option<bool>,
    /// Restart only what has FAILED: `true` in any case; anything else is false.
    #[serde(default, deserialize_with = "super::model::java_bool")]
    #[param(value_type = Option<String>)]
    only_failed: Option<bool>,
}

/// `POST /connectors/{name}/restart`: 204 when only the connector restarts; with
/// `includeTasks` or `onlyFailed`, 202 and the status with the restarted parts RESTARTING.
#[utoipa::path(post, path = "/connectors/{name}/restart", tag = "connectors",
    params(("name" = String, Path), RestartQuery),
    responses(
        (status = 202, description = "Restarting", body = ConnectorStatusBody),
        (status = 204, description = "The connector restarted"),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn restart(
    State(state): Shared,
    Path(name): Path<String>,
    Query(query): Query<RestartQuery>,
) -> Result<Response, RestError> {
    let include_tasks = query.include_tasks.unwrap_or(false);
    let only_failed = query.only_failed.unwrap_or(false);
    let plan = blocking(&state, move |w| {
        w.restart_connector(&name, include_tasks, only_failed)
    })
    .await??;
    if !include_tasks && !only_failed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(ConnectorStatusBody::from(plan)),
    )
        .into_response())
}

/// `PUT /connectors/{name}/pause`.
#[utoipa::path(put, path = "/connectors/{name}/pause", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 202, description = "Pausing"),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn pause(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    blocking(&state, move |w| w.pause_connector(&name)).await??;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{name}/resume`.
#[utoipa::path(put, path = "/connectors/{name}/resume", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 202, description = "Resuming"),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn resume(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    blocking(&state, move |w| w.resume_connector(&name)).await??;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{name}/stop`: tasks stopped and released; configuration and offsets kept.
#[utoipa::path(put, path = "/connectors/{name}/stop", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 204, description = "Stopped"),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn stop(State(state): Shared, Path(name): Path<String>) -> Result<StatusCode, RestError> {
    blocking(&state, move |w| w.stop_connector(&name)).await??;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /connectors/{name}`.
#[utoipa::path(delete, path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    blocking(&state, move |w| w.delete_connector(&name)).await??;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/tasks`: each task's id and configuration.
#[utoipa::path(get, path = "/connectors/{name}/tasks", tag = "tasks",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = Vec<TaskInfoBody>),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn tasks(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<Vec<TaskInfoBody>>, RestError> {
    let configs = state
        .worker
        .task_configs(&name)
        .ok_or_else(|| crate::runtime::WorkerError::NotFound(name.clone()))?;
    Ok(axum::Json(
        configs
            .into_iter()
            .enumerate()
            .map(|(task, config)| TaskInfoBody {
                id: TaskId {
                    connector: name.clone(),
                    task: task as u32,
                },
                config: config.into_iter().collect(),
            })
            .collect(),
    ))
}

/// `POST /connectors/{name}/tasks`: distributed mode's internal request, from the worker
/// running a connector to the leader, with the task configurations the connector produced.
#[utoipa::path(post, path = "/connectors/{name}/tasks", tag = "tasks",
    params(("name" = String, Path)),
    request_body = Vec<BTreeMap<String, String>>,
    responses(
        (status = 204, description = "Written to the config topic"),
        (status = 400, description = "Malformed body, or a standalone worker", body = ErrorBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
        (status = 409, description = "No leader known (a rebalance)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn put_tasks(
    State(state): Shared,
    Path(name): Path<String>,
    Json(configs): Json<Vec<HashMap<String, String>>>,
) -> Result<StatusCode, RestError> {
    blocking(&state, move |w| w.put_task_configs(&name, configs)).await??;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/tasks-config`: task id (`<name>-<n>`) → configuration.
#[utoipa::path(get, path = "/connectors/{name}/tasks-config", tag = "tasks",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = BTreeMap<String, BTreeMap<String, String>>),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn tasks_config(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<BTreeMap<String, BTreeMap<String, String>>>, RestError> {
    let configs = state
        .worker
        .task_configs(&name)
        .ok_or_else(|| crate::runtime::WorkerError::NotFound(name.clone()))?;
    Ok(axum::Json(
        configs
            .into_iter()
            .enumerate()
            .map(|(task, config)| (format!("{name}-{task}"), config.into_iter().collect()))
            .collect(),
    ))
}

/// `GET /connectors/{name}/tasks/{task}/status`.
#[utoipa::path(get, path = "/connectors/{name}/tasks/{task}/status", tag = "tasks",
    params(("name" = String, Path), ("task" = u32, Path)),
    responses(
        (status = 200, body = TaskStateBody),
        (status = 400, description = "The task id is not a number", body = ErrorBody),
        (status = 404, description = "Unknown connector or task", body = ErrorBody),
    ))]
pub async fn task_status(
    State(state): Shared,
    Path((name, task)): Path<(String, u32)>,
) -> Result<axum::Json<TaskStateBody>, RestError> {
    let status = state
        .worker
        .task_status(&name, task)
        .ok_or_else(|| RestError::not_found(format!("No status found for task {name}-{task}")))?;
    Ok(axum::Json(status.into()))
}

/// `POST /connectors/{name}/tasks/{task}/restart`.
#[utoipa::path(post, path = "/connectors/{name}/tasks/{task}/restart", tag = "tasks",
    params(("name" = String, Path), ("task" = u32, Path)),
    responses(
        (status = 204, description = "Restarted"),
        (status = 400, description = "The task id is not a number", body = ErrorBody),
        (status = 404, description = "Unknown connector or task", body = ErrorBody),
    ))]
pub async fn restart_task(
    State(state): Shared,
    Path((name, task)): Path<(String, u32)>,
) -> Result<StatusCode, RestError> {
    blocking(&state, move |w| w.restart_task(&name, task)).await??;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/topics`: the topics the connector has used since it was created
/// or its topics were reset.
#[utoipa::path(get, path = "/connectors/{name}/topics", tag = "topics",
    params(("name" = String, Path)),
    responses(
        (status = 200, body = BTreeMap<String, ActiveTopicsBody>),
        (status = 403, description = "Topic tracking is disabled", body = ErrorBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn topics(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<axum::Json<BTreeMap<String, ActiveTopicsBody>>, RestError> {
    let topics = &state.worker.env().topics;
    if !topics.enabled() {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "Topic tracking is disabled.",
        ));
    }
    state.worker.info(&name)?;
    let body = ActiveTopicsBody {
        topics: topics.get(&name),
    };
    Ok(axum::Json(BTreeMap::from([(name, body)])))
}

/// `PUT /connectors/{name}/topics/reset`: forgets the connector's topics.
#[utoipa::path(put, path = "/connectors/{name}/topics/reset", tag = "topics",
    params(("name" = String, Path)),
    responses(
        (status = 202, description = "Reset"),
        (status = 403, description = "Topic tracking or its reset is disabled", body = ErrorBody),
        (status = 404, description = "Unknown connector", body = ErrorBody),
    ))]
pub async fn reset_topics(
    State(state): Shared,
    Path(name): Path<String>,
) -> Result<StatusCode, RestError> {
    let topics = &state.worker.env().topics;
    if !topics.enabled() {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "Topic tracking is disabled.",
        ));
    }
    if !state.worker.env().worker.topic_tracking_reset {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "Topic tracking reset is disabled.",
        ));
    }
    state.worker.info(&name)?;
    topics.reset(&name);
    Ok(StatusCode::ACCEPTED)
}
