//! Converters: Connect data ⇄ record bytes. Built-ins registered under Java's class names.

mod bytes;
mod converter;
mod header;
mod json;
mod number;
mod plugin;
#[cfg(test)]
mod round_trip;
pub mod schemaless;
mod string;

pub use bytes::ByteArrayConverter;
pub use converter::{bool_setting, ConversionError, Converter};
pub use header::{built_in_header_converter, HeaderConverter, SIMPLE_HEADER_CONVERTER};
pub use json::JsonConverter;
pub use number::{NumberConverter, NumberType};
pub use plugin::{PluginConverter, PluginHeaderConverter};
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
    (
        "org.apache.kafka.connect.converters.ShortConverter",
        "ShortConverter",
    ),
    (
        "org.apache.kafka.connect.converters.IntegerConverter",
        "IntegerConverter",
    ),
    (
        "org.apache.kafka.connect.converters.LongConverter",
        "LongConverter",
    ),
    (
        "org.apache.kafka.connect.converters.FloatConverter",
        "FloatConverter",
    ),
    (
        "org.apache.kafka.connect.converters.DoubleConverter",
        "DoubleConverter",
    ),
    (
        "org.apache.kafka.connect.converters.BooleanConverter",
        "BooleanConverter",
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
        "ShortConverter" => Ok(Box::new(NumberConverter::new(NumberType::Short))),
        "IntegerConverter" => Ok(Box::new(NumberConverter::new(NumberType::Integer))),
        "LongConverter" => Ok(Box::new(NumberConverter::new(NumberType::Long))),
        "FloatConverter" => Ok(Box::new(NumberConverter::new(NumberType::Float))),
        "DoubleConverter" => Ok(Box::new(NumberConverter::new(NumberType::Double))),
        "BooleanConverter" => Ok(Box::new(NumberConverter::new(NumberType::Boolean))),
        _ => Err(ConversionError::new(format!(
            "Class {class} could not be found: no converter with that name is built in or installed"
        ))),
    }
}

/// The settings of a built-in converter (Kafka's `ConverterConfig` and its subclasses).
pub fn converter_definitions(class: &str) -> Option<plugin_abi::config::ConfigDef> {
    use plugin_abi::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
    let simple = BUILT_IN_CONVERTERS
        .iter()
        .find(|(full, alias)| class == *full || class == *alias)?
        .1;
    let one_of = |values: &[&str]| Validator::OneOf(values.iter().map(|v| (*v).into()).collect());
    let converter_type = ConfigKey::new(
        "converter.type",
        ConfigType::String,
        Importance::Low,
        "How this converter will be used.",
    )
    .validator(one_of(&["key", "value", "header"]));
    let def = ConfigDef::new().define(converter_type);
    Some(match simple {
        "JsonConverter" => def
            .define(
                ConfigKey::new("schemas.enable", ConfigType::Boolean, Importance::High, "Include schemas within each of the serialized values and keys.")
                    .default_value("true"),
            )
            .define(
                ConfigKey::new("schemas.cache.size", ConfigType::Int, Importance::High, "The maximum number of schemas that can be cached in this converter instance.")
                    .default_value("1000"),
            )
            .define(
                ConfigKey::new("decimal.format", ConfigType::String, Importance::Low, "Controls which format this converter will serialize decimals in. This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'")
                    .default_value("BASE64")
                    .validator(one_of(&["BASE64", "NUMERIC"])),
            )
            .define(
                ConfigKey::new("replace.null.with.default", ConfigType::Boolean, Importance::Low, "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.")
                    .default_value("true"),
            ),
        "StringConverter" => def.define(
            ConfigKey::new("converter.encoding", ConfigType::String, Importance::High, "The name of the Java character set to use for encoding strings as byte arrays.")
                .default_value("UTF-8"),
        ),
        _ => def,
    })
}
