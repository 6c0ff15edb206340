//! Header converters: a header's Connect value ⇄ its bytes. `SimpleHeaderConverter` (Kafka's
//! default) writes values as text and reads them back inferring the type; `StringConverter`
//! reads every header as a string; `ByteArrayConverter` passes bytes through unchanged (what
//! MirrorMaker 2 runs with).

use plugin_abi::data::{Schema, Value};

use super::converter::ConversionError;

/// The classes `header.converter` may name.
pub const SIMPLE_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";
const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";
const BYTE_ARRAY_CONVERTER: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// A header converter, as Kafka Connect's `HeaderConverter`.
pub trait HeaderConverter: Send + Sync {
    /// A header value's bytes; `None` for a null.
    // Named after Java's `fromConnectHeader`.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_header(
        &self,
        topic: &str,
        header: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConversionError>;

    /// A header's Connect value from its bytes.
    fn to_connect_header(
        &self,
        topic: &str,
        header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError>;
}

/// Kafka's default: values as text (`Values.convertToString`), read back inferring the type.
pub struct SimpleHeaderConverter;

/// Every header as a string.
pub struct StringHeaderConverter;

/// Header values as raw bytes, both ways (Kafka's `ByteArrayConverter` as a header converter).
pub struct ByteArrayHeaderConverter;

impl HeaderConverter for ByteArrayHeaderConverter {
    fn from_connect_header(
        &self,
        _: &str,
        header: &str,
        _: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.to_vec())),
            other => Err(ConversionError::new(format!(
                "ByteArrayConverter is not compatible with objects of type {other:?} (header {header})"
            ))),
        }
    }

    fn to_connect_header(
        &self,
        _: &str,
        _: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        Ok(match bytes {
            None => (Some(Schema::optional_bytes()), Value::Null),
            Some(b) => (
                Some(Schema::optional_bytes()),
                Value::Bytes(b.to_vec().into()),
            ),
        })
    }
}

impl HeaderConverter for SimpleHeaderConverter {
    fn from_connect_header(
        &self,
        _: &str,
        _: &str,
        _: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        Ok((!value.is_null()).then(|| value.to_string().into_bytes()))
    }

    fn to_connect_header(
        &self,
        _: &str,
        _: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        Ok(match bytes {
            None => (None, Value::Null),
            Some(b) => infer(&String::from_utf8_lossy(b)),
        })
    }
}

impl HeaderConverter for StringHeaderConverter {
    fn from_connect_header(
        &self,
        topic: &str,
        header: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        // Written as the simple converter writes; only reading differs.
        SimpleHeaderConverter.from_connect_header(topic, header, schema, value)
    }

    fn to_connect_header(
        &self,
        _: &str,
        _: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        Ok(match bytes {
            None => (None, Value::Null),
            Some(b) => (
                Some(Schema::optional_string()),
                Value::string(String::from_utf8_lossy(b)),
            ),
        })
    }
}

/// The built-in header converter `class` names (full or simple name), if any.
pub fn built_in_header_converter(class: &str) -> Option<Box<dyn HeaderConverter>> {
    let simple = |full: &str| full.rsplit('.').next().unwrap_or(full).to_string();
    match class.trim() {
        c if c == SIMPLE_HEADER_CONVERTER || c == simple(SIMPLE_HEADER_CONVERTER) => {
            Some(Box::new(SimpleHeaderConverter))
        }
        c if c == STRING_CONVERTER || c == simple(STRING_CONVERTER) => {
            Some(Box::new(StringHeaderConverter))
        }
        c if c == BYTE_ARRAY_CONVERTER || c == simple(BYTE_ARRAY_CONVERTER) => {
            Some(Box::new(ByteArrayHeaderConverter))
        }
        _ => None,
    }
}

/// Kafka's `Values.parseString` for the scalar cases: booleans, the smallest integer type
/// that holds the number, doubles; anything else is a string.
fn infer(text: &str) -> (Option<Schema>, Value) {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        return (
            Some(Schema::boolean()),
            Value::Boolean(t.eq_ignore_ascii_case("true")),
        );
    }
    if let Ok(n) = t.parse::<i64>() {
        return if let Ok(v) = i8::try_from(n) {
            (Some(Schema::int8()), Value::Int8(v))
        } else if let Ok(v) = i16::try_from(n) {
            (Some(Schema::int16()), Value::Int16(v))
        } else if let Ok(v) = i32::try_from(n) {
            (Some(Schema::int32()), Value::Int32(v))
        } else {
            (Some(Schema::int64()), Value::Int64(n))
        };
    }
    let looks_numeric =
        t.contains(['.', 'e', 'E']) && t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    if looks_numeric {
        if let Ok(f) = t.parse::<f64>() {
            return (Some(Schema::float64()), Value::Float64(f));
        }
    }
    (Some(Schema::string()), Value::string(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(c: &dyn HeaderConverter, bytes: &[u8]) -> Value {
        c.to_connect_header("t", "h", Some(bytes)).unwrap().1
    }

    #[test]
    fn simple_infers_scalars_and_string_keeps_text() {
        let s = SimpleHeaderConverter;
        assert_eq!(read(&s, b"true"), Value::Boolean(true));
        assert_eq!(read(&s, b"42"), Value::Int8(42));
        assert_eq!(read(&s, b"40000"), Value::Int32(40000));
        assert_eq!(read(&s, b"1.5"), Value::Float64(1.5));
        assert_eq!(read(&s, b"db-1"), Value::string("db-1"));
        assert_eq!(s.to_connect_header("t", "h", None).unwrap().1, Value::Null);
        assert_eq!(read(&StringHeaderConverter, b"42"), Value::string("42"));
        let out = s
            .from_connect_header("t", "h", None, &Value::Int32(7))
            .unwrap();
        assert_eq!(out.as_deref(), Some(&b"7"[..]));
        assert_eq!(
            s.from_connect_header("t", "h", None, &Value::Null).unwrap(),
            None
        );
        assert!(built_in_header_converter("SimpleHeaderConverter").is_some());
        assert!(built_in_header_converter("com.example.Nope").is_none());
    }

    #[test]
    fn byte_array_passes_any_bytes_through_and_refuses_other_types() {
        let c = built_in_header_converter("ByteArrayConverter").unwrap();
        let raw = vec![0u8, 0xff, 0xfe, b'a'];
        let out = c
            .from_connect_header("t", "h", None, &Value::Bytes(raw.clone().into()))
            .unwrap();
        assert_eq!(out.as_deref(), Some(&raw[..]));
        assert_eq!(read(c.as_ref(), &raw), Value::Bytes(raw.clone().into()));
        assert_eq!(
            c.from_connect_header("t", "h", None, &Value::Null).unwrap(),
            None
        );
        let err = c
            .from_connect_header("t", "h", None, &Value::Int32(1))
            .unwrap_err();
        assert!(err.0.contains("ByteArrayConverter"), "{}", err.0);
    }
}
