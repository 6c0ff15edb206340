//! How plugins report failures.

use std::fmt;

/// What kind of failure a plugin reports; the worker acts on it.
#[repr(u8)]
#[derive(abi_stable::StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The configuration is invalid: the connector or task does not start.
    Config,
    /// A passing failure (Kafka's `RetriableException`): the worker retries the call.
    Retriable,
    /// Anything else: the task or connector fails.
    Fatal,
    /// The plugin panicked; the SDK caught it.
    Panic,
}

/// An error returned by a plugin (Kafka Connect's `ConnectException` family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// What the worker does about it.
    pub kind: ErrorKind,
    /// What went wrong, for the task's status and the worker's log.
    pub message: String,
}

impl ConnectError {
    /// A fatal error.
    pub fn new(message: impl Into<String>) -> Self {
        ConnectError {
            kind: ErrorKind::Fatal,
            message: message.into(),
        }
    }
    /// An invalid configuration.
    pub fn config(message: impl Into<String>) -> Self {
        ConnectError {
            kind: ErrorKind::Config,
            message: message.into(),
        }
    }
    /// A passing failure worth retrying.
    pub fn retriable(message: impl Into<String>) -> Self {
        ConnectError {
            kind: ErrorKind::Retriable,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

impl From<std::io::Error> for ConnectError {
    fn from(e: std::io::Error) -> Self {
        ConnectError::new(e.to_string())
    }
}
