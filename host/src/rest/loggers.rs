//! `/admin/loggers` (Kafka's KIP-495): read and change log levels while the worker runs.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ErrorBody, Json, Path, Query};
use super::{RestError, Shared};
use crate::logging::{self, LoggerLevel, Loggers};

/// A logger's level.
#[derive(Serialize, ToSchema)]
pub struct LoggerLevelBody {
    /// OFF, FATAL, ERROR, WARN, INFO, DEBUG or TRACE.
    level: String,
    /// When the level was last set over REST (epoch milliseconds); null if never.
    last_modified: Option<u64>,
}

impl From<LoggerLevel> for LoggerLevelBody {
    fn from(l: LoggerLevel) -> Self {
        LoggerLevelBody {
            level: l.level,
            last_modified: l.last_modified,
        }
    }
}

fn loggers() -> Result<&'static Loggers, RestError> {
    logging::loggers().ok_or_else(|| RestError::internal("this worker's log levels are fixed"))
}

/// `GET /admin/loggers`: `root` and every logger with a level of its own.
#[utoipa::path(get, path = "/admin/loggers", tag = "loggers",
    responses((status = 200, body = BTreeMap<String, LoggerLevelBody>)))]
pub async fn list() -> Result<axum::Json<BTreeMap<String, LoggerLevelBody>>, RestError> {
    Ok(axum::Json(
        loggers()?
            .all()
            .into_iter()
            .map(|(name, level)| (name, level.into()))
            .collect(),
    ))
}

/// `GET /admin/loggers/{name}`: the level in force for that logger.
#[utoipa::path(get, path = "/admin/loggers/{name}", tag = "loggers",
    params(("name" = String, Path, description = "A target prefix such as connect::runtime, plugin, librdkafka, or root")),
    responses((status = 200, body = LoggerLevelBody)))]
pub async fn get(Path(name): Path<String>) -> Result<axum::Json<LoggerLevelBody>, RestError> {
    Ok(axum::Json(loggers()?.get(&canonical(&name)).into()))
}

/// `root` in any case is the root logger, as in Java.
fn canonical(name: &str) -> String {
    if name.eq_ignore_ascii_case(logging::ROOT) {
        logging::ROOT.to_string()
    } else {
        name.to_string()
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SetLevelRequest {
    level: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopeQuery {
    /// worker (default) or cluster; a standalone worker is its own cluster.
    scope: Option<String>,
}

/// `PUT /admin/loggers/{name}`: sets the logger and those below it; answers with the
/// loggers whose level changed (scope=worker) or 204 (scope=cluster).
#[utoipa::path(put, path = "/admin/loggers/{name}", tag = "loggers",
    params(("name" = String, Path), ScopeQuery),
    request_body = SetLevelRequest,
    responses(
        (status = 200, description = "The loggers whose level changed", body = Vec<String>),
        (status = 204, description = "Applied (scope=cluster)"),
        (status = 400, description = "No level, or not a level", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn set(
    State(state): Shared,
    Path(name): Path<String>,
    Query(query): Query<ScopeQuery>,
    Json(request): Json<SetLevelRequest>,
) -> Result<Response, RestError> {
    let level = request.level.ok_or_else(|| {
        RestError::bad_request("Desired 'level' parameter was not specified in request.")
    })?;
    let name = canonical(&name);
    let changed = loggers()?
        .set(&name, &level)
        .map_err(RestError::bad_request)?;
    state
        .worker
        .registry()
        .set_plugin_log_level(crate::plugins::max_level());
    tracing::info!("log level of {name} set to {level}");
    let cluster = query
        .scope
        .is_some_and(|s| s.eq_ignore_ascii_case("cluster"));
    if cluster {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(axum::Json(changed).into_response())
}
