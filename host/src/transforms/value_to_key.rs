//! `ValueToKey`: the key becomes a struct (schema present) or map (schemaless) of the
//! value's fields named in `fields`.

use abi_stable::std_types::Tuple2;
use plugin_abi::data::{Schema, Value};

use super::util::{field_value, require_map, require_struct};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "copying fields from value to key";

pub struct ValueToKey {
    fields: Vec<String>,
    replace_null_with_default: bool,
}

pub fn new(_: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    s.required("fields")?;
    let fields = s.list("fields");
    if fields.is_empty() {
        return Err("Invalid value [] for configuration fields: Empty list is not allowed.".into());
    }
    if let Some(dup) = fields
        .iter()
        .enumerate()
        .find(|(i, f)| fields[..*i].contains(f))
    {
        return Err(format!(
            "Invalid value {} for configuration fields: Duplicate value '{}' in list.",
            fields.join(","),
            dup.1
        ));
    }
    Ok(Box::new(ValueToKey {
        fields,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
    }))
}

impl ValueToKey {
    fn key_from_struct(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<(Schema, Value), String> {
        let (schema, values) = require_struct(schema, value, PURPOSE)?;
        let mut key_schema = Schema::struct_builder();
        let mut key = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            let field = schema
                .field(name)
                .ok_or_else(|| format!("Field does not exist: {name}"))?;
            key_schema = key_schema.field(name.as_str(), field.schema.clone());
            key.push(field_value(
                field,
                &values[field.index as usize],
                self.replace_null_with_default,
            ));
        }
        let key_schema = key_schema.build();
        Ok((key_schema.clone(), Value::Struct(key_schema, key.into())))
    }

    /// Schemaless: a missing field (or a tombstone's) becomes a null entry, as in Java.
    fn key_from_map(&self, value: &Value) -> Result<Value, String> {
        if !value.is_null() {
            require_map(value, PURPOSE)?;
        }
        Ok(Value::Map(
            self.fields
                .iter()
                .map(|f| {
                    Tuple2(
                        Value::string(f.as_str()),
                        value.get(f).cloned().unwrap_or_default(),
                    )
                })
                .collect(),
        ))
    }
}

impl Transformation for ValueToKey {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        match &record.value_schema {
            None => {
                record.key = self.key_from_map(&record.value)?;
                record.key_schema = None;
            }
            Some(schema) => {
                let (schema, key) = self.key_from_struct(Some(schema), &record.value)?;
                record.key = key;
                record.key_schema = Some(schema);
            }
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::{SchemaBuilder, SchemaType};

    fn value_schema() -> Schema {
        Schema::struct_builder()
            .field("a", Schema::int32())
            .field("b", Schema::int32())
            .field(
                "c",
                SchemaBuilder::new(SchemaType::Int32)
                    .optional()
                    .default_value(9.into())
                    .build(),
            )
            .build()
    }

    fn to_key(config: &[(&str, &str)], record: Record) -> Result<Record, String> {
        new(None, &Settings::new(config))?
            .apply(record)
            .map(Option::unwrap)
    }

    #[test]
    fn with_schema() {
        let value = Value::Struct(value_schema(), vec![1.into(), 2.into(), Value::Null].into());
        // (config, expected key fields a/c)
        let cases = [
            (vec![("fields", "a,c")], Value::Int32(9)),
            (
                vec![("fields", "a, c"), ("replace.null.with.default", "false")],
                Value::Null,
            ),
        ];
        for (config, c) in cases {
            let out = to_key(
                &config,
                Record::new("t", Some(value_schema()), value.clone()),
            )
            .unwrap();
            let key_schema = Schema::struct_builder()
                .field("a", Schema::int32())
                .field("c", value_schema().field("c").unwrap().schema.clone())
                .build();
            assert_eq!(out.key_schema, Some(key_schema.clone()));
            assert_eq!(out.key, Value::Struct(key_schema, vec![1.into(), c].into()));
            assert_eq!(out.value, value, "the value is left alone");
        }
        assert_eq!(
            to_key(
                &[("fields", "a,zz")],
                Record::new("t", Some(value_schema()), value)
            )
            .unwrap_err(),
            "Field does not exist: zz"
        );
        assert_eq!(
            to_key(
                &[("fields", "a")],
                Record::new("t", Some(value_schema()), Value::Null)
            )
            .unwrap_err(),
            "Only Struct objects supported for [copying fields from value to key], found: null"
        );
    }

    #[test]
    fn schemaless_kafka_doc_example() {
        // Kafka's docs: fields=userId on {"userId": 42, "x": 1} gives key {"userId": 42}.
        let value = Value::string_map([("userId", Value::Int32(42)), ("x", 1.into())]);
        let cases = [
            (
                value.clone(),
                Value::string_map([("userId", Value::Int32(42)), ("other", Value::Null)]),
            ),
            (
                Value::Null,
                Value::string_map([("userId", Value::Null), ("other", Value::Null)]),
            ),
        ];
        for (input, expected) in cases {
            let out = to_key(&[("fields", "userId,other")], Record::new("t", None, input)).unwrap();
            assert_eq!((out.key_schema, out.key), (None, expected));
        }
        assert!(to_key(&[("fields", "a")], Record::new("t", None, "s".into())).is_err());
    }

    #[test]
    fn config_errors() {
        assert_eq!(
            new(None, &Settings::default()).err().unwrap(),
            "Missing required configuration \"fields\" which has no default value."
        );
        assert!(new(None, &Settings::new(&[("fields", " , ")])).is_err());
        assert!(new(None, &Settings::new(&[("fields", "a,a")])).is_err());
    }
}
