use std::fmt;

use abi_stable::std_types::{RString, RVec, Tuple2};
use abi_stable::StableAbi;

use super::Schema;

/// A Kafka Connect value. Logical types keep their primitive representation
/// (see [`crate::data::logical`]).
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// No value: an absent optional value, a record without a key, a tombstone.
    #[default]
    Null,
    /// A boolean.
    Boolean(bool),
    /// An `int8`.
    Int8(i8),
    /// An `int16`.
    Int16(i16),
    /// An `int32`; also a date or a time of day.
    Int32(i32),
    /// An `int64`; also a timestamp.
    Int64(i64),
    /// A `float`.
    Float32(f32),
    /// A `double`.
    Float64(f64),
    /// A string.
    String(RString),
    /// A byte string; also a decimal's unscaled value.
    Bytes(RVec<u8>),
    /// An array's elements, in order.
    Array(RVec<Value>),
    /// Entries in insertion order; keys may be any value, as in Kafka Connect.
    Map(RVec<Tuple2<Value, Value>>),
    /// A struct: its schema and one value per field, in field order.
    Struct(Schema, RVec<Value>),
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into().into())
    }

    /// A map with string keys, the shape of source partitions and offsets.
    pub fn string_map<K, I>(entries: I) -> Value
    where
        K: Into<String>,
        I: IntoIterator<Item = (K, Value)>,
    {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| Tuple2(Value::string(k), v))
                .collect(),
        )
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Any integer value widened to i64.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int8(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) => Some(v),
            _ => None,
        }
    }

    /// The entry for string key `key` of a map value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|kv| kv.0.as_str() == Some(key))
                .map(|kv| &kv.1),
            Value::Struct(schema, values) => {
                schema.field(key).and_then(|f| values.get(f.index as usize))
            }
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int32(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int64(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Boolean(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Bytes(v.into())
    }
}

/// Kafka Connect's `toString()` forms: strings bare, structs as `Struct{a=1,b=x}`,
/// maps as `{k=v, …}`, arrays as `[a, b]`; bytes as UTF-8 (lossy).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Boolean(v) => write!(f, "{v}"),
            Value::Int8(v) => write!(f, "{v}"),
            Value::Int16(v) => write!(f, "{v}"),
            Value::Int32(v) => write!(f, "{v}"),
            Value::Int64(v) => write!(f, "{v}"),
            Value::Float32(v) => write!(f, "{v:?}"),
            Value::Float64(v) => write!(f, "{v:?}"),
            Value::String(s) => f.write_str(s),
            Value::Bytes(b) => f.write_str(&String::from_utf8_lossy(b)),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, kv) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}={}", kv.0, kv.1)?;
                }
                f.write_str("}")
            }
            Value::Struct(schema, values) => {
                f.write_str("Struct{")?;
                let mut first = true;
                for (field, value) in schema.fields.iter().zip(values.iter()) {
                    if value.is_null() {
                        continue;
                    }
                    if !first {
                        f.write_str(",")?;
                    }
                    first = false;
                    write!(f, "{}={}", field.name, value)?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SchemaBuilder;
    use crate::data::SchemaType;

    #[test]
    fn display_matches_kafka_to_string() {
        let schema = SchemaBuilder::new(SchemaType::Struct)
            .field("a", Schema::int32())
            .field("b", Schema::optional_string())
            .field("c", Schema::string())
            .build();
        let s = Value::Struct(schema, vec![1.into(), Value::Null, "x".into()].into());
        assert_eq!(s.to_string(), "Struct{a=1,c=x}");
        let m = Value::string_map([("k", Value::Int64(2))]);
        assert_eq!(m.to_string(), "{k=2}");
        assert_eq!(
            Value::Array(vec![1.into(), 2.into()].into()).to_string(),
            "[1, 2]"
        );
    }

    #[test]
    fn get_reads_maps_and_structs() {
        let m = Value::string_map([("position", Value::Int64(42))]);
        assert_eq!(m.get("position").and_then(Value::as_i64), Some(42));
        assert!(m.get("missing").is_none());
    }
}
