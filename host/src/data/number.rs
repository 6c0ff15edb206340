//! Kafka's number and boolean converters (`IntegerConverter`, `LongConverter`,
//! `ShortConverter`, `FloatConverter`, `DoubleConverter`, `BooleanConverter`): each value is
//! Kafka's serializer's bytes (big-endian; a boolean is one byte 0 or 1).

use std::borrow::Cow;

use plugin_abi::data::{Schema, Value};

use super::converter::{ConversionError, Converter};

/// Which type a number converter carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberType {
    Short,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
}

impl NumberType {
    /// Kafka's name of the schema type, for messages.
    fn schema_name(self) -> &'static str {
        match self {
            NumberType::Short => "INT16",
            NumberType::Integer => "INT32",
            NumberType::Long => "INT64",
            NumberType::Float => "FLOAT32",
            NumberType::Double => "FLOAT64",
            NumberType::Boolean => "BOOLEAN",
        }
    }

    fn size(self) -> usize {
        match self {
            NumberType::Boolean => 1,
            NumberType::Short => 2,
            NumberType::Integer | NumberType::Float => 4,
            NumberType::Long | NumberType::Double => 8,
        }
    }

    fn deserializer(self) -> &'static str {
        match self {
            NumberType::Short => "ShortDeserializer",
            NumberType::Integer => "IntegerDeserializer",
            NumberType::Long => "LongDeserializer",
            NumberType::Float => "FloatDeserializer",
            NumberType::Double => "DoubleDeserializer",
            NumberType::Boolean => "BooleanDeserializer",
        }
    }
}

/// A converter for one number type (or booleans).
pub struct NumberConverter {
    kind: NumberType,
    schema: Schema,
}

impl NumberConverter {
    pub fn new(kind: NumberType) -> NumberConverter {
        let schema = match kind {
            NumberType::Short => Schema::optional_int16(),
            NumberType::Integer => Schema::optional_int32(),
            NumberType::Long => Schema::optional_int64(),
            NumberType::Float => Schema::optional_float32(),
            NumberType::Double => Schema::optional_float64(),
            NumberType::Boolean => Schema::optional_boolean(),
        };
        NumberConverter { kind, schema }
    }
}

impl Converter for NumberConverter {
    fn from_connect<'a>(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError> {
        let bytes = match (self.kind, value) {
            (_, Value::Null) => return Ok(None),
            (NumberType::Short, Value::Int16(v)) => v.to_be_bytes().to_vec(),
            (NumberType::Integer, Value::Int32(v)) => v.to_be_bytes().to_vec(),
            (NumberType::Long, Value::Int64(v)) => v.to_be_bytes().to_vec(),
            (NumberType::Float, Value::Float32(v)) => v.to_be_bytes().to_vec(),
            (NumberType::Double, Value::Float64(v)) => v.to_be_bytes().to_vec(),
            (NumberType::Boolean, Value::Boolean(v)) => vec![u8::from(*v)],
            (kind, other) => {
                return Err(ConversionError::new(format!(
                    "Failed to serialize to {} (was {})",
                    kind.schema_name(),
                    crate::transforms::util::type_name(other)
                )))
            }
        };
        Ok(Some(Cow::Owned(bytes)))
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        let Some(b) = bytes else {
            return Ok((Some(self.schema.clone()), Value::Null));
        };
        if b.len() != self.kind.size() {
            return Err(ConversionError::new(format!(
                "Failed to deserialize {}: Size of data received by {} is not {}",
                self.kind.schema_name(),
                self.kind.deserializer(),
                self.kind.size()
            )));
        }
        let value = match self.kind {
            NumberType::Short => Value::Int16(i16::from_be_bytes([b[0], b[1]])),
            NumberType::Integer => Value::Int32(i32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            NumberType::Float => Value::Float32(f32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            NumberType::Long => Value::Int64(i64::from_be_bytes(eight(b))),
            NumberType::Double => Value::Float64(f64::from_be_bytes(eight(b))),
            NumberType::Boolean => match b[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                other => {
                    return Err(ConversionError::new(format!(
                        "Failed to deserialize BOOLEAN: unexpected byte {other}, expected 0 or 1"
                    )))
                }
            },
        };
        Ok((Some(self.schema.clone()), value))
    }
}

fn eight(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_in_kafkas_bytes() {
        let cases = [
            (NumberType::Short, Value::Int16(-2), vec![0xff, 0xfe]),
            (NumberType::Integer, Value::Int32(258), vec![0, 0, 1, 2]),
            (
                NumberType::Long,
                Value::Int64(1),
                vec![0, 0, 0, 0, 0, 0, 0, 1],
            ),
            (
                NumberType::Float,
                Value::Float32(1.5),
                1.5f32.to_be_bytes().to_vec(),
            ),
            (
                NumberType::Double,
                Value::Float64(-0.25),
                (-0.25f64).to_be_bytes().to_vec(),
            ),
            (NumberType::Boolean, Value::Boolean(true), vec![1]),
        ];
        for (kind, value, bytes) in cases {
            let c = NumberConverter::new(kind);
            let out = c.from_connect("t", None, &value).unwrap().unwrap();
            assert_eq!(out.as_ref(), bytes.as_slice(), "{kind:?}");
            let (schema, back) = c.to_connect("t", Some(&bytes)).unwrap();
            assert_eq!(back, value);
            assert!(schema.unwrap().optional);
            assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
            assert_eq!(c.to_connect("t", None).unwrap().1, Value::Null);
        }
    }

    #[test]
    fn wrong_types_and_sizes_are_clear_errors() {
        let c = NumberConverter::new(NumberType::Integer);
        let e = c.from_connect("t", None, &Value::string("7")).unwrap_err();
        assert_eq!(e.0, "Failed to serialize to INT32 (was java.lang.String)");
        let e = c.to_connect("t", Some(&[1, 2])).unwrap_err();
        assert!(e.0.contains("is not 4"), "{e}");
        let b = NumberConverter::new(NumberType::Boolean);
        assert!(b.to_connect("t", Some(&[2])).is_err());
    }
}
