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

/// Java's `Schema.Type` of a schemaless value (a null or a struct counts as STRUCT, as in
/// Java's `ConnectSchema` lookup the transforms mirror).
pub fn value_type(value: &Value) -> SchemaType {
    match value {
        Value::Boolean(_) => SchemaType::Boolean,
        Value::Int8(_) => SchemaType::Int8,
        Value::Int16(_) => SchemaType::Int16,
        Value::Int32(_) => SchemaType::Int32,
        Value::Int64(_) => SchemaType::Int64,
        Value::Float32(_) => SchemaType::Float32,
        Value::Float64(_) => SchemaType::Float64,
        Value::String(_) => SchemaType::String,
        Value::Bytes(_) => SchemaType::Bytes,
        Value::Array(_) => SchemaType::Array,
        Value::Map(_) => SchemaType::Map,
        Value::Null | Value::Struct(..) => SchemaType::Struct,
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

// Helpers for InsertField, ReplaceField, MaskField and Cast.
use abi_stable::std_types::Tuple2;
use plugin_abi::data::{logical, Field, SchemaBuilder};

/// A struct field's value as Java's `Struct.get(field)` reads it: a null field with a default in
/// its schema reads as that default, unless `replace_null_with_default` is off
/// (`Struct.getWithoutDefault`).
pub fn field_value(field: &Field, value: &Value, replace_null_with_default: bool) -> Value {
    match (value, field.schema.default_value.as_ref().into_option()) {
        (Value::Null, Some(default)) if replace_null_with_default => default.clone(),
        _ => value.clone(),
    }
}

/// Java's `SchemaUtil.copySchemaBasics`: name, version, doc and parameters onto `builder`.
pub fn copy_schema_basics(source: &Schema, mut builder: SchemaBuilder) -> SchemaBuilder {
    if let Some(name) = source.name.as_ref().into_option() {
        builder = builder.name(name.as_str());
    }
    if let Some(version) = source.version.into_option() {
        builder = builder.version(version);
    }
    if let Some(doc) = source.doc.as_ref().into_option() {
        builder = builder.doc(doc.as_str());
    }
    for kv in source.parameters.iter() {
        builder = builder.parameter(kv.0.as_str(), kv.1.as_str());
    }
    builder
}

/// `HashMap.put` on a schemaless map: replaces the entry with string key `key`, or appends one.
pub fn map_put(entries: &mut Vec<Tuple2<Value, Value>>, key: &str, value: Value) {
    match entries.iter_mut().find(|kv| kv.0.as_str() == Some(key)) {
        Some(kv) => kv.1 = value,
        None => entries.push(Tuple2(Value::string(key), value)),
    }
}

/// A decimal's unscaled value from its big-endian two's complement bytes (up to 16 bytes).
pub fn decimal_unscaled(bytes: &[u8]) -> Result<i128, String> {
    if bytes.len() > 16 {
        return Err(format!(
            "Decimal of {} bytes is wider than this implementation supports (16 bytes)",
            bytes.len()
        ));
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let mut buf = [if negative { 0xff } else { 0 }; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    Ok(i128::from_be_bytes(buf))
}

/// The shortest big-endian two's complement bytes of `unscaled`, as Java's
/// `BigInteger.toByteArray`.
pub fn decimal_bytes(unscaled: i128) -> Vec<u8> {
    let all = unscaled.to_be_bytes();
    let mut start = 0;
    // Drop a leading byte while the next one still carries the sign.
    while start < 15 {
        let (b, next) = (all[start], all[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    all[start..].to_vec()
}

/// The scale of a Decimal schema (0 when the parameter is missing or unreadable).
pub fn decimal_scale(schema: &Schema) -> i32 {
    schema
        .parameter(logical::DECIMAL_SCALE)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Java's `BigDecimal.toString` for plain-notation values: the unscaled digits with a point
/// `scale` places from the right. (Java switches to exponent notation for negative scales and
/// very small magnitudes; those are written in exponent form here too.)
pub fn decimal_to_string(unscaled: i128, scale: i32) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    let adjusted = digits.len() as i64 - 1 - scale as i64;
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        return format!("{sign}{int}.{frac}");
    }
    let (first, rest) = digits.split_at(1);
    let point = if rest.is_empty() { "" } else { "." };
    let exp_sign = if adjusted >= 0 { "+" } else { "" };
    format!("{sign}{first}{point}{rest}E{exp_sign}{adjusted}")
}

/// Parses a decimal string (`-12.50`) into an unscaled value at `scale`; an error when it does
/// not fit that scale exactly.
pub fn parse_decimal(text: &str, scale: i32) -> Option<i128> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac_trimmed = frac.trim_end_matches('0');
    if frac_trimmed.len() as i64 > scale.max(0) as i64 {
        return None;
    }
    let mut unscaled: i128 = 0;
    let padded = format!("{frac_trimmed:0<width$}", width = scale.max(0) as usize);
    for c in int.chars().chain(padded.chars()) {
        unscaled = unscaled
            .checked_mul(10)?
            .checked_add((c as u8 - b'0') as i128)?;
    }
    Some(if negative { -unscaled } else { unscaled })
}

// Helpers for ExtractField, HoistField, SetSchemaMetadata, Flatten and the others.
use abi_stable::std_types::ROption;

use super::Side;

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
    b = copy_schema_basics(schema, b);
    for f in schema.fields.iter() {
        b = b.field(f.name.as_str(), f.schema.clone());
    }
    b
}

/// The side of a `$Key`/`$Value` transform; the registry always gives one.
pub fn side_of(side: Option<Side>) -> Result<Side, String> {
    side.ok_or_else(|| "this transform needs its $Key or $Value variant".to_string())
}

/// Output schemas by input schema, as Java's transforms keep them (16 per transform): a
/// stream's records share a schema, so its output schema is built once, not per record.
#[derive(Default)]
pub struct SchemaCache(std::sync::Mutex<std::collections::VecDeque<(Schema, Schema)>>);

const SCHEMA_CACHE_SIZE: usize = 16;

impl SchemaCache {
    /// The output schema for `input`, made by `make` the first time.
    pub fn get_or_make(&self, input: &Schema, make: impl FnOnce() -> Schema) -> Schema {
        match self.get_or_build(input, || Ok::<_, std::convert::Infallible>(make())) {
            Ok(schema) => schema,
            Err(never) => match never {},
        }
    }

    /// The output schema for `input`, built by `build` the first time; a failed build is
    /// not kept.
    pub fn get_or_build<E>(
        &self,
        input: &Schema,
        build: impl FnOnce() -> Result<Schema, E>,
    ) -> Result<Schema, E> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, out)) = lock()
            .iter()
            .find(|(known, _)| known.ptr_eq(input) || known == input)
        {
            return Ok(out.clone());
        }
        let out = build()?;
        let mut cache = lock();
        cache.push_front((input.clone(), out.clone()));
        cache.truncate(SCHEMA_CACHE_SIZE);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_is_built_once_and_the_cache_stays_small() {
        let cache = SchemaCache::default();
        let input = Schema::string();
        let mut builds = 0;
        let mut make = || {
            builds += 1;
            Schema::struct_builder()
                .field("f", Schema::string())
                .build()
        };
        let first = cache.get_or_make(&input, &mut make);
        let again = cache.get_or_make(&input, &mut make);
        assert!(first.ptr_eq(&again), "the same schema object comes back");
        assert_eq!(builds, 1);
        for i in 0..40 {
            let other = Schema::struct_builder()
                .field(format!("g{i}"), Schema::int8())
                .build();
            cache.get_or_make(&other, Schema::string);
        }
        assert_eq!(cache.0.lock().unwrap().len(), SCHEMA_CACHE_SIZE);
        let failed: Result<Schema, String> =
            cache.get_or_build(&Schema::int64(), || Err("no".into()));
        assert!(failed.is_err());
    }
}
