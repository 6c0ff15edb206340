//! Header converters: a header's Connect value ⇄ its bytes. `SimpleHeaderConverter` (Kafka's
//! default) writes values as text and reads them back inferring the type; `StringConverter`
//! reads every header as a string.

use plugin_abi::data::{Schema, Value};

/// The classes `header.converter` may name.
pub const SIMPLE_HEADER_CONVERTER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";
const STRING_CONVERTER: &str = "org.apache.kafka.connect.storage.StringConverter";

/// How a connector's headers are converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderConverter {
    Simple,
    String,
}

impl HeaderConverter {
    /// The converter `class` names (full name or simple name).
    pub fn named(class: &str) -> Result<HeaderConverter, String> {
        let simple = |full: &str| full.rsplit('.').next().unwrap_or(full).to_string();
        match class.trim() {
            c if c == SIMPLE_HEADER_CONVERTER || c == simple(SIMPLE_HEADER_CONVERTER) => {
                Ok(HeaderConverter::Simple)
            }
            c if c == STRING_CONVERTER || c == simple(STRING_CONVERTER) => Ok(HeaderConverter::String),
            c => Err(format!(
                "Invalid value {c} for configuration header.converter: Class {c} could not be found."
            )),
        }
    }

    /// A header value's bytes: its text (Kafka's `Values.convertToString`); null stays null.
    pub fn from_connect(self, value: &Value) -> Option<String> {
        (!value.is_null()).then(|| value.to_string())
    }

    /// A header's Connect value from its bytes.
    pub fn to_connect(self, bytes: Option<&[u8]>) -> (Option<Schema>, Value) {
        let Some(bytes) = bytes else {
            return (None, Value::Null);
        };
        let text = String::from_utf8_lossy(bytes);
        match self {
            HeaderConverter::String => (Some(Schema::optional_string()), Value::string(text)),
            HeaderConverter::Simple => infer(&text),
        }
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

    #[test]
    fn simple_infers_scalars_and_string_keeps_text() {
        let s = HeaderConverter::Simple;
        assert_eq!(s.to_connect(Some(b"true")).1, Value::Boolean(true));
        assert_eq!(s.to_connect(Some(b"42")).1, Value::Int8(42));
        assert_eq!(s.to_connect(Some(b"40000")).1, Value::Int32(40000));
        assert_eq!(s.to_connect(Some(b"1.5")).1, Value::Float64(1.5));
        assert_eq!(s.to_connect(Some(b"db-1")).1, Value::string("db-1"));
        assert_eq!(s.to_connect(None).1, Value::Null);
        assert_eq!(
            HeaderConverter::String.to_connect(Some(b"42")).1,
            Value::string("42")
        );
        assert_eq!(s.from_connect(&Value::Int32(7)).as_deref(), Some("7"));
        assert_eq!(s.from_connect(&Value::Null), None);
        assert_eq!(
            HeaderConverter::named("SimpleHeaderConverter"),
            Ok(HeaderConverter::Simple)
        );
        assert!(HeaderConverter::named("com.example.Nope").is_err());
    }
}
