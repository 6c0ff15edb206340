//! Confluent's `Drop$Key` / `$Value`: sets the key or value to null; `schema.behavior`
//! says what becomes of its schema (`nullify`, the default; `retain`; `validate`, which
//! requires it to be optional already; `force_optional`).

use super::util::{copy_schema, side_of};
use super::{Record, Settings, Side, Transformation};

pub struct DropPart {
    side: Side,
    behavior: &'static str,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    Ok(Box::new(DropPart {
        side: side_of(side)?,
        behavior: s.one_of(
            "schema.behavior",
            &["nullify", "retain", "validate", "force_optional"],
            "nullify",
        )?,
    }))
}

impl Transformation for DropPart {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let schema = record.part(self.side).0.cloned();
        let schema = match (self.behavior, schema) {
            (_, None) | ("nullify", _) => None,
            ("validate", Some(s)) if !s.optional => {
                return Err(format!(
                    "Cannot drop the {} of a record whose schema is not optional: {s:?}",
                    if self.side == Side::Key {
                        "key"
                    } else {
                        "value"
                    }
                ))
            }
            ("force_optional", Some(s)) if !s.optional => Some(copy_schema(&s).optional().build()),
            (_, schema) => schema,
        };
        record.set_part(self.side, schema, plugin_abi::data::Value::Null);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::{Schema, Value};

    #[test]
    fn each_schema_behavior() {
        // (schema.behavior, key schema in, key schema out); Confluent's docs drop key 24.
        let cases = [
            (None, Some(Schema::int32()), Ok(None)),
            (
                Some("retain"),
                Some(Schema::int32()),
                Ok(Some(Schema::int32())),
            ),
            (
                Some("validate"),
                Some(Schema::optional_int32()),
                Ok(Some(Schema::optional_int32())),
            ),
            (Some("validate"), Some(Schema::int32()), Err(())),
            (
                Some("force_optional"),
                Some(Schema::int32()),
                Ok(Some(Schema::optional_int32())),
            ),
            (Some("retain"), None, Ok(None)),
        ];
        for (behavior, schema_in, expected) in cases {
            let settings = match behavior {
                Some(b) => Settings::new(&[("schema.behavior", b)]),
                None => Settings::default(),
            };
            let drop = new(Some(Side::Key), &settings).unwrap();
            let record =
                Record::new("t", Some(Schema::string()), "v".into()).with_key(schema_in, 24.into());
            match (drop.apply(record), expected) {
                (Ok(Some(out)), Ok(schema)) => {
                    assert_eq!(
                        (out.key_schema, out.key),
                        (schema, Value::Null),
                        "{behavior:?}"
                    );
                    assert_eq!(out.value, Value::string("v"));
                }
                (Err(_), Err(())) => {}
                (got, _) => panic!("{behavior:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn value_side_and_config_error() {
        let drop = new(Some(Side::Value), &Settings::default()).unwrap();
        let out = drop
            .apply(Record::new("t", Some(Schema::string()), "v".into()))
            .unwrap()
            .unwrap();
        assert_eq!((out.value_schema, out.value), (None, Value::Null));
        assert!(new(
            Some(Side::Value),
            &Settings::new(&[("schema.behavior", "keep")])
        )
        .is_err());
    }
}
