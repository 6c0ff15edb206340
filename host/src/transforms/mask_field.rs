//! `MaskField$Key` / `MaskField$Value`: replaces the listed fields with their type's "empty"
//! value (0, false, "", the epoch, an empty array or map), or with `replacement` read as the
//! field's type.
//!
//! Java decides by the value's Java class. Logical types are not visible in our values, so with
//! a schema the field's schema decides (a Timestamp field masks as a `java.util.Date` would);
//! schemaless values decide by their own type.

use plugin_abi::data::{logical, Schema, SchemaType, Value};

use super::util::{
    decimal_bytes, decimal_scale, field_value, map_put, parse_decimal, require_map, require_struct,
    value_type,
};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "mask fields";

pub struct MaskField {
    side: Side,
    fields: Vec<String>,
    replacement: Option<String>,
    replace_null_with_default: bool,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let fields = s.list("fields");
    if fields.is_empty() {
        return Err(match s.0.get("fields") {
            None => "Missing required configuration \"fields\" which has no default value.".into(),
            Some(_) => "Invalid value [] for configuration fields: Empty list".into(),
        });
    }
    let replacement = match s.0.get("replacement") {
        Some(r) if r.trim().is_empty() => {
            return Err(format!(
                "Invalid value {r} for configuration replacement: String must be non-empty"
            ))
        }
        r => r.cloned(),
    };
    Ok(Box::new(MaskField {
        side: side.unwrap_or(Side::Value),
        fields,
        replacement,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
    }))
}

/// What a value is, as far as masking cares: the Java class Kafka would see.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Plain(SchemaType),
    /// Date, Time and Timestamp: `java.util.Date` in Java.
    Date(SchemaType),
    Decimal(i32),
}

impl Kind {
    fn of(schema: Option<&Schema>, value: &Value) -> Kind {
        match schema {
            Some(s) if logical::is(s, logical::DECIMAL) => Kind::Decimal(decimal_scale(s)),
            Some(s)
                if logical::is(s, logical::DATE)
                    || logical::is(s, logical::TIME)
                    || logical::is(s, logical::TIMESTAMP) =>
            {
                Kind::Date(s.schema_type)
            }
            Some(s) => Kind::Plain(s.schema_type),
            None => Kind::Plain(value_type(value)),
        }
    }

    /// The Java class name Kafka's messages show.
    fn class(self) -> &'static str {
        match self {
            Kind::Date(_) => "java.util.Date",
            Kind::Decimal(_) => "java.math.BigDecimal",
            Kind::Plain(t) => match t {
                SchemaType::Boolean => "java.lang.Boolean",
                SchemaType::Bytes => "[B",
                SchemaType::Array => "java.util.ArrayList",
                SchemaType::Map => "java.util.HashMap",
                SchemaType::Struct => "org.apache.kafka.connect.data.Struct",
                _ => "java.lang.Number",
            },
        }
    }
}

fn zero(t: SchemaType) -> Option<Value> {
    Some(match t {
        SchemaType::Int8 => Value::Int8(0),
        SchemaType::Int16 => Value::Int16(0),
        SchemaType::Int32 => Value::Int32(0),
        SchemaType::Int64 => Value::Int64(0),
        SchemaType::Float32 => Value::Float32(0.0),
        SchemaType::Float64 => Value::Float64(0.0),
        _ => return None,
    })
}

/// Java's masking without a replacement.
fn empty_value(kind: Kind) -> Result<Value, String> {
    match kind {
        Kind::Date(t) => zero(t).ok_or_else(|| "Date field of non-integer type".to_string()),
        // BigDecimal.ZERO: unscaled 0 is zero at any scale.
        Kind::Decimal(_) => Ok(Value::Bytes(decimal_bytes(0).into())),
        Kind::Plain(t) => match t {
            SchemaType::Boolean => Ok(Value::Boolean(false)),
            SchemaType::String => Ok(Value::string("")),
            SchemaType::Array => Ok(Value::Array(Default::default())),
            SchemaType::Map => Ok(Value::Map(Default::default())),
            // Java has no empty value for byte[] or Struct either.
            SchemaType::Bytes | SchemaType::Struct => {
                Err(format!("Cannot mask value of type: class {}", kind.class()))
            }
            t => Ok(zero(t).expect("numeric")),
        },
    }
}

/// Java's masking with `replacement` (`Values.convertTo…` for numbers, `new BigDecimal`).
fn replaced(kind: Kind, replacement: &str) -> Result<Value, String> {
    let not_number =
        || format!("Unable to convert {replacement} (class java.lang.String) to number");
    let t = match kind {
        Kind::Plain(SchemaType::String) => return Ok(Value::string(replacement)),
        Kind::Decimal(scale) => {
            let unscaled = parse_decimal(replacement, scale).ok_or_else(not_number)?;
            return Ok(Value::Bytes(decimal_bytes(unscaled).into()));
        }
        Kind::Plain(t) if zero(t).is_some() => t,
        _ => {
            return Err(format!(
                "Cannot mask value of type class {} with custom replacement.",
                kind.class()
            ))
        }
    };
    let text = replacement.trim();
    if let Ok(i) = text.parse::<i64>() {
        return match t {
            SchemaType::Float32 => Ok(Value::Float32(i as f32)),
            SchemaType::Float64 => Ok(Value::Float64(i as f64)),
            _ => integer(t, i).ok_or_else(not_number),
        };
    }
    let f: f64 = text.parse().map_err(|_| not_number())?;
    match t {
        SchemaType::Float32 => Ok(Value::Float32(f as f32)),
        SchemaType::Float64 => Ok(Value::Float64(f)),
        // Values.convertTo… truncates a decimal number for an integer target.
        _ => integer(t, f.trunc() as i64).ok_or_else(not_number),
    }
}

/// `i` as an integer value of type `t`, when it fits.
fn integer(t: SchemaType, i: i64) -> Option<Value> {
    Some(match t {
        SchemaType::Int8 => Value::Int8(i.try_into().ok()?),
        SchemaType::Int16 => Value::Int16(i.try_into().ok()?),
        SchemaType::Int32 => Value::Int32(i.try_into().ok()?),
        _ => Value::Int64(i),
    })
}

impl MaskField {
    fn masked(&self, schema: Option<&Schema>, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let kind = Kind::of(schema, value);
        match &self.replacement {
            None => empty_value(kind),
            Some(r) => replaced(kind, r),
        }
    }
}

impl Transformation for MaskField {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        if value.is_null() {
            return Ok(Some(record));
        }
        let updated = match schema {
            None => {
                let mut entries = require_map(value, PURPOSE)?.to_vec();
                for name in &self.fields {
                    // Like Java's `put(field, masked(get(field)))`: a missing field comes out
                    // as a null entry.
                    let current = value.get(name).cloned().unwrap_or_default();
                    map_put(&mut entries, name, self.masked(None, &current)?);
                }
                Value::Map(entries.into())
            }
            Some(schema) => {
                let (schema, values) = require_struct(Some(schema), value, PURPOSE)?;
                let mut out = Vec::with_capacity(values.len());
                for (field, v) in schema.fields.iter().zip(values) {
                    let v = field_value(field, v, self.replace_null_with_default);
                    out.push(if self.fields.iter().any(|f| *f == *field.name) {
                        self.masked(Some(&field.schema), &v)?
                    } else {
                        v
                    });
                }
                Value::Struct(schema.clone(), out.into())
            }
        };
        let schema = record.part(self.side).0.cloned();
        record.set_part(self.side, schema, updated);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::SchemaBuilder;

    fn make(pairs: &[(&str, &str)]) -> Result<Box<dyn Transformation>, String> {
        new(Some(Side::Value), &Settings::new(pairs))
    }

    fn struct_of(fields: &[(&str, Schema, Value)]) -> (Schema, Value) {
        let mut b = Schema::struct_builder();
        for (name, schema, _) in fields {
            b = b.field(*name, schema.clone());
        }
        let schema = b.build();
        let values = fields.iter().map(|f| f.2.clone()).collect();
        (schema.clone(), Value::Struct(schema, values))
    }

    /// (field schema, value, masked without replacement).
    fn cases() -> Vec<(Schema, Value, Value)> {
        vec![
            (Schema::int8(), Value::Int8(8), Value::Int8(0)),
            (Schema::int16(), Value::Int16(16), Value::Int16(0)),
            (Schema::int32(), Value::Int32(32), Value::Int32(0)),
            (Schema::int64(), Value::Int64(64), Value::Int64(0)),
            (Schema::float32(), Value::Float32(1.5), Value::Float32(0.0)),
            (Schema::float64(), Value::Float64(2.5), Value::Float64(0.0)),
            (
                Schema::boolean(),
                Value::Boolean(true),
                Value::Boolean(false),
            ),
            (Schema::string(), "secret".into(), "".into()),
            (
                logical::date().build(),
                Value::Int32(19000),
                Value::Int32(0),
            ),
            (
                logical::timestamp().build(),
                Value::Int64(9),
                Value::Int64(0),
            ),
            (
                logical::decimal(2).build(),
                Value::Bytes(decimal_bytes(12345).into()),
                Value::Bytes(vec![0].into()),
            ),
            (
                SchemaBuilder::array(Schema::int32()).build(),
                Value::Array(vec![1.into()].into()),
                Value::Array(Default::default()),
            ),
            (
                SchemaBuilder::map(Schema::string(), Schema::string()).build(),
                Value::string_map([("k", "v".into())]),
                Value::Map(Default::default()),
            ),
            (Schema::optional_string(), Value::Null, Value::Null),
        ]
    }

    #[test]
    fn struct_fields_mask_to_empty_values() {
        let t = make(&[("fields", "f")]).unwrap();
        for (schema, value, want) in cases() {
            let (s, v) = struct_of(&[("f", schema, value), ("other", Schema::int32(), 7.into())]);
            let out = t
                .apply(Record::new("t", Some(s.clone()), v))
                .unwrap()
                .unwrap();
            assert_eq!(out.value.get("f"), Some(&want), "{s:?}");
            assert_eq!(out.value.get("other"), Some(&Value::Int32(7)));
            assert_eq!(out.value_schema, Some(s));
        }
    }

    #[test]
    fn schemaless_and_missing_fields() {
        let t = make(&[("fields", "a,b,missing")]).unwrap();
        let value = Value::string_map([
            ("a", Value::Int32(5)),
            ("b", "x".into()),
            ("c", Value::Boolean(true)),
        ]);
        let out = t.apply(Record::new("t", None, value)).unwrap().unwrap();
        assert_eq!(out.value.get("a"), Some(&Value::Int32(0)));
        assert_eq!(out.value.get("b"), Some(&"".into()));
        assert_eq!(out.value.get("c"), Some(&Value::Boolean(true)));
        assert_eq!(out.value.get("missing"), Some(&Value::Null));
        let tomb = Record::new("t", None, Value::Null);
        assert_eq!(t.apply(tomb.clone()).unwrap(), Some(tomb));
        let err = t.apply(Record::new("t", None, 1.into())).unwrap_err();
        assert!(
            err.starts_with("Only Map objects supported in absence of schema for [mask fields]")
        );
    }

    #[test]
    fn replacement_by_type() {
        for (schema, value, replacement, want) in [
            (
                Schema::int32(),
                Value::Int32(5),
                "123",
                Ok(Value::Int32(123)),
            ),
            (Schema::int8(), Value::Int8(5), "-12", Ok(Value::Int8(-12))),
            (Schema::int64(), Value::Int64(5), "1.9", Ok(Value::Int64(1))),
            (
                Schema::float64(),
                Value::Float64(5.0),
                "0.5",
                Ok(Value::Float64(0.5)),
            ),
            (Schema::string(), "s".into(), "******", Ok("******".into())),
            (
                logical::decimal(2).build(),
                Value::Bytes(vec![1].into()),
                "3.5",
                Ok(Value::Bytes(decimal_bytes(350).into())),
            ),
            (
                Schema::int32(),
                Value::Int32(5),
                "abc",
                Err("Unable to convert abc (class java.lang.String) to number"),
            ),
            (
                Schema::int8(),
                Value::Int8(5),
                "300",
                Err("Unable to convert 300 (class java.lang.String) to number"),
            ),
            (
                Schema::boolean(),
                Value::Boolean(true),
                "x",
                Err("Cannot mask value of type class java.lang.Boolean with custom replacement."),
            ),
            (
                logical::date().build(),
                Value::Int32(1),
                "1",
                Err("Cannot mask value of type class java.util.Date with custom replacement."),
            ),
        ] {
            let t = make(&[("fields", "f"), ("replacement", replacement)]).unwrap();
            let (s, v) = struct_of(&[("f", schema, value)]);
            let got = t
                .apply(Record::new("t", Some(s), v))
                .map(|r| r.unwrap().value.get("f").cloned().unwrap());
            assert_eq!(got, want.map_err(String::from), "{replacement}");
        }
    }

    #[test]
    fn unmaskable_types_and_config_errors() {
        let t = make(&[("fields", "f")]).unwrap();
        let (s, v) = struct_of(&[("f", Schema::bytes(), Value::Bytes(vec![1].into()))]);
        let err = t.apply(Record::new("t", Some(s), v)).unwrap_err();
        assert_eq!(err, "Cannot mask value of type: class [B");
        for (pairs, want) in [
            (
                &[][..],
                "Missing required configuration \"fields\" which has no default value.",
            ),
            (
                &[("fields", "")][..],
                "Invalid value [] for configuration fields: Empty list",
            ),
            (
                &[("fields", "a"), ("replacement", "")][..],
                "Invalid value  for configuration replacement: String must be non-empty",
            ),
        ] {
            assert_eq!(make(pairs).err().unwrap(), want);
        }
    }
}
