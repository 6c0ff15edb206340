//! `Flatten$Key` / `$Value`: nested structs (schema present) or maps (schemaless) become
//! one level, field names joined with `delimiter` (default "."). Arrays are kept as they
//! are, as in Java; a map inside a struct is an error, as in Java.

use abi_stable::std_types::{ROption, Tuple2};
use plugin_abi::data::{Schema, SchemaBuilder, SchemaType, Value};

use super::util::{
    copy_schema, copy_schema_basics, require_map, require_struct, side_of, type_name,
};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "flattening";

pub struct Flatten {
    side: Side,
    delimiter: String,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    // Read untrimmed: a delimiter may be a space.
    let delimiter = match s.0.get("delimiter") {
        Some(d) if !d.is_empty() => d.clone(),
        _ => ".".to_string(),
    };
    Ok(Box::new(Flatten {
        side: side_of(side)?,
        delimiter,
    }))
}

impl Flatten {
    fn name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    /// Adds the leaves of struct `schema` to `out`. A leaf is optional when it or any
    /// ancestor is, and takes its default from the nearest ancestor's default when it has
    /// none of its own (Java's rules).
    fn flatten_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        mut out: SchemaBuilder,
        optional: bool,
        parent_default: Option<&Value>,
    ) -> Result<SchemaBuilder, String> {
        for field in schema.fields.iter() {
            let name = self.name(prefix, &field.name);
            let optional = optional || field.schema.optional;
            let default = match (&field.schema.default_value, parent_default) {
                (ROption::RSome(d), _) => Some(d.clone()),
                (ROption::RNone, Some(Value::Struct(_, values))) => {
                    values.get(field.index as usize).cloned()
                }
                _ => None,
            };
            out = match field.schema.schema_type {
                SchemaType::Struct => {
                    self.flatten_schema(&field.schema, &name, out, optional, default.as_ref())?
                }
                SchemaType::Map => {
                    return Err(format!(
                        "Flatten transformation does not support MAP for record with schemas (for field {name})."
                    ))
                }
                _ => {
                    let mut leaf = copy_schema(&field.schema);
                    leaf = if optional { leaf.optional() } else { leaf.required() };
                    if let Some(d) = default.filter(|d| !d.is_null()) {
                        leaf = leaf.default_value(d);
                    }
                    out.field(name, leaf.build())
                }
            };
        }
        Ok(out)
    }

    /// The leaf values of a struct, in the order `flatten_schema` lists the leaves; a null
    /// nested struct gives nulls for all its leaves.
    fn flatten_values(schema: &Schema, values: Option<&[Value]>, out: &mut Vec<Value>) {
        for field in schema.fields.iter() {
            let value = values.and_then(|v| v.get(field.index as usize));
            if field.schema.schema_type == SchemaType::Struct {
                let nested = match value {
                    Some(Value::Struct(_, nested)) => Some(nested.as_slice()),
                    _ => None,
                };
                Self::flatten_values(&field.schema, nested, out);
            } else {
                out.push(value.cloned().unwrap_or_default());
            }
        }
    }

    fn flatten_map(
        &self,
        map: &Value,
        prefix: &str,
        out: &mut Vec<Tuple2<Value, Value>>,
    ) -> Result<(), String> {
        for entry in require_map(map, PURPOSE)? {
            // Java's maps have string keys; any other key is written as Java would print it.
            let key = match &entry.0 {
                Value::String(s) => s.to_string(),
                other => other.to_string(),
            };
            let name = self.name(prefix, &key);
            match &entry.1 {
                Value::Map(_) => self.flatten_map(&entry.1, &name, out)?,
                Value::Struct(..) => {
                    return Err(format!(
                        "Flatten transformation does not support class {} for record without schemas (for field {name}).",
                        type_name(&entry.1)
                    ))
                }
                other => out.push(Tuple2(Value::string(name), other.clone())),
            }
        }
        Ok(())
    }
}

impl Transformation for Flatten {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        let (schema, value) = match schema {
            None if value.is_null() => return Ok(Some(record)),
            None => {
                let mut entries = Vec::new();
                self.flatten_map(value, "", &mut entries)?;
                (None, Value::Map(entries.into()))
            }
            Some(schema) => {
                let values = if value.is_null() && schema.schema_type == SchemaType::Struct {
                    None
                } else {
                    Some(require_struct(Some(schema), value, PURPOSE)?.1)
                };
                // Java copies name, version, doc and parameters; optionality is kept too,
                // so a null (tombstone) still fits the flattened schema.
                let mut top = copy_schema_basics(schema, Schema::struct_builder());
                if schema.optional {
                    top = top.optional();
                }
                let default = schema.default_value.as_ref().into_option();
                let flat = self
                    .flatten_schema(schema, "", top, schema.optional, default)?
                    .build();
                let value = match values {
                    None => Value::Null,
                    Some(values) => {
                        let mut leaves = Vec::with_capacity(flat.fields.len());
                        Self::flatten_values(schema, Some(values), &mut leaves);
                        Value::Struct(flat.clone(), leaves.into())
                    }
                };
                (Some(flat), value)
            }
        };
        record.set_part(self.side, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flatten(side: Side, config: &[(&str, &str)], record: Record) -> Result<Record, String> {
        new(Some(side), &Settings::new(config))?
            .apply(record)
            .map(Option::unwrap)
    }

    #[test]
    fn schemaless_kafka_doc_example() {
        // Kafka's docs: {"content": {"id": 42, "name": {"first": "David", "middle": null,
        // "last": "Wong"}}} becomes {"content.id": 42, "content.name.first": "David", …}.
        let name = Value::string_map([
            ("first", "David".into()),
            ("middle", Value::Null),
            ("last", "Wong".into()),
        ]);
        let tags = Value::Array(vec!["a".into()].into());
        let value = Value::string_map([(
            "content",
            Value::string_map([
                ("id", Value::Int32(42)),
                ("name", name),
                ("tags", tags.clone()),
            ]),
        )]);
        let cases = [
            (
                vec![],
                vec![
                    ("content.id", Value::Int32(42)),
                    ("content.name.first", "David".into()),
                    ("content.name.middle", Value::Null),
                    ("content.name.last", "Wong".into()),
                    ("content.tags", tags.clone()),
                ],
            ),
            (
                vec![("delimiter", "_")],
                vec![
                    ("content_id", Value::Int32(42)),
                    ("content_name_first", "David".into()),
                    ("content_name_middle", Value::Null),
                    ("content_name_last", "Wong".into()),
                    ("content_tags", tags),
                ],
            ),
        ];
        for (config, expected) in cases {
            let out = flatten(Side::Value, &config, Record::new("t", None, value.clone())).unwrap();
            assert_eq!(out.value, Value::string_map(expected), "{config:?}");
        }
        let out = flatten(Side::Value, &[], Record::new("t", None, Value::Null)).unwrap();
        assert!(out.value.is_null(), "a tombstone passes");
        assert!(flatten(Side::Value, &[], Record::new("t", None, 3.into())).is_err());
    }

    fn nested_schema(optional_inner: bool) -> (Schema, Schema) {
        let mut inner = Schema::struct_builder().field("id", Schema::int32()).field(
            "note",
            SchemaBuilder::new(SchemaType::String)
                .default_value("-".into())
                .build(),
        );
        if optional_inner {
            inner = inner.optional();
        }
        let inner = inner.build();
        let outer = Schema::struct_builder()
            .name("Outer")
            .field("top", Schema::boolean())
            .field("inner", inner.clone())
            .field("list", SchemaBuilder::array(Schema::int32()).build())
            .build();
        (outer, inner)
    }

    #[test]
    fn nested_structs_with_optionality_and_defaults() {
        let (outer, inner) = nested_schema(true);
        let list = Value::Array(vec![1.into()].into());
        let inner_value = Value::Struct(inner, vec![7.into(), "x".into()].into());
        // (inner value, expected flattened values)
        let cases = [
            (
                inner_value,
                vec![true.into(), 7.into(), "x".into(), list.clone()],
            ),
            (
                Value::Null,
                vec![true.into(), Value::Null, Value::Null, list.clone()],
            ),
        ];
        for (inner_value, expected) in cases {
            let value = Value::Struct(
                outer.clone(),
                vec![true.into(), inner_value, list.clone()].into(),
            );
            let out = flatten(
                Side::Key,
                &[],
                Record::new("t", None, Value::Null).with_key(Some(outer.clone()), value),
            )
            .unwrap();
            let schema = out.key_schema.unwrap();
            let names: Vec<_> = schema.fields.iter().map(|f| f.name.to_string()).collect();
            assert_eq!(names, ["top", "inner.id", "inner.note", "list"]);
            assert_eq!(schema.schema_name(), Some("Outer"));
            assert!(!schema.fields[0].schema.optional);
            assert!(
                schema.fields[1].schema.optional,
                "optional because inner is"
            );
            assert_eq!(
                schema.fields[2].schema.default_value,
                ROption::RSome("-".into())
            );
            assert_eq!(schema.fields[3].schema.schema_type, SchemaType::Array);
            assert_eq!(out.key, Value::Struct(schema.clone(), expected.into()));
        }
        let (outer, _) = nested_schema(false);
        let out = flatten(Side::Value, &[], Record::new("t", Some(outer), Value::Null)).unwrap();
        assert!(
            !out.value_schema.unwrap().fields[1].schema.optional,
            "required stays required"
        );
        assert!(out.value.is_null());
    }

    #[test]
    fn unsupported_shapes() {
        let with_map = Schema::struct_builder()
            .field(
                "m",
                SchemaBuilder::map(Schema::string(), Schema::string()).build(),
            )
            .build();
        let value = Value::Struct(
            with_map.clone(),
            vec![Value::Map(Default::default())].into(),
        );
        assert_eq!(
            flatten(Side::Value, &[], Record::new("t", Some(with_map), value)).unwrap_err(),
            "Flatten transformation does not support MAP for record with schemas (for field m)."
        );
        assert_eq!(
            flatten(
                Side::Value,
                &[],
                Record::new("t", Some(Schema::int32()), 1.into())
            )
            .unwrap_err(),
            "Only Struct objects supported for [flattening], found: java.lang.Integer"
        );
    }
}
