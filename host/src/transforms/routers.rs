//! `RegexRouter`: renames the topic when it matches `regex`, with `replacement` (`$1`…).

use regex::Regex;

use super::{Record, Settings, Side, Transformation};

pub struct RegexRouter {
    regex: Regex,
    replacement: String,
}

pub fn regex_router(_: Option<Side>, s: &Settings) -> Result<Box<dyn Transformation>, String> {
    let pattern = s.required("regex")?;
    let regex = Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("Invalid value {pattern} for configuration regex: {e}"))?;
    // Java's replacement syntax `$1` is the regex crate's `${1}`; `$` followed by a digit is
    // rewritten so `$1abc` keeps meaning group 1, then "abc".
    let raw = s.required("replacement")?;
    let mut replacement = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut group = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                group.push(*d);
                chars.next();
            }
            replacement.push_str(&format!("${{{group}}}"));
        } else if c == '$' {
            replacement.push_str("$$");
        } else {
            replacement.push(c);
        }
    }
    Ok(Box::new(RegexRouter { regex, replacement }))
}

impl Transformation for RegexRouter {
    fn apply(&self, mut record: Record) -> Result<Option<Record>, String> {
        if self.regex.is_match(&record.topic) {
            record.topic = self
                .regex
                .replace(&record.topic, self.replacement.as_str())
                .into_owned();
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_abi::data::Value;

    #[test]
    fn kafkas_documented_example() {
        // From Kafka's docs: regex (.*)\.(.*) and replacement $2 turn "prefix.topic" into "topic".
        let router = regex_router(
            None,
            &Settings::new(&[("regex", "(.*)\\.(.*)"), ("replacement", "$2")]),
        )
        .unwrap();
        let r = router
            .apply(Record::new("prefix.topic", None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(r.topic, "topic");
        let r = router
            .apply(Record::new("nodot", None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(r.topic, "nodot");
        let router = regex_router(
            None,
            &Settings::new(&[("regex", "(.*)"), ("replacement", "$1-copy")]),
        )
        .unwrap();
        assert_eq!(
            router
                .apply(Record::new("a", None, Value::Null))
                .unwrap()
                .unwrap()
                .topic,
            "a-copy"
        );
    }
}
