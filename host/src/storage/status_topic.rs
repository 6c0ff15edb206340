//! The records of distributed mode's status topic, in Java's format (`KafkaStatusBackingStore`):
//! key `status-connector-<name>` or `status-task-<name>-<n>`, value
//! `{"state": "RUNNING", "trace": null, "worker_id": "host:8083", "generation": 5}` (and the
//! plugin `version`, KIP-891); a tombstone forgets it.

use serde_json::{json, Value as Json};

use super::status::{State, StatusEntry, StatusRecord};

pub fn encode(record: &StatusRecord) -> (String, Option<Vec<u8>>) {
    let value = |entry: &Option<StatusEntry>| {
        entry.as_ref().map(|e| {
            let mut value = json!({
                "state": e.state,
                "trace": e.trace,
                "worker_id": e.worker_id,
                "generation": e.generation,
            });
            if let Some(version) = &e.version {
                value["version"] = json!(version);
            }
            value.to_string().into_bytes()
        })
    };
    match record {
        StatusRecord::Connector(name, entry) => (format!("status-connector-{name}"), value(entry)),
        StatusRecord::Task(name, id, entry) => (format!("status-task-{name}-{id}"), value(entry)),
    }
}

/// Reads a record; `None` for other keys (`status-topic-…`, active topics) and bad values.
pub fn decode(key: &[u8], value: Option<&[u8]>) -> Option<StatusRecord> {
    let key = std::str::from_utf8(key).ok()?;
    let entry = match value {
        None => None,
        Some(bytes) => {
            let v: Json = serde_json::from_slice(bytes).ok()?;
            let state = match v["state"].as_str()? {
                "UNASSIGNED" => State::Unassigned,
                "RUNNING" => State::Running,
                "PAUSED" => State::Paused,
                "STOPPED" => State::Stopped,
                "FAILED" => State::Failed,
                "RESTARTING" => State::Restarting,
                // DESTROYED: the connector is gone.
                _ => return None,
            };
            Some(StatusEntry {
                state,
                worker_id: v["worker_id"].as_str().unwrap_or_default().to_string(),
                trace: v["trace"].as_str().map(str::to_string),
                version: v["version"].as_str().map(str::to_string),
                generation: v["generation"].as_i64().unwrap_or(0) as i32,
            })
        }
    };
    if let Some(name) = key.strip_prefix("status-connector-") {
        return Some(StatusRecord::Connector(name.to_string(), entry));
    }
    let (name, id) = key.strip_prefix("status-task-")?.rsplit_once('-')?;
    Some(StatusRecord::Task(
        name.to_string(),
        id.parse().ok()?,
        entry,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_use_javas_keys_and_values_and_read_back() {
        let entry = StatusEntry {
            state: State::Failed,
            worker_id: "10.0.0.1:8083".into(),
            trace: Some("boom".into()),
            version: Some("1.0.0".into()),
            generation: 7,
        };
        let record = StatusRecord::Task("my-conn".into(), 3, Some(entry));
        let (key, value) = encode(&record);
        assert_eq!(key, "status-task-my-conn-3");
        let json: Json = serde_json::from_slice(value.as_ref().unwrap()).unwrap();
        assert_eq!(
            json,
            json!({"state": "FAILED", "trace": "boom", "worker_id": "10.0.0.1:8083",
                   "generation": 7, "version": "1.0.0"})
        );
        assert_eq!(decode(key.as_bytes(), value.as_deref()), Some(record));
        let gone = StatusRecord::Connector("c".into(), None);
        let (key, value) = encode(&gone);
        assert_eq!(
            (key.as_str(), value.is_none()),
            ("status-connector-c", true)
        );
        assert_eq!(decode(key.as_bytes(), None), Some(gone));
        assert_eq!(decode(b"status-topic-t:connector-c", Some(b"{}")), None);
    }
}
