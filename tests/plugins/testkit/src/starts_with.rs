//! A predicate from a plugin: the value is a string starting with `prefix`.

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct ValueStartsWith {
    prefix: String,
}

impl Predicate for ValueStartsWith {
    fn configure(&mut self, props: &Props) -> Result<(), ConnectError> {
        self.prefix = props
            .get("prefix")
            .cloned()
            .ok_or_else(|| ConnectError::new("Missing required configuration \"prefix\""))?;
        Ok(())
    }

    fn test(&mut self, record: &ConnectRecord) -> Result<bool, ConnectError> {
        Ok(record
            .value
            .as_str()
            .is_some_and(|v| v.starts_with(&self.prefix)))
    }
}
