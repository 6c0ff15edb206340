//! `ExtractField$Key` / `$Value`: replaces the key or value with one of its fields (a struct
//! field with its schema, or a map entry when schemaless); nulls pass through.
//!
//! `field.syntax.version=V2` reads `field` as a dotted path into nested structs and maps
//! (KIP-821), with backticks around names that contain dots.

use plugin_abi::data::{Schema, SchemaType, Value};

use super::util::{field_value, require_map, require_struct, side_of};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "field extraction";

pub struct ExtractField {
    side: Side,
    /// The steps of the path; one step under V1, however many dots it has.
    path: Vec<String>,
    /// The path as configured, for the "Unknown field" error.
    original: String,
    replace_null_with_default: bool,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let original = s.required("field")?.to_string();
    let path = match s.one_of("field.syntax.version", &["V1", "V2"], "V1")? {
        "V2" => parse_path_v2(&original)?,
        _ => vec![original.clone()],
    };
    Ok(Box::new(ExtractField {
        side: side_of(side)?,
        path,
        original,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
    }))
}

/// Splits a V2 field path at dots; a step in backticks may contain dots, and a backtick
/// inside it followed by a dot is escaped with a backslash (Kafka's `SingleFieldPath`).
pub fn parse_path_v2(path: &str) -> Result<Vec<String>, String> {
    let incomplete = |at: usize| {
        format!(
            "Incomplete backtick pair in path: [{path}], consider adding a backslash before \
             backtick at position {at} to escape it"
        )
    };
    let b = path.as_bytes();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'`' {
            match path[i..].find('.') {
                Some(off) => {
                    steps.push(path[i..i + off].to_string());
                    i += off + 1;
                }
                None => {
                    steps.push(path[i..].to_string());
                    i = b.len();
                }
            }
            continue;
        }
        let opened = i;
        i += 1;
        let mut step = String::new();
        let mut start = i;
        loop {
            i += path[i..].find('`').ok_or_else(|| incomplete(opened))?;
            let escaped = b[i - 1] == b'\\';
            if i == b.len() - 1 {
                // The closing backtick ends the path.
                if escaped {
                    return Err(incomplete(opened));
                }
                step.push_str(&path[start..i]);
                steps.push(step);
                i += 1;
                break;
            }
            if b[i + 1] != b'.' {
                // Not a closing backtick: part of the name.
                i += 1;
            } else if escaped {
                step.push_str(&path[start..i - 1]);
                step.push('`');
                i += 1;
                start = i;
            } else {
                step.push_str(&path[start..i]);
                steps.push(step);
                i += 2;
                break;
            }
        }
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

impl ExtractField {
    /// The schema of the field at the path, if every step exists.
    fn field_schema(&self, schema: &Schema) -> Option<Schema> {
        let mut current = schema.clone();
        for step in &self.path {
            current = current.field(step)?.schema.clone();
        }
        Some(current)
    }

    /// The value at the path in a struct; null when a step is missing or null.
    fn value_in_struct(&self, schema: &Schema, value: &Value) -> Result<Value, String> {
        let (mut schema, mut value) = (schema.clone(), value.clone());
        for (i, step) in self.path.iter().enumerate() {
            let Some(field) = schema.field(step) else {
                return Ok(Value::Null);
            };
            let fields = match &value {
                Value::Struct(_, fields) => fields,
                _ => return Ok(Value::Null),
            };
            let next = field_value(
                field,
                &fields[field.index as usize],
                self.replace_null_with_default,
            );
            if i + 1 < self.path.len() && !next.is_null() {
                require_struct(Some(&field.schema), &next, "nested field access")?;
            }
            (schema, value) = (field.schema.clone(), next);
        }
        Ok(value)
    }

    /// The value at the path in a schemaless map; null when a step is missing or null.
    fn value_in_map(&self, value: &Value) -> Result<Value, String> {
        let mut current = value.clone();
        for (i, step) in self.path.iter().enumerate() {
            if current.is_null() {
                return Ok(Value::Null);
            }
            if i > 0 {
                require_map(&current, "nested field access")?;
            }
            current = current.get(step).cloned().unwrap_or(Value::Null);
        }
        Ok(current)
    }
}

impl Transformation for ExtractField {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        let (schema, value) = match schema {
            None => {
                if !value.is_null() {
                    require_map(value, PURPOSE)?;
                }
                (None, self.value_in_map(value)?)
            }
            Some(schema) => {
                if !value.is_null() || schema.schema_type != SchemaType::Struct {
                    require_struct(Some(schema), value, PURPOSE)?;
                }
                let field_schema = self
                    .field_schema(schema)
                    .ok_or_else(|| format!("Unknown field: {}", self.original))?;
                (Some(field_schema), self.value_in_struct(schema, value)?)
            }
        };
        record.set_part(self.side, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::SchemaBuilder;

    /// A test case: the transform's settings, then what goes in or comes out.
    type Case<T> = (Vec<(&'static str, &'static str)>, T, Value);

    fn extract(side: Side, config: &[(&str, &str)], record: Record) -> Result<Record, String> {
        new(Some(side), &Settings::new(config))?
            .apply(record)
            .map(|r| r.expect("ExtractField never drops"))
    }

    fn inner_schema() -> Schema {
        Schema::struct_builder()
            .field("id", Schema::int32())
            .field("dotted.name", Schema::optional_string())
            .build()
    }

    fn outer_schema() -> Schema {
        Schema::struct_builder()
            .field("id", Schema::int32())
            .field("inner", inner_schema())
            .field(
                "withDefault",
                SchemaBuilder::new(SchemaType::String)
                    .optional()
                    .default_value("dflt".into())
                    .build(),
            )
            .build()
    }

    fn outer(id: i32, inner_id: i32, with_default: Value) -> Value {
        let inner = Value::Struct(inner_schema(), vec![inner_id.into(), "n".into()].into());
        Value::Struct(outer_schema(), vec![id.into(), inner, with_default].into())
    }

    #[test]
    fn struct_fields_with_their_schemas() {
        // (config, expected schema, expected value)
        let cases: Vec<Case<Schema>> = vec![
            (vec![("field", "id")], Schema::int32(), 42.into()),
            (
                vec![("field", "inner.id"), ("field.syntax.version", "V2")],
                Schema::int32(),
                7.into(),
            ),
            (
                vec![
                    ("field", "inner.`dotted.name`"),
                    ("field.syntax.version", "v2"),
                ],
                Schema::optional_string(),
                "n".into(),
            ),
            (
                vec![("field", "withDefault")],
                outer_schema().field("withDefault").unwrap().schema.clone(),
                "dflt".into(),
            ),
            (
                vec![
                    ("field", "withDefault"),
                    ("replace.null.with.default", "false"),
                ],
                outer_schema().field("withDefault").unwrap().schema.clone(),
                Value::Null,
            ),
        ];
        for (config, schema, expected) in cases {
            let record = Record::new("t", Some(outer_schema()), outer(42, 7, Value::Null));
            let out = extract(Side::Value, &config, record).unwrap();
            assert_eq!(out.value_schema, Some(schema), "{config:?}");
            assert_eq!(out.value, expected, "{config:?}");
        }
    }

    #[test]
    fn kafka_doc_example_on_the_key() {
        // Kafka's docs: field=id on key {"id": 42, "name": "x"} gives key 42.
        let key = Value::string_map([("id", Value::Int32(42)), ("name", "x".into())]);
        let record = Record::new("t", None, Value::Null).with_key(None, key);
        let out = extract(Side::Key, &[("field", "id")], record).unwrap();
        assert_eq!((out.key_schema, out.key), (None, 42.into()));
    }

    #[test]
    fn schemaless_maps_and_nulls() {
        let nested = Value::string_map([
            ("a", Value::string_map([("b", Value::Int64(1))])),
            ("a.b", Value::Int64(2)),
        ]);
        let cases: Vec<Case<Value>> = vec![
            (vec![("field", "a.b")], nested.clone(), Value::Int64(2)),
            (
                vec![("field", "a.b"), ("field.syntax.version", "V2")],
                nested.clone(),
                Value::Int64(1),
            ),
            (
                vec![("field", "a.c"), ("field.syntax.version", "V2")],
                nested.clone(),
                Value::Null,
            ),
            (vec![("field", "missing")], nested, Value::Null),
            (vec![("field", "a")], Value::Null, Value::Null),
        ];
        for (config, value, expected) in cases {
            let out = extract(Side::Value, &config, Record::new("t", None, value)).unwrap();
            assert_eq!(out.value, expected, "{config:?}");
        }
        // A tombstone with a schema keeps the field's schema and stays null.
        let out = extract(
            Side::Value,
            &[("field", "id")],
            Record::new("t", Some(outer_schema()), Value::Null),
        )
        .unwrap();
        assert_eq!(out.value_schema, Some(Schema::int32()));
        assert!(out.value.is_null());
    }

    #[test]
    fn errors() {
        let with_schema = Record::new("t", Some(outer_schema()), outer(1, 2, Value::Null));
        assert_eq!(
            extract(Side::Value, &[("field", "nope")], with_schema).unwrap_err(),
            "Unknown field: nope"
        );
        assert_eq!(
            extract(Side::Value, &[("field", "a")], Record::new("t", None, 5.into())).unwrap_err(),
            "Only Map objects supported in absence of schema for [field extraction], found: java.lang.Integer"
        );
        assert_eq!(
            extract(
                Side::Value,
                &[("field", "a")],
                Record::new("t", Some(Schema::int32()), 5.into())
            )
            .unwrap_err(),
            "Only Struct objects supported for [field extraction], found: java.lang.Integer"
        );
        assert!(new(Some(Side::Value), &Settings::default())
            .err()
            .unwrap()
            .contains("\"field\""));
        assert!(new(
            Some(Side::Value),
            &Settings::new(&[("field", "a"), ("field.syntax.version", "V3")])
        )
        .is_err());
    }

    #[test]
    fn v2_paths() {
        let cases: &[(&str, &[&str])] = &[
            ("a", &["a"]),
            ("a.b.c", &["a", "b", "c"]),
            ("`a.b`.c", &["a.b", "c"]),
            ("a.`b.c`", &["a", "b.c"]),
            ("`a\\`.b`", &["a`.b"]),
            ("a.", &["a", ""]),
            ("`a`b`", &["a`b"]),
        ];
        for (path, steps) in cases {
            assert_eq!(parse_path_v2(path).unwrap(), *steps, "{path}");
        }
        assert_eq!(
            parse_path_v2("`a.b").unwrap_err(),
            "Incomplete backtick pair in path: [`a.b], consider adding a backslash before \
             backtick at position 0 to escape it"
        );
    }
}
