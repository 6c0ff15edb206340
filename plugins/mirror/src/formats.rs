//! Kafka's binary layouts of MirrorMaker 2's internal records, as `Checkpoint`, `Heartbeat`
//! and `OffsetSync` write them with Kafka's protocol types: big-endian integers, `STRING` as
//! an `INT16` length then UTF-8. Checkpoint and heartbeat values start with an `INT16` version
//! (0); offset syncs and every key carry none.

/// A consumer group's position translated to the target cluster (`<source>.checkpoints.internal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub group: String,
    /// The remote (target) topic.
    pub topic: String,
    pub partition: i32,
    pub upstream_offset: i64,
    pub downstream_offset: i64,
    pub metadata: String,
}

/// A heartbeat emitted on the target's `heartbeats` topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    pub source_cluster_alias: String,
    pub target_cluster_alias: String,
    pub timestamp: i64,
}

/// An upstream offset and the downstream offset its record was written at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetSync {
    pub upstream_offset: i64,
    pub downstream_offset: i64,
}

/// Why bytes could not be read as one of the layouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The only version Kafka writes (and reads).
const VERSION: i16 = 0;

fn put_string(out: &mut Vec<u8>, s: &str) {
    // Kafka's STRING holds at most i16::MAX bytes; names of groups and topics are shorter.
    let len = s.len().min(i16::MAX as usize);
    out.extend_from_slice(&(len as i16).to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..len]);
}

struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        if self.bytes.len() < n {
            return Err(FormatError(format!("{} is truncated", self.what)));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn i16(&mut self) -> Result<i16, FormatError> {
        Ok(i16::from_be_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn i32(&mut self) -> Result<i32, FormatError> {
        Ok(i32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn i64(&mut self) -> Result<i64, FormatError> {
        Ok(i64::from_be_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn string(&mut self) -> Result<String, FormatError> {
        let len = self.i16()?;
        if len < 0 {
            return Err(FormatError(format!("{} has a null string", self.what)));
        }
        let bytes = self.take(len as usize)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| FormatError(format!("{} has a string that is not UTF-8", self.what)))
    }
    fn version(&mut self) -> Result<(), FormatError> {
        match self.i16()? {
            VERSION => Ok(()),
            v => Err(FormatError(format!(
                "{} has unknown version {v}",
                self.what
            ))),
        }
    }
}

impl Checkpoint {
    /// Key: group, topic (STRING), partition (INT32).
    pub fn key(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.group.len() + self.topic.len());
        put_string(&mut out, &self.group);
        put_string(&mut out, &self.topic);
        out.extend_from_slice(&self.partition.to_be_bytes());
        out
    }

    /// Value: version (INT16) 0, upstreamOffset, offset (INT64), metadata (STRING).
    pub fn value(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.metadata.len());
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&self.upstream_offset.to_be_bytes());
        out.extend_from_slice(&self.downstream_offset.to_be_bytes());
        put_string(&mut out, &self.metadata);
        out
    }

    /// Reads a checkpoint record.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Checkpoint, FormatError> {
        let mut k = Reader {
            bytes: key,
            what: "checkpoint key",
        };
        let mut v = Reader {
            bytes: value,
            what: "checkpoint value",
        };
        v.version()?;
        Ok(Checkpoint {
            group: k.string()?,
            topic: k.string()?,
            partition: k.i32()?,
            upstream_offset: v.i64()?,
            downstream_offset: v.i64()?,
            metadata: v.string()?,
        })
    }
}

impl Heartbeat {
    /// Key: sourceClusterAlias, targetClusterAlias (STRING).
    pub fn key(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_string(&mut out, &self.source_cluster_alias);
        put_string(&mut out, &self.target_cluster_alias);
        out
    }

    /// Value: version (INT16) 0, timestamp (INT64).
    pub fn value(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(10);
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out
    }

    /// Reads a heartbeat record.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<Heartbeat, FormatError> {
        let mut k = Reader {
            bytes: key,
            what: "heartbeat key",
        };
        let mut v = Reader {
            bytes: value,
            what: "heartbeat value",
        };
        v.version()?;
        Ok(Heartbeat {
            source_cluster_alias: k.string()?,
            target_cluster_alias: k.string()?,
            timestamp: v.i64()?,
        })
    }
}

impl OffsetSync {
    /// Key: topic (STRING), partition (INT32) of the upstream partition.
    pub fn key(topic: &str, partition: i32) -> Vec<u8> {
        let mut out = Vec::with_capacity(6 + topic.len());
        put_string(&mut out, topic);
        out.extend_from_slice(&partition.to_be_bytes());
        out
    }

    /// Value: upstreamOffset, offset (INT64), no version.
    pub fn value(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        out.extend_from_slice(&self.upstream_offset.to_be_bytes());
        out.extend_from_slice(&self.downstream_offset.to_be_bytes());
        out
    }

    /// Reads an offset-sync record: the upstream topic and partition, and the sync.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<(String, i32, OffsetSync), FormatError> {
        let mut k = Reader {
            bytes: key,
            what: "offset-sync key",
        };
        let mut v = Reader {
            bytes: value,
            what: "offset-sync value",
        };
        Ok((
            k.string()?,
            k.i32()?,
            OffsetSync {
                upstream_offset: v.i64()?,
                downstream_offset: v.i64()?,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected bytes written out by hand from Kafka's schemas.

    #[test]
    fn checkpoint_matches_kafkas_layout() {
        let c = Checkpoint {
            group: "g1".into(),
            topic: "A.t".into(),
            partition: 3,
            upstream_offset: 258,
            downstream_offset: 7,
            metadata: "m".into(),
        };
        assert_eq!(
            c.key(),
            [0, 2, b'g', b'1', 0, 3, b'A', b'.', b't', 0, 0, 0, 3]
        );
        assert_eq!(
            c.value(),
            [
                0, 0, // version 0
                0, 0, 0, 0, 0, 0, 1, 2, // upstreamOffset 258
                0, 0, 0, 0, 0, 0, 0, 7, // offset 7
                0, 1, b'm' // metadata
            ]
        );
        assert_eq!(Checkpoint::decode(&c.key(), &c.value()).unwrap(), c);
    }

    #[test]
    fn heartbeat_matches_kafkas_layout() {
        let h = Heartbeat {
            source_cluster_alias: "A".into(),
            target_cluster_alias: "B".into(),
            timestamp: 0x0102_0304_0506,
        };
        assert_eq!(h.key(), [0, 1, b'A', 0, 1, b'B']);
        assert_eq!(h.value(), [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(Heartbeat::decode(&h.key(), &h.value()).unwrap(), h);
    }

    #[test]
    fn offset_sync_matches_kafkas_layout_without_a_version() {
        let s = OffsetSync {
            upstream_offset: 1,
            downstream_offset: -1,
        };
        assert_eq!(OffsetSync::key("t", 2), [0, 1, b't', 0, 0, 0, 2]);
        assert_eq!(
            s.value(),
            [0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 255, 255, 255, 255, 255, 255]
        );
        assert_eq!(
            OffsetSync::decode(&OffsetSync::key("t", 2), &s.value()).unwrap(),
            ("t".to_string(), 2, s)
        );
    }

    #[test]
    fn truncated_or_unknown_versions_are_refused() {
        let h = Heartbeat {
            source_cluster_alias: "A".into(),
            target_cluster_alias: "B".into(),
            timestamp: 1,
        };
        let err = Heartbeat::decode(&h.key(), &h.value()[..5]).unwrap_err();
        assert!(err.0.contains("truncated"), "{err}");
        let mut v1 = h.value();
        v1[1] = 1;
        let err = Heartbeat::decode(&h.key(), &v1).unwrap_err();
        assert!(err.0.contains("unknown version 1"), "{err}");
        let err = Checkpoint::decode(&[0, 5, b'a'], &[0, 0]).unwrap_err();
        assert!(err.0.contains("checkpoint"), "{err}");
        let err = OffsetSync::decode(&[0xff, 0xff], &[]).unwrap_err();
        assert!(err.0.contains("null string"), "{err}");
    }
}
