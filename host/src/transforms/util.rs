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

use abi_stable::std_types::ROption;
use plugin_abi::data::SchemaBuilder;

/// A struct field's value as Kafka's `Struct.get` reads it: a null replaced by the field
/// schema's default when `replace_null_with_default` (Kafka's default), else as stored
/// (`Struct.getWithoutDefault`).
pub fn field_value(field_schema: &Schema, value: &Value, replace_null_with_default: bool) -> Value {
    match (&field_schema.default_value, value) {
        (ROption::RSome(default), Value::Null) if replace_null_with_default => default.clone(),
        _ => value.clone(),
    }
}

/// A builder holding everything `schema` has (type, optionality, default, name, version,
/// doc, parameters, fields, key and value schemas), to change a part and build again.
pub fn copy_schema(schema: &Schema) -> SchemaBuilder {
    let mut b = match (&schema.key_schema, &schema.value_schema) {
        (ROption::RSome(k), ROption::RSome(v)) => SchemaBuilder::map(k.clone(), v.clone()),
        (ROption::RNone, ROption::RSome(v)) => SchemaBuilder::array(v.clone()),
        _ => SchemaBuilder::new(schema.schema_type),
    };
    if schema.optional {
        b = b.optional();
    }
    if let ROption::RSome(d) = &schema.default_value {
        b = b.default_value(d.clone());
    }
    if let ROption::RSome(n) = &schema.name {
        b = b.name(n.as_str());
    }
    if let ROption::RSome(v) = schema.version {
        b = b.version(v);
    }
    if let ROption::RSome(d) = &schema.doc {
        b = b.doc(d.as_str());
    }
    for p in schema.parameters.iter() {
        b = b.parameter(p.0.as_str(), p.1.as_str());
    }
    for f in schema.fields.iter() {
        b = b.field(f.name.as_str(), f.schema.clone());
    }
    b
}

/// The side of a `$Key`/`$Value` transform; the registry always gives one.
pub fn side_of(side: Option<Side>) -> Result<Side, String> {
    side.ok_or_else(|| "this transform needs its $Key or $Value variant".to_string())
}

use super::Side;

/// `builder` with `schema`'s name, version, doc and parameters (Java's
/// `SchemaUtil.copySchemaBasics`): for a new struct that stands in for an old one.
pub fn copy_schema_basics(schema: &Schema, mut builder: SchemaBuilder) -> SchemaBuilder {
    if let Some(n) = schema.schema_name() {
        builder = builder.name(n);
    }
    if let ROption::RSome(v) = schema.version {
        builder = builder.version(v);
    }
    if let ROption::RSome(d) = &schema.doc {
        builder = builder.doc(d.as_str());
    }
    for p in schema.parameters.iter() {
        builder = builder.parameter(p.0.as_str(), p.1.as_str());
    }
    builder
}
