//! Converters: Connect data ⇄ record bytes. Built-ins registered under Java's class names.

mod bytes;
mod converter;
mod json;
pub mod schemaless;
mod string;

pub use bytes::ByteArrayConverter;
pub use converter::{bool_setting, ConversionError, Converter};
pub use json::JsonConverter;
pub use string::StringConverter;

use plugin_abi::Props;

/// The built-in converters: (class name, simple name).
pub const BUILT_IN_CONVERTERS: &[(&str, &str)] = &[
    (
        "org.apache.kafka.connect.json.JsonConverter",
        "JsonConverter",
    ),
    (
        "org.apache.kafka.connect.storage.StringConverter",
        "StringConverter",
    ),
    (
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        "ByteArrayConverter",
    ),
];

/// Instantiates the converter `class` (full class name or alias) with its settings.
pub fn new_converter(
    class: &str,
    props: &Props,
    is_key: bool,
) -> Result<Box<dyn Converter>, ConversionError> {
    let simple = BUILT_IN_CONVERTERS
        .iter()
        .find(|(full, alias)| class == *full || class == *alias)
        .map(|(_, alias)| *alias);
    match simple.unwrap_or_default() {
        "JsonConverter" => Ok(Box::new(JsonConverter::new(props, is_key)?)),
        "StringConverter" => Ok(Box::new(StringConverter::new(props)?)),
        "ByteArrayConverter" => Ok(Box::new(ByteArrayConverter::default())),
        _ => Err(ConversionError::new(format!(
            "Class {class} could not be found: no converter with that name is built in or installed"
        ))),
    }
}
