//! `/ui`: the web console (`docs/web-console.md`). Plain HTML, CSS and JavaScript modules from
//! `host/ui/`, embedded in the binary at build time and served from memory: nothing is
//! fetched at run time and nothing runs in the worker unless a browser asks. The pages use
//! the public REST API only (relative URLs, so they work through any worker of a cluster and
//! behind a path-prefixing proxy); the one addition is `/ui/api/plugins`, the plugin list
//! with the file each class came from, which Kafka's `GET /connector-plugins` does not show.
//!
//! The routes sit inside the API's router, so authentication, CORS and TLS apply to them as
//! to every other path.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;

use super::error::Path;
use super::{RestError, RestState, Shared};

/// One embedded file: its name under `/ui/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media_type:expr) => {
        Asset {
            name: $name,
            media_type: $media_type,
            body: include_bytes!(concat!("../../ui/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the console. `index.html` is served at `/ui/`.
const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("connectors.js", JS),
    asset!("connector.js", JS),
    asset!("form.js", JS),
    asset!("plugins.js", JS),
    asset!("metrics.js", JS),
];

/// Only our own files, scripts and API; no inline script, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The console's routes.
pub fn routes() -> Router<Arc<RestState>> {
    Router::new()
        .route("/ui", get(to_index))
        .route("/ui/", get(|| async { serve("index.html") }))
        .route("/ui/api/plugins", get(plugins))
        .route(
            "/ui/{file}",
            get(|Path(file): Path<String>| async move { serve(&file) }),
        )
}

/// `/ui` → `/ui/`, so the pages' relative URLs resolve under it. The location is relative,
/// so a proxy's path prefix is kept.
async fn to_index() -> Response {
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(LOCATION, HeaderValue::from_static("ui/"))],
    )
        .into_response()
}

fn serve(name: &str) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return RestError::not_found(format!("HTTP 404 Not Found: no resource at /ui/{name}"))
            .into_response();
    };
    let headers: [(HeaderName, HeaderValue); 4] = [
        (CONTENT_TYPE, HeaderValue::from_static(asset.media_type)),
        // Revalidated on every load: a new worker version serves new files at once.
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CSP),
        ),
    ];
    (headers, asset.body).into_response()
}

/// One installed plugin class with the file it was loaded from.
#[derive(Serialize)]
struct UiPlugin {
    class: String,
    #[serde(rename = "type")]
    kind: &'static str,
    version: String,
    aliases: Vec<String>,
    /// The library file, or `built-in`.
    location: String,
}

/// `GET /ui/api/plugins`: every plugin class (connectors, converters, transforms,
/// predicates), each version, with aliases and file.
async fn plugins(State(state): Shared) -> axum::Json<Vec<UiPlugin>> {
    let plugins = state.worker.registry().listed(false);
    axum::Json(
        plugins
            .iter()
            .map(|p| UiPlugin {
                class: p.class.clone(),
                kind: p.kind.rest_name(),
                version: p.version.clone(),
                aliases: p.aliases.clone(),
                location: p.location(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_served_with_its_media_type_and_guarded_by_the_csp() {
        for asset in ASSETS {
            let response = serve(asset.name);
            assert_eq!(response.status(), StatusCode::OK, "{}", asset.name);
            assert_eq!(
                response.headers()[CONTENT_TYPE],
                asset.media_type,
                "{}",
                asset.name
            );
            assert!(response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("script-src 'self'"));
            assert!(!asset.body.is_empty(), "{} is empty", asset.name);
        }
    }

    #[test]
    fn unknown_files_and_paths_outside_the_console_are_not_found() {
        for name in ["nope.js", "../Cargo.toml", "", "INDEX.HTML"] {
            assert_eq!(serve(name).status(), StatusCode::NOT_FOUND, "{name}");
        }
    }

    #[test]
    fn every_module_the_scripts_import_is_embedded() {
        for asset in ASSETS.iter().filter(|a| a.media_type == JS) {
            let text = std::str::from_utf8(asset.body).unwrap();
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let module = line
                    .split("from './")
                    .nth(1)
                    .and_then(|rest| rest.split('\'').next())
                    .unwrap_or_else(|| panic!("{}: unexpected import {line}", asset.name));
                assert!(
                    ASSETS.iter().any(|a| a.name == module),
                    "{} imports {module}, which is not embedded",
                    asset.name
                );
            }
        }
    }
}
