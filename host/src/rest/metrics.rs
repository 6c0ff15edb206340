//! `GET /metrics`: the worker's metrics in Prometheus's text format (`docs/metrics.md`).

use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName};

use super::{RestError, Shared};

/// Prometheus's text format: what every scraper reads, and the default.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// OpenMetrics 1.0, for scrapers that ask for it (Prometheus does): the text is OpenMetrics
/// (`prometheus-client` writes it), which this label lets them read with the counters' types.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `GET /metrics`: Kafka Connect's worker, connector and task metrics, named as the
/// Prometheus JMX exporter names Java's (`kafka_connect_<group>_<metric>`).
#[utoipa::path(get, path = "/metrics", tag = "worker",
    responses((status = 200, description = "The metrics in Prometheus's text format; OpenMetrics when the request accepts it",
        content((String = "text/plain; version=0.0.4; charset=utf-8"),
            (String = "application/openmetrics-text; version=1.0.0; charset=utf-8")))))]
pub async fn metrics(
    State(state): Shared,
    headers: HeaderMap,
) -> Result<([(HeaderName, &'static str); 1], String), RestError> {
    let env = state.worker.env();
    let text = crate::metrics::encode(&env.metrics, &env.status)
        .map_err(|e| RestError::internal(format!("cannot encode the metrics: {e}")))?;
    let openmetrics = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let content_type = if openmetrics {
        OPENMETRICS
    } else {
        TEXT_FORMAT
    };
    Ok(([(CONTENT_TYPE, content_type)], text))
}
