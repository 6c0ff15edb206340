//! The REST API: Kafka Connect's paths, JSON shapes and error bodies, with an OpenAPI 3
//! document generated from the handlers at `GET /openapi.json`.

mod advertised;
mod auth;
mod connectors;
mod cors;
mod error;
mod forward;
mod loggers;
mod metrics;
mod model;
mod offsets;
mod plugins;
mod root;
mod security;
mod tls;
mod ui;

pub use advertised::AdvertisedUrl;
pub use auth::credentials_line;
pub use error::RestError;
pub use security::RestSecurity;

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::Uri;
use axum::Router;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::runtime::Herder;

/// Request bodies are connector configurations: 1 MiB is far more than any needs.
const BODY_LIMIT: usize = 1024 * 1024;

/// What handlers share.
pub struct RestState {
    pub worker: Arc<dyn Herder>,
    pub kafka_cluster_id: String,
    /// Set once the connectors given at start-up are created (`GET /health`).
    pub ready: AtomicBool,
}

type Shared = State<Arc<RestState>>;

/// Runs `work` on a blocking thread: worker changes call into plugins and join threads.
async fn blocking<T: Send + 'static>(
    state: &Arc<RestState>,
    work: impl FnOnce(&dyn Herder) -> T + Send + 'static,
) -> Result<T, RestError> {
    let worker = state.worker.clone();
    tokio::task::spawn_blocking(move || work(worker.as_ref()))
        .await
        .map_err(|e| RestError::internal(format!("the request failed in the worker: {e}")))
}

/// The routes and the OpenAPI document describing them.
fn api() -> (Router<Arc<RestState>>, OpenApi) {
    let (router, mut doc) = OpenApiRouter::new()
        .routes(routes!(root::server_info))
        .routes(routes!(root::health))
        .routes(routes!(connectors::list, connectors::create))
        .routes(routes!(connectors::info, connectors::delete))
        .routes(routes!(
            connectors::config,
            connectors::put_config,
            connectors::patch_config
        ))
        .routes(routes!(connectors::status))
        .routes(routes!(connectors::restart))
        .routes(routes!(connectors::pause))
        .routes(routes!(connectors::resume))
        .routes(routes!(connectors::stop))
        .routes(routes!(connectors::tasks, connectors::put_tasks))
        .routes(routes!(connectors::tasks_config))
        .routes(routes!(connectors::task_status))
        .routes(routes!(connectors::restart_task))
        .routes(routes!(connectors::topics))
        .routes(routes!(connectors::reset_topics))
        .routes(routes!(offsets::get, offsets::alter, offsets::reset))
        .routes(routes!(plugins::list))
        .routes(routes!(plugins::config))
        .routes(routes!(plugins::validate))
        .routes(routes!(loggers::list))
        .routes(routes!(loggers::get, loggers::set))
        .routes(routes!(metrics::metrics))
        .split_for_parts();
    doc.info.title = "Kafka Connect in Rust".to_string();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc.info.description =
        Some("Kafka Connect's REST API: the same paths, query parameters, status codes and JSON shapes as Apache Kafka Connect 4.x.".to_string());
    (router, doc)
}

/// The API's routes.
pub fn router(state: Arc<RestState>) -> Router {
    let (routes, doc) = api();
    let doc = doc.to_pretty_json().unwrap_or_default();
    routes
        .route(
            "/openapi.json",
            axum::routing::get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    doc,
                )
            }),
        )
        .merge(ui::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forward::to_leader,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn not_found(uri: Uri) -> RestError {
    RestError::not_found(format!("HTTP 404 Not Found: no resource at {}", uri.path()))
}

async fn method_not_allowed() -> RestError {
    RestError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "HTTP 405 Method Not Allowed",
    )
}

/// Binds the listener.
pub async fn bind(addr: (String, u16)) -> anyhow::Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind((addr.0.as_str(), addr.1))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot listen on {}:{} for the REST API: {e}",
                addr.0,
                addr.1
            )
        })?;
    Ok(listener)
}

/// Serves the API until `shutdown` resolves: over TLS when `security` has it, behind its
/// authentication and CORS settings.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<RestState>,
    security: RestSecurity,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local: SocketAddr = listener.local_addr()?;
    let app = security.apply(router(state));
    if security.authenticates() {
        tracing::info!("REST API requests need basic authentication");
    }
    match &security.tls {
        None => {
            tracing::info!("REST API listening on http://{local}");
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await?;
        }
        Some(config) => {
            let listener = tls::TlsListener::new(listener, config.clone())?;
            tracing::info!("REST API listening on https://{local}");
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await?;
        }
    }
    Ok(())
}
