//! The key and value converters of one connector: its own settings, else the worker's.

use std::collections::HashMap;

use crate::config::{subset, RetryPolicy, WorkerConfig};
use crate::data::{
    built_in_header_converter, new_converter, Converter, HeaderConverter, PluginConverter,
    PluginHeaderConverter, SIMPLE_HEADER_CONVERTER,
};
use crate::plugins::version::{check_built_in, parse_setting, VersionRange};
use crate::plugins::PluginRegistry;

/// Takes `plugin.version` out of a converter's settings (it picks the class's version; the
/// converter itself never sees it).
fn plugin_version(
    props: &mut HashMap<String, String>,
    which: &str,
) -> Result<Option<VersionRange>, String> {
    match props.remove("plugin.version") {
        None => Ok(None),
        Some(spec) => parse_setting(&format!("{which}.plugin.version"), &spec),
    }
}

/// A connector's converters.
pub struct RecordConverters {
    pub key: Box<dyn Converter>,
    pub value: Box<dyn Converter>,
    pub header: Box<dyn HeaderConverter>,
}

impl RecordConverters {
    /// `key.converter` / `value.converter` from the connector config override the worker's,
    /// each with the settings under its own prefix (Kafka's rule).
    pub fn for_connector(
        worker: &WorkerConfig,
        connector: &HashMap<String, String>,
        plugins: &PluginRegistry,
    ) -> Result<Self, String> {
        let retry = RetryPolicy::from_config(connector)?;
        let make = |which: &str, is_key: bool| -> Result<Box<dyn Converter>, String> {
            let (class, mut props) = match connector
                .get(which)
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
            {
                Some(class) => (class.to_string(), subset(connector, &format!("{which}."))),
                None => worker.converter(which).ok_or_else(|| {
                    format!(
                        "Missing required configuration \"{which}\" which has no default value."
                    )
                })?,
            };
            let version = plugin_version(&mut props, which)?;
            let made = match plugins.find_converter(&class, version.as_ref())? {
                Some(plugin) => PluginConverter::new(&plugin, &props, is_key, retry)
                    .map(|c| Box::new(c) as Box<dyn Converter>),
                None => {
                    check_built_in(&class, version.as_ref())?;
                    new_converter(&class, &props, is_key)
                }
            };
            made.map_err(|e| format!("Invalid {which} {class}: {e}"))
        };
        // header.converter: the connector's, else the worker's, else Kafka's default.
        let header_class = [
            connector.get("header.converter"),
            worker.props.get("header.converter"),
        ]
        .into_iter()
        .flatten()
        .map(|c| c.trim())
        .find(|c| !c.is_empty())
        .unwrap_or(SIMPLE_HEADER_CONVERTER);
        let mut header_props = match connector.get("header.converter") {
            Some(_) => subset(connector, "header.converter."),
            None => subset(&worker.props, "header.converter."),
        };
        let header_version = plugin_version(&mut header_props, "header.converter")?;
        let header: Box<dyn HeaderConverter> = match built_in_header_converter(header_class) {
            Some(c) => {
                check_built_in(header_class, header_version.as_ref())?;
                c
            }
            None => match plugins.find_header_converter(header_class, header_version.as_ref())? {
                Some(plugin) => Box::new(
                    PluginHeaderConverter::new(&plugin, &header_props)
                        .map_err(|e| format!("Invalid header.converter {header_class}: {e}"))?,
                ),
                None => {
                    return Err(format!(
                        "Invalid value {header_class} for configuration header.converter: Class {header_class} could not be found."
                    ))
                }
            },
        };
        Ok(RecordConverters {
            key: make("key.converter", true)?,
            value: make("value.converter", false)?,
            header,
        })
    }
}
