//! Converters: Connect data to the bytes of a record's key, value or headers and back (Kafka
//! Connect's `Converter` and `HeaderConverter`), as plugins.

use crate::config::ConfigDef;
use crate::data::{Schema, Value};
use crate::errors::ConnectError;
use crate::Props;

/// A converter. The worker makes one per connector and side, calls `configure` with the
/// settings under `key.converter.` or `value.converter.`, then converts record by record,
/// possibly from several threads at once.
pub trait Converter: Send + Sync + 'static {
    /// The settings this converter takes.
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }

    /// Reads the settings; `is_key` tells keys from values.
    fn configure(&mut self, props: &Props, is_key: bool) -> Result<(), ConnectError>;

    /// Serializes a value; `None` for a null (a tombstone).
    // Named after Java's `fromConnectData`, which converter authors know.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError>;

    /// Deserializes bytes (`None` for a null key or value) into a schema and a value.
    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConnectError>;
}

/// A header converter: a header's Connect value to its bytes and back (Kafka Connect's
/// `HeaderConverter`), chosen with `header.converter`.
pub trait HeaderConverter: Send + Sync + 'static {
    /// The settings this converter takes.
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }

    /// Reads the settings under `header.converter.`.
    fn configure(&mut self, props: &Props) -> Result<(), ConnectError>;

    /// Serializes the value of header `header`; `None` for a null.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_header(
        &self,
        topic: &str,
        header: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError>;

    /// Deserializes the bytes of header `header` (`None` for a null).
    fn to_connect_header(
        &self,
        topic: &str,
        header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConnectError>;
}
