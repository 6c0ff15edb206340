//! `org.apache.kafka.connect.converters.ByteArrayConverter`.

use plugin_abi::data::{Schema, SchemaType, Value};
use std::borrow::Cow;

use super::converter::{ConversionError, Converter};

/// Bytes pass through unchanged.
pub struct ByteArrayConverter {
    schema: Schema,
}

impl Default for ByteArrayConverter {
    fn default() -> Self {
        ByteArrayConverter {
            schema: Schema::optional_bytes(),
        }
    }
}

impl Converter for ByteArrayConverter {
    fn from_connect<'a>(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError> {
        if let Some(s) = schema {
            if s.schema_type != SchemaType::Bytes {
                return Err(ConversionError::new(format!(
                    "Invalid schema type for ByteArrayConverter: {}",
                    s.schema_type.name().to_uppercase()
                )));
            }
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(Cow::Borrowed(b.as_slice()))),
            other => Err(ConversionError::new(format!(
                "ByteArrayConverter is not compatible with objects of type {other:?}"
            ))),
        }
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        let value = bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec().into()));
        Ok((Some(self.schema.clone()), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pass_through() {
        let c = ByteArrayConverter::default();
        let v = Value::Bytes(vec![0, 255].into());
        assert_eq!(
            c.from_connect("t", Some(&Schema::bytes()), &v).unwrap(),
            Some(Cow::Borrowed(&[0u8, 255][..]))
        );
        assert_eq!(c.to_connect("t", Some(&[0, 255])).unwrap().1, v);
    }

    #[test]
    fn other_schemas_are_refused() {
        let c = ByteArrayConverter::default();
        let err = c
            .from_connect("t", Some(&Schema::string()), &Value::string("x"))
            .unwrap_err();
        assert!(err.0.contains("Invalid schema type"), "{err}");
    }
}
