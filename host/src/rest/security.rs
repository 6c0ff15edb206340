//! What guards the REST API: TLS (tls.rs), basic authentication (auth.rs), CORS (cors.rs),
//! all read from the worker configuration at start-up, so a bad setting stops the worker
//! before it listens.

use std::sync::Arc;

use axum::Router;
use rustls::ServerConfig;
use tower_http::cors::CorsLayer;

use super::auth::{self, BasicAuth};
use super::{cors, tls};
use crate::config::WorkerConfig;

/// The REST API's security settings.
#[derive(Default)]
pub struct RestSecurity {
    /// TLS for an `https://` listener.
    pub tls: Option<Arc<ServerConfig>>,
    auth: Option<Arc<BasicAuth>>,
    cors: Option<CorsLayer>,
}

impl RestSecurity {
    /// Reads and checks every security setting; errors name the key (and the file).
    pub fn from_config(config: &WorkerConfig) -> anyhow::Result<RestSecurity> {
        let tls = if config.rest_https {
            Some(tls::server_config(&config.props)?)
        } else {
            None
        };
        Ok(RestSecurity {
            tls,
            auth: BasicAuth::from_props(&config.props)?,
            cors: cors::layer(&config.props)?,
        })
    }

    /// Whether requests need credentials.
    pub fn authenticates(&self) -> bool {
        self.auth.is_some()
    }

    /// `router` behind authentication, behind CORS (outermost, so preflight requests, which
    /// browsers send without credentials, are answered, and 401s carry CORS headers too).
    pub fn apply(&self, router: Router) -> Router {
        let router = match &self.auth {
            Some(a) => router.layer(axum::middleware::from_fn_with_state(
                a.clone(),
                auth::require,
            )),
            None => router,
        };
        match &self.cors {
            Some(layer) => router.layer(layer.clone()),
            None => router,
        }
    }
}
