//! Kafka's predicates: TopicNameMatches, HasHeaderKey, RecordIsTombstone.

use regex::Regex;

use super::{Predicate, Record, Settings};

/// The topic matches `pattern` (whole name, Java regex syntax as far as Rust's regex has it).
pub struct TopicNameMatches(Regex);

pub fn topic_name_matches(settings: &Settings) -> Result<Box<dyn Predicate>, String> {
    let pattern = settings.required("pattern")?;
    let regex = Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("Invalid value {pattern} for configuration pattern: {e}"))?;
    Ok(Box::new(TopicNameMatches(regex)))
}

impl Predicate for TopicNameMatches {
    fn test(&self, record: &Record) -> bool {
        self.0.is_match(&record.topic)
    }
}

/// The record has at least one header called `name`.
pub struct HasHeaderKey(String);

pub fn has_header_key(settings: &Settings) -> Result<Box<dyn Predicate>, String> {
    Ok(Box::new(HasHeaderKey(
        settings.required("name")?.to_string(),
    )))
}

impl Predicate for HasHeaderKey {
    fn test(&self, record: &Record) -> bool {
        record.headers.iter().any(|h| h.key.as_str() == self.0)
    }
}

/// The record's value is null (a tombstone).
pub struct RecordIsTombstone;

pub fn record_is_tombstone(_: &Settings) -> Result<Box<dyn Predicate>, String> {
    Ok(Box::new(RecordIsTombstone))
}

impl Predicate for RecordIsTombstone {
    fn test(&self, record: &Record) -> bool {
        record.value.is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::{Header, Value};

    #[test]
    fn each_predicate_as_kafka_documents_it() {
        let p = topic_name_matches(&Settings::new(&[("pattern", "my-prefix-.*")])).unwrap();
        assert!(p.test(&Record::new("my-prefix-topic", None, Value::Null)));
        assert!(!p.test(&Record::new("other-my-prefix-x", None, Value::Null)));
        assert!(topic_name_matches(&Settings::default()).is_err());
        assert!(topic_name_matches(&Settings::new(&[("pattern", "(")])).is_err());

        let mut r = Record::new("t", None, Value::string("v"));
        let h = has_header_key(&Settings::new(&[("name", "trace")])).unwrap();
        assert!(!h.test(&r));
        r.headers.push(Header {
            key: "trace".into(),
            schema: None.into(),
            value: Value::Null,
        });
        assert!(h.test(&r));

        let t = record_is_tombstone(&Settings::default()).unwrap();
        assert!(!t.test(&r));
        assert!(t.test(&Record::new("t", None, Value::Null)));
    }
}
