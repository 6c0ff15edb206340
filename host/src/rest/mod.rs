//! The REST API (Kafka Connect's paths and JSON shapes).

mod error;
mod handlers;

pub use error::RestError;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::runtime::Worker;

/// What handlers share.
pub struct RestState {
    pub worker: Arc<Worker>,
    pub kafka_cluster_id: String,
}

/// The API's routes.
pub fn router(state: Arc<RestState>) -> Router {
    Router::new()
        .route("/", get(handlers::server_info))
        .route("/connectors", get(handlers::list_connectors))
        .route("/connectors/{name}", get(handlers::connector_info))
        .route("/connectors/{name}/config", get(handlers::connector_config))
        .route("/connectors/{name}/status", get(handlers::connector_status))
        .route("/connectors/{name}/tasks", get(handlers::connector_tasks))
        .route("/connector-plugins", get(handlers::list_plugins))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .with_state(state)
}

/// Binds the listener; returns the bound address and the server future.
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

/// Serves the API until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<RestState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let local: SocketAddr = listener.local_addr()?;
    tracing::info!("REST API listening on http://{local}");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
