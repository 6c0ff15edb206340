//! One plugin built in two versions (the crates `v1/` and `v2/` share this source and differ
//! only in their package version): a source whose records say which version wrote them, and
//! a transformation that stamps its version on each value. Tests install both side by side.

use std::time::Duration;

use plugin_abi::prelude::*;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Default)]
pub struct VersionedSourceConnector {
    props: Props,
}

impl SourceConnector for VersionedSourceConnector {
    fn config(&self) -> ConfigDef {
        ConfigDef::new().define(ConfigKey::new(
            "topic",
            ConfigType::String,
            Importance::High,
            "Where the records go",
        ))
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.props = props.clone();
        Ok(())
    }

    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok(vec![self.props.clone()])
    }
}

/// Writes `from-<version>-<n>` every 50 ms.
#[derive(Default)]
pub struct VersionedSourceTask {
    topic: String,
    next: u64,
}

impl SourceTask for VersionedSourceTask {
    fn start(&mut self, props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        self.topic = props.get("topic").cloned().unwrap_or_default();
        Ok(())
    }

    fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        std::thread::sleep(Duration::from_millis(50));
        self.next += 1;
        Ok(vec![SourceRecord::new(
            &self.topic,
            Some(Schema::string()),
            Value::string(format!("from-{VERSION}-{}", self.next)),
        )])
    }
}

/// Appends `|<version>` to string values.
#[derive(Default)]
pub struct StampVersion;

impl Transformation for StampVersion {
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
    }

    fn configure(&mut self, _props: &Props) -> Result<(), ConnectError> {
        Ok(())
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, ConnectError> {
        if let Some(text) = record.value.as_str() {
            record.value = Value::string(format!("{text}|{VERSION}"));
        }
        Ok(Some(record))
    }
}

plugin_abi::export_plugins! {
    source "test.versioned.VersionedSourceConnector" => VersionedSourceConnector {
        task "test.versioned.VersionedSourceTask" => VersionedSourceTask
    }
    transformation "test.versioned.StampVersion" => StampVersion
}
