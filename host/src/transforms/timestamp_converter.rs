//! `TimestampConverter$Key` / `$Value`: converts a timestamp (the whole key/value, or the
//! struct field or map entry `field`) between a formatted string, a unix number
//! (`unix.precision`), and the logical types Date, Time and Timestamp.

use abi_stable::std_types::Tuple2;
use plugin_abi::data::{logical, Schema, SchemaBuilder, SchemaType, Value};

use super::date_format::DateFormat;
use super::util::{
    copy_schema_basics, field_value, require_map, require_struct, side_of, type_name,
};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "converting timestamp formats";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// The kinds of timestamp, read from a schema or value and written as `target.type`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

pub struct TimestampConverter {
    side: Side,
    /// Empty: the whole key or value.
    field: String,
    target: Kind,
    format: Option<DateFormat>,
    /// Milliseconds per unit of `unix.precision`, as a fraction num/den.
    unix_scale: (i64, i64),
    replace_null_with_default: bool,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    s.required("target.type")?;
    let target = match s.one_of(
        "target.type",
        &["string", "unix", "Date", "Time", "Timestamp"],
        "",
    )? {
        "string" => Kind::String,
        "unix" => Kind::Unix,
        "Date" => Kind::Date,
        "Time" => Kind::Time,
        _ => Kind::Timestamp,
    };
    let format = match s.get("format") {
        Some(p) => Some(DateFormat::new(p).map_err(|e| {
            format!("TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {p}: {e}")
        })?),
        None if target == Kind::String => {
            return Err("TimestampConverter requires format option to be specified when using string timestamps".into())
        }
        None => None,
    };
    let unix_scale = match s.one_of(
        "unix.precision",
        &["nanoseconds", "microseconds", "milliseconds", "seconds"],
        "milliseconds",
    )? {
        "seconds" => (1000, 1),
        "microseconds" => (1, 1000),
        "nanoseconds" => (1, 1_000_000),
        _ => (1, 1),
    };
    Ok(Box::new(TimestampConverter {
        side: side_of(side)?,
        field: s.get("field").unwrap_or("").to_string(),
        target,
        format,
        unix_scale,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
    }))
}

/// The kind of timestamp a schema holds.
fn kind_of_schema(schema: &Schema) -> Result<Kind, String> {
    Ok(match (schema.schema_name(), schema.schema_type) {
        (Some(logical::TIMESTAMP), _) => Kind::Timestamp,
        (Some(logical::DATE), _) => Kind::Date,
        (Some(logical::TIME), _) => Kind::Time,
        (_, SchemaType::String) => Kind::String,
        (_, SchemaType::Int64) => Kind::Unix,
        _ => {
            return Err(format!(
                "Schema {schema:?} does not correspond to a known timestamp type format"
            ))
        }
    })
}

/// The kind of a schemaless value: Java's `Date` objects have no counterpart here, so a
/// long is unix time and a string is formatted.
fn kind_of_value(value: &Value) -> Result<Kind, String> {
    match value {
        Value::Int64(_) => Ok(Kind::Unix),
        Value::String(_) => Ok(Kind::String),
        other => Err(format!(
            "TimestampConverter does not support {} objects as timestamps",
            type_name(other)
        )),
    }
}

impl TimestampConverter {
    fn target_schema(&self, optional: bool) -> Schema {
        let b = match self.target {
            Kind::String => SchemaBuilder::new(SchemaType::String),
            Kind::Unix => SchemaBuilder::new(SchemaType::Int64),
            Kind::Date => logical::date(),
            Kind::Time => logical::time(),
            Kind::Timestamp => logical::timestamp(),
        };
        if optional { b.optional() } else { b }.build()
    }

    fn to_millis(&self, value: &Value, kind: Kind) -> Result<i64, String> {
        let wrong = || format!("Expected {kind:?} timestamp, found: {}", type_name(value));
        Ok(match (kind, value) {
            (Kind::String, Value::String(s)) => {
                let format = self.format.as_ref().ok_or(
                    "TimestampConverter requires format option to be specified when using string timestamps",
                )?;
                format.parse(s).map_err(|_| {
                    format!(
                        "Could not parse timestamp: value ({s}) does not match pattern ({})",
                        format.pattern()
                    )
                })?
            }
            (Kind::Unix, v) => {
                let n = v.as_i64().ok_or_else(wrong)?;
                // Java's TimeUnit conversions truncate toward zero.
                n.saturating_mul(self.unix_scale.0) / self.unix_scale.1
            }
            (Kind::Date, Value::Int32(days)) => i64::from(*days) * MILLIS_PER_DAY,
            (Kind::Time, Value::Int32(ms)) => i64::from(*ms),
            (Kind::Timestamp, Value::Int64(ms)) => *ms,
            _ => return Err(wrong()),
        })
    }

    fn millis_to_target(&self, millis: i64) -> Value {
        match self.target {
            Kind::String => Value::string(
                self.format
                    .as_ref()
                    .map(|f| f.format(millis))
                    .unwrap_or_default(),
            ),
            Kind::Unix => {
                Value::Int64(millis.saturating_mul(self.unix_scale.1) / self.unix_scale.0)
            }
            Kind::Date => Value::Int32(millis.div_euclid(MILLIS_PER_DAY) as i32),
            Kind::Time => Value::Int32(millis.rem_euclid(MILLIS_PER_DAY) as i32),
            Kind::Timestamp => Value::Int64(millis),
        }
    }

    /// A converted value; null stays null.
    fn convert(&self, value: &Value, kind: Option<Kind>) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let kind = match kind {
            Some(k) => k,
            None => kind_of_value(value)?,
        };
        Ok(self.millis_to_target(self.to_millis(value, kind)?))
    }

    fn convert_struct(&self, schema: &Schema, value: &Value) -> Result<(Schema, Value), String> {
        let values = if value.is_null() {
            None
        } else {
            Some(require_struct(Some(schema), value, PURPOSE)?.1)
        };
        let mut builder = copy_schema_basics(schema, Schema::struct_builder());
        if schema.optional {
            builder = builder.optional();
        }
        let mut converted = Vec::with_capacity(schema.fields.len());
        for field in schema.fields.iter() {
            let raw = values.map(|v| {
                field_value(
                    field,
                    &v[field.index as usize],
                    self.replace_null_with_default,
                )
            });
            if field.name.as_str() == self.field {
                builder = builder.field(
                    field.name.as_str(),
                    self.target_schema(field.schema.optional),
                );
                if let Some(raw) = raw {
                    converted.push(self.convert(&raw, Some(kind_of_schema(&field.schema)?))?);
                }
            } else {
                builder = builder.field(field.name.as_str(), field.schema.clone());
                converted.extend(raw);
            }
        }
        let updated = builder.build();
        let value = match values {
            None => Value::Null,
            Some(_) => Value::Struct(updated.clone(), converted.into()),
        };
        Ok((updated, value))
    }

    fn convert_map(&self, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let entries = require_map(value, PURPOSE)?;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let v = if e.0.as_str() == Some(self.field.as_str()) {
                self.convert(&e.1, None)?
            } else {
                e.1.clone()
            };
            out.push(Tuple2(e.0.clone(), v));
        }
        Ok(Value::Map(out.into()))
    }
}

impl Transformation for TimestampConverter {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        let (schema, value) = match (schema, self.field.is_empty()) {
            (None, true) => (None, self.convert(value, None)?),
            (None, false) => (None, self.convert_map(value)?),
            (Some(schema), true) => {
                let kind = kind_of_schema(schema)?;
                (
                    Some(self.target_schema(schema.optional)),
                    self.convert(value, Some(kind))?,
                )
            }
            (Some(schema), false) => {
                let (schema, value) = self.convert_struct(schema, value)?;
                (Some(schema), value)
            }
        };
        record.set_part(self.side, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Config = Vec<(&'static str, &'static str)>;

    /// 2017-08-04T12:34:56.789Z
    const AT: i64 = 1_501_850_096_789;
    const DAY: i32 = 17_382;
    const TIME: i32 = 45_296_789;

    fn convert(side: Side, config: &[(&str, &str)], record: Record) -> Result<Record, String> {
        new(Some(side), &Settings::new(config))?
            .apply(record)
            .map(Option::unwrap)
    }

    #[test]
    fn whole_values_with_schemas() {
        let ts = logical::timestamp().build();
        // (config, schema in, value in, schema out, value out)
        let cases: Vec<(Config, Schema, Value, Schema, Value)> = vec![
            (
                vec![
                    ("target.type", "string"),
                    ("format", "yyyy-MM-dd HH:mm:ss.SSS"),
                ],
                ts.clone(),
                AT.into(),
                Schema::string(),
                "2017-08-04 12:34:56.789".into(),
            ),
            (
                vec![("target.type", "unix")],
                ts.clone(),
                AT.into(),
                Schema::int64(),
                AT.into(),
            ),
            (
                vec![("target.type", "unix"), ("unix.precision", "seconds")],
                ts.clone(),
                AT.into(),
                Schema::int64(),
                Value::Int64(AT / 1000),
            ),
            (
                vec![
                    ("target.type", "Timestamp"),
                    ("unix.precision", "microseconds"),
                ],
                Schema::int64(),
                Value::Int64(AT * 1000 + 5),
                ts.clone(),
                AT.into(),
            ),
            (
                vec![("target.type", "Date")],
                ts.clone(),
                AT.into(),
                logical::date().build(),
                DAY.into(),
            ),
            (
                vec![("target.type", "Time")],
                ts.clone(),
                AT.into(),
                logical::time().build(),
                TIME.into(),
            ),
            (
                vec![("target.type", "Timestamp"), ("format", "yyyy-MM-dd")],
                Schema::optional_string(),
                "2017-08-04".into(),
                logical::timestamp().optional().build(),
                Value::Int64(i64::from(DAY) * MILLIS_PER_DAY),
            ),
            (
                vec![("target.type", "Timestamp")],
                logical::date().build(),
                DAY.into(),
                ts.clone(),
                Value::Int64(i64::from(DAY) * MILLIS_PER_DAY),
            ),
            (
                vec![("target.type", "string"), ("format", "yyyy")],
                logical::timestamp().optional().build(),
                Value::Null,
                Schema::optional_string(),
                Value::Null,
            ),
        ];
        for (config, schema_in, value_in, schema_out, value_out) in cases {
            let out = convert(
                Side::Value,
                &config,
                Record::new("t", Some(schema_in), value_in),
            )
            .unwrap();
            assert_eq!(
                (out.value_schema, out.value),
                (Some(schema_out), value_out),
                "{config:?}"
            );
        }
    }

    #[test]
    fn a_struct_field_kafka_doc_example() {
        // Kafka's docs: field=event_date, target.type=string, format=yyyy-MM-dd.
        let schema = Schema::struct_builder()
            .name("Event")
            .field("id", Schema::int32())
            .field("event_date", logical::timestamp().optional().build())
            .build();
        let expected_schema = Schema::struct_builder()
            .name("Event")
            .field("id", Schema::int32())
            .field("event_date", Schema::optional_string())
            .build();
        let config = [
            ("field", "event_date"),
            ("target.type", "string"),
            ("format", "yyyy-MM-dd"),
        ];
        let cases = [
            (Value::Int64(AT), Value::string("2017-08-04")),
            (Value::Null, Value::Null),
        ];
        for (date, expected) in cases {
            let value = Value::Struct(schema.clone(), vec![1.into(), date].into());
            let record = Record::new("t", None, Value::Null).with_key(Some(schema.clone()), value);
            let out = convert(Side::Key, &config, record).unwrap();
            assert_eq!(out.key_schema, Some(expected_schema.clone()));
            assert_eq!(
                out.key,
                Value::Struct(expected_schema.clone(), vec![1.into(), expected].into())
            );
        }
    }

    #[test]
    fn schemaless() {
        let config = [
            ("field", "ts"),
            ("target.type", "string"),
            ("format", "yyyyMMdd"),
        ];
        let value = Value::string_map([("ts", Value::Int64(AT)), ("x", 1.into())]);
        let out = convert(Side::Value, &config, Record::new("t", None, value)).unwrap();
        assert_eq!(
            out.value,
            Value::string_map([("ts", "20170804".into()), ("x", 1.into())])
        );
        let config = [
            ("target.type", "unix"),
            ("format", "yyyyMMdd"),
            ("unix.precision", "seconds"),
        ];
        let out = convert(
            Side::Value,
            &config,
            Record::new("t", None, "20170804".into()),
        )
        .unwrap();
        assert_eq!(out.value, Value::Int64(i64::from(DAY) * 86_400));
        let out = convert(Side::Value, &config, Record::new("t", None, Value::Null)).unwrap();
        assert!(out.value.is_null(), "a tombstone passes");
    }

    #[test]
    fn errors() {
        let record = |schema: Option<Schema>, value: Value| Record::new("t", schema, value);
        let cases: Vec<(Config, Record, &str)> = vec![
            (
                vec![("target.type", "Timestamp"), ("format", "yyyy-MM-dd")],
                record(None, "04/08/2017".into()),
                "Could not parse timestamp: value (04/08/2017) does not match pattern (yyyy-MM-dd)",
            ),
            (
                vec![("target.type", "Timestamp")],
                record(None, "2017-08-04".into()),
                "TimestampConverter requires format option to be specified when using string timestamps",
            ),
            (
                vec![("target.type", "unix")],
                record(None, Value::Int32(1)),
                "TimestampConverter does not support java.lang.Integer objects as timestamps",
            ),
            (
                vec![("target.type", "unix")],
                record(Some(Schema::int32()), Value::Int32(1)),
                "does not correspond to a known timestamp type format",
            ),
            (
                vec![("target.type", "unix"), ("field", "f")],
                record(Some(Schema::int64()), Value::Int64(1)),
                "Only Struct objects supported for [converting timestamp formats], found: java.lang.Long",
            ),
        ];
        for (config, record, error) in cases {
            let err = convert(Side::Value, &config, record).unwrap_err();
            assert!(err.contains(error), "{config:?}: {err}");
        }
        let config_errors: [&[(&str, &str)]; 4] = [
            &[],
            &[("target.type", "string")],
            &[("target.type", "epoch")],
            &[("target.type", "unix"), ("unix.precision", "minutes")],
        ];
        for config in config_errors {
            assert!(
                new(Some(Side::Value), &Settings::new(config)).is_err(),
                "{config:?}"
            );
        }
    }
}
