//! `GET /metrics`: the worker's metrics in Prometheus's text format (`docs/metrics.md`).

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;

use super::{RestError, Shared};

/// The content type of Prometheus's text format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`: Kafka Connect's worker, connector and task metrics, named as the
/// Prometheus JMX exporter names Java's (`kafka_connect_<group>_<metric>`).
#[utoipa::path(get, path = "/metrics", tag = "worker",
    responses((status = 200, description = "The metrics in Prometheus's text format",
        body = String, content_type = "text/plain; version=0.0.4; charset=utf-8")))]
pub async fn metrics(
    State(state): Shared,
) -> Result<([(axum::http::HeaderName, &'static str); 1], String), RestError> {
    let env = state.worker.env();
    let text = crate::metrics::encode(&env.metrics, &env.status)
        .map_err(|e| RestError::internal(format!("cannot encode the metrics: {e}")))?;
    Ok(([(CONTENT_TYPE, TEXT_FORMAT)], text))
}
