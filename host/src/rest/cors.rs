//! Cross-origin requests as Kafka Connect allows them: `access.control.allow.origin` (a comma
//! list of origins, or `*`; empty: CORS off) and `access.control.allow.methods` (default
//! `GET,POST,HEAD`, Jetty's default in Kafka).

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{bail, Context};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, ORIGIN};
use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub const ALLOW_ORIGIN: &str = "access.control.allow.origin";
pub const ALLOW_METHODS: &str = "access.control.allow.methods";

/// Jetty's `CrossOriginFilter` default, as Kafka leaves it.
const DEFAULT_METHODS: &str = "GET,POST,HEAD";
/// Jetty's default preflight max age.
const MAX_AGE: Duration = Duration::from_secs(1800);

/// The CORS layer, or `None` when `access.control.allow.origin` is empty (the default).
pub fn layer(props: &HashMap<String, String>) -> anyhow::Result<Option<CorsLayer>> {
    let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let Some(origins) = get(ALLOW_ORIGIN) else {
        return Ok(None);
    };
    let methods = get(ALLOW_METHODS)
        .unwrap_or(DEFAULT_METHODS)
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| {
            Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                .with_context(|| format!("{ALLOW_METHODS}: invalid HTTP method {m:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Jetty's default headers, and Authorization for basic authentication.
    let headers: [HeaderName; 5] = [
        HeaderName::from_static("x-requested-with"),
        CONTENT_TYPE,
        ACCEPT,
        ORIGIN,
        AUTHORIZATION,
    ];
    let layer = CorsLayer::new()
        .allow_methods(methods)
        .allow_headers(headers)
        .max_age(MAX_AGE);
    let list: Vec<&str> = origins
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .collect();
    if list.contains(&"*") {
        if list.len() > 1 {
            bail!("{ALLOW_ORIGIN}={origins}: `*` allows every origin and cannot be listed with others");
        }
        // Any origin, but without credentials: browsers then send no cookies or saved
        // basic-auth passwords from arbitrary sites (Jetty would echo the origin and allow them).
        return Ok(Some(layer.allow_origin(AllowOrigin::any())));
    }
    let origins = list
        .iter()
        .map(|o| {
            HeaderValue::from_str(o)
                .with_context(|| format!("{ALLOW_ORIGIN}: invalid origin {o:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(
        layer
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;

    #[test]
    fn off_unless_an_origin_is_set() {
        assert!(layer(&props(&[])).unwrap().is_none());
        assert!(layer(&props(&[(ALLOW_ORIGIN, " ")])).unwrap().is_none());
        assert!(layer(&props(&[(ALLOW_METHODS, "GET")])).unwrap().is_none());
    }

    #[test]
    fn origins_and_methods_are_checked() {
        assert!(layer(&props(&[(ALLOW_ORIGIN, "*")])).unwrap().is_some());
        assert!(layer(&props(&[(
            ALLOW_ORIGIN,
            "https://a.example, https://b.example"
        )]))
        .unwrap()
        .is_some());
        let err = layer(&props(&[(ALLOW_ORIGIN, "*,https://a.example")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains(ALLOW_ORIGIN), "{err}");
        let err = layer(&props(&[(ALLOW_ORIGIN, "*"), (ALLOW_METHODS, "GET,P UT")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("P UT"), "{err}");
    }
}
