//! `HoistField$Key` / `$Value`: wraps the key or value in a struct with one field `field`
//! (schema present) or a map with one entry (schemaless).

use abi_stable::std_types::Tuple2;
use plugin_abi::data::{Schema, Value};

use super::util::{side_of, SchemaCache};
use super::{Record, Settings, Side, Transformation};

pub struct HoistField {
    side: Side,
    field: String,
    schemas: SchemaCache,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    Ok(Box::new(HoistField {
        side: side_of(side)?,
        field: s.required("field")?.to_string(),

        schemas: SchemaCache::default(),
    }))
}

impl Transformation for HoistField {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        let value = value.clone();
        let (schema, value) = match schema {
            // As Java: a null (tombstone) is wrapped too, as a field holding null.
            None => (
                None,
                Value::Map(vec![Tuple2(Value::string(self.field.as_str()), value)].into()),
            ),
            Some(schema) => {
                let wrapper = self.schemas.get_or_make(schema, || {
                    Schema::struct_builder()
                        .field(self.field.as_str(), schema.clone())
                        .build()
                });
                (
                    Some(wrapper.clone()),
                    Value::Struct(wrapper, vec![value].into()),
                )
            }
        };
        record.set_part(self.side, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_doc_examples() {
        // Kafka's docs: field=line on a schemaless value "hello" gives {"line": "hello"}.
        let hoist = new(Some(Side::Value), &Settings::new(&[("field", "line")])).unwrap();
        let cases = [
            (
                Value::string("hello"),
                Value::string_map([("line", "hello".into())]),
            ),
            (Value::Null, Value::string_map([("line", Value::Null)])),
        ];
        for (input, expected) in cases {
            let out = hoist.apply(Record::new("t", None, input)).unwrap().unwrap();
            assert_eq!((out.value_schema, out.value), (None, expected));
        }
    }

    #[test]
    fn with_schema_the_key_becomes_a_struct() {
        let hoist = new(Some(Side::Key), &Settings::new(&[("field", "id")])).unwrap();
        let record =
            Record::new("t", None, "v".into()).with_key(Some(Schema::int64()), 7i64.into());
        let out = hoist.apply(record).unwrap().unwrap();
        let expected = Schema::struct_builder()
            .field("id", Schema::int64())
            .build();
        assert_eq!(out.key_schema, Some(expected.clone()));
        assert_eq!(
            out.key,
            Value::Struct(expected, vec![Value::Int64(7)].into())
        );
        assert_eq!(out.value, Value::string("v"), "the value is left alone");
    }

    #[test]
    fn field_is_required() {
        assert_eq!(
            new(Some(Side::Value), &Settings::default()).err().unwrap(),
            "Missing required configuration \"field\" which has no default value."
        );
    }
}
