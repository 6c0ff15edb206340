//! A transformation from a plugin: upper-cases string values and appends `suffix`; drops
//! `skip-me`, fails `fail-me`, panics on `panic-me` (each a record of its own), and fails
//! `retry-me` with a retriable error twice before it succeeds.

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct UppercaseValue {
    suffix: String,
    retries_left: u32,
}

impl Transformation for UppercaseValue {
    fn config(&self) -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::new(
                "suffix",
                ConfigType::String,
                Importance::Low,
                "Appended to every value.",
            )
            .default_value(""),
        )
    }

    fn configure(&mut self, props: &Props) -> Result<(), ConnectError> {
        self.suffix = props.get("suffix").cloned().unwrap_or_default();
        self.retries_left = 2;
        if self.suffix.len() > 10 {
            return Err(ConnectError::new("suffix is longer than 10 characters"));
        }
        Ok(())
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, ConnectError> {
        let Some(text) = record.value.as_str().map(str::to_string) else {
            return Ok(Some(record));
        };
        match text.as_str() {
            "skip-me" => return Ok(None),
            "fail-me" => return Err(ConnectError::new("this record asked to fail")),
            "panic-me" => panic!("this record asked for a panic"),
            "retry-me" if self.retries_left > 0 => {
                self.retries_left -= 1;
                return Err(ConnectError::retriable("busy, try again"));
            }
            _ => {}
        }
        record.value = Value::string(format!("{}{}", text.to_uppercase(), self.suffix));
        Ok(Some(record))
    }
}
