//! What several transforms need: reaching into struct and map values.

use plugin_abi::data::{Schema, SchemaType, Value};

/// The fields of a struct value with its schema, or why the record does not fit.
pub fn require_struct<'a>(
    schema: Option<&'a Schema>,
    value: &'a Value,
    purpose: &str,
) -> Result<(&'a Schema, &'a [Value]), String> {
    match (schema, value) {
        (Some(s), Value::Struct(_, fields)) if s.schema_type == SchemaType::Struct => {
            Ok((s, fields.as_slice()))
        }
        _ => Err(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            type_name(value)
        )),
    }
}

/// The entries of a schemaless map value, or why the record does not fit.
pub fn require_map<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<&'a [abi_stable::std_types::Tuple2<Value, Value>], String> {
    match value {
        Value::Map(entries) => Ok(entries.as_slice()),
        other => Err(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            type_name(other)
        )),
    }
}

/// The Java type name Kafka's messages use for a value.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Boolean(_) => "java.lang.Boolean",
        Value::Int8(_) => "java.lang.Byte",
        Value::Int16(_) => "java.lang.Short",
        Value::Int32(_) => "java.lang.Integer",
        Value::Int64(_) => "java.lang.Long",
        Value::Float32(_) => "java.lang.Float",
        Value::Float64(_) => "java.lang.Double",
        Value::String(_) => "java.lang.String",
        Value::Bytes(_) => "[B",
        Value::Array(_) => "java.util.ArrayList",
        Value::Map(_) => "java.util.HashMap",
        Value::Struct(..) => "org.apache.kafka.connect.data.Struct",
    }
}
