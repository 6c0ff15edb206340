use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::runtime::WorkerError;

/// An error answer: Kafka Connect's `{"error_code": <status>, "message": "…"}`.
#[derive(Debug)]
pub struct RestError {
    pub status: StatusCode,
    pub message: String,
}

/// The body of every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The HTTP status code.
    pub error_code: u16,
    pub message: String,
}

impl RestError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        RestError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        RestError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        RestError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        RestError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<WorkerError> for RestError {
    fn from(e: WorkerError) -> Self {
        let status = match &e {
            WorkerError::NotFound(_) | WorkerError::TaskNotFound(..) => StatusCode::NOT_FOUND,
            WorkerError::AlreadyExists(_)
            | WorkerError::NotStopped(_)
            | WorkerError::Rebalancing => StatusCode::CONFLICT,
            WorkerError::Invalid(_) | WorkerError::Unsupported(_) => StatusCode::BAD_REQUEST,
            WorkerError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        RestError::new(status, e.to_string())
    }
}

impl From<JsonRejection> for RestError {
    fn from(rejection: JsonRejection) -> Self {
        let status = match rejection {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonRejection::BytesRejection(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        RestError::new(status, rejection.body_text())
    }
}

impl From<QueryRejection> for RestError {
    fn from(rejection: QueryRejection) -> Self {
        RestError::bad_request(rejection.body_text())
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error_code: self.status.as_u16(),
            message: self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// A JSON request body whose rejections are Kafka Connect error bodies (400 malformed,
/// 413 too large, 415 not JSON) instead of axum's plain-text ones.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(value))
    }
}

/// Query parameters whose rejections are Kafka Connect error bodies.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Query<T> {
    type Rejection = RestError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// Path parameters whose rejections (a task id that is not a number) are error bodies.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> axum::extract::FromRequestParts<S> for Path<T> {
    type Rejection = RestError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(RestError::bad_request(rejection.body_text())),
        }
    }
}
