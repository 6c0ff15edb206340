//! Source offsets: in standalone mode in `offset.storage.file.filename`, as JSON, written
//! atomically; in distributed mode in `offset.storage.topic`.
//!
//! Both hold entries keyed as Java's offset topic is: `["<connector>", {partition}]` with the
//! offset map as value, so the data reads the same in both modes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use plugin_abi::data::Value;
use serde_json::{json, Value as Json};

use super::kafka_log::{KafkaLog, TopicSpec};
use crate::data::schemaless::{from_json, to_json};
use crate::kafka::ClientSettings;

/// Key (`["connector",{partition}]` as JSON text) → offset.
type Offsets = BTreeMap<String, Json>;

/// Where offsets are kept.
enum Backend {
    File(PathBuf),
    Topic(KafkaLog),
}

/// Source offsets of every connector.
pub struct OffsetStore {
    backend: Backend,
    /// In distributed mode also updated by the topic's follower: other workers' writes.
    offsets: Arc<Mutex<Offsets>>,
    /// Serializes writers.
    write_lock: Mutex<()>,
}

fn key(connector: &str, partition: &Value) -> String {
    json!([connector, to_json(partition)]).to_string()
}

impl OffsetStore {
    /// Distributed mode: the offsets topic, read to its end and followed from then on.
    pub fn on_topic(
        clients: &ClientSettings,
        spec: &TopicSpec,
        client_id: &str,
    ) -> anyhow::Result<OffsetStore> {
        let offsets: Arc<Mutex<Offsets>> = Arc::default();
        let follower = offsets.clone();
        let log = KafkaLog::start(
            clients,
            spec,
            client_id,
            Box::new(move |key, value, _| {
                let Ok(key) = serde_json::from_slice::<Json>(key) else {
                    return;
                };
                let mut offsets = follower.lock().unwrap_or_else(|e| e.into_inner());
                match value.and_then(|v| serde_json::from_slice::<Json>(v).ok()) {
                    Some(offset) => offsets.insert(key.to_string(), offset),
                    None => offsets.remove(&key.to_string()),
                };
            }),
        )?;
        Ok(OffsetStore {
            backend: Backend::Topic(log),
            offsets,
            write_lock: Mutex::new(()),
        })
    }

    /// Reads what other workers wrote up to now (before a task that moved here starts).
    pub fn catch_up(&self) -> anyhow::Result<()> {
        match &self.backend {
            Backend::Topic(log) => log.read_to_end(),
            Backend::File(_) => Ok(()),
        }
    }

    /// Loads the file, or starts empty when it does not exist yet.
    pub fn open(path: &Path) -> anyhow::Result<OffsetStore> {
        let mut offsets = BTreeMap::new();
        match std::fs::read(path) {
            Ok(bytes) if !bytes.is_empty() => {
                let doc: Json = serde_json::from_slice(&bytes).with_context(|| {
                    format!("offsets file {} is not valid JSON", path.display())
                })?;
                for entry in doc["offsets"].as_array().into_iter().flatten() {
                    offsets.insert(entry["key"].to_string(), entry["value"].clone());
                }
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read offsets file {}", path.display()))
            }
        }
        Ok(OffsetStore {
            backend: Backend::File(path.to_path_buf()),
            offsets: Arc::new(Mutex::new(offsets)),
            write_lock: Mutex::new(()),
        })
    }

    /// The stored offset of a connector's source partition.
    pub fn get(&self, connector: &str, partition: &Value) -> Option<Value> {
        let offsets = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        offsets.get(&key(connector, partition)).map(from_json)
    }

    /// Records offsets and writes the file; returns once the file is durable.
    pub fn commit(&self, connector: &str, entries: &[(Value, Value)]) -> anyhow::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.update(|offsets| {
            for (partition, offset) in entries {
                offsets.insert(key(connector, partition), to_json(offset));
            }
        })
    }

    /// A connector's partitions and their offsets, as JSON (the REST API's view).
    pub fn list(&self, connector: &str) -> Vec<(Json, Json)> {
        let offsets = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        offsets
            .iter()
            .filter_map(|(k, v)| {
                let key: Json = serde_json::from_str(k).ok()?;
                (key[0].as_str() == Some(connector)).then(|| (key[1].clone(), v.clone()))
            })
            .collect()
    }

    /// Sets (or, for `None`, removes) offsets of a connector's partitions given as JSON.
    pub fn alter(&self, connector: &str, entries: &[(Json, Option<Json>)]) -> anyhow::Result<()> {
        self.update(|offsets| {
            for (partition, offset) in entries {
                let key = json!([connector, partition]).to_string();
                match offset {
                    Some(o) => offsets.insert(key, o.clone()),
                    None => offsets.remove(&key),
                };
            }
        })
    }

    /// Removes every offset of a connector.
    pub fn reset(&self, connector: &str) -> anyhow::Result<()> {
        let prefix = format!("[{}", Json::from(connector));
        self.update(|offsets| {
            offsets.retain(|k, _| {
                !(k.starts_with(&prefix)
                    && serde_json::from_str::<Json>(k)
                        .is_ok_and(|key| key[0].as_str() == Some(connector)))
            })
        })
    }

    /// Applies `change` and stores the result; returns once it is durable (the file synced,
    /// or the topic's writes acknowledged).
    fn update(&self, change: impl FnOnce(&mut Offsets)) -> anyhow::Result<()> {
        let _writer = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let (before, after) = {
            let offsets = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
            let mut after = offsets.clone();
            change(&mut after);
            (offsets.clone(), after)
        };
        match &self.backend {
            Backend::File(path) => {
                let list: Vec<Json> = after
                    .iter()
                    .map(|(k, v)| json!({"key": serde_json::from_str::<Json>(k).unwrap_or(Json::Null), "value": v}))
                    .collect();
                let doc = json!({"version": 1, "offsets": list});
                write_atomically(path, doc.to_string().as_bytes())
                    .with_context(|| format!("cannot write offsets file {}", path.display()))?;
            }
            Backend::Topic(log) => {
                let changed = after
                    .iter()
                    .filter(|(k, v)| before.get(*k) != Some(v))
                    .map(|(k, v)| (k.clone(), Some(v.to_string().into_bytes())));
                let removed = before
                    .keys()
                    .filter(|k| !after.contains_key(*k))
                    .map(|k| (k.clone(), None));
                let records: Vec<(String, Option<Vec<u8>>)> = changed.chain(removed).collect();
                log.write_all(&records)?;
            }
        }
        *self.offsets.lock().unwrap_or_else(|e| e.into_inner()) = after;
        Ok(())
    }
}

/// Temp file in the same directory, fsync, rename, fsync the directory: a crash leaves
/// either the old file or the new one, never a torn one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    File::open(&dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition() -> Value {
        Value::string_map([("filename", Value::string("test.txt"))])
    }

    #[test]
    fn committed_offsets_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connect.offsets");
        let store = OffsetStore::open(&path).unwrap();
        assert_eq!(store.get("src", &partition()), None);
        let offset = Value::string_map([("position", Value::Int64(120))]);
        store
            .commit("src", &[(partition(), offset.clone())])
            .unwrap();
        let reopened = OffsetStore::open(&path).unwrap();
        assert_eq!(reopened.get("src", &partition()), Some(offset));
        assert_eq!(reopened.get("other", &partition()), None);
    }

    #[test]
    fn the_file_uses_javas_key_shape() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.json");
        let store = OffsetStore::open(&path).unwrap();
        store
            .commit(
                "src",
                &[(
                    partition(),
                    Value::string_map([("position", Value::Int64(1))]),
                )],
            )
            .unwrap();
        let doc: Json = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            doc["offsets"][0]["key"],
            json!(["src", {"filename": "test.txt"}])
        );
        assert_eq!(doc["offsets"][0]["value"], json!({"position": 1}));
    }

    #[test]
    fn offsets_are_listed_altered_and_reset_per_connector() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.json");
        let store = OffsetStore::open(&path).unwrap();
        let (p1, p2) = (json!({"filename": "a"}), json!({"filename": "b"}));
        store
            .alter("src", &[(p1.clone(), Some(json!({"position": 5})))])
            .unwrap();
        store
            .alter("src2", &[(p1.clone(), Some(json!({"position": 9})))])
            .unwrap();
        store
            .alter("src", &[(p2.clone(), Some(json!({"position": 7})))])
            .unwrap();
        assert_eq!(store.list("src").len(), 2);
        store.alter("src", &[(p2, None)]).unwrap();
        assert_eq!(store.list("src"), [(p1.clone(), json!({"position": 5}))]);
        let reopened = OffsetStore::open(&path).unwrap();
        assert_eq!(reopened.list("src"), [(p1.clone(), json!({"position": 5}))]);
        reopened.reset("src").unwrap();
        assert!(reopened.list("src").is_empty());
        assert_eq!(reopened.list("src2"), [(p1, json!({"position": 9}))]);
    }

    #[test]
    fn a_corrupt_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = OffsetStore::open(&path).err().unwrap().to_string();
        assert!(err.contains("not valid JSON"), "{err}");
    }
}
