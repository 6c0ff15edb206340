//! `TimestampRouter`: renames the topic from `topic.format` (default `${topic}-${timestamp}`)
//! with the record's timestamp written by `timestamp.format` (default `yyyyMMdd`, UTC), so
//! a sink can write into one table or index per day.

use super::date_format::DateFormat;
use super::{Record, Settings, Side, Transformation};

pub struct TimestampRouter {
    topic_format: String,
    timestamp_format: DateFormat,
}

pub fn new(_: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let pattern = s.get("timestamp.format").unwrap_or("yyyyMMdd");
    Ok(Box::new(TimestampRouter {
        topic_format: s
            .get("topic.format")
            .unwrap_or("${topic}-${timestamp}")
            .to_string(),
        timestamp_format: DateFormat::new(pattern).map_err(|e| {
            format!("Invalid value {pattern} for configuration timestamp.format: {e}")
        })?,
    }))
}

impl Transformation for TimestampRouter {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        let Some(timestamp) = record.timestamp else {
            return Err(format!(
                "Timestamp missing on record: topic={}, partition={:?}",
                record.topic, record.partition
            ));
        };
        record.topic = self
            .topic_format
            .replace("${topic}", &record.topic)
            .replace("${timestamp}", &self.timestamp_format.format(timestamp));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::Value;

    #[test]
    fn kafka_doc_examples() {
        // 2017-08-04T12:34:56.789Z
        let at = 1_501_850_096_789;
        let cases: [(&[(&str, &str)], &str); 3] = [
            (&[], "orders-20170804"),
            (
                &[
                    ("topic.format", "${timestamp}_${topic}"),
                    ("timestamp.format", "yyyy-MM"),
                ],
                "2017-08_orders",
            ),
            (&[("timestamp.format", "yyyyMMddHH")], "orders-2017080412"),
        ];
        for (config, topic) in cases {
            let router = new(None, &Settings::new(config)).unwrap();
            let mut record = Record::new("orders", None, Value::Null);
            record.timestamp = Some(at);
            assert_eq!(router.apply(record).unwrap().unwrap().topic, topic);
        }
    }

    #[test]
    fn errors() {
        let router = new(None, &Settings::default()).unwrap();
        let err = router
            .apply(Record::new("orders", None, Value::Null))
            .unwrap_err();
        assert!(
            err.starts_with("Timestamp missing on record: topic=orders"),
            "{err}"
        );
        assert!(new(None, &Settings::new(&[("timestamp.format", "yyyy-qq")])).is_err());
    }
}
