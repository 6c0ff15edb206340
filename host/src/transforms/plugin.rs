//! A transformation or predicate from a plugin library: records cross the ABI in batches.

use std::sync::Mutex;

use abi_stable::std_types::RSlice;
use abi_stable::std_types::RVec;
use plugin_abi::data::ConnectRecord;
use plugin_abi::errors::ErrorKind;
use plugin_abi::ffi::{props_to_ffi, PluginError, PredicateBox, TransformationBox};

use super::{Predicate, Record, Settings, Transformation};
use crate::config::{Failure, RetryPolicy};
use crate::plugins::PluginInfo;

/// A configured plugin transformation; the lock only makes it shareable, one task uses it.
pub struct PluginTransformation {
    instance: Mutex<TransformationBox>,
    retry: RetryPolicy,
}

impl PluginTransformation {
    pub fn new(
        plugin: &PluginInfo,
        settings: &Settings,
        retry: RetryPolicy,
    ) -> Result<PluginTransformation, String> {
        let mut instance = plugin.new_transformation()?;
        let props = settings.0.clone().into_iter().collect();
        instance
            .configure(props_to_ffi(&props))
            .into_result()
            .map_err(|e| e.message.into_string())?;
        Ok(PluginTransformation {
            instance: Mutex::new(instance),
            retry,
        })
    }

    fn call(&self, records: Vec<Record>) -> Vec<Result<Option<Record>, PluginError>> {
        let count = records.len();
        let batch: RVec<ConnectRecord> = records.into_iter().map(to_ffi).collect();
        let results = self
            .instance
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .apply_batch(batch);
        if results.len() != count {
            let e = PluginError::from(plugin_abi::errors::ConnectError::new(format!(
                "the plugin answered {} results for {count} records",
                results.len()
            )));
            return (0..count).map(|_| Err(e.clone())).collect();
        }
        results
            .into_iter()
            .map(|r| r.into_result().map(|o| o.into_option().map(from_ffi)))
            .collect()
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
        // Copies to try again with are kept only when errors.retry.timeout allows retries.
        let retrying = self.retry.timeout != Some(std::time::Duration::ZERO);
        let copies = retrying.then(|| records.clone());
        let results = self.call(records);
        results
            .into_iter()
            .enumerate()
            .map(|(i, result)| match (result, &copies) {
                (Ok(out), _) => Ok(out),
                (Err(e), Some(copies)) if e.kind == ErrorKind::Retriable => {
                    let record = &copies[i];
                    self.retry.run(|| {
                        self.call(vec![record.clone()])
                            .pop()
                            .unwrap_or(Ok(None))
                            .map_err(|e| Failure {
                                retriable: e.kind == ErrorKind::Retriable,
                                message: e.message.into_string(),
                            })
                    })
                }
                (Err(e), _) => Err(e.message.into_string()),
            })
            .collect()
    }
}

/// A configured plugin predicate.
pub struct PluginPredicate(Mutex<PredicateBox>);

impl PluginPredicate {
    pub fn new(plugin: &PluginInfo, settings: &Settings) -> Result<PluginPredicate, String> {
        let mut instance = plugin.new_predicate()?;
        let props = settings.0.clone().into_iter().collect();
        instance
            .configure(props_to_ffi(&props))
            .into_result()
            .map_err(|e| e.message.into_string())?;
        Ok(PluginPredicate(Mutex::new(instance)))
    }
}

impl Predicate for PluginPredicate {
    /// One record: an error counts as no match (the batch path reports errors).
    fn test(&self, record: &Record) -> bool {
        matches!(self.test_batch(&[record]).pop(), Some(Ok(true)))
    }

    fn test_batch(&self, records: &[&Record]) -> Vec<Result<bool, String>> {
        // The plugin sees copies: the records stay the chain's.
        let batch: Vec<ConnectRecord> = records.iter().map(|r| to_ffi((*r).clone())).collect();
        let results = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .test_batch(RSlice::from_slice(&batch));
        if results.len() != records.len() {
            let e = format!(
                "the plugin answered {} results for {} records",
                results.len(),
                records.len()
            );
            return records.iter().map(|_| Err(e.clone())).collect();
        }
        results
            .into_iter()
            .map(|r| r.into_result().map_err(|e| e.message.into_string()))
            .collect()
    }
}
