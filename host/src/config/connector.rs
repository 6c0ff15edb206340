use std::collections::HashMap;

use plugin_abi::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator, Width};

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
        sink_errors(&self.props)
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

/// Sink-only checks on raw settings: exactly one of `topics` and `topics.regex`.
pub fn sink_errors(props: &HashMap<String, String>) -> Vec<String> {
    let set = |key: &str| props.get(key).is_some_and(|v| !v.trim().is_empty());
    match (set("topics"), set("topics.regex")) {
        (true, true) => {
            vec!["topics and topics.regex are mutually exclusive options, but both are set.".into()]
        }
        (false, false) => vec!["Must configure one of topics or topics.regex".into()],
        _ => Vec::new(),
    }
}

/// A connector plugin's own settings, then the ones every connector has where the plugin did
/// not define its own.
pub fn connector_definitions(plugin: &crate::plugins::PluginInfo) -> Result<ConfigDef, String> {
    let connector = plugin.new_connector()?;
    let mut def = connector
        .config()
        .into_result()
        .map_err(|e| e.message.into_string())?;
    let kind = if plugin.kind == plugin_abi::ffi::PluginKind::Sink {
        ConnectorType::Sink
    } else {
        ConnectorType::Source
    };
    for key in common_definitions(kind).keys {
        if def.key(key.name.as_str()).is_none() {
            def = def.define(key);
        }
    }
    Ok(def)
}

/// The settings every connector has (Kafka's `ConnectorConfig`, `SinkConnectorConfig`,
/// `SourceConnectorConfig`), for validation and the REST API's config listings.
pub fn common_definitions(kind: ConnectorType) -> ConfigDef {
    use ConfigType::*;
    use Importance::*;
    let key =
        |name: &str, t: ConfigType, imp: Importance, doc: &str| ConfigKey::new(name, t, imp, doc);
    let mut order = 0;
    let mut in_group = |group: &str, k: ConfigKey, width: Width, display: &str| {
        order += 1;
        k.group(group, order, width, display)
    };
    let common = "Common";
    let mut def = ConfigDef::new()
        .define(in_group(common, key("name", String, High, "Globally unique name to use for this connector.").validator(Validator::NonEmptyString), Width::Medium, "Connector name"))
        .define(in_group(common, key("connector.class", String, High, "Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name, or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter"), Width::Long, "Connector class"))
        .define(in_group(common, key("connector.plugin.version", String, High, "Version of the connector: a version range such as [1.0,2.0), or an exact version. The newest installed version when empty or latest.").default_null(), Width::Medium, "Connector version"))
        .define(in_group(common, key("tasks.max", Int, High, "Maximum number of tasks to use for this connector.").default_value("1").validator(Validator::AtLeast(1)), Width::Short, "Tasks max"))
        .define(in_group(common, key("key.converter", Class, Low, "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka.").default_null(), Width::Short, "Key converter class"))
        .define(in_group(common, key("key.converter.plugin.version", String, Low, "Version of the key converter: a version range or an exact version; the newest installed when empty.").default_null(), Width::Short, "Key converter version"))
        .define(in_group(common, key("value.converter", Class, Low, "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka.").default_null(), Width::Short, "Value converter class"))
        .define(in_group(common, key("value.converter.plugin.version", String, Low, "Version of the value converter: a version range or an exact version; the newest installed when empty.").default_null(), Width::Short, "Value converter version"))
        .define(in_group(common, key("header.converter", Class, Low, "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.").default_null(), Width::Short, "Header converter class"))
        .define(in_group(common, key("header.converter.plugin.version", String, Low, "Version of the header converter: a version range or an exact version; the newest installed when empty.").default_null(), Width::Short, "Header converter version"))
        .define(in_group(common, key("config.action.reload", String, Low, "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties.").default_value("restart").validator(Validator::OneOf(["none".into(), "restart".into()].into_iter().collect())), Width::Medium, "Reload Action"))
        .define(in_group("Transforms", key("transforms", List, Low, "Aliases for the transformations to be applied to records.").default_value(""), Width::Long, "Transforms"))
        .define(in_group("Predicates", key("predicates", List, Low, "Aliases for the predicates used by transformations.").default_value(""), Width::Long, "Predicates"))
        .define(in_group("Error Handling", key("errors.retry.timeout", Long, Medium, "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.").default_value("0"), Width::Medium, "Retry Timeout for Errors"))
        .define(in_group("Error Handling", key("errors.retry.delay.max.ms", Long, Medium, "The maximum duration in milliseconds between consecutive retry attempts.").default_value("60000"), Width::Medium, "Maximum Delay Between Retries for Errors"))
        .define(in_group("Error Handling", key("errors.tolerance", String, Medium, "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.").default_value("none").validator(Validator::OneOf(["none".into(), "all".into()].into_iter().collect())), Width::Short, "Error Tolerance"))
        .define(in_group("Error Handling", key("errors.log.enable", Boolean, Medium, "If true, write each error and the details of the failed operation and problematic record to the Connect application log.").default_value("false"), Width::Short, "Log Errors"))
        .define(in_group("Error Handling", key("errors.log.include.messages", Boolean, Medium, "Whether to include in the log the Connect record that resulted in a failure.").default_value("false"), Width::Short, "Log Error Details"));
    match kind {
        ConnectorType::Sink => {
            def = def
                .define(in_group(common, key("topics", List, High, "List of topics to consume, separated by commas").default_value(""), Width::Long, "Topics"))
                .define(in_group(common, key("topics.regex", String, High, "Regular expression giving topics to consume. Under the hood, the regex is compiled to a java.util.regex.Pattern. Only one of topics or topics.regex should be specified.").default_value(""), Width::Long, "Topics regex"))
                .define(in_group("Error Handling", key("errors.deadletterqueue.topic.name", String, Medium, "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.").default_value(""), Width::Medium, "Dead Letter Queue Topic Name"))
                .define(in_group("Error Handling", key("errors.deadletterqueue.topic.replication.factor", Short, Medium, "Replication factor used to create the dead letter queue topic when it doesn't already exist.").default_value("3"), Width::Medium, "Dead Letter Queue Topic Replication Factor"))
                .define(in_group("Error Handling", key("errors.deadletterqueue.context.headers.enable", Boolean, Medium, "If true, add headers containing error context to the messages written to the dead letter queue.").default_value("false"), Width::Medium, "Enable Error Context Headers"));
        }
        ConnectorType::Source => {
            def = def
                .define(in_group("Topic Creation", key("topic.creation.groups", List, Low, "Groups of configurations for topics created by source connectors").default_value(""), Width::Long, "Topic Creation Groups"))
                .define(in_group("Exactly Once Support", key("exactly.once.support", String, Medium, "Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration.").default_value("requested").validator(Validator::OneOf(["requested".into(), "required".into()].into_iter().collect())), Width::Short, "Exactly once support"))
                .define(in_group("Exactly Once Support", key("transaction.boundary", String, Medium, "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect.").default_value("poll").validator(Validator::OneOf(["poll".into(), "interval".into(), "connector".into()].into_iter().collect())), Width::Short, "Transaction Boundary"))
                .define(in_group("offsets.storage", key("offsets.storage.topic", String, Low, "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker's global offsets topic name will be used.").default_null(), Width::Long, "Offsets topic"));
        }
    }
    def
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;

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
