//! `InsertField$Key` / `InsertField$Value`: adds the record's topic, partition, timestamp and a
//! static string as fields of a struct (extending its schema) or of a schemaless map.
//!
//! A field name ending in `!` makes the inserted field required, `?` (or nothing) optional, as
//! in Java. A field that already exists is replaced in place, as Kafka 4's field-path code does.

use plugin_abi::data::{logical, Schema, SchemaBuilder, SchemaType, Value};

use super::util::{copy_schema_basics, map_put, require_map, require_struct, SchemaCache};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "field insertion";

/// One configured field: its name and whether its schema is optional.
#[derive(Debug, Clone, PartialEq)]
struct Spec {
    name: String,
    optional: bool,
}

impl Spec {
    fn parse(s: &Settings, key: &str) -> Option<Spec> {
        let raw = s.get(key)?;
        Some(if let Some(name) = raw.strip_suffix('!') {
            Spec {
                name: name.to_string(),
                optional: false,
            }
        } else {
            Spec {
                name: raw.strip_suffix('?').unwrap_or(raw).to_string(),
                optional: true,
            }
        })
    }
}

pub struct InsertField {
    side: Side,
    topic: Option<Spec>,
    partition: Option<Spec>,
    /// Java inserts a sink record's Kafka offset and fails for source records. Transforms here
    /// see a `Record` without the offset, so the field is added to the schema and left null
    /// (schemaless maps get no entry); a required (`!`) offset field is refused at apply time
    /// rather than producing a struct that breaks its own schema.
    offset: Option<Spec>,
    timestamp: Option<Spec>,
    static_field: Option<(Spec, String)>,
    schemas: SchemaCache,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let static_spec = Spec::parse(s, "static.field");
    let static_field = match (static_spec, s.get("static.value")) {
        (Some(spec), Some(value)) => Some((spec, value.to_string())),
        (Some(spec), None) => {
            return Err(format!(
                "Invalid value null for configuration static.value: No value specified for static field: {}",
                spec.name
            ))
        }
        (None, _) => None,
    };
    let t = InsertField {
        side: side.unwrap_or(Side::Value),
        topic: Spec::parse(s, "topic.field"),
        partition: Spec::parse(s, "partition.field"),
        offset: Spec::parse(s, "offset.field"),
        timestamp: Spec::parse(s, "timestamp.field"),
        static_field,
        schemas: SchemaCache::default(),
    };
    if t.topic.is_none()
        && t.partition.is_none()
        && t.offset.is_none()
        && t.timestamp.is_none()
        && t.static_field.is_none()
    {
        return Err("No field insertion configured".into());
    }
    Ok(Box::new(t))
}

impl InsertField {
    /// Each configured field with its schema and its value for `record`, in Java's order.
    fn insertions(&self, record: &Record) -> Vec<(&Spec, Schema, Value)> {
        let schema = |spec: &Spec, b: SchemaBuilder| {
            if spec.optional {
                b.optional().build()
            } else {
                b.build()
            }
        };
        let mut out = Vec::new();
        if let Some(spec) = &self.topic {
            let b = SchemaBuilder::new(SchemaType::String);
            out.push((spec, schema(spec, b), Value::string(record.topic.as_str())));
        }
        if let Some(spec) = &self.partition {
            let b = SchemaBuilder::new(SchemaType::Int32);
            let v = record.partition.map_or(Value::Null, Value::Int32);
            out.push((spec, schema(spec, b), v));
        }
        if let Some(spec) = &self.offset {
            let b = SchemaBuilder::new(SchemaType::Int64);
            out.push((spec, schema(spec, b), Value::Null));
        }
        if let Some(spec) = &self.timestamp {
            let v = record.timestamp.map_or(Value::Null, Value::Int64);
            out.push((spec, schema(spec, logical::timestamp()), v));
        }
        if let Some((spec, value)) = &self.static_field {
            let b = SchemaBuilder::new(SchemaType::String);
            out.push((spec, schema(spec, b), Value::string(value.as_str())));
        }
        out
    }

    fn with_schema(&self, record: &Record, schema: &Schema, values: &[Value]) -> (Schema, Value) {
        let insertions = self.insertions(record);
        // Values: an inserted field replaces one of the same name, else comes last.
        let mut names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        let mut out: Vec<Value> = values.to_vec();
        for (spec, _, value) in &insertions {
            match names.iter().position(|n| *n == spec.name) {
                Some(i) => out[i] = value.clone(),
                None => {
                    names.push(&spec.name);
                    out.push(value.clone());
                }
            }
        }
        // The schema depends only on the input schema and the settings: built once per schema.
        let updated = self.schemas.get_or_make(schema, || {
            let mut fields: Vec<(String, Schema)> = schema
                .fields
                .iter()
                .map(|f| (f.name.to_string(), f.schema.clone()))
                .collect();
            for (spec, field_schema, _) in &insertions {
                match fields.iter_mut().find(|f| f.0 == spec.name) {
                    Some(existing) => existing.1 = field_schema.clone(),
                    None => fields.push((spec.name.clone(), field_schema.clone())),
                }
            }
            let mut builder = copy_schema_basics(schema, Schema::struct_builder());
            if schema.optional {
                builder = builder.optional();
            }
            for (name, field_schema) in &fields {
                builder = builder.field(name.as_str(), field_schema.clone());
            }
            builder.build()
        });
        (updated.clone(), Value::Struct(updated, out.into()))
    }
}

impl Transformation for InsertField {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        if self.offset.as_ref().is_some_and(|s| !s.optional) {
            return Err(
                "Offset insertion needs the sink record's Kafka offset, which transforms here do not see; make offset.field optional"
                    .into(),
            );
        }
        let (schema, value) = record.part(self.side);
        // A tombstone stays a tombstone.
        if value.is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = match schema {
            None => {
                let mut entries = require_map(value, PURPOSE)?.to_vec();
                for (spec, _, v) in self.insertions(&record) {
                    if self.offset.as_ref() == Some(spec) && v.is_null() {
                        continue;
                    }
                    map_put(&mut entries, &spec.name, v);
                }
                (None, Value::Map(entries.into()))
            }
            Some(schema) => {
                let (schema, fields) = require_struct(Some(schema), value, PURPOSE)?;
                let (s, v) = self.with_schema(&record, schema, fields);
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
    use abi_stable::std_types::RVec;

    fn make(side: Side, pairs: &[(&str, &str)]) -> Result<Box<dyn Transformation>, String> {
        new(Some(side), &Settings::new(pairs))
    }

    fn record(schema: Option<Schema>, value: Value) -> Record {
        let mut r = Record::new("test-topic", schema, value);
        r.partition = Some(0);
        r.timestamp = Some(1_483_425_001_864);
        r
    }

    /// The settings of Kafka's documented example plus a static field.
    const ALL: &[(&str, &str)] = &[
        ("topic.field", "topic_field!"),
        ("partition.field", "partition_field"),
        ("timestamp.field", "timestamp_field?"),
        ("static.field", "instance_id"),
        ("static.value", "my-instance-id"),
    ];

    #[test]
    fn struct_gets_fields_and_schema() {
        let schema = Schema::struct_builder()
            .name("name")
            .version(1)
            .doc("doc")
            .field("magic", Schema::int64())
            .build();
        let value = Value::Struct(schema.clone(), vec![Value::Int64(42)].into());
        let out = make(Side::Value, ALL)
            .unwrap()
            .apply(record(Some(schema), value))
            .unwrap()
            .unwrap();
        let s = out.value_schema.clone().unwrap();
        assert_eq!(s.schema_name(), Some("name"));
        assert_eq!(s.version.into_option(), Some(1));
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "magic",
                "topic_field",
                "partition_field",
                "timestamp_field",
                "instance_id"
            ]
        );
        let topic = &s.field("topic_field").unwrap().schema;
        assert_eq!(
            (topic.schema_type, topic.optional),
            (SchemaType::String, false)
        );
        assert!(s.field("partition_field").unwrap().schema.optional);
        let ts = &s.field("timestamp_field").unwrap().schema;
        assert!(logical::is(ts, logical::TIMESTAMP) && ts.optional);
        assert_eq!(out.value.get("magic"), Some(&Value::Int64(42)));
        assert_eq!(out.value.get("topic_field"), Some(&"test-topic".into()));
        assert_eq!(out.value.get("partition_field"), Some(&Value::Int32(0)));
        assert_eq!(
            out.value.get("timestamp_field"),
            Some(&Value::Int64(1_483_425_001_864))
        );
        assert_eq!(out.value.get("instance_id"), Some(&"my-instance-id".into()));
    }

    #[test]
    fn schemaless_map_and_key_side() {
        let value = Value::string_map([("magic", Value::Int64(42))]);
        let out = make(Side::Value, ALL)
            .unwrap()
            .apply(record(None, value.clone()))
            .unwrap()
            .unwrap();
        assert!(out.value_schema.is_none());
        assert_eq!(out.value.get("magic"), Some(&Value::Int64(42)));
        assert_eq!(out.value.get("topic_field"), Some(&"test-topic".into()));
        assert_eq!(out.value.get("partition_field"), Some(&Value::Int32(0)));
        assert_eq!(
            out.value.get("timestamp_field"),
            Some(&Value::Int64(1_483_425_001_864))
        );
        assert_eq!(out.value.get("instance_id"), Some(&"my-instance-id".into()));

        let key = make(Side::Key, &[("topic.field", "t")]).unwrap();
        let out = key
            .apply(record(None, Value::Null).with_key(None, value))
            .unwrap()
            .unwrap();
        assert_eq!(out.key.get("t"), Some(&"test-topic".into()));
        assert_eq!(out.value, Value::Null);
    }

    #[test]
    fn edge_cases() {
        let t = make(Side::Value, ALL).unwrap();
        // Tombstones pass unchanged, with or without a schema.
        let tomb = record(None, Value::Null);
        assert_eq!(t.apply(tomb.clone()).unwrap(), Some(tomb));
        let schema = Schema::struct_builder().optional().build();
        let tomb = record(Some(schema.clone()), Value::Null);
        assert_eq!(t.apply(tomb.clone()).unwrap(), Some(tomb));
        // No partition or timestamp: optional fields stay null.
        let mut r = record(Some(schema.clone()), Value::Struct(schema, RVec::new()));
        r.partition = None;
        r.timestamp = None;
        let out = t.apply(r).unwrap().unwrap();
        assert_eq!(out.value.get("partition_field"), Some(&Value::Null));
        assert_eq!(out.value.get("timestamp_field"), Some(&Value::Null));
        // An existing field is replaced, not duplicated.
        let value = Value::string_map([("topic_field", Value::from("old"))]);
        let out = t.apply(record(None, value)).unwrap().unwrap();
        assert_eq!(out.value.get("topic_field"), Some(&"test-topic".into()));
        let Value::Map(entries) = &out.value else {
            panic!()
        };
        assert_eq!(entries.len(), 4);
        // Wrong shapes.
        let err = t.apply(record(None, Value::Int32(1))).unwrap_err();
        assert_eq!(
            err,
            "Only Map objects supported in absence of schema for [field insertion], found: java.lang.Integer"
        );
        let err = t
            .apply(record(Some(Schema::int32()), Value::Int32(1)))
            .unwrap_err();
        assert!(err.starts_with("Only Struct objects supported for [field insertion]"));
    }

    #[test]
    fn offset_field_is_null_safe() {
        let t = make(Side::Value, &[("offset.field", "offset")]).unwrap();
        let out = t
            .apply(record(None, Value::string_map([("a", Value::Int32(1))])))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.get("offset"), None);
        let schema = Schema::struct_builder().build();
        let out = t
            .apply(record(
                Some(schema.clone()),
                Value::Struct(schema.clone(), RVec::new()),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.get("offset"), Some(&Value::Null));
        let required = make(Side::Value, &[("offset.field", "offset!")]).unwrap();
        let r = record(Some(schema.clone()), Value::Struct(schema, RVec::new()));
        assert!(required.apply(r).is_err());
    }

    #[test]
    fn config_errors() {
        for (pairs, want) in [
            (&[][..], "No field insertion configured"),
            (
                &[("static.field", "s")][..],
                "Invalid value null for configuration static.value: No value specified for static field: s",
            ),
        ] {
            assert_eq!(make(Side::Value, pairs).err().unwrap(), want);
        }
    }
}
