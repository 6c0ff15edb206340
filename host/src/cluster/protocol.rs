//! The Connect group protocol's bytes: what a worker puts in its JoinGroup metadata and what the
//! leader hands each member through SyncGroup, byte-compatible with Java's `ConnectProtocol`
//! (v0, eager) and `IncrementalCooperativeConnectProtocol` (v1 compatible, v2 sessioned).
//!
//! Both use Kafka's old `Struct` encoding: big-endian integers, `STRING` = int16 length + UTF-8,
//! `NULLABLE_BYTES` = int32 length (-1 = null) + bytes, `ARRAY` = int32 count (-1 = null) + items.
//!
//! ```text
//! metadata v0    = version:int16 url:STRING config_offset:int64
//! metadata v1/v2 = metadata v0 ++ allocation:NULLABLE_BYTES   (a serialized v1/v2 assignment, or null)
//! assignment v0  = version:int16 error:int16 leader:STRING leader_url:STRING config_offset:int64
//!                  assigned:ARRAY(connector:STRING tasks:ARRAY(int32))
//! assignment v1+ = assignment v0 ++ revoked:ARRAY(...) delay:int32
//! ```
//! A connector's own instance is listed as task `-1` of that connector.

use std::fmt;

use thiserror::Error;

/// The task id that stands for the connector instance itself in an assignment list.
const CONNECTOR_TASK: i32 = -1;

/// One task of one connector (`<connector>-<task>` in Java's logs and status topic).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectorTaskId {
    pub connector: String,
    pub task: u32,
}

impl ConnectorTaskId {
    pub fn new(connector: impl Into<String>, task: u32) -> ConnectorTaskId {
        ConnectorTaskId {
            connector: connector.into(),
            task,
        }
    }
}

impl fmt::Display for ConnectorTaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// `connect.protocol`: which Connect group protocols a worker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConnectProtocol {
    /// `eager` (protocol name `default`, v0): stop everything before every rebalance.
    Eager,
    /// `compatible` (v1): incremental cooperative rebalancing.
    Compatible,
    /// `sessioned` (v2): as compatible, plus session keys for internal REST requests.
    Sessioned,
}

impl ConnectProtocol {
    /// The protocol name in JoinGroup (Java's `ConnectProtocolCompatibility.protocol()`).
    pub fn name(self) -> &'static str {
        match self {
            ConnectProtocol::Eager => "default",
            ConnectProtocol::Compatible => "compatible",
            ConnectProtocol::Sessioned => "sessioned",
        }
    }

    /// The version written in the metadata and assignment headers.
    pub fn version(self) -> i16 {
        match self {
            ConnectProtocol::Eager => 0,
            ConnectProtocol::Compatible => 1,
            ConnectProtocol::Sessioned => 2,
        }
    }

    /// The protocol the coordinator chose, from its JoinGroup name.
    pub fn from_name(name: &str) -> Option<ConnectProtocol> {
        [
            ConnectProtocol::Eager,
            ConnectProtocol::Compatible,
            ConnectProtocol::Sessioned,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// The `connect.protocol` setting (`eager`, `compatible`, `sessioned`; any case).
    pub fn from_config(value: &str) -> Option<ConnectProtocol> {
        match value.trim().to_ascii_lowercase().as_str() {
            "eager" => Some(ConnectProtocol::Eager),
            "compatible" => Some(ConnectProtocol::Compatible),
            "sessioned" => Some(ConnectProtocol::Sessioned),
            _ => None,
        }
    }

    /// The protocols a worker with this setting offers in JoinGroup, most preferred first.
    pub fn offered(self) -> Vec<ConnectProtocol> {
        match self {
            ConnectProtocol::Sessioned => vec![
                ConnectProtocol::Sessioned,
                ConnectProtocol::Compatible,
                ConnectProtocol::Eager,
            ],
            ConnectProtocol::Compatible => {
                vec![ConnectProtocol::Compatible, ConnectProtocol::Eager]
            }
            ConnectProtocol::Eager => vec![ConnectProtocol::Eager],
        }
    }
}

/// A worker's JoinGroup metadata (Java's `WorkerState` / `ExtendedWorkerState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerMetadata {
    pub version: i16,
    /// The worker's advertised REST URL.
    pub url: String,
    /// How far the worker has read the config topic.
    pub config_offset: i64,
    /// What the worker runs now (v1+ only; `None` when it runs nothing or speaks v0).
    pub allocation: Option<Assignment>,
}

/// An assignment (Java's `ConnectProtocol.Assignment` / `ExtendedAssignment`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    pub version: i16,
    /// 0 no error, 1 the leader's config was behind a member's (`CONFIG_MISMATCH`).
    pub error: i16,
    pub leader: String,
    pub leader_url: String,
    pub config_offset: i64,
    pub connectors: Vec<String>,
    pub tasks: Vec<ConnectorTaskId>,
    /// v1+ only.
    pub revoked_connectors: Vec<String>,
    /// v1+ only.
    pub revoked_tasks: Vec<ConnectorTaskId>,
    /// v1+ only: rejoin after this many milliseconds (a departed member's work is held until then).
    pub delay_ms: i32,
}

/// `Assignment::error`: no error.
pub const NO_ERROR: i16 = 0;
/// `Assignment::error`: the leader could not read the config topic as far as a member had.
pub const CONFIG_MISMATCH: i16 = 1;

/// Bytes that are not a Connect protocol message.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("Connect protocol message truncated: needed {needed} more bytes for {what}")]
    Truncated { what: &'static str, needed: usize },
    #[error("unsupported Connect protocol version {0}")]
    Version(i16),
    #[error("invalid {what} in Connect protocol message: {detail}")]
    Invalid { what: &'static str, detail: String },
    #[error("{0} is too long for the Connect protocol")]
    TooLong(&'static str),
}

impl WorkerMetadata {
    /// The bytes for JoinGroup. `version` 0 leaves the allocation out.
    pub fn encode(&self) -> Result<Vec<u8>, ProtocolError> {
        let mut out = Vec::new();
        put_i16(&mut out, self.version);
        put_string(&mut out, &self.url, "url")?;
        put_i64(&mut out, self.config_offset);
        if self.version >= 1 {
            match &self.allocation {
                Some(a) if !a.is_empty() => put_bytes(&mut out, Some(&a.encode()?))?,
                _ => put_bytes(&mut out, None)?,
            }
        }
        Ok(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<WorkerMetadata, ProtocolError> {
        let mut r = Reader(bytes);
        let version = r.i16("version")?;
        if version < 0 {
            return Err(ProtocolError::Version(version));
        }
        let url = r.string("url")?;
        let config_offset = r.i64("config offset")?;
        // Java tolerates a v1+ metadata without the allocation field.
        let allocation = if version >= 1 && !r.0.is_empty() {
            match r.nullable_bytes("allocation")? {
                Some(b) => Some(Assignment::decode(b)?),
                None => None,
            }
        } else {
            None
        };
        Ok(WorkerMetadata {
            version,
            url,
            config_offset,
            allocation,
        })
    }
}

impl Assignment {
    /// Nothing assigned and nothing revoked.
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty()
            && self.tasks.is_empty()
            && self.revoked_connectors.is_empty()
            && self.revoked_tasks.is_empty()
    }

    /// The bytes for SyncGroup (or a v1+ allocation). `version` 0 leaves out revoked and delay.
    pub fn encode(&self) -> Result<Vec<u8>, ProtocolError> {
        let mut out = Vec::new();
        put_i16(&mut out, self.version);
        put_i16(&mut out, self.error);
        put_string(&mut out, &self.leader, "leader")?;
        put_string(&mut out, &self.leader_url, "leader url")?;
        put_i64(&mut out, self.config_offset);
        put_connector_tasks(&mut out, &self.connectors, &self.tasks)?;
        if self.version >= 1 {
            put_connector_tasks(&mut out, &self.revoked_connectors, &self.revoked_tasks)?;
            put_i32(&mut out, self.delay_ms);
        }
        Ok(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<Assignment, ProtocolError> {
        let mut r = Reader(bytes);
        let version = r.i16("version")?;
        if version < 0 {
            return Err(ProtocolError::Version(version));
        }
        let error = r.i16("error")?;
        let leader = r.string("leader")?;
        let leader_url = r.string("leader url")?;
        let config_offset = r.i64("config offset")?;
        let (connectors, tasks) = r.connector_tasks("assignment")?;
        let mut a = Assignment {
            version,
            error,
            leader,
            leader_url,
            config_offset,
            connectors,
            tasks,
            ..Assignment::default()
        };
        // v1+ fields; Java tolerates them missing (defaults: none revoked, no delay).
        if version >= 1 && !r.0.is_empty() {
            (a.revoked_connectors, a.revoked_tasks) = r.connector_tasks("revoked")?;
            if !r.0.is_empty() {
                a.delay_ms = r.i32("delay")?;
            }
        }
        Ok(a)
    }
}

fn put_i16(out: &mut Vec<u8>, v: i16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_i32(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_string(out: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), ProtocolError> {
    let len = i16::try_from(s.len()).map_err(|_| ProtocolError::TooLong(what))?;
    put_i16(out, len);
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) -> Result<(), ProtocolError> {
    match b {
        None => put_i32(out, -1),
        Some(b) => {
            put_i32(
                out,
                i32::try_from(b.len()).map_err(|_| ProtocolError::TooLong("allocation"))?,
            );
            out.extend_from_slice(b);
        }
    }
    Ok(())
}

fn array_len(n: usize, what: &'static str) -> Result<i32, ProtocolError> {
    i32::try_from(n).map_err(|_| ProtocolError::TooLong(what))
}

/// Connectors and tasks grouped per connector, in first-seen order: the connector's own
/// entry (`-1`) first, then its tasks, as Java's `ExtendedAssignment.asMap()` lists them.
fn put_connector_tasks(
    out: &mut Vec<u8>,
    connectors: &[String],
    tasks: &[ConnectorTaskId],
) -> Result<(), ProtocolError> {
    let mut groups: Vec<(&str, Vec<i32>)> = Vec::new();
    let entries = connectors
        .iter()
        .map(|c| (c.as_str(), CONNECTOR_TASK))
        .chain(tasks.iter().map(|t| {
            // task ids above i32::MAX cannot be written: saturate to an id that fails the check below
            (
                t.connector.as_str(),
                i32::try_from(t.task).unwrap_or(i32::MIN),
            )
        }));
    for (name, id) in entries {
        if id == i32::MIN {
            return Err(ProtocolError::TooLong("task id"));
        }
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((name, vec![id])),
        }
    }
    put_i32(out, array_len(groups.len(), "assignment")?);
    for (name, ids) in groups {
        put_string(out, name, "connector name")?;
        put_i32(out, array_len(ids.len(), "task list")?);
        for id in ids {
            put_i32(out, id);
        }
    }
    Ok(())
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ProtocolError> {
        if self.0.len() < n {
            return Err(ProtocolError::Truncated {
                what,
                needed: n - self.0.len(),
            });
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn i16(&mut self, what: &'static str) -> Result<i16, ProtocolError> {
        let b = self.take(2, what)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, ProtocolError> {
        let b = self.take(4, what)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, ProtocolError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }

    fn string(&mut self, what: &'static str) -> Result<String, ProtocolError> {
        let len = self.i16(what)?;
        let len = usize::try_from(len).map_err(|_| ProtocolError::Invalid {
            what,
            detail: format!("string length {len}"),
        })?;
        let b = self.take(len, what)?;
        String::from_utf8(b.to_vec()).map_err(|e| ProtocolError::Invalid {
            what,
            detail: e.to_string(),
        })
    }

    fn nullable_bytes(&mut self, what: &'static str) -> Result<Option<&'a [u8]>, ProtocolError> {
        let len = self.i32(what)?;
        if len < 0 {
            return Ok(None);
        }
        self.take(len as usize, what).map(Some)
    }

    /// A nullable array of (connector, task ids); null reads as empty.
    fn connector_tasks(
        &mut self,
        what: &'static str,
    ) -> Result<(Vec<String>, Vec<ConnectorTaskId>), ProtocolError> {
        let mut connectors = Vec::new();
        let mut tasks = Vec::new();
        let groups = self.i32(what)?;
        for _ in 0..groups.max(0) {
            let name = self.string("connector name")?;
            let ids = self.i32("task list")?;
            for _ in 0..ids.max(0) {
                match self.i32("task id")? {
                    CONNECTOR_TASK => connectors.push(name.clone()),
                    id => match u32::try_from(id) {
                        Ok(task) => tasks.push(ConnectorTaskId::new(name.clone(), task)),
                        Err(_) => {
                            return Err(ProtocolError::Invalid {
                                what: "task id",
                                detail: format!("{id} for connector {name}"),
                            })
                        }
                    },
                }
            }
        }
        Ok((connectors, tasks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds bytes field by field, as Java's schemas lay them out.
    #[derive(Default)]
    struct Bytes(Vec<u8>);

    impl Bytes {
        fn i16(mut self, v: i16) -> Self {
            self.0.extend(v.to_be_bytes());
            self
        }
        fn i32(mut self, v: i32) -> Self {
            self.0.extend(v.to_be_bytes());
            self
        }
        fn i64(mut self, v: i64) -> Self {
            self.0.extend(v.to_be_bytes());
            self
        }
        fn string(self, s: &str) -> Self {
            let mut b = self.i16(s.len() as i16);
            b.0.extend(s.as_bytes());
            b
        }
        fn bytes(self, v: &[u8]) -> Self {
            let mut b = self.i32(v.len() as i32);
            b.0.extend(v);
            b
        }
        /// connector name + its task ids
        fn entry(self, connector: &str, ids: &[i32]) -> Self {
            let mut b = self.string(connector).i32(ids.len() as i32);
            for id in ids {
                b = b.i32(*id);
            }
            b
        }
    }

    fn t(c: &str, n: u32) -> ConnectorTaskId {
        ConnectorTaskId::new(c, n)
    }

    fn sample(version: i16) -> Assignment {
        Assignment {
            version,
            error: 0,
            leader: "worker-1".into(),
            leader_url: "http://w1:8083/".into(),
            config_offset: 42,
            connectors: vec!["a".into()],
            tasks: vec![t("a", 0), t("b", 1)],
            revoked_connectors: vec!["c".into()],
            revoked_tasks: vec![t("c", 0)],
            delay_ms: 0,
        }
    }

    #[test]
    fn protocol_names_and_versions_match_java() {
        assert_eq!(ConnectProtocol::Eager.name(), "default");
        assert_eq!(ConnectProtocol::Compatible.name(), "compatible");
        assert_eq!(ConnectProtocol::Sessioned.name(), "sessioned");
        assert_eq!(ConnectProtocol::Sessioned.version(), 2);
        assert_eq!(
            ConnectProtocol::from_name("default"),
            Some(ConnectProtocol::Eager)
        );
        assert_eq!(ConnectProtocol::from_name("cooperative"), None);
        assert_eq!(
            ConnectProtocol::from_config(" SESSIONED"),
            Some(ConnectProtocol::Sessioned)
        );
        assert_eq!(ConnectProtocol::from_config("default"), None);
        assert_eq!(
            ConnectProtocol::Compatible.offered(),
            vec![ConnectProtocol::Compatible, ConnectProtocol::Eager]
        );
        assert_eq!(
            ConnectProtocol::Eager.offered(),
            vec![ConnectProtocol::Eager]
        );
    }

    #[test]
    fn v0_metadata_is_version_url_offset() {
        let m = WorkerMetadata {
            version: 0,
            url: "http://w1:8083/".into(),
            config_offset: 7,
            allocation: None,
        };
        let expected = Bytes::default().i16(0).string("http://w1:8083/").i64(7).0;
        assert_eq!(m.encode().unwrap(), expected);
        assert_eq!(WorkerMetadata::decode(&expected).unwrap(), m);
    }

    #[test]
    fn v2_metadata_with_no_allocation_carries_null_bytes() {
        let m = WorkerMetadata {
            version: 2,
            url: "http://w1:8083/".into(),
            config_offset: -1,
            allocation: None,
        };
        let expected = Bytes::default()
            .i16(2)
            .string("http://w1:8083/")
            .i64(-1)
            .i32(-1)
            .0;
        assert_eq!(m.encode().unwrap(), expected);
        assert_eq!(WorkerMetadata::decode(&expected).unwrap(), m);
    }

    #[test]
    fn v1_metadata_embeds_the_current_assignment_as_bytes() {
        let allocation = Assignment {
            revoked_connectors: vec![],
            revoked_tasks: vec![],
            ..sample(1)
        };
        let inner = Bytes::default()
            .i16(1)
            .i16(0)
            .string("worker-1")
            .string("http://w1:8083/")
            .i64(42)
            .i32(2)
            .entry("a", &[-1, 0])
            .entry("b", &[1])
            .i32(0)
            .i32(0)
            .0;
        let expected = Bytes::default()
            .i16(1)
            .string("http://w2:8083/")
            .i64(42)
            .bytes(&inner)
            .0;
        let m = WorkerMetadata {
            version: 1,
            url: "http://w2:8083/".into(),
            config_offset: 42,
            allocation: Some(allocation),
        };
        assert_eq!(m.encode().unwrap(), expected);
        assert_eq!(WorkerMetadata::decode(&expected).unwrap(), m);
    }

    #[test]
    fn v1_metadata_without_the_allocation_field_is_tolerated() {
        let bytes = Bytes::default().i16(1).string("u").i64(3).0;
        let m = WorkerMetadata::decode(&bytes).unwrap();
        assert_eq!((m.version, m.config_offset, m.allocation), (1, 3, None));
    }

    #[test]
    fn v2_assignment_lists_connector_as_task_minus_one_then_revoked_then_delay() {
        let a = Assignment {
            version: 2,
            delay_ms: 300_000,
            ..sample(2)
        };
        let expected = Bytes::default()
            .i16(2)
            .i16(0)
            .string("worker-1")
            .string("http://w1:8083/")
            .i64(42)
            .i32(2)
            .entry("a", &[-1, 0])
            .entry("b", &[1])
            .i32(1)
            .entry("c", &[-1, 0])
            .i32(300_000)
            .0;
        assert_eq!(a.encode().unwrap(), expected);
        assert_eq!(Assignment::decode(&expected).unwrap(), a);
    }

    #[test]
    fn v0_assignment_has_no_revoked_list_or_delay() {
        let a = Assignment {
            revoked_connectors: vec![],
            revoked_tasks: vec![],
            ..sample(0)
        };
        let expected = Bytes::default()
            .i16(0)
            .i16(0)
            .string("worker-1")
            .string("http://w1:8083/")
            .i64(42)
            .i32(2)
            .entry("a", &[-1, 0])
            .entry("b", &[1])
            .0;
        assert_eq!(a.encode().unwrap(), expected);
        assert_eq!(Assignment::decode(&expected).unwrap(), a);
    }

    #[test]
    fn null_arrays_and_missing_v1_fields_read_as_empty() {
        let bytes = Bytes::default()
            .i16(1)
            .i16(1)
            .string("l")
            .string("u")
            .i64(5)
            .i32(-1)
            .0;
        let a = Assignment::decode(&bytes).unwrap();
        assert_eq!(a.error, CONFIG_MISMATCH);
        assert!(a.is_empty());
        assert_eq!(a.delay_ms, 0);
    }

    #[test]
    fn tasks_listed_before_their_connector_keep_one_group_per_connector() {
        let a = Assignment {
            version: 1,
            connectors: vec!["b".into()],
            tasks: vec![t("a", 2), t("b", 0), t("a", 1)],
            ..Assignment::default()
        };
        let bytes = a.encode().unwrap();
        let back = Assignment::decode(&bytes).unwrap();
        assert_eq!(back.connectors, vec!["b".to_string()]);
        // grouped: b: [-1, 0], a: [2, 1]
        assert_eq!(back.tasks, vec![t("b", 0), t("a", 2), t("a", 1)]);
    }

    #[test]
    fn truncated_and_invalid_bytes_are_errors_not_panics() {
        let full = sample(2).encode().unwrap();
        // Java tolerates the v1 fields missing: a cut right before `revoked` or `delay` decodes.
        let before_revoked = Assignment {
            version: 0,
            ..sample(2)
        }
        .encode()
        .unwrap()
        .len();
        let before_delay = full.len() - 4;
        for cut in (0..full.len()).filter(|c| ![before_revoked, before_delay].contains(c)) {
            assert!(
                Assignment::decode(&full[..cut]).is_err(),
                "cut at {cut} decoded"
            );
        }
        let negative_task = Bytes::default()
            .i16(1)
            .i16(0)
            .string("l")
            .string("u")
            .i64(0)
            .i32(1)
            .entry("a", &[-2])
            .0;
        assert!(matches!(
            Assignment::decode(&negative_task),
            Err(ProtocolError::Invalid { .. })
        ));
        assert_eq!(
            WorkerMetadata::decode(&Bytes::default().i16(-1).0),
            Err(ProtocolError::Version(-1))
        );
        let bad_utf8 = Bytes::default().i16(0).i16(1).0;
        let mut bad = bad_utf8.clone();
        bad.push(0xff);
        bad.extend(0i64.to_be_bytes());
        assert!(matches!(
            WorkerMetadata::decode(&bad),
            Err(ProtocolError::Invalid { .. })
        ));
    }

    #[test]
    fn too_long_names_are_refused() {
        let a = Assignment {
            version: 1,
            connectors: vec!["x".repeat(40_000)],
            ..Assignment::default()
        };
        assert_eq!(a.encode(), Err(ProtocolError::TooLong("connector name")));
    }
}
