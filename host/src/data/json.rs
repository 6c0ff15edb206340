//! `org.apache.kafka.connect.json.JsonConverter`: Java's JSON, with or without the
//! `{"schema":…,"payload":…}` envelope, byte for byte where Kafka documents it.

use std::borrow::Cow;
use std::io::Write;
use std::sync::Mutex;

use abi_stable::std_types::{RVec, Tuple2};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use plugin_abi::data::{logical, Schema, SchemaBuilder, SchemaType, Value};
use plugin_abi::Props;
use serde_json::Value as Json;

use super::converter::{bool_setting, ConversionError, Converter};
use super::schemaless;

const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

/// How decimals are written (`decimal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DecimalFormat {
    Base64,
    Numeric,
}

/// Kafka's JsonConverter.
pub struct JsonConverter {
    schemas_enable: bool,
    decimal_format: DecimalFormat,
    replace_null_with_default: bool,
    /// The last schema serialized and its JSON: records of a stream share one schema.
    schema_cache: Mutex<Option<(Schema, Vec<u8>)>>,
    /// The last schema parsed, by its JSON.
    parsed_cache: Mutex<Option<(Json, Schema)>>,
}

fn err(message: impl Into<String>) -> ConversionError {
    ConversionError::new(message)
}

impl JsonConverter {
    /// Settings: `schemas.enable` (true), `decimal.format` (BASE64 or NUMERIC),
    /// `replace.null.with.default` (true); `schemas.cache.size` is accepted.
    pub fn new(props: &Props, _is_key: bool) -> Result<JsonConverter, ConversionError> {
        let decimal_format = match props.get("decimal.format").map(|v| v.trim().to_ascii_uppercase()) {
            None => DecimalFormat::Base64,
            Some(v) if v == "BASE64" => DecimalFormat::Base64,
            Some(v) if v == "NUMERIC" => DecimalFormat::Numeric,
            Some(v) => {
                return Err(err(format!(
                    "Invalid value {v} for configuration decimal.format: String must be one of: BASE64, NUMERIC"
                )))
            }
        };
        Ok(JsonConverter {
            schemas_enable: bool_setting(props, "schemas.enable", true)?,
            decimal_format,
            replace_null_with_default: bool_setting(props, "replace.null.with.default", true)?,
            schema_cache: Mutex::new(None),
            parsed_cache: Mutex::new(None),
        })
    }

    fn write_cached_schema(
        &self,
        out: &mut Vec<u8>,
        schema: &Schema,
    ) -> Result<(), ConversionError> {
        let mut cache = self.schema_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cached, json)) = cache.as_ref() {
            if std::ptr::eq::<plugin_abi::data::SchemaData>(&**cached, &**schema)
                || cached == schema
            {
                out.extend_from_slice(json);
                return Ok(());
            }
        }
        let mut json = Vec::new();
        self.write_schema(&mut json, schema)?;
        out.extend_from_slice(&json);
        *cache = Some((schema.clone(), json));
        Ok(())
    }

    fn parse_cached_schema(&self, json: &Json) -> Result<Schema, ConversionError> {
        let mut cache = self.parsed_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cached_json, schema)) = cache.as_ref() {
            if cached_json == json {
                return Ok(schema.clone());
            }
        }
        let schema = parse_schema(json)?;
        *cache = Some((json.clone(), schema.clone()));
        Ok(schema)
    }

    /// Kafka's schema JSON: type, children, optional, name, version, doc, parameters, default.
    fn write_schema(&self, out: &mut Vec<u8>, schema: &Schema) -> Result<(), ConversionError> {
        self.write_schema_with_field(out, schema, None)
    }

    fn write_schema_with_field(
        &self,
        out: &mut Vec<u8>,
        schema: &Schema,
        field: Option<&str>,
    ) -> Result<(), ConversionError> {
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(schema.schema_type.name().as_bytes());
        out.push(b'"');
        match schema.schema_type {
            SchemaType::Struct => {
                out.extend_from_slice(b",\"fields\":[");
                for (i, f) in schema.fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_schema_with_field(out, &f.schema, Some(&f.name))?;
                }
                out.push(b']');
            }
            SchemaType::Array => {
                out.extend_from_slice(b",\"items\":");
                self.write_schema(out, child(&schema.value_schema, "array items")?)?;
            }
            SchemaType::Map => {
                out.extend_from_slice(b",\"keys\":");
                self.write_schema(out, child(&schema.key_schema, "map keys")?)?;
                out.extend_from_slice(b",\"values\":");
                self.write_schema(out, child(&schema.value_schema, "map values")?)?;
            }
            _ => {}
        }
        out.extend_from_slice(if schema.optional {
            b",\"optional\":true"
        } else {
            b",\"optional\":false"
        });
        if let Some(name) = schema.name.as_ref().into_option() {
            out.extend_from_slice(b",\"name\":");
            write_str(out, name);
        }
        if let Some(version) = schema.version.into_option() {
            let _ = write!(out, ",\"version\":{version}");
        }
        if let Some(doc) = schema.doc.as_ref().into_option() {
            out.extend_from_slice(b",\"doc\":");
            write_str(out, doc);
        }
        if !schema.parameters.is_empty() {
            out.extend_from_slice(b",\"parameters\":{");
            for (i, kv) in schema.parameters.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, &kv.0);
                out.push(b':');
                write_str(out, &kv.1);
            }
            out.push(b'}');
        }
        if let Some(default) = schema.default_value.as_ref().into_option() {
            out.extend_from_slice(b",\"default\":");
            self.write_value(out, Some(schema), default)?;
        }
        if let Some(name) = field {
            out.extend_from_slice(b",\"field\":");
            write_str(out, name);
        }
        out.push(b'}');
        Ok(())
    }

    /// A value as JSON, by its schema when it has one.
    fn write_value(
        &self,
        out: &mut Vec<u8>,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<(), ConversionError> {
        let Some(schema) = schema else {
            return write_schemaless(out, value);
        };
        if value.is_null() {
            if let (true, Some(default)) = (
                self.replace_null_with_default,
                schema.default_value.as_ref().into_option(),
            ) {
                return self.write_value(out, Some(schema), default);
            }
            if !schema.optional {
                return Err(err(format!("Conversion error: null value for field that is required and has no default value ({})", schema.schema_type.name())));
            }
            out.extend_from_slice(b"null");
            return Ok(());
        }
        if logical::is(schema, logical::DECIMAL) {
            let Value::Bytes(unscaled) = value else {
                return Err(mismatch(schema, value));
            };
            return match self.decimal_format {
                DecimalFormat::Base64 => {
                    write_str(out, &BASE64.encode(unscaled.as_slice()));
                    Ok(())
                }
                DecimalFormat::Numeric => {
                    out.extend_from_slice(
                        decimal_text(unscaled, decimal_scale(schema)?)?.as_bytes(),
                    );
                    Ok(())
                }
            };
        }
        match (schema.schema_type, value) {
            (SchemaType::Int8, Value::Int8(v)) => write_display(out, v),
            (SchemaType::Int16, Value::Int16(v)) => write_display(out, v),
            (SchemaType::Int32, Value::Int32(v)) => write_display(out, v),
            (SchemaType::Int64, Value::Int64(v)) => write_display(out, v),
            (SchemaType::Float32, Value::Float32(v)) => write_float(out, f64::from(*v))?,
            (SchemaType::Float64, Value::Float64(v)) => write_float(out, *v)?,
            (SchemaType::Boolean, Value::Boolean(v)) => write_display(out, v),
            (SchemaType::String, Value::String(s)) => write_str(out, s),
            (SchemaType::Bytes, Value::Bytes(b)) => write_str(out, &BASE64.encode(b.as_slice())),
            (SchemaType::Array, Value::Array(items)) => {
                let element = child(&schema.value_schema, "array items")?;
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.write_value(out, Some(element), item)?;
                }
                out.push(b']');
            }
            (SchemaType::Map, Value::Map(entries)) => {
                let (ks, vs) = (
                    child(&schema.key_schema, "map keys")?,
                    child(&schema.value_schema, "map values")?,
                );
                if ks.schema_type == SchemaType::String {
                    out.push(b'{');
                    for (i, kv) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        let Value::String(k) = &kv.0 else {
                            return Err(mismatch(ks, &kv.0));
                        };
                        write_str(out, k);
                        out.push(b':');
                        self.write_value(out, Some(vs), &kv.1)?;
                    }
                    out.push(b'}');
                } else {
                    // Kafka's rule: maps without string keys are arrays of [key, value] pairs.
                    out.push(b'[');
                    for (i, kv) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.push(b'[');
                        self.write_value(out, Some(ks), &kv.0)?;
                        out.push(b',');
                        self.write_value(out, Some(vs), &kv.1)?;
                        out.push(b']');
                    }
                    out.push(b']');
                }
            }
            (SchemaType::Struct, Value::Struct(_, values)) => {
                out.push(b'{');
                for (i, (field, v)) in schema.fields.iter().zip(values.iter()).enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, &field.name);
                    out.push(b':');
                    self.write_value(out, Some(&field.schema), v)?;
                }
                out.push(b'}');
            }
            _ => return Err(mismatch(schema, value)),
        }
        Ok(())
    }

    /// A JSON value as a Connect value of `schema`.
    fn read_value(&self, schema: &Schema, json: &Json) -> Result<Value, ConversionError> {
        if json.is_null() {
            if let Some(default) = schema.default_value.as_ref().into_option() {
                if self.replace_null_with_default {
                    return Ok(default.clone());
                }
            }
            if schema.optional {
                return Ok(Value::Null);
            }
            return Err(err(format!(
                "Invalid null value for required {} field",
                schema.schema_type.name().to_uppercase()
            )));
        }
        let expected = || {
            err(format!(
                "Expected {} but got {}",
                schema.schema_type.name(),
                json_kind(json)
            ))
        };
        if logical::is(schema, logical::DECIMAL) {
            let scale = decimal_scale(schema)?;
            return match json {
                Json::String(s) => Ok(Value::Bytes(
                    BASE64
                        .decode(s)
                        .map_err(|e| err(format!("Invalid base64 decimal: {e}")))?
                        .into(),
                )),
                Json::Number(n) => Ok(Value::Bytes(decimal_bytes(&n.to_string(), scale)?.into())),
                _ => Err(expected()),
            };
        }
        let int = |min: i64, max: i64| -> Result<i64, ConversionError> {
            let v = json.as_i64().ok_or_else(expected)?;
            if v < min || v > max {
                return Err(err(format!(
                    "Value {v} is out of range for {}",
                    schema.schema_type.name()
                )));
            }
            Ok(v)
        };
        Ok(match schema.schema_type {
            SchemaType::Int8 => Value::Int8(int(i8::MIN.into(), i8::MAX.into())? as i8),
            SchemaType::Int16 => Value::Int16(int(i16::MIN.into(), i16::MAX.into())? as i16),
            SchemaType::Int32 => Value::Int32(int(i32::MIN.into(), i32::MAX.into())? as i32),
            SchemaType::Int64 => Value::Int64(int(i64::MIN, i64::MAX)?),
            SchemaType::Float32 => Value::Float32(json.as_f64().ok_or_else(expected)? as f32),
            SchemaType::Float64 => Value::Float64(json.as_f64().ok_or_else(expected)?),
            SchemaType::Boolean => Value::Boolean(json.as_bool().ok_or_else(expected)?),
            SchemaType::String => Value::string(json.as_str().ok_or_else(expected)?),
            SchemaType::Bytes => {
                let text = json.as_str().ok_or_else(expected)?;
                Value::Bytes(
                    BASE64
                        .decode(text)
                        .map_err(|e| err(format!("Invalid base64 bytes: {e}")))?
                        .into(),
                )
            }
            SchemaType::Array => {
                let element = child(&schema.value_schema, "array items")?;
                let items = json.as_array().ok_or_else(expected)?;
                Value::Array(
                    items
                        .iter()
                        .map(|i| self.read_value(element, i))
                        .collect::<Result<RVec<_>, _>>()?,
                )
            }
            SchemaType::Map => {
                let (ks, vs) = (
                    child(&schema.key_schema, "map keys")?,
                    child(&schema.value_schema, "map values")?,
                );
                let entries: RVec<Tuple2<Value, Value>> = match json {
                    Json::Object(fields) => fields
                        .iter()
                        .map(|(k, v)| {
                            Ok(Tuple2(
                                self.read_value(ks, &Json::String(k.clone()))?,
                                self.read_value(vs, v)?,
                            ))
                        })
                        .collect::<Result<_, ConversionError>>()?,
                    Json::Array(pairs) => pairs
                        .iter()
                        .map(|pair| match pair.as_array().map(Vec::as_slice) {
                            Some([k, v]) => {
                                Ok(Tuple2(self.read_value(ks, k)?, self.read_value(vs, v)?))
                            }
                            _ => Err(err("Found invalid map entry instead of array tuple")),
                        })
                        .collect::<Result<_, ConversionError>>()?,
                    _ => return Err(expected()),
                };
                Value::Map(entries)
            }
            SchemaType::Struct => {
                let object = json.as_object().ok_or_else(expected)?;
                let values = schema
                    .fields
                    .iter()
                    .map(|f| {
                        self.read_value(
                            &f.schema,
                            object.get(f.name.as_str()).unwrap_or(&Json::Null),
                        )
                    })
                    .collect::<Result<RVec<_>, _>>()?;
                Value::Struct(schema.clone(), values)
            }
        })
    }
}

impl Converter for JsonConverter {
    fn from_connect<'a>(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(64);
        if self.schemas_enable {
            out.extend_from_slice(b"{\"schema\":");
            match schema {
                Some(s) => self.write_cached_schema(&mut out, s)?,
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
            self.write_value(&mut out, schema, value)?;
            out.push(b'}');
        } else {
            self.write_value(&mut out, schema, value)?;
        }
        Ok(Some(Cow::Owned(out)))
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
            return Ok((None, Value::Null));
        };
        let json: Json = serde_json::from_slice(bytes).map_err(|e| {
            err(format!(
                "Converting byte[] to Kafka Connect data failed due to serialization error: {e}"
            ))
        })?;
        if !self.schemas_enable {
            return Ok((None, schemaless::from_json(&json)));
        }
        let Json::Object(mut envelope) = json else {
            return Err(err(ENVELOPE_ERROR));
        };
        if envelope.len() != 2
            || !envelope.contains_key("schema")
            || !envelope.contains_key("payload")
        {
            return Err(err(ENVELOPE_ERROR));
        }
        let payload = envelope.remove("payload").unwrap_or(Json::Null);
        match envelope.remove("schema").unwrap_or(Json::Null) {
            Json::Null => Ok((None, schemaless::from_json(&payload))),
            schema_json => {
                let schema = self.parse_cached_schema(&schema_json)?;
                let value = self.read_value(&schema, &payload)?;
                Ok((Some(schema), value))
            }
        }
    }
}

/// A schema from Kafka's schema JSON.
fn parse_schema(json: &Json) -> Result<Schema, ConversionError> {
    let object = json
        .as_object()
        .ok_or_else(|| err("Schema must be a JSON object"))?;
    let type_name = object
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| err("Schema must contain 'type' field"))?;
    let schema_type = SchemaType::from_name(type_name)
        .ok_or_else(|| err(format!("Unknown schema type: {type_name}")))?;
    let mut builder = match schema_type {
        SchemaType::Array => SchemaBuilder::array(parse_schema(
            object
                .get("items")
                .ok_or_else(|| err("Array schema did not specify the items type"))?,
        )?),
        SchemaType::Map => SchemaBuilder::map(
            parse_schema(
                object
                    .get("keys")
                    .ok_or_else(|| err("Map schema did not specify the key type"))?,
            )?,
            parse_schema(
                object
                    .get("values")
                    .ok_or_else(|| err("Map schema did not specify the value type"))?,
            )?,
        ),
        SchemaType::Struct => {
            let mut b = SchemaBuilder::new(SchemaType::Struct);
            let fields = object
                .get("fields")
                .and_then(Json::as_array)
                .ok_or_else(|| err("Struct schema's \"fields\" argument is not an array."))?;
            for field in fields {
                let name = field
                    .get("field")
                    .and_then(Json::as_str)
                    .ok_or_else(|| err("Struct schema's field name not specified properly"))?;
                b = b.field(name, parse_schema(field)?);
            }
            b
        }
        _ => SchemaBuilder::new(schema_type),
    };
    if object
        .get("optional")
        .and_then(Json::as_bool)
        .unwrap_or(false)
    {
        builder = builder.optional();
    }
    if let Some(name) = object.get("name").and_then(Json::as_str) {
        builder = builder.name(name);
    }
    if let Some(version) = object.get("version").and_then(Json::as_i64) {
        builder = builder.version(version as i32);
    }
    if let Some(doc) = object.get("doc").and_then(Json::as_str) {
        builder = builder.doc(doc);
    }
    if let Some(params) = object.get("parameters").and_then(Json::as_object) {
        for (k, v) in params {
            builder = builder.parameter(k.as_str(), v.as_str().unwrap_or_default());
        }
    }
    if let Some(default) = object.get("default").filter(|d| !d.is_null()) {
        // The default is read with the schema built so far (without its default).
        let without_default = builder.clone().build();
        let reader = JsonConverter::new(&Props::new(), false)?;
        builder = builder.default_value(reader.read_value(&without_default, default)?);
    }
    Ok(builder.build())
}

fn child<'a>(
    schema: &'a abi_stable::std_types::ROption<Schema>,
    what: &str,
) -> Result<&'a Schema, ConversionError> {
    schema
        .as_ref()
        .into_option()
        .ok_or_else(|| err(format!("Schema has no {what} schema")))
}

fn mismatch(schema: &Schema, value: &Value) -> ConversionError {
    err(format!(
        "Invalid type for {}: value {value:?} does not match the schema",
        schema.schema_type.name().to_uppercase()
    ))
}

fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's string writer escapes as JSON requires; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_display(out: &mut Vec<u8>, v: impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

fn write_float(out: &mut Vec<u8>, v: f64) -> Result<(), ConversionError> {
    if !v.is_finite() {
        return Err(err(format!("{v} cannot be represented in JSON")));
    }
    let _ = serde_json::to_writer(&mut *out, &v);
    Ok(())
}

fn write_schemaless(out: &mut Vec<u8>, value: &Value) -> Result<(), ConversionError> {
    if let Value::Float32(v) = value {
        write_float(out, f64::from(*v))?;
    } else if let Value::Float64(v) = value {
        write_float(out, *v)?;
    } else {
        let _ = serde_json::to_writer(&mut *out, &schemaless::to_json(value));
    }
    Ok(())
}

fn decimal_scale(schema: &Schema) -> Result<i32, ConversionError> {
    schema
        .parameter(logical::DECIMAL_SCALE)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| err("Invalid Decimal schema: scale parameter not found."))
}

/// Unscaled big-endian two's complement bytes → decimal text (`12345`, scale 2 → `123.45`).
fn decimal_text(unscaled: &[u8], scale: i32) -> Result<String, ConversionError> {
    if unscaled.is_empty() || unscaled.len() > 16 {
        return Err(err(
            "Decimal values must have 1 to 16 unscaled bytes to be written as NUMERIC",
        ));
    }
    let negative = unscaled[0] & 0x80 != 0;
    let mut buf = [if negative { 0xff } else { 0 }; 16];
    buf[16 - unscaled.len()..].copy_from_slice(unscaled);
    let n = i128::from_be_bytes(buf);
    let digits = n.unsigned_abs().to_string();
    let sign = if negative { "-" } else { "" };
    if scale <= 0 {
        return Ok(format!(
            "{sign}{digits}{}",
            "0".repeat(scale.unsigned_abs() as usize)
        ));
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    Ok(format!("{sign}{int}.{frac}"))
}

/// Decimal text (`123.45`, `-1.5e3`) at `scale` → unscaled big-endian two's complement bytes.
fn decimal_bytes(text: &str, scale: i32) -> Result<Vec<u8>, ConversionError> {
    let bad = || err(format!("Invalid decimal number {text}"));
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().map_err(|_| bad())?),
        None => (text, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = format!("{int}{frac}");
    // In i64: a scale and an exponent near i32's limits must not overflow.
    let shift = i64::from(scale) + i64::from(exponent) - frac.len() as i64;
    if shift >= 0 {
        let significant = digits.trim_start_matches('0').len() as i64;
        if significant == 0 {
            digits.clear();
        } else if significant + shift > 39 {
            // An i128 has at most 39 digits: checked before the zeros are written, since a
            // scale from the record's own schema could ask for gigabytes of them.
            return Err(err(format!(
                "Decimal {text} at scale {scale} does not fit in 16 bytes"
            )));
        } else {
            digits.push_str(&"0".repeat(shift as usize));
        }
    } else {
        let cut = digits.len().saturating_sub(shift.unsigned_abs() as usize);
        if digits[cut..].bytes().any(|b| b != b'0') {
            return Err(err(format!(
                "Decimal {text} has more digits than scale {scale} allows"
            )));
        }
        digits.truncate(cut);
    }
    let magnitude: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| bad())?
    };
    let n = if negative { -magnitude } else { magnitude };
    // Minimal two's complement form, as Java's BigInteger.toByteArray.
    let bytes = n.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    Ok(bytes[start..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(pairs: &[(&str, &str)]) -> JsonConverter {
        JsonConverter::new(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            false,
        )
        .unwrap()
    }

    fn to_text(c: &JsonConverter, schema: Option<&Schema>, value: &Value) -> String {
        String::from_utf8(
            c.from_connect("t", schema, value)
                .unwrap()
                .unwrap()
                .into_owned(),
        )
        .unwrap()
    }

    fn round_trip(c: &JsonConverter, schema: &Schema, value: Value) {
        let bytes = c.from_connect("t", Some(schema), &value).unwrap();
        let (back_schema, back) = c.to_connect("t", bytes.as_deref()).unwrap();
        assert_eq!(back_schema.as_ref(), Some(schema), "schema of {value:?}");
        assert_eq!(back, value);
    }

    fn person() -> Schema {
        Schema::struct_builder()
            .name("com.example.Person")
            .field("name", Schema::string())
            .field("age", Schema::optional_int32())
            .field(
                "address",
                Schema::struct_builder()
                    .optional()
                    .field("city", Schema::string())
                    .build(),
            )
            .build()
    }

    #[test]
    fn a_string_is_wrapped_in_kafkas_envelope() {
        let c = converter(&[]);
        assert_eq!(
            to_text(&c, Some(&Schema::string()), &Value::string("hello")),
            r#"{"schema":{"type":"string","optional":false},"payload":"hello"}"#
        );
    }

    #[test]
    fn without_schemas_only_the_payload_is_written() {
        let c = converter(&[("schemas.enable", "false")]);
        assert_eq!(
            to_text(&c, Some(&Schema::string()), &Value::string("he\"llo\n")),
            r#""he\"llo\n""#
        );
    }

    #[test]
    fn a_struct_schema_is_written_as_kafka_writes_it() {
        let c = converter(&[]);
        let schema = person();
        let value = Value::Struct(
            schema.clone(),
            vec![Value::string("Ann"), Value::Null, Value::Null].into(),
        );
        assert_eq!(
            to_text(&c, Some(&schema), &value),
            concat!(
                r#"{"schema":{"type":"struct","fields":["#,
                r#"{"type":"string","optional":false,"field":"name"},"#,
                r#"{"type":"int32","optional":true,"field":"age"},"#,
                r#"{"type":"struct","fields":[{"type":"string","optional":false,"field":"city"}],"optional":true,"field":"address"}],"#,
                r#""optional":false,"name":"com.example.Person"},"#,
                r#""payload":{"name":"Ann","age":null,"address":null}}"#
            )
        );
    }

    #[test]
    fn every_type_round_trips() {
        let c = converter(&[]);
        let cases: Vec<(Schema, Value)> = vec![
            (Schema::int8(), Value::Int8(-8)),
            (Schema::int16(), Value::Int16(1600)),
            (Schema::int32(), Value::Int32(-32)),
            (Schema::int64(), Value::Int64(1 << 40)),
            (Schema::float32(), Value::Float32(1.5)),
            (Schema::float64(), Value::Float64(-2.25)),
            (Schema::boolean(), Value::Boolean(true)),
            (Schema::string(), Value::string("ünïcode ✓")),
            (Schema::bytes(), Value::Bytes(vec![0, 1, 255].into())),
            (Schema::optional_string(), Value::Null),
            (
                SchemaBuilder::array(Schema::int32()).build(),
                Value::Array(vec![1.into(), 2.into()].into()),
            ),
            (
                SchemaBuilder::map(Schema::string(), Schema::int64()).build(),
                Value::string_map([("a", Value::Int64(1))]),
            ),
            (
                SchemaBuilder::map(Schema::int32(), Schema::string()).build(),
                Value::Map(vec![Tuple2(Value::Int32(7), Value::string("seven"))].into()),
            ),
            (
                person(),
                Value::Struct(
                    person(),
                    vec![Value::string("Bo"), Value::Int32(40), Value::Null].into(),
                ),
            ),
            (logical::date().build(), Value::Int32(19_000)),
            (logical::time().build(), Value::Int32(3_600_000)),
            (
                logical::timestamp().build(),
                Value::Int64(1_700_000_000_000),
            ),
            (
                logical::decimal(2).build(),
                Value::Bytes(vec![0x30, 0x39].into()),
            ),
            (
                SchemaBuilder::new(SchemaType::Int32)
                    .doc("d")
                    .version(3)
                    .parameter("p", "v")
                    .default_value(Value::Int32(5))
                    .build(),
                Value::Int32(6),
            ),
        ];
        for (schema, value) in cases {
            round_trip(&c, &schema, value);
        }
    }

    #[test]
    fn numeric_decimals_are_json_numbers_and_read_back() {
        let c = converter(&[("decimal.format", "NUMERIC")]);
        let schema = logical::decimal(2).build();
        // 12345 unscaled at scale 2 is 123.45; -5 is -0.05.
        let text = to_text(&c, Some(&schema), &Value::Bytes(vec![0x30, 0x39].into()));
        assert!(text.ends_with(r#""payload":123.45}"#), "{text}");
        round_trip(&c, &schema, Value::Bytes(vec![0x30, 0x39].into()));
        round_trip(&c, &schema, Value::Bytes(vec![0xfb].into()));
        assert_eq!(decimal_text(&[0xfb], 2).unwrap(), "-0.05");
        assert_eq!(decimal_bytes("-0.05", 2).unwrap(), vec![0xfb]);
        // 150 needs a leading zero byte to stay positive in two's complement.
        assert_eq!(decimal_bytes("1.5e2", 0).unwrap(), vec![0, 150]);
    }

    #[test]
    fn a_huge_decimal_scale_is_refused_without_allocating_its_zeros() {
        // Found by fuzzing: scale 1810357408 made reading this record allocate 1.8 GB.
        let c = converter(&[]);
        let record = br#"{"schema":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"1810357408"}},"payload":449380}"#;
        let e = c.to_connect("t", Some(record)).unwrap_err();
        assert!(e.0.contains("does not fit in 16 bytes"), "{e}");
        // A scale and an exponent whose sum overflows i32 are refused too, not a panic.
        assert!(decimal_bytes("1e300", i32::MAX).is_err());
        assert!(decimal_bytes("1e-300", i32::MIN).is_err());
        // Zero fits at any scale.
        assert_eq!(decimal_bytes("0", i32::MAX).unwrap(), vec![0]);
    }

    #[test]
    fn base64_decimals_are_the_unscaled_bytes() {
        let c = converter(&[]);
        let text = to_text(
            &c,
            Some(&logical::decimal(2).build()),
            &Value::Bytes(vec![0x30, 0x39].into()),
        );
        assert!(text.ends_with(r#""payload":"MDk="}"#), "{text}");
    }

    #[test]
    fn nulls_are_tombstones_both_ways() {
        let c = converter(&[]);
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        assert_eq!(c.to_connect("t", None).unwrap(), (None, Value::Null));
        assert_eq!(c.to_connect("t", Some(b"")).unwrap(), (None, Value::Null));
    }

    #[test]
    fn a_null_for_a_field_with_a_default_reads_as_the_default() {
        let schema = SchemaBuilder::new(SchemaType::Int32)
            .default_value(Value::Int32(5))
            .build();
        let json = br#"{"schema":{"type":"int32","optional":false,"default":5},"payload":null}"#;
        assert_eq!(
            converter(&[]).to_connect("t", Some(json)).unwrap(),
            (Some(schema), Value::Int32(5))
        );
        let err = converter(&[("replace.null.with.default", "false")])
            .to_connect("t", Some(json))
            .unwrap_err();
        assert!(
            err.0
                .contains("Invalid null value for required INT32 field"),
            "{err}"
        );
    }

    #[test]
    fn malformed_input_is_a_clear_error() {
        let c = converter(&[]);
        assert!(c
            .to_connect("t", Some(b"{not json"))
            .unwrap_err()
            .0
            .contains("serialization error"));
        assert_eq!(
            c.to_connect("t", Some(br#"{"a":1}"#)).unwrap_err().0,
            ENVELOPE_ERROR
        );
        assert_eq!(
            c.to_connect("t", Some(br#""plain""#)).unwrap_err().0,
            ENVELOPE_ERROR
        );
        let wrong = br#"{"schema":{"type":"int32","optional":false},"payload":"x"}"#;
        assert_eq!(
            c.to_connect("t", Some(wrong)).unwrap_err().0,
            "Expected int32 but got string"
        );
        let overflow = br#"{"schema":{"type":"int8","optional":false},"payload":300}"#;
        assert!(c
            .to_connect("t", Some(overflow))
            .unwrap_err()
            .0
            .contains("out of range"));
        assert!(c
            .from_connect("t", Some(&Schema::float64()), &Value::Float64(f64::NAN))
            .is_err());
        assert!(JsonConverter::new(
            &[("decimal.format".to_string(), "HEX".to_string())]
                .into_iter()
                .collect(),
            false
        )
        .is_err());
    }

    #[test]
    fn schemaless_json_is_inferred() {
        let c = converter(&[("schemas.enable", "false")]);
        let (schema, value) = c
            .to_connect("t", Some(br#"{"a":[1,2.5,"x",true,null]}"#))
            .unwrap();
        assert!(schema.is_none());
        let expected = Value::string_map([(
            "a",
            Value::Array(
                vec![
                    Value::Int64(1),
                    Value::Float64(2.5),
                    Value::string("x"),
                    Value::Boolean(true),
                    Value::Null,
                ]
                .into(),
            ),
        )]);
        assert_eq!(value, expected);
        assert_eq!(
            to_text(&c, None, &expected),
            r#"{"a":[1,2.5,"x",true,null]}"#
        );
    }
}
