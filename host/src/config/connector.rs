use std::collections::HashMap;

/// Whether a connector produces or consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorType {
    Source,
    Sink,
}

impl ConnectorType {
    pub fn name(self) -> &'static str {
        match self {
            ConnectorType::Source => "source",
            ConnectorType::Sink => "sink",
        }
    }
}

/// The worker-level part of a connector configuration (Kafka's `ConnectorConfig`); the
/// rest belongs to the plugin, which validates it against its own `ConfigDef`.
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    pub name: String,
    pub class: String,
    pub tasks_max: u32,
    pub props: HashMap<String, String>,
}

impl ConnectorConfig {
    /// Checks the keys every connector has; each error names its key.
    pub fn parse(props: HashMap<String, String>) -> Result<ConnectorConfig, Vec<String>> {
        let mut errors = Vec::new();
        let get = |k: &str| {
            props
                .get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let name = get("name").unwrap_or_default();
        if name.is_empty() {
            errors.push(
                "Missing required configuration \"name\" which has no default value.".to_string(),
            );
        } else if name.chars().any(char::is_control) {
            errors.push(format!("Invalid value {name} for configuration name: Connector name must not contain control characters"));
        }
        let class = get("connector.class").unwrap_or_default();
        if class.is_empty() {
            errors.push(
                "Missing required configuration \"connector.class\" which has no default value."
                    .to_string(),
            );
        }
        let tasks_max = match get("tasks.max") {
            None => 1,
            Some(v) => {
                match v.parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        errors.push(format!("Invalid value {v} for configuration tasks.max: Value must be at least 1"));
                        1
                    }
                }
            }
        };
        if errors.is_empty() {
            Ok(ConnectorConfig {
                name,
                class,
                tasks_max,
                props,
            })
        } else {
            Err(errors)
        }
    }

    /// Sink-only checks: exactly one of `topics` and `topics.regex` (Kafka's `SinkConnectorConfig`).
    pub fn sink_errors(&self) -> Vec<String> {
        let topics = self
            .props
            .get("topics")
            .is_some_and(|v| !v.trim().is_empty());
        let regex = self
            .props
            .get("topics.regex")
            .is_some_and(|v| !v.trim().is_empty());
        match (topics, regex) {
            (true, true) => vec![
                "topics and topics.regex are mutually exclusive options, but both are set.".into(),
            ],
            (false, false) => vec!["Must configure one of topics or topics.regex".into()],
            _ => Vec::new(),
        }
    }

    /// The sink's topic list (`topics`), trimmed.
    pub fn topics(&self) -> Vec<String> {
        self.props
            .get("topics")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn missing_keys_are_each_named() {
        let errors = ConnectorConfig::parse(props(&[])).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].contains("\"name\""));
        assert!(errors[1].contains("\"connector.class\""));
    }

    #[test]
    fn tasks_max_must_be_positive() {
        let errors = ConnectorConfig::parse(props(&[
            ("name", "a"),
            ("connector.class", "X"),
            ("tasks.max", "0"),
        ]))
        .unwrap_err();
        assert!(errors[0].contains("tasks.max"));
    }

    #[test]
    fn a_sink_needs_exactly_one_topic_setting() {
        let c = ConnectorConfig::parse(props(&[("name", "a"), ("connector.class", "X")])).unwrap();
        assert_eq!(
            c.sink_errors(),
            ["Must configure one of topics or topics.regex"]
        );
        let c = ConnectorConfig::parse(props(&[
            ("name", "a"),
            ("connector.class", "X"),
            ("topics", "t1, t2"),
        ]))
        .unwrap();
        assert!(c.sink_errors().is_empty());
        assert_eq!(c.topics(), ["t1", "t2"]);
    }
}
