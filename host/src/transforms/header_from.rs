//! `HeaderFrom$Key` / `$Value`: copies or moves fields of the key or value into headers;
//! `fields[i]` goes to header `headers[i]`, with the field's schema when there is one.

use abi_stable::std_types::ROption;
use plugin_abi::data::{Header, Schema, Value};

use super::util::{copy_schema_basics, field_value, require_map, require_struct, side_of};
use super::{Record, Settings, Side, Transformation};

pub struct HeaderFrom {
    side: Side,
    fields: Vec<String>,
    headers: Vec<String>,
    /// "move" removes the fields from the key/value; "copy" leaves them.
    operation: &'static str,
    replace_null_with_default: bool,
}

fn non_empty_list(s: &Settings, key: &str) -> Result<Vec<String>, String> {
    s.required(key)?;
    let list = s.list(key);
    if list.is_empty() {
        return Err(format!(
            "Invalid value [] for configuration {key}: Empty list"
        ));
    }
    Ok(list)
}

pub fn new(side: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let fields = non_empty_list(s, "fields")?;
    let headers = non_empty_list(s, "headers")?;
    if fields.len() != headers.len() {
        return Err(
            "'fields' config must have the same number of elements as 'headers' config.".into(),
        );
    }
    s.required("operation")?;
    Ok(Box::new(HeaderFrom {
        side: side_of(side)?,
        fields,
        headers,
        operation: s.one_of("operation", &["move", "copy"], "move")?,
        replace_null_with_default: s.bool("replace.null.with.default", true)?,
    }))
}

impl HeaderFrom {
    fn moving(&self, name: &str) -> bool {
        self.operation == "move" && self.fields.iter().any(|f| f == name)
    }

    /// The headers to add and the struct left behind.
    fn take_from_struct(
        &self,
        schema: &Schema,
        value: &Value,
    ) -> Result<(Vec<Header>, Schema, Value), String> {
        let purpose = format!("header {}", self.operation);
        let (schema, values) = require_struct(Some(schema), value, &purpose)?;
        let mut headers = Vec::with_capacity(self.fields.len());
        for (name, header) in self.fields.iter().zip(&self.headers) {
            // Java fails with a NullPointerException here; we say which field is missing.
            let field = schema
                .field(name)
                .ok_or_else(|| format!("Field does not exist: {name}"))?;
            headers.push(Header {
                key: header.as_str().into(),
                schema: ROption::RSome(field.schema.clone()),
                value: field_value(
                    field,
                    &values[field.index as usize],
                    self.replace_null_with_default,
                ),
            });
        }
        if self.operation == "copy" {
            return Ok((headers, schema.clone(), value.clone()));
        }
        let mut kept = copy_schema_basics(schema, Schema::struct_builder());
        let mut kept_values = Vec::new();
        for field in schema.fields.iter().filter(|f| !self.moving(&f.name)) {
            kept = kept.field(field.name.as_str(), field.schema.clone());
            kept_values.push(field_value(
                field,
                &values[field.index as usize],
                self.replace_null_with_default,
            ));
        }
        let kept = kept.build();
        Ok((
            headers,
            kept.clone(),
            Value::Struct(kept, kept_values.into()),
        ))
    }

    /// The headers to add (without schemas) and the map left behind.
    fn take_from_map(&self, value: &Value) -> Result<(Vec<Header>, Value), String> {
        let entries = require_map(value, &format!("header {}", self.operation))?;
        let headers = self
            .fields
            .iter()
            .zip(&self.headers)
            .map(|(name, header)| Header {
                key: header.as_str().into(),
                schema: ROption::RNone,
                value: value.get(name).cloned().unwrap_or_default(),
            })
            .collect();
        let kept = entries
            .iter()
            .filter(|e| !e.0.as_str().is_some_and(|k| self.moving(k)))
            .cloned()
            .collect();
        Ok((headers, Value::Map(kept)))
    }
}

impl Transformation for HeaderFrom {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let (schema, value) = record.part(self.side);
        let (headers, schema, value) = match schema {
            None => {
                let (headers, value) = self.take_from_map(value)?;
                (headers, None, value)
            }
            Some(schema) => {
                let (headers, schema, value) = self.take_from_struct(schema, value)?;
                (headers, Some(schema), value)
            }
        };
        record.set_part(self.side, schema, value);
        record.headers.extend(headers);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi_stable::std_types::Tuple2;

    fn header_from(side: Side, config: &[(&str, &str)], record: Record) -> Result<Record, String> {
        new(Some(side), &Settings::new(config))?
            .apply(record)
            .map(Option::unwrap)
    }

    fn headers(r: &Record) -> Vec<(String, Option<Schema>, Value)> {
        r.headers
            .iter()
            .map(|h| {
                (
                    h.key.to_string(),
                    h.schema.clone().into_option(),
                    h.value.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn kafka_doc_example_with_schema() {
        // Kafka's docs: fields=id,ts headers=record_id,ts operation=copy|move.
        let schema = Schema::struct_builder()
            .name("Order")
            .field("id", Schema::int32())
            .field("ts", Schema::int64())
            .field("x", Schema::string())
            .build();
        let value = Value::Struct(
            schema.clone(),
            vec![1.into(), 5i64.into(), "x".into()].into(),
        );
        for operation in ["copy", "move"] {
            let config = [
                ("fields", "id,ts"),
                ("headers", "record_id,ts"),
                ("operation", operation),
            ];
            let out = header_from(
                Side::Value,
                &config,
                Record::new("t", Some(schema.clone()), value.clone()),
            )
            .unwrap();
            assert_eq!(
                headers(&out),
                vec![
                    (
                        "record_id".to_string(),
                        Some(Schema::int32()),
                        Value::Int32(1)
                    ),
                    ("ts".to_string(), Some(Schema::int64()), Value::Int64(5)),
                ]
            );
            if operation == "copy" {
                assert_eq!(
                    (out.value_schema, out.value),
                    (Some(schema.clone()), value.clone())
                );
            } else {
                let kept = Schema::struct_builder()
                    .name("Order")
                    .field("x", Schema::string())
                    .build();
                assert_eq!(out.value_schema, Some(kept.clone()));
                assert_eq!(out.value, Value::Struct(kept, vec!["x".into()].into()));
            }
        }
        let config = [("fields", "nope"), ("headers", "h"), ("operation", "copy")];
        assert_eq!(
            header_from(Side::Value, &config, Record::new("t", Some(schema), value)).unwrap_err(),
            "Field does not exist: nope"
        );
    }

    #[test]
    fn schemaless_key() {
        let key = Value::string_map([("id", Value::Int32(1)), ("k", "v".into())]);
        // (operation, key left behind)
        let cases = [
            ("copy", key.clone()),
            (
                "move",
                Value::Map(vec![Tuple2("k".into(), "v".into())].into()),
            ),
        ];
        for (operation, left) in cases {
            let config = [
                ("fields", "id,missing"),
                ("headers", "a,b"),
                ("operation", operation),
            ];
            let record = Record::new("t", None, Value::Null).with_key(None, key.clone());
            let out = header_from(Side::Key, &config, record).unwrap();
            assert_eq!(
                headers(&out),
                vec![
                    ("a".to_string(), None, Value::Int32(1)),
                    ("b".to_string(), None, Value::Null)
                ]
            );
            assert_eq!(out.key, left);
        }
        let config = [("fields", "id"), ("headers", "a"), ("operation", "copy")];
        assert_eq!(
            header_from(Side::Value, &config, Record::new("t", None, Value::Null)).unwrap_err(),
            "Only Map objects supported in absence of schema for [header copy], found: null"
        );
    }

    #[test]
    fn config_errors() {
        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[("headers", "a"), ("operation", "copy")],
                "Missing required configuration \"fields\" which has no default value.",
            ),
            (
                &[("fields", "a,b"), ("headers", "a"), ("operation", "copy")],
                "'fields' config must have the same number of elements as 'headers' config.",
            ),
            (
                &[("fields", "a"), ("headers", "a")],
                "Missing required configuration \"operation\" which has no default value.",
            ),
            (
                &[("fields", "a"), ("headers", "a"), ("operation", "swap")],
                "Invalid value swap for configuration operation: String must be one of: move, copy",
            ),
        ];
        for (config, error) in cases {
            assert_eq!(
                new(Some(Side::Value), &Settings::new(config))
                    .err()
                    .unwrap(),
                error
            );
        }
    }
}
