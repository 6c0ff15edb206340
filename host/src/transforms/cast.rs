//! `Cast$Key` / `Cast$Value`: casts fields (`spec=field:type,…`) of a struct or schemaless map,
//! or the whole key/value (`spec=type`), to int8, int16, int32, int64, float32, float64,
//! boolean or string, with Java's conversions: numbers narrow as Java's `Number.xxxValue()`
//! does, strings parse as `Integer.parseInt`/`Boolean.parseBoolean`…, and casting to string
//! uses Java's `toString` (bytes as base64, decimals as `BigDecimal.toString`, dates in ISO 8601).

use base64::Engine;
use plugin_abi::data::{logical, Schema, SchemaBuilder, SchemaType, Value};

use super::util::{
    copy_schema_basics, decimal_scale, decimal_to_string, decimal_unscaled, field_value, map_put,
    require_map, require_struct, type_name, value_type, SchemaCache,
};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "cast types";
const OUTPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
const INPUT_TYPES: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";
const MILLIS_PER_DAY: i64 = 86_400_000;

pub struct Cast {
    side: Side,
    /// `None` as the field name casts the whole value, as Java's `WHOLE_VALUE_CAST`.
    casts: Vec<(Option<String>, SchemaType)>,
    replace_null_with_default: bool,
    schemas: SchemaCache,
}

/// A type name of the spec as Java's `Schema.Type.valueOf(name.toUpperCase())` reads it.
fn java_type(name: &str) -> Option<SchemaType> {
    Some(match name.trim().to_ascii_uppercase().as_str() {
        "INT8" => SchemaType::Int8,
        "INT16" => SchemaType::Int16,
        "INT32" => SchemaType::Int32,
        "INT64" => SchemaType::Int64,
        "FLOAT32" => SchemaType::Float32,
        "FLOAT64" => SchemaType::Float64,
        "BOOLEAN" => SchemaType::Boolean,
        "STRING" => SchemaType::String,
        "BYTES" => SchemaType::Bytes,
        "ARRAY" => SchemaType::Array,
        "MAP" => SchemaType::Map,
        "STRUCT" => SchemaType::Struct,
        _ => return None,
    })
}

/// Java's enum name of a type, as its messages print it.
fn java_name(t: SchemaType) -> &'static str {
    match t {
        SchemaType::Float32 => "FLOAT32",
        SchemaType::Float64 => "FLOAT64",
        SchemaType::Int8 => "INT8",
        SchemaType::Int16 => "INT16",
        SchemaType::Int32 => "INT32",
        SchemaType::Int64 => "INT64",
        SchemaType::Boolean => "BOOLEAN",
        SchemaType::String => "STRING",
        SchemaType::Bytes => "BYTES",
        SchemaType::Array => "ARRAY",
        SchemaType::Map => "MAP",
        SchemaType::Struct => "STRUCT",
    }
}

fn valid_output(t: SchemaType) -> Result<SchemaType, String> {
    match t {
        SchemaType::Bytes | SchemaType::Array | SchemaType::Map | SchemaType::Struct => Err(
            format!(
                "Cast transformation does not support casting to {}; supported types are {OUTPUT_TYPES}",
                java_name(t)
            ),
        ),
        t => Ok(t),
    }
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let spec = s.list("spec");
    if spec.is_empty() {
        return Err(match s.0.get("spec") {
            None => "Missing required configuration \"spec\" which has no default value.".into(),
            Some(_) => "Must specify at least one field to cast.".into(),
        });
    }
    let mut casts = Vec::new();
    for mapping in &spec {
        let parts: Vec<&str> = mapping.split(':').collect();
        let invalid = |t: &str| format!("Invalid type found in casting spec: {}", t.trim());
        match parts.as_slice() {
            [t] => casts.push((None, valid_output(java_type(t).ok_or_else(|| invalid(t))?)?)),
            [field, t] => casts.push((
                Some(field.trim().to_string()),
                valid_output(java_type(t).ok_or_else(|| invalid(t))?)?,
            )),
            // Java reports this under `renames`, the name it borrows from ReplaceField.
            _ => {
                return Err(format!(
                "Invalid value [{}] for configuration renames: Invalid rename mapping: {mapping}",
                spec.join(", ")
            ))
            }
        }
    }
    if spec.len() > 1 && casts.iter().any(|c| c.0.is_none()) {
        // Java's message, typo included.
        return Err("Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec".into());
    }
    Ok(Box::new(Cast {
        side: side.unwrap_or(Side::Value),
        casts,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
        schemas: SchemaCache::default(),
    }))
}

/// A value as the Java object Cast works on.
enum Java<'a> {
    Long(i64),
    Double(f64),
    /// Kept apart from `Double` because Java prints a float with fewer digits.
    Float(f32),
    Bool(bool),
    Str(&'a str),
    Bytes(&'a [u8]),
    Decimal(i128, i32),
    /// A `java.util.Date`: milliseconds since the epoch.
    Date(i64),
}

fn as_java<'a>(schema: Option<&Schema>, value: &'a Value) -> Result<Java<'a>, String> {
    let named = |name| schema.is_some_and(|s| logical::is(s, name));
    Ok(match value {
        Value::Bytes(b) if named(logical::DECIMAL) => {
            Java::Decimal(decimal_unscaled(b)?, decimal_scale(schema.expect("named")))
        }
        Value::Int32(d) if named(logical::DATE) => Java::Date(*d as i64 * MILLIS_PER_DAY),
        Value::Int32(ms) if named(logical::TIME) => Java::Date(*ms as i64),
        Value::Int64(ms) if named(logical::TIMESTAMP) => Java::Date(*ms),
        Value::Boolean(b) => Java::Bool(*b),
        Value::Float32(f) => Java::Float(*f),
        Value::Float64(f) => Java::Double(*f),
        Value::String(s) => Java::Str(s.as_str()),
        Value::Bytes(b) => Java::Bytes(b.as_slice()),
        v => Java::Long(v.as_i64().ok_or_else(|| {
            format!(
                "Unexpected type in Cast transformation: class {}",
                type_name(v)
            )
        })?),
    })
}

fn cast_value(schema: Option<&Schema>, value: &Value, target: SchemaType) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let from = schema.map_or_else(|| value_type(value), |s| s.schema_type);
    if matches!(
        from,
        SchemaType::Array | SchemaType::Map | SchemaType::Struct
    ) {
        return Err(format!(
            "Cast transformation does not support casting from {}; supported types are {INPUT_TYPES}",
            java_name(from)
        ));
    }
    let java = as_java(schema, value)?;
    if target == SchemaType::String {
        return Ok(Value::string(to_java_string(&java)));
    }
    // Dates become their int representation again (Java's `encodeLogicalType`).
    let java = match java {
        Java::Date(_) => Java::Long(value.as_i64().expect("date types are integers")),
        j => j,
    };
    let out_of_range = || format!("Value ({value}) was out of range for requested data type");
    let unexpected = |v: &Value| {
        format!(
            "Unexpected type in Cast transformation: class {}",
            type_name(v)
        )
    };
    if target == SchemaType::Boolean {
        return Ok(Value::Boolean(match java {
            Java::Long(i) => i != 0,
            // Number.longValue() != 0: 0.5 is false, as in Java.
            Java::Double(f) => f as i64 != 0,
            Java::Float(f) => f as i64 != 0,
            Java::Decimal(u, scale) => truncate(u, scale) != 0,
            Java::Bool(b) => b,
            Java::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => return Err(unexpected(value)),
        }));
    }
    // Numbers: an exact integer or a floating value, then narrowed as Java narrows.
    enum Num {
        Int(i128),
        Float(f64),
    }
    let num = match java {
        Java::Long(i) => Num::Int(i as i128),
        Java::Double(f) => Num::Float(f),
        Java::Float(f) => Num::Float(f as f64),
        Java::Bool(b) => Num::Int(b as i128),
        Java::Decimal(u, scale) if matches!(target, SchemaType::Float32 | SchemaType::Float64) => {
            Num::Float(u as f64 / 10f64.powi(scale))
        }
        Java::Decimal(u, scale) => Num::Int(truncate(u, scale)),
        Java::Str(s) => match target {
            SchemaType::Float32 | SchemaType::Float64 => {
                Num::Float(s.trim().parse().map_err(|_| out_of_range())?)
            }
            // Byte.parseByte & co. reject anything outside the target's range.
            SchemaType::Int8 => Num::Int(s.parse::<i8>().map_err(|_| out_of_range())? as i128),
            SchemaType::Int16 => Num::Int(s.parse::<i16>().map_err(|_| out_of_range())? as i128),
            SchemaType::Int32 => Num::Int(s.parse::<i32>().map_err(|_| out_of_range())? as i128),
            _ => Num::Int(s.parse::<i64>().map_err(|_| out_of_range())? as i128),
        },
        _ => return Err(unexpected(value)),
    };
    // Integers wrap and floats saturate through int/long, as Java's casts do.
    Ok(match (num, target) {
        (Num::Int(i), SchemaType::Int8) => Value::Int8(i as i8),
        (Num::Int(i), SchemaType::Int16) => Value::Int16(i as i16),
        (Num::Int(i), SchemaType::Int32) => Value::Int32(i as i32),
        (Num::Int(i), SchemaType::Int64) => Value::Int64(i as i64),
        (Num::Int(i), SchemaType::Float32) => Value::Float32(i as f32),
        (Num::Int(i), _) => Value::Float64(i as f64),
        (Num::Float(f), SchemaType::Int8) => Value::Int8(f as i32 as i8),
        (Num::Float(f), SchemaType::Int16) => Value::Int16(f as i32 as i16),
        (Num::Float(f), SchemaType::Int32) => Value::Int32(f as i32),
        (Num::Float(f), SchemaType::Int64) => Value::Int64(f as i64),
        (Num::Float(f), SchemaType::Float32) => Value::Float32(f as f32),
        (Num::Float(f), _) => Value::Float64(f),
    })
}

/// `BigDecimal.toBigInteger()`: the integer part, rounded toward zero.
fn truncate(unscaled: i128, scale: i32) -> i128 {
    if scale <= 0 {
        unscaled.saturating_mul(10i128.saturating_pow(scale.unsigned_abs()))
    } else {
        unscaled / 10i128.checked_pow(scale as u32).unwrap_or(i128::MAX)
    }
}

fn to_java_string(java: &Java) -> String {
    match java {
        Java::Long(i) => i.to_string(),
        Java::Double(f) => java_fp_string(*f, *f),
        Java::Float(f) => java_fp_string(*f, *f as f64),
        Java::Bool(b) => b.to_string(),
        Java::Str(s) => s.to_string(),
        Java::Bytes(b) => base64::engine::general_purpose::STANDARD.encode(b),
        Java::Decimal(u, scale) => decimal_to_string(*u, *scale),
        Java::Date(ms) => java_date_string(*ms),
    }
}

/// Java's `Double.toString` / `Float.toString` (`f` is the value at its own precision, so it
/// prints with the fewest digits that type needs): plain between 10^-3 and 10^7, else
/// `1.0E10` style.
fn java_fp_string<F: std::fmt::Display + std::fmt::UpperExp>(f: F, wide: f64) -> String {
    if wide.is_nan() {
        return "NaN".into();
    }
    if wide.is_infinite() {
        return if wide > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let abs = wide.abs();
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        let s = f.to_string();
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{f:E}");
    match s.split_once('E') {
        Some((m, e)) if !m.contains('.') => format!("{m}.0E{e}"),
        _ => s,
    }
}

/// Java's `Values.dateFormatFor(date).format(date)` in UTC: a time of day when below one day
/// (negative too, as Java), a date at midnight, else a full timestamp.
fn java_date_string(ms: i64) -> String {
    let days = ms.div_euclid(MILLIS_PER_DAY);
    let rem = ms.rem_euclid(MILLIS_PER_DAY);
    let time = format!(
        "{:02}:{:02}:{:02}.{:03}",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    );
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    let date = format!("{year:04}-{month:02}-{day:02}");
    if ms < MILLIS_PER_DAY {
        format!("{time}Z")
    } else if rem == 0 {
        date
    } else {
        format!("{date}T{time}Z")
    }
}

impl Cast {
    fn target(&self, field: &str) -> Option<SchemaType> {
        self.casts
            .iter()
            .find(|c| c.0.as_deref() == Some(field))
            .map(|c| c.1)
    }

    /// The schema a cast value gets: `target`, keeping optionality and a cast default.
    fn cast_schema(
        base: SchemaBuilder,
        from: &Schema,
        target: SchemaType,
    ) -> Result<Schema, String> {
        let mut b = base;
        if from.optional {
            b = b.optional();
        }
        if let Some(d) = from.default_value.as_ref().into_option() {
            b = b.default_value(cast_value(Some(from), d, target)?);
        }
        Ok(b.build())
    }

    fn whole(
        &self,
        schema: Option<&Schema>,
        value: &Value,
        target: SchemaType,
    ) -> Result<(Option<Schema>, Value), String> {
        let cast = cast_value(schema, value, target)?;
        let Some(schema) = schema else {
            return Ok((None, cast));
        };
        // Java copies the name too; a logical type's name is left off here, since a string
        // schema named Timestamp would be misread downstream.
        let mut basics = copy_schema_basics(schema, SchemaBuilder::new(target));
        let logical_name = [
            logical::DECIMAL,
            logical::DATE,
            logical::TIME,
            logical::TIMESTAMP,
        ]
        .iter()
        .any(|n| logical::is(schema, n));
        if logical_name {
            basics = SchemaBuilder::new(target);
        }
        Ok((Some(Self::cast_schema(basics, schema, target)?), cast))
    }

    fn fields(&self, schema: &Schema, values: &[Value]) -> Result<(Schema, Value), String> {
        // The schema depends only on the input schema and the spec: built once per schema.
        let updated = self.schemas.get_or_build(schema, || {
            let mut b = copy_schema_basics(schema, Schema::struct_builder());
            if schema.optional {
                b = b.optional();
            }
            for field in schema.fields.iter() {
                let field_schema = match self.target(&field.name) {
                    Some(t) => Self::cast_schema(SchemaBuilder::new(t), &field.schema, t)?,
                    None => field.schema.clone(),
                };
                b = b.field(field.name.as_str(), field_schema);
            }
            Ok::<_, String>(b.build())
        })?;
        let mut out = Vec::with_capacity(values.len());
        for (field, v) in schema.fields.iter().zip(values) {
            let v = field_value(field, v, self.replace_null_with_default);
            out.push(match self.target(&field.name) {
                Some(t) => cast_value(Some(&field.schema), &v, t)?,
                None => v,
            });
        }
        Ok((updated.clone(), Value::Struct(updated, out.into())))
    }
}

impl Transformation for Cast {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        if value.is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = match (&self.casts[..], schema) {
            ([(None, t)], schema) => self.whole(schema, value, *t)?,
            (_, None) => {
                let mut entries = require_map(value, PURPOSE)?.to_vec();
                for (field, t) in &self.casts {
                    let field = field.as_deref().unwrap_or_default();
                    // As Java's `put(field, cast(get(field)))`: a missing field becomes null.
                    let current = value.get(field).cloned().unwrap_or_default();
                    map_put(&mut entries, field, cast_value(None, &current, *t)?);
                }
                (None, Value::Map(entries.into()))
            }
            (_, Some(schema)) => {
                let (schema, values) = require_struct(Some(schema), value, PURPOSE)?;
                let (s, v) = self.fields(schema, values)?;
                (Some(s), v)
            }
        };
        record.set_part(self.side, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::util::decimal_bytes;

    fn make(spec: &str) -> Result<Box<dyn Transformation>, String> {
        new(Some(Side::Value), &Settings::new(&[("spec", spec)]))
    }

    fn whole(spec: &str, schema: Option<Schema>, value: Value) -> Result<Value, String> {
        make(spec)
            .unwrap()
            .apply(Record::new("t", schema, value))
            .map(|r| r.unwrap().value)
    }

    #[test]
    fn whole_value_casts() {
        let date = logical::date().build();
        let ts = logical::timestamp().build();
        let dec = logical::decimal(2).build();
        for (spec, schema, value, want) in [
            ("int8", Some(Schema::int32()), Value::Int32(300), Ok(Value::Int8(44))),
            ("int32", Some(Schema::int64()), Value::Int64(42), Ok(Value::Int32(42))),
            ("int32", Some(Schema::float64()), Value::Float64(1e20), Ok(Value::Int32(i32::MAX))),
            ("int16", None, "123".into(), Ok(Value::Int16(123))),
            ("float32", None, Value::Int32(2), Ok(Value::Float32(2.0))),
            ("float64", None, " 1.5 ".into(), Ok(Value::Float64(1.5))),
            ("boolean", None, Value::Float64(0.5), Ok(Value::Boolean(false))),
            ("boolean", None, "TRUE".into(), Ok(Value::Boolean(true))),
            ("boolean", None, "yes".into(), Ok(Value::Boolean(false))),
            ("int64", None, Value::Boolean(true), Ok(Value::Int64(1))),
            ("string", None, Value::Int32(42), Ok("42".into())),
            ("string", None, Value::Float64(1.0), Ok("1.0".into())),
            ("string", None, Value::Float64(1e10), Ok("1.0E10".into())),
            ("string", None, Value::Float32(0.1), Ok("0.1".into())),
            ("string", None, Value::Boolean(false), Ok("false".into())),
            ("string", None, Value::Bytes(b"hi".to_vec().into()), Ok("aGk=".into())),
            ("string", Some(dec.clone()), Value::Bytes(decimal_bytes(-1234).into()), Ok("-12.34".into())),
            ("int32", Some(dec.clone()), Value::Bytes(decimal_bytes(-1299).into()), Ok(Value::Int32(-12))),
            ("float64", Some(dec), Value::Bytes(decimal_bytes(150).into()), Ok(Value::Float64(1.5))),
            ("string", Some(date.clone()), Value::Int32(19_000), Ok("2022-01-08".into())),
            ("int32", Some(date), Value::Int32(19_000), Ok(Value::Int32(19_000))),
            ("string", Some(ts.clone()), Value::Int64(1_483_425_001_864), Ok("2017-01-03T06:30:01.864Z".into())),
            ("string", Some(ts.clone()), Value::Int64(1_000), Ok("00:00:01.000Z".into())),
            ("int64", Some(ts), Value::Int64(5), Ok(Value::Int64(5))),
            ("int8", None, "300".into(), Err("Value (300) was out of range for requested data type")),
            ("int32", None, "1.5".into(), Err("Value (1.5) was out of range for requested data type")),
            ("int32", None, Value::Bytes(vec![1].into()), Err("Unexpected type in Cast transformation: class [B")),
            (
                "string",
                None,
                Value::Array(vec![1.into()].into()),
                Err("Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"),
            ),
        ] {
            assert_eq!(whole(spec, schema, value.clone()), want.map_err(String::from), "{spec} {value:?}");
        }
    }

    #[test]
    fn whole_value_schema_and_tombstones() {
        let schema = SchemaBuilder::new(SchemaType::Int64)
            .optional()
            .name("n")
            .default_value(Value::Int64(7))
            .build();
        let out = make("string")
            .unwrap()
            .apply(Record::new("t", Some(schema.clone()), Value::Int64(1)))
            .unwrap()
            .unwrap();
        let s = out.value_schema.unwrap();
        assert_eq!((s.schema_type, s.optional), (SchemaType::String, true));
        assert_eq!(s.schema_name(), Some("n"));
        assert_eq!(s.default_value.clone().into_option(), Some("7".into()));
        let tomb = Record::new("t", Some(schema), Value::Null);
        assert_eq!(
            make("string").unwrap().apply(tomb.clone()).unwrap(),
            Some(tomb)
        );
    }

    #[test]
    fn struct_fields() {
        let schema = Schema::struct_builder()
            .field("int8", Schema::int32())
            .field("int32", Schema::optional_string())
            .field(
                "flag",
                SchemaBuilder::new(SchemaType::Int32)
                    .optional()
                    .default_value(Value::Int32(1))
                    .build(),
            )
            .field("keep", Schema::string())
            .build();
        let value = Value::Struct(
            schema.clone(),
            vec![8.into(), "42".into(), Value::Null, "k".into()].into(),
        );
        let t = make("int8:int8,int32:int32,flag:boolean").unwrap();
        let out = t
            .apply(Record::new("t", Some(schema.clone()), value.clone()))
            .unwrap()
            .unwrap();
        let s = out.value_schema.unwrap();
        assert_eq!(
            s.field("int8").unwrap().schema.schema_type,
            SchemaType::Int8
        );
        let int32 = &s.field("int32").unwrap().schema;
        assert_eq!(
            (int32.schema_type, int32.optional),
            (SchemaType::Int32, true)
        );
        let flag = &s.field("flag").unwrap().schema;
        assert_eq!(
            flag.default_value.clone().into_option(),
            Some(Value::Boolean(true))
        );
        assert_eq!(s.field("keep").unwrap().schema, Schema::string());
        assert_eq!(out.value.get("int8"), Some(&Value::Int8(8)));
        assert_eq!(out.value.get("int32"), Some(&Value::Int32(42)));
        assert_eq!(out.value.get("flag"), Some(&Value::Boolean(true)));
        assert_eq!(out.value.get("keep"), Some(&"k".into()));
        let t = new(
            Some(Side::Value),
            &Settings::new(&[
                ("spec", "flag:boolean"),
                ("replace.null.with.default", "false"),
            ]),
        )
        .unwrap();
        let out = t
            .apply(Record::new("t", Some(schema), value))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.get("flag"), Some(&Value::Null));
        // A nested struct cannot be cast.
        let inner = Schema::struct_builder().field("a", Schema::int32()).build();
        let outer = Schema::struct_builder().field("n", inner.clone()).build();
        let v = Value::Struct(
            outer.clone(),
            vec![Value::Struct(inner, vec![1.into()].into())].into(),
        );
        let err = make("n:string")
            .unwrap()
            .apply(Record::new("t", Some(outer), v))
            .unwrap_err();
        assert!(err.starts_with("Cast transformation does not support casting from STRUCT"));
    }

    #[test]
    fn schemaless_maps_and_key_side() {
        let t = make("a:int16,b:string,missing:int32").unwrap();
        let value = Value::string_map([
            ("a", Value::Int64(5)),
            ("b", Value::Boolean(true)),
            ("c", 1.into()),
        ]);
        let out = t
            .apply(Record::new("t", None, value.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.get("a"), Some(&Value::Int16(5)));
        assert_eq!(out.value.get("b"), Some(&"true".into()));
        assert_eq!(out.value.get("c"), Some(&Value::Int32(1)));
        assert_eq!(out.value.get("missing"), Some(&Value::Null));
        let err = t.apply(Record::new("t", None, 3.into())).unwrap_err();
        assert_eq!(err, "Only Map objects supported in absence of schema for [cast types], found: java.lang.Integer");
        let key = new(Some(Side::Key), &Settings::new(&[("spec", "int32")])).unwrap();
        let out = key
            .apply(Record::new("t", None, value.clone()).with_key(None, Value::Int64(9)))
            .unwrap()
            .unwrap();
        assert_eq!((out.key, out.value), (Value::Int32(9), value));
    }

    #[test]
    fn config_errors() {
        for (spec, want) in [
            ("", "Must specify at least one field to cast."),
            ("a:foo", "Invalid type found in casting spec: foo"),
            ("foo", "Invalid type found in casting spec: foo"),
            ("a:bytes", "Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"),
            ("int32,a:int8", "Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec"),
            ("a:b:c", "Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c"),
        ] {
            assert_eq!(make(spec).err().unwrap(), want, "{spec}");
        }
        assert_eq!(
            new(None, &Settings::default()).err().unwrap(),
            "Missing required configuration \"spec\" which has no default value."
        );
    }
}
