//! `GET /` and `GET /health`.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::Shared;

/// The worker's version and the Kafka cluster it works with.
#[derive(Serialize, ToSchema)]
pub struct ServerInfo {
    version: String,
    commit: String,
    kafka_cluster_id: String,
}

/// `GET /`.
#[utoipa::path(get, path = "/", tag = "worker", responses((status = 200, body = ServerInfo)))]
pub async fn server_info(State(state): Shared) -> axum::Json<ServerInfo> {
    axum::Json(ServerInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: option_env!("CONNECT_GIT_COMMIT")
            .unwrap_or("unknown")
            .to_string(),
        kafka_cluster_id: state.kafka_cluster_id.clone(),
    })
}

/// The worker's health (Kafka's KIP-1017).
#[derive(Serialize, ToSchema)]
pub struct HealthBody {
    /// healthy or starting.
    status: String,
    message: String,
}

/// `GET /health`: 200 once the worker has started its connectors, 503 before.
#[utoipa::path(get, path = "/health", tag = "worker",
    responses(
        (status = 200, description = "Ready", body = HealthBody),
        (status = 503, description = "Still starting", body = HealthBody),
    ))]
pub async fn health(State(state): Shared) -> (StatusCode, axum::Json<HealthBody>) {
    if state.ready.load(Ordering::Acquire) {
        (
            StatusCode::OK,
            axum::Json(HealthBody {
                status: "healthy".into(),
                message: "Worker has completed startup and is ready to handle requests.".into(),
            }),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(HealthBody {
                status: "starting".into(),
                message: "Worker is still starting up.".into(),
            }),
        )
    }
}
