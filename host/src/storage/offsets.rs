//! Standalone source offsets in `offset.storage.file.filename`, as JSON, written atomically.
//!
//! The file holds entries keyed as Java's offset topic is: `["<connector>", {partition}]`
//! with the offset map as value, so the data reads the same in both modes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use plugin_abi::data::Value;
use serde_json::{json, Value as Json};

use crate::data::schemaless::{from_json, to_json};

/// Source offsets of every connector of a standalone worker.
pub struct FileOffsetStore {
    path: PathBuf,
    /// Key (`["connector",{partition}]` as JSON text) → offset.
    offsets: Mutex<BTreeMap<String, Json>>,
    /// Serializes writers of the file.
    write_lock: Mutex<()>,
}

fn key(connector: &str, partition: &Value) -> String {
    json!([connector, to_json(partition)]).to_string()
}

impl FileOffsetStore {
    /// Loads the file, or starts empty when it does not exist yet.
    pub fn open(path: &Path) -> anyhow::Result<FileOffsetStore> {
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
        Ok(FileOffsetStore {
            path: path.to_path_buf(),
            offsets: Mutex::new(offsets),
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

    /// Applies `change` and writes the file; returns once the file is durable.
    fn update(&self, change: impl FnOnce(&mut BTreeMap<String, Json>)) -> anyhow::Result<()> {
        let _writer = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let doc = {
            let mut offsets = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
            change(&mut offsets);
            let list: Vec<Json> = offsets
                .iter()
                .map(|(k, v)| json!({"key": serde_json::from_str::<Json>(k).unwrap_or(Json::Null), "value": v}))
                .collect();
            json!({"version": 1, "offsets": list})
        };
        write_atomically(&self.path, doc.to_string().as_bytes())
            .with_context(|| format!("cannot write offsets file {}", self.path.display()))
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
        let store = FileOffsetStore::open(&path).unwrap();
        assert_eq!(store.get("src", &partition()), None);
        let offset = Value::string_map([("position", Value::Int64(120))]);
        store
            .commit("src", &[(partition(), offset.clone())])
            .unwrap();
        let reopened = FileOffsetStore::open(&path).unwrap();
        assert_eq!(reopened.get("src", &partition()), Some(offset));
        assert_eq!(reopened.get("other", &partition()), None);
    }

    #[test]
    fn the_file_uses_javas_key_shape() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.json");
        let store = FileOffsetStore::open(&path).unwrap();
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
        let store = FileOffsetStore::open(&path).unwrap();
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
        let reopened = FileOffsetStore::open(&path).unwrap();
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
        let err = FileOffsetStore::open(&path).err().unwrap().to_string();
        assert!(err.contains("not valid JSON"), "{err}");
    }
}
