//! `SetSchemaMetadata$Key` / `$Value`: sets the name and/or version of the key or value
//! schema. A struct value names its schema, so it is rebuilt with the new one.

use plugin_abi::data::Value;

use super::util::{copy_schema, field_value, side_of};
use super::{Record, Settings, Side, Transformation};

pub struct SetSchemaMetadata {
    side: Side,
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let name = s.get("schema.name").map(str::to_string);
    let version = s
        .get("schema.version")
        .map(|v| {
            v.parse::<i32>().map_err(|_| {
                format!(
                    "Invalid value {v} for configuration schema.version: Not a number of type INT"
                )
            })
        })
        .transpose()?;
    if name.is_none() && version.is_none() {
        return Err("Neither schema name nor version configured".into());
    }
    Ok(Box::new(SetSchemaMetadata {
        side: side_of(side)?,
        name,
        version,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
    }))
}

impl Transformation for SetSchemaMetadata {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        let Some(schema) = schema else {
            if value.is_null() {
                return Ok(Some(record));
            }
            return Err("Schema required for [updating schema metadata]".into());
        };
        let mut builder = copy_schema(schema);
        if let Some(name) = &self.name {
            builder = builder.name(name.as_str());
        }
        if let Some(version) = self.version {
            builder = builder.version(version);
        }
        let updated = builder.build();
        let value = match value {
            Value::Struct(_, values) => Value::Struct(
                updated.clone(),
                updated
                    .fields
                    .iter()
                    .zip(values.iter())
                    .map(|(f, v)| field_value(f, v, self.replace_null_with_default))
                    .collect(),
            ),
            other => other.clone(),
        };
        record.set_part(self.side, Some(updated), value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::{Schema, SchemaBuilder, SchemaType};

    fn apply(side: Side, config: &[(&str, &str)], record: Record) -> Result<Record, String> {
        new(Some(side), &Settings::new(config))?
            .apply(record)
            .map(Option::unwrap)
    }

    #[test]
    fn kafka_doc_example_on_a_struct() {
        // Kafka's docs: schema.name=order-value, schema.version=2.
        let original = Schema::struct_builder()
            .name("old")
            .version(1)
            .field("id", Schema::int32())
            .field(
                "note",
                SchemaBuilder::new(SchemaType::String)
                    .optional()
                    .default_value("n/a".into())
                    .build(),
            )
            .build();
        let value = Value::Struct(original.clone(), vec![1.into(), Value::Null].into());
        // (config, expected name, version, note)
        let cases = [
            (
                vec![("schema.name", "order-value"), ("schema.version", "2")],
                "order-value",
                2,
                Value::string("n/a"),
            ),
            (
                vec![("schema.version", "3")],
                "old",
                3,
                Value::string("n/a"),
            ),
            (
                vec![("schema.name", "x"), ("replace.null.with.default", "false")],
                "x",
                1,
                Value::Null,
            ),
        ];
        for (config, name, version, note) in cases {
            let out = apply(
                Side::Value,
                &config,
                Record::new("t", Some(original.clone()), value.clone()),
            )
            .unwrap();
            let schema = out.value_schema.unwrap();
            assert_eq!(
                (schema.schema_name(), schema.version.into_option()),
                (Some(name), Some(version))
            );
            assert_eq!(schema.fields, original.fields, "fields are kept");
            match out.value {
                Value::Struct(s, values) => {
                    assert_eq!(s, schema, "the struct names the new schema");
                    assert_eq!(values.to_vec(), vec![1.into(), note]);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn primitives_nulls_and_errors() {
        let record = Record::new("t", None, "v".into())
            .with_key(Some(Schema::optional_int64()), 5i64.into());
        let out = apply(Side::Key, &[("schema.name", "k")], record).unwrap();
        let schema = out.key_schema.unwrap();
        assert_eq!((schema.schema_name(), schema.optional), (Some("k"), true));
        assert_eq!(out.key, Value::Int64(5));
        // A schemaless tombstone passes; a schemaless value is an error.
        let out = apply(
            Side::Value,
            &[("schema.name", "k")],
            Record::new("t", None, Value::Null),
        )
        .unwrap();
        assert_eq!((out.value_schema, out.value), (None, Value::Null));
        assert_eq!(
            apply(
                Side::Value,
                &[("schema.name", "k")],
                Record::new("t", None, 1.into())
            )
            .unwrap_err(),
            "Schema required for [updating schema metadata]"
        );
        assert_eq!(
            new(Some(Side::Value), &Settings::default()).err().unwrap(),
            "Neither schema name nor version configured"
        );
        assert!(new(
            Some(Side::Value),
            &Settings::new(&[("schema.version", "two")])
        )
        .is_err());
    }
}
