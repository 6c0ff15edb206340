//! Distributed mode: a follower passes requests that change connectors to the group's
//! leader, which alone writes the config topic, and hands back the leader's answer as is
//! (Java's worker forwards the same requests).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{RestError, RestState, BODY_LIMIT};
use crate::cluster::FORWARDED_HEADER;

pub async fn to_leader(
    State(state): State<Arc<RestState>>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !writes
        || !request.uri().path().starts_with("/connectors")
        || request.headers().contains_key(FORWARDED_HEADER)
    {
        return next.run(request).await;
    }
    let leader = match state.worker.leader_url() {
        Ok(None) => return next.run(request).await,
        Ok(Some(leader)) => leader,
        Err(e) => return RestError::from(e).into_response(),
    };
    forward(&leader, request)
        .await
        .unwrap_or_else(|e| e.into_response())
}

async fn forward(leader: &str, request: Request) -> Result<Response, RestError> {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let url = format!("{}{path}", leader.trim_end_matches('/'));
    let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
        .map_err(|e| RestError::internal(e.to_string()))?;
    let mut outgoing = reqwest::Client::new()
        .request(method, &url)
        .header(FORWARDED_HEADER, "1");
    for name in [header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT] {
        if let Some(value) = request.headers().get(&name) {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
    }
    let body = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .map_err(|e| RestError::bad_request(format!("cannot read the request body: {e}")))?;
    tracing::debug!("forwarding to the leader: {url}");
    let answer = outgoing.body(body).send().await.map_err(|e| {
        RestError::new(
            StatusCode::CONFLICT,
            format!("Cannot complete the request: the leader at {leader} did not answer ({e}); a rebalance may be under way"),
        )
    })?;
    let status = StatusCode::from_u16(answer.status().as_u16())
        .map_err(|e| RestError::internal(e.to_string()))?;
    let content_type = answer.headers().get("content-type").cloned();
    let bytes = answer
        .bytes()
        .await
        .map_err(|e| RestError::internal(format!("the leader's answer broke off: {e}")))?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    if let Some(value) = content_type.and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}
