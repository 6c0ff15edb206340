//! Connect values ⇄ plain JSON without schemas, the form of source partitions and offsets.

use abi_stable::std_types::Tuple2;
use plugin_abi::data::Value;
use serde_json::Value as Json;

/// A value as JSON: maps with string keys become objects, bytes base64 strings.
pub fn to_json(value: &Value) -> Json {
    use base64::Engine;
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Int8(v) => (*v).into(),
        Value::Int16(v) => (*v).into(),
        Value::Int32(v) => (*v).into(),
        Value::Int64(v) => (*v).into(),
        Value::Float32(v) => {
            serde_json::Number::from_f64(f64::from(*v)).map_or(Json::Null, Json::Number)
        }
        Value::Float64(v) => serde_json::Number::from_f64(*v).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => {
            Json::String(base64::engine::general_purpose::STANDARD.encode(b.as_slice()))
        }
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            if entries.iter().all(|kv| kv.0.as_str().is_some()) {
                Json::Object(
                    entries
                        .iter()
                        .map(|kv| {
                            (
                                kv.0.as_str().unwrap_or_default().to_string(),
                                to_json(&kv.1),
                            )
                        })
                        .collect(),
                )
            } else {
                Json::Array(
                    entries
                        .iter()
                        .map(|kv| Json::Array(vec![to_json(&kv.0), to_json(&kv.1)]))
                        .collect(),
                )
            }
        }
        Value::Struct(schema, values) => Json::Object(
            schema
                .fields
                .iter()
                .zip(values.iter())
                .map(|(f, v)| (f.name.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// JSON as a schemaless value: integers become int64, other numbers float64, objects maps.
pub fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            None => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::string(s.as_str()),
        Json::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        Json::Object(fields) => Value::Map(
            fields
                .iter()
                .map(|(k, v)| Tuple2(Value::string(k.as_str()), from_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip() {
        let offset = Value::string_map([
            ("filename", Value::string("a.txt")),
            ("position", Value::Int64(42)),
        ]);
        let json = to_json(&offset);
        assert_eq!(json.to_string(), r#"{"filename":"a.txt","position":42}"#);
        assert_eq!(from_json(&json), offset);
    }
}
