//! Configuration files and settings: Java `.properties` files, worker and connector configs.

mod connector;
mod properties;
mod retry;
mod worker;

pub use connector::{common_definitions, sink_errors, ConnectorConfig, ConnectorType};
pub use properties::{parse_properties, read_properties, subset};
pub use retry::{Failure, RetryPolicy};
pub use worker::WorkerConfig;
