//! A transformation from a plugin library: records cross the ABI in batches.

use std::sync::Mutex;

use abi_stable::std_types::RVec;
use plugin_abi::data::ConnectRecord;
use plugin_abi::ffi::{props_to_ffi, TransformationBox};

use super::{Record, Settings, Transformation};
use crate::plugins::PluginInfo;

/// A configured plugin transformation; the lock only makes it shareable, one task uses it.
pub struct PluginTransformation(Mutex<TransformationBox>);

impl PluginTransformation {
    pub fn new(plugin: &PluginInfo, settings: &Settings) -> Result<PluginTransformation, String> {
        let mut instance = plugin.new_transformation()?;
        let props = settings.0.clone().into_iter().collect();
        instance
            .configure(props_to_ffi(&props))
            .into_result()
            .map_err(|e| e.message.into_string())?;
        Ok(PluginTransformation(Mutex::new(instance)))
    }
}

fn to_ffi(r: Record) -> ConnectRecord {
    ConnectRecord {
        topic: r.topic.into(),
        kafka_partition: r.partition.into(),
        key_schema: r.key_schema.into(),
        key: r.key,
        value_schema: r.value_schema.into(),
        value: r.value,
        timestamp: r.timestamp.into(),
        headers: r.headers.into(),
    }
}

fn from_ffi(r: ConnectRecord) -> Record {
    Record {
        topic: r.topic.into_string(),
        partition: r.kafka_partition.into_option(),
        key_schema: r.key_schema.into_option(),
        key: r.key,
        value_schema: r.value_schema.into_option(),
        value: r.value,
        timestamp: r.timestamp.into_option(),
        headers: r.headers.into_vec(),
    }
}

impl Transformation for PluginTransformation {
    fn apply(&self, record: Record) -> Result<Option<Record>, String> {
        self.apply_batch(vec![record])
            .pop()
            .unwrap_or_else(|| Err("the plugin answered no record".to_string()))
    }

    fn apply_batch(&self, records: Vec<Record>) -> Vec<Result<Option<Record>, String>> {
        let count = records.len();
        let batch: RVec<ConnectRecord> = records.into_iter().map(to_ffi).collect();
        let results = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .apply_batch(batch);
        if results.len() != count {
            let e = format!(
                "the plugin answered {} results for {count} records",
                results.len()
            );
            return (0..count).map(|_| Err(e.clone())).collect();
        }
        results
            .into_iter()
            .map(|r| {
                r.into_result()
                    .map(|o| o.into_option().map(from_ffi))
                    .map_err(|e| e.message.into_string())
            })
            .collect()
    }
}
