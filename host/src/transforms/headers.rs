//! `InsertHeader` (a header with a literal value) and `DropHeaders` (headers removed by name).

use plugin_abi::data::{Header, Schema, Value};

use super::{Record, Settings, Side, Transformation};

/// Adds `header` with `value.literal` (a string, as Kafka parses it with `Values.parseString`;
/// here always a string).
pub struct InsertHeader {
    header: String,
    value: String,
}

pub fn insert_header(_: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    Ok(Box::new(InsertHeader {
        header: s.required("header")?.to_string(),
        value: s.required("value.literal")?.to_string(),
    }))
}

impl Transformation for InsertHeader {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        record.headers.push(Header {
            key: self.header.as_str().into(),
            schema: Some(Schema::string()).into(),
            value: Value::string(self.value.as_str()),
        });
        Ok(Some(record))
    }
}

/// Removes every header whose key is in `headers`.
pub struct DropHeaders(Vec<String>);

pub fn drop_headers(_: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let names = s.list("headers");
    if names.is_empty() {
        return Err(
            "Missing required configuration \"headers\" which has no default value.".into(),
        );
    }
    Ok(Box::new(DropHeaders(names)))
}

impl Transformation for DropHeaders {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        record
            .headers
            .retain(|h| !self.0.iter().any(|n| n == h.key.as_str()));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_then_drop() {
        let insert = insert_header(
            None,
            &Settings::new(&[("header", "source"), ("value.literal", "db1")]),
        )
        .unwrap();
        let r = insert
            .apply(Record::new("t", None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(r.headers.len(), 1);
        assert_eq!(r.headers[0].key.as_str(), "source");
        assert_eq!(r.headers[0].value, Value::string("db1"));
        let drop = drop_headers(None, &Settings::new(&[("headers", "other, source")])).unwrap();
        assert!(drop.apply(r).unwrap().unwrap().headers.is_empty());
        assert!(insert_header(None, &Settings::new(&[("header", "h")])).is_err());
        assert!(drop_headers(None, &Settings::default()).is_err());
    }
}
