//! `org.apache.kafka.connect.storage.StringConverter`.

use plugin_abi::data::{Schema, SchemaType, Value};
use plugin_abi::Props;
use std::borrow::Cow;

use super::converter::{ConversionError, Converter};

/// Values as their string form (UTF-8); reads everything as an optional string.
pub struct StringConverter {
    schema: Schema,
}

impl StringConverter {
    /// Accepts Kafka's `converter.encoding` setting for UTF-8 only, the encoding of Rust strings.
    pub fn new(props: &Props) -> Result<Self, ConversionError> {
        for key in [
            "converter.encoding",
            "serializer.encoding",
            "deserializer.encoding",
        ] {
            if let Some(enc) = props.get(key) {
                let e = enc.trim().to_ascii_uppercase().replace('-', "");
                if e != "UTF8" {
                    return Err(ConversionError::new(format!(
                        "Unsupported {key} {enc}: StringConverter supports UTF-8 only"
                    )));
                }
            }
        }
        Ok(StringConverter {
            schema: Schema::optional_string(),
        })
    }
}

impl Converter for StringConverter {
    fn from_connect<'a>(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError> {
        Ok(match value {
            Value::Null => None,
            Value::String(s) => Some(Cow::Borrowed(s.as_bytes())),
            other => Some(Cow::Owned(other.to_string().into_bytes())),
        })
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        let value = match bytes {
            None => Value::Null,
            Some(b) => match std::str::from_utf8(b) {
                Ok(text) => Value::string(text),
                Err(_) => Value::string(String::from_utf8_lossy(b)),
            },
        };
        debug_assert_eq!(self.schema.schema_type, SchemaType::String);
        Ok((Some(self.schema.clone()), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_other_values_use_their_string_form() {
        let c = StringConverter::new(&Props::new()).unwrap();
        assert_eq!(
            c.from_connect("t", None, &Value::string("héllo")).unwrap(),
            Some(Cow::Borrowed("héllo".as_bytes()))
        );
        assert_eq!(
            c.from_connect("t", None, &Value::Int32(7)).unwrap(),
            Some(Cow::Borrowed(&b"7"[..]))
        );
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        let (schema, value) = c.to_connect("t", Some(b"x")).unwrap();
        assert!(schema.unwrap().optional);
        assert_eq!(value, Value::string("x"));
        assert_eq!(c.to_connect("t", None).unwrap().1, Value::Null);
    }

    #[test]
    fn other_encodings_are_refused_clearly() {
        let props = [("converter.encoding".to_string(), "ISO-8859-1".to_string())]
            .into_iter()
            .collect();
        let err = StringConverter::new(&props).err().unwrap();
        assert!(err.0.contains("UTF-8 only"), "{err}");
    }
}
