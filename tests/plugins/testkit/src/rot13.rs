//! A converter from a plugin: string values, ROT13-scrambled on their way into Kafka and
//! unscrambled on their way out (so the topic shows the plugin really ran).

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct Rot13Converter;

fn rot13(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
            _ => c,
        })
        .collect()
}

impl Converter for Rot13Converter {
    fn configure(&mut self, _props: &Props, _is_key: bool) -> Result<(), ConnectError> {
        Ok(())
    }

    fn from_connect(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(rot13(s).into_bytes())),
            other => Err(ConnectError::new(format!(
                "Rot13Converter takes strings, not {other:?}"
            ))),
        }
    }

    fn to_connect(
        &self,
        _topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConnectError> {
        let value = match bytes {
            None => Value::Null,
            Some(b) => {
                let text = std::str::from_utf8(b)
                    .map_err(|e| ConnectError::new(format!("not UTF-8: {e}")))?;
                Value::string(rot13(text))
            }
        };
        Ok((Some(Schema::optional_string()), value))
    }
}
