//! Configuration files and settings: Java `.properties` files, worker and connector configs.

mod connector;
pub mod distributed;
mod properties;
pub mod providers;
mod retry;
mod worker;

pub use connector::{
    common_definitions, connector_definitions, sink_errors, ConnectorConfig, ConnectorType,
};
pub use distributed::{DistributedConfig, Protocol};
#[cfg(test)]
pub use properties::test_props;
pub use properties::{parse_properties, read_properties, subset};
pub use providers::{ConfigProviders, Redactor};
pub use retry::{Failure, RetryPolicy};
pub use worker::WorkerConfig;
