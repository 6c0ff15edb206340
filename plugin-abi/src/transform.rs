//! Transformations and predicates: change, reroute or drop records on their way through the
//! worker (Kafka Connect's single message transforms), as plugins.

use crate::config::ConfigDef;
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::Props;

/// A single message transform. The worker makes one instance per task, calls `configure`
/// with the settings under `transforms.<alias>.`, then hands it records in batches.
pub trait Transformation: Send + 'static {
    /// The settings this transform takes.
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }

    /// Reads the settings; an error names what is wrong and refuses the connector.
    fn configure(&mut self, props: &Props) -> Result<(), ConnectError>;

    /// The transformed record, or `None` to drop it.
    fn apply(&mut self, record: ConnectRecord) -> Result<Option<ConnectRecord>, ConnectError>;
}

/// A predicate: decides whether a transformation applies to a record (Kafka Connect's
/// `Predicate`), used through `transforms.<alias>.predicate`.
pub trait Predicate: Send + 'static {
    /// The settings this predicate takes.
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }

    /// Reads the settings under `predicates.<alias>.`.
    fn configure(&mut self, props: &Props) -> Result<(), ConnectError>;

    /// Whether the record matches.
    fn test(&mut self, record: &ConnectRecord) -> Result<bool, ConnectError>;
}
