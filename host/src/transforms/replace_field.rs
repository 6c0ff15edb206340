//! `ReplaceField$Key` / `ReplaceField$Value`: keeps (`include`), drops (`exclude`) and renames
//! (`renames=old:new,…`) fields of a struct or a schemaless map. `exclude` wins over `include`;
//! the pre-4.0 names `whitelist` / `blacklist` are still read when the new ones are not given.

use std::collections::HashMap;

use abi_stable::std_types::Tuple2;
use plugin_abi::data::{Schema, Value};

use super::util::{copy_schema_basics, field_value, require_map, require_struct, SchemaCache};
use super::{Record, Settings, Side, Transformation};

const PURPOSE: &str = "field replacement";

pub struct ReplaceField {
    side: Side,
    exclude: Vec<String>,
    include: Vec<String>,
    renames: HashMap<String, String>,
    replace_null_with_default: bool,
    schemas: SchemaCache,
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let list_or_deprecated = |key: &str, old: &str| {
        if s.get(key).is_some() {
            s.list(key)
        } else {
            s.list(old)
        }
    };
    let raw_renames = s.list("renames");
    let mut renames = HashMap::new();
    for mapping in &raw_renames {
        // Java's `split(":")` drops trailing empty parts, so `a:` is as invalid as `a`.
        let parts: Vec<&str> = mapping.split(':').collect();
        match parts.as_slice() {
            [old, new] if !new.is_empty() => {
                renames.insert(old.to_string(), new.to_string());
            }
            _ => {
                return Err(format!(
                "Invalid value [{}] for configuration renames: Invalid rename mapping: {mapping}",
                raw_renames.join(", ")
            ))
            }
        }
    }
    Ok(Box::new(ReplaceField {
        side: side.unwrap_or(Side::Value),
        exclude: list_or_deprecated("exclude", "blacklist"),
        include: list_or_deprecated("include", "whitelist"),
        renames,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
        schemas: SchemaCache::default(),
    }))
}

impl ReplaceField {
    fn keep(&self, name: &str) -> bool {
        !self.exclude.iter().any(|e| e == name)
            && (self.include.is_empty() || self.include.iter().any(|i| i == name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    fn with_schema(&self, schema: &Schema, values: &[Value]) -> (Schema, Value) {
        let updated = self.schemas.get_or_make(schema, || {
            let mut builder = copy_schema_basics(schema, Schema::struct_builder());
            if schema.optional {
                builder = builder.optional();
            }
            for field in schema.fields.iter().filter(|f| self.keep(&f.name)) {
                builder = builder.field(self.renamed(&field.name), field.schema.clone());
            }
            builder.build()
        });
        let kept: Vec<Value> = schema
            .fields
            .iter()
            .zip(values)
            .filter(|(field, _)| self.keep(&field.name))
            .map(|(field, value)| field_value(field, value, self.replace_null_with_default))
            .collect();
        (updated.clone(), Value::Struct(updated, kept.into()))
    }

    fn schemaless(&self, entries: &[Tuple2<Value, Value>]) -> Value {
        let kept = entries
            .iter()
            .filter_map(|kv| match kv.0.as_str() {
                Some(name) if !self.keep(name) => None,
                Some(name) => Some(Tuple2(Value::string(self.renamed(name)), kv.1.clone())),
                // Java's maps here have string keys; anything else is passed along untouched.
                None => Some(kv.clone()),
            })
            .collect();
        Value::Map(kept)
    }
}

impl Transformation for ReplaceField {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        if value.is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = match schema {
            None => (None, self.schemaless(require_map(value, PURPOSE)?)),
            Some(schema) => {
                let (schema, values) = require_struct(Some(schema), value, PURPOSE)?;
                let (s, v) = self.with_schema(schema, values);
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
    use plugin_abi::data::SchemaBuilder;
    use plugin_abi::data::SchemaType;

    fn apply(pairs: &[(&str, &str)], schema: Option<Schema>, value: Value) -> Record {
        new(Some(Side::Value), &Settings::new(pairs))
            .unwrap()
            .apply(Record::new("t", schema, value))
            .unwrap()
            .unwrap()
    }

    /// Kafka's documented example input: {"foo": …, "bar": …, "baz": …, "abc": …}.
    fn doc_map() -> Value {
        Value::string_map([
            ("foo", Value::from("x")),
            ("bar", Value::Int32(1)),
            ("baz", Value::Boolean(true)),
            ("abc", Value::from("y")),
        ])
    }

    fn keys(v: &Value) -> Vec<String> {
        let Value::Map(entries) = v else {
            panic!("not a map: {v:?}")
        };
        entries.iter().map(|kv| kv.0.to_string()).collect()
    }

    #[test]
    fn schemaless_cases() {
        for (pairs, want) in [
            (&[("include", "foo,bar")][..], vec!["foo", "bar"]),
            (&[("exclude", "foo")][..], vec!["bar", "baz", "abc"]),
            (
                &[("include", "foo,bar"), ("exclude", "foo")][..],
                vec!["bar"],
            ),
            (
                &[("renames", "foo:c1,bar:c2")][..],
                vec!["c1", "c2", "baz", "abc"],
            ),
            (&[("whitelist", "abc")][..], vec!["abc"]),
            (&[("blacklist", "abc")][..], vec!["foo", "bar", "baz"]),
            (&[("include", "nope")][..], vec![]),
        ] {
            assert_eq!(
                keys(&apply(pairs, None, doc_map()).value),
                want,
                "{pairs:?}"
            );
        }
        let out = apply(&[("renames", "foo:c1")], None, doc_map());
        assert_eq!(out.value.get("c1"), Some(&"x".into()));
    }

    #[test]
    fn struct_fields_renamed_dropped_and_defaults() {
        let schema = Schema::struct_builder()
            .name("s")
            .field("dont", Schema::string())
            .field("abc", Schema::int32())
            .field("foo", Schema::boolean())
            .field(
                "etc",
                SchemaBuilder::new(SchemaType::String)
                    .optional()
                    .default_value("dflt".into())
                    .build(),
            )
            .build();
        let value = Value::Struct(
            schema.clone(),
            vec!["whatever".into(), 42.into(), true.into(), Value::Null].into(),
        );
        let pairs = [("exclude", "dont"), ("renames", "abc:xyz,foo:bar")];
        let out = apply(&pairs, Some(schema.clone()), value.clone());
        let s = out.value_schema.unwrap();
        assert_eq!(s.schema_name(), Some("s"));
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["xyz", "bar", "etc"]);
        assert_eq!(out.value.get("xyz"), Some(&Value::Int32(42)));
        assert_eq!(out.value.get("bar"), Some(&Value::Boolean(true)));
        assert_eq!(out.value.get("etc"), Some(&"dflt".into()));
        let pairs = [("exclude", "dont"), ("replace.null.with.default", "false")];
        let out = apply(&pairs, Some(schema), value);
        assert_eq!(out.value.get("etc"), Some(&Value::Null));
    }

    #[test]
    fn tombstones_and_wrong_shapes() {
        let r = apply(&[("exclude", "a")], None, Value::Null);
        assert_eq!(r.value, Value::Null);
        let t = new(Some(Side::Key), &Settings::new(&[("exclude", "a")])).unwrap();
        let err = t
            .apply(Record::new("t", None, Value::Null).with_key(None, Value::Int64(1)))
            .unwrap_err();
        assert_eq!(
            err,
            "Only Map objects supported in absence of schema for [field replacement], found: java.lang.Long"
        );
    }

    #[test]
    fn config_errors() {
        for (pairs, want) in [
            (
                &[("renames", "a:b,c")][..],
                "Invalid value [a:b, c] for configuration renames: Invalid rename mapping: c",
            ),
            (
                &[("renames", "a:b:c")][..],
                "Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c",
            ),
            (
                &[("replace.null.with.default", "maybe")][..],
                "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false",
            ),
        ] {
            assert_eq!(new(None, &Settings::new(pairs)).err().unwrap(), want);
        }
    }
}
