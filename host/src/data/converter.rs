//! The converter interface: Connect data ⇄ the bytes of a Kafka record's key, value or header.

use std::borrow::Cow;

use plugin_abi::data::{Schema, Value};
use plugin_abi::Props;

/// Why a conversion failed (Kafka's `DataException`).
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct ConversionError(pub String);

impl ConversionError {
    pub fn new(message: impl Into<String>) -> Self {
        ConversionError(message.into())
    }
}

/// A converter, as Kafka Connect's `Converter`: configured once per connector for keys or
/// for values, then called for every record.
pub trait Converter: Send + Sync {
    /// Serializes a value; `None` for a null (a tombstone), as Java returns `null`.
    /// Borrows from `value` where the bytes are already there (strings, bytes).
    // Named after Java's `fromConnectData`, which plugin authors know.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect<'a>(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError>;

    /// Deserializes bytes (`None` for a null key or value) into a schema and a value.
    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError>;
}

/// Reads a boolean setting of a converter, Kafka-style (`true`/`false`, any case).
pub fn bool_setting(props: &Props, key: &str, default: bool) -> Result<bool, ConversionError> {
    match props.get(key).map(|v| v.trim()) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(ConversionError::new(format!(
            "Invalid value {v} for configuration {key}: Expected value to be either true or false"
        ))),
    }
}
