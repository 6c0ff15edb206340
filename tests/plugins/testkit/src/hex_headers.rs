//! A header converter from a plugin: header values travel as the hex of their text.

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct HexHeaderConverter;

impl HeaderConverter for HexHeaderConverter {
    fn configure(&mut self, _props: &Props) -> Result<(), ConnectError> {
        Ok(())
    }

    fn from_connect_header(
        &self,
        _topic: &str,
        _header: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        if value.is_null() {
            return Ok(None);
        }
        let hex: String = value
            .to_string()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Some(hex.into_bytes()))
    }

    fn to_connect_header(
        &self,
        _topic: &str,
        header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConnectError> {
        let Some(bytes) = bytes else {
            return Ok((None, Value::Null));
        };
        let text = std::str::from_utf8(bytes).map_err(|e| ConnectError::new(e.to_string()))?;
        let decoded: Result<Vec<u8>, _> = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("zz"), 16))
            .collect();
        let decoded =
            decoded.map_err(|_| ConnectError::new(format!("header {header} is not hex")))?;
        Ok((
            Some(Schema::optional_string()),
            Value::string(String::from_utf8_lossy(&decoded)),
        ))
    }
}
