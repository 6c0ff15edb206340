use std::fmt;

use crate::config::ConfigValue;
use crate::errors::ConnectError;

/// Why a harness could not start a connector and its tasks.
#[derive(Debug, Clone, PartialEq)]
pub enum HarnessError {
    /// Validation refused the configuration: the settings that have errors, as the worker's
    /// REST API would report them. Nothing was started.
    Invalid(Vec<ConfigValue>),
    /// The connector or a task returned an error, or panicked, while starting (a panic comes
    /// back with kind [`Panic`](crate::errors::ErrorKind::Panic)). What had started was stopped.
    Plugin(ConnectError),
}

impl HarnessError {
    /// Every validation message, or the plugin's error message.
    pub fn messages(&self) -> Vec<String> {
        match self {
            HarnessError::Invalid(values) => values
                .iter()
                .flat_map(|v| v.errors.iter().map(|e| e.to_string()))
                .collect(),
            HarnessError::Plugin(e) => vec![e.message.clone()],
        }
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarnessError::Invalid(_) => {
                write!(f, "invalid configuration: {}", self.messages().join("; "))
            }
            HarnessError::Plugin(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for HarnessError {}

impl From<ConnectError> for HarnessError {
    fn from(e: ConnectError) -> Self {
        HarnessError::Plugin(e)
    }
}
