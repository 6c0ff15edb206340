//! MirrorMaker 2's connectors between two real brokers on loopback (two Tansu processes,
//! clusters `A` → `B`), run by a standalone worker whose `bootstrap.servers` is the target.
//! Everything is checked by independent clients on both clusters; checkpoints, heartbeats
//! and offset syncs are decoded here from their raw bytes with Kafka's documented schemas
//! (not with the plugin's code).
//!
//! Real brokers only: the tests need two clusters that outlive the worker.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e::{path_str, plugin_dir, wait_until, BrokerKind, TestBroker, Worker};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

const BYTES: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";

/// One record as an independent client reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rec {
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
    timestamp: i64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The records written for `topic`'s partition `p`, number `i`: keys, two headers (one not
/// UTF-8), a value and a timestamp of their own.
fn record(topic: &str, p: i32, i: usize, base_ts: i64) -> Rec {
    Rec {
        key: Some(format!("k-{p}-{i}").into_bytes()),
        value: Some(format!("{topic}:{p}:{i}:{}", "x".repeat(i % 50)).into_bytes()),
        headers: vec![
            ("h-text".into(), Some(format!("h{i}").into_bytes())),
            ("h-bytes".into(), Some(vec![0, 0xff, (i % 251) as u8])),
        ],
        timestamp: base_ts + i as i64,
    }
}

/// Tansu 0.6 deviates from Kafka here: a fetch from an offset inside a record batch
/// answers from the *next* batch, so a consumer that resumes mid-batch skips records (Kafka
/// returns the batch holding the offset and the client drops the records before it). Tests
/// that resume mid-topic therefore write one record per batch (`ONE_PER_BATCH`) on the
/// cluster they resume on; what they assert is unchanged.
const ONE_PER_BATCH: &[(&str, &str)] = &[("linger.ms", "0"), ("batch.size", "1")];

fn producer(servers: &str, settings: &[(&str, &str)]) -> ThreadedProducer<DefaultProducerContext> {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", servers)
        .set("linger.ms", "20")
        .set("enable.idempotence", "true");
    for (k, v) in settings {
        config.set(*k, *v);
    }
    config.create().expect("producer")
}

/// Produces `count` records per partition of `topic` from number `from` on; returns them.
fn produce(
    servers: &str,
    topic: &str,
    partitions: i32,
    from: usize,
    count: usize,
) -> Vec<Vec<Rec>> {
    produce_with(servers, &[], topic, partitions, from, count)
}

fn produce_with(
    servers: &str,
    settings: &[(&str, &str)],
    topic: &str,
    partitions: i32,
    from: usize,
    count: usize,
) -> Vec<Vec<Rec>> {
    let p = producer(servers, settings);
    let base_ts = now_ms() - 10_000_000;
    let mut all = Vec::new();
    for part in 0..partitions {
        let mut recs = Vec::with_capacity(count);
        for i in from..from + count {
            let r = record(topic, part, i, base_ts);
            let mut headers = OwnedHeaders::new();
            for (k, v) in &r.headers {
                headers = headers.insert(Header {
                    key: k,
                    value: v.as_deref(),
                });
            }
            let mut br = BaseRecord::<[u8], [u8]>::to(topic)
                .partition(part)
                .key(r.key.as_deref().unwrap())
                .payload(r.value.as_deref().unwrap())
                .timestamp(r.timestamp)
                .headers(headers);
            loop {
                match p.send(br) {
                    Ok(()) => break,
                    Err((_, back)) => {
                        br = back;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            }
            recs.push(r);
        }
        all.push(recs);
    }
    p.flush(Duration::from_secs(60)).expect("flush");
    all
}

fn consumer(servers: &str, group: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer")
}

/// Every record of `topic`'s `partitions` from the start, read until `total` records
/// arrived or nothing new came for `quiet`.
fn read_partitions(
    servers: &str,
    topic: &str,
    partitions: i32,
    total: usize,
    quiet: Duration,
) -> Vec<Vec<Rec>> {
    let c = consumer(servers, &format!("mirror-reader-{}", now_ms()));
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    c.assign(&tpl).unwrap();
    let mut out = vec![Vec::new(); partitions as usize];
    let mut n = 0;
    let mut last = Instant::now();
    while n < total && last.elapsed() < quiet {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(200)) {
            let headers = m
                .headers()
                .map(|hs| {
                    hs.iter()
                        .map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec)))
                        .collect()
                })
                .unwrap_or_default();
            out[m.partition() as usize].push(Rec {
                key: m.key().map(<[u8]>::to_vec),
                value: m.payload().map(<[u8]>::to_vec),
                headers,
                timestamp: m.timestamp().to_millis().unwrap_or(-1),
            });
            n += 1;
            last = Instant::now();
        }
    }
    out
}

/// Tansu 0.6 deviates from Kafka in ListOffsets too: LATEST answers one past the *first*
/// offset of the batch written last, not the log end offset (batches at 0, 1, 2 and one of
/// five records at 3: Kafka answers 8, Tansu 4), so `fetch_watermarks` under-reports a topic
/// whose last batch holds several records (a group's checkpoints, written together;
/// replicated records, produced in batches). The high watermark in its Fetch responses is
/// right: this is the one of the last Fetch response `c` had for `partition`, as librdkafka
/// keeps it (`rd_kafka_get_watermark_offsets`, which the Rust API does not wrap), with the
/// log start offset; `None` before the first.
fn fetched_watermarks(c: &BaseConsumer, topic: &CStr, partition: i32) -> Option<(i64, i64)> {
    let (mut low, mut high) = (-1_i64, -1_i64);
    // SAFETY: `c` owns a live librdkafka handle for the whole call, `topic` is NUL-terminated,
    // and the function only reads the partition's state (under its lock) into `low`/`high`.
    let err = unsafe {
        rdkafka::bindings::rd_kafka_get_watermark_offsets(
            c.client().native_ptr(),
            topic.as_ptr(),
            partition,
            &mut low,
            &mut high,
        )
    };
    (err == rdkafka::bindings::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0)
        .then_some((low.max(0), high))
}

/// The raw (key, value) pairs of every partition of `topic` (internal topics have one, a
/// worker's offsets topic 25), up to its end now: each partition is read up to the high
/// watermark of its first Fetch response (not `fetch_watermarks`: see
/// [`fetched_watermarks`]), which holds every record written before the call, as Kafka's
/// LATEST would, and stays put while the topic grows.
fn read_raw(servers: &str, topic: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let c = consumer(servers, &format!("mirror-raw-{}", now_ms()));
    let Ok(metadata) = c.fetch_metadata(Some(topic), Duration::from_secs(10)) else {
        return Vec::new();
    };
    let partitions = metadata
        .topics()
        .first()
        .map_or(0, |t| t.partitions().len() as i32);
    if partitions == 0 {
        return Vec::new();
    }
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    c.assign(&tpl).unwrap();
    let name = CString::new(topic).unwrap();
    // Per partition: where it ended at its first Fetch response, and the next offset read.
    let mut ends: HashMap<i32, (i64, i64)> = HashMap::new();
    let mut next: HashMap<i32, i64> = HashMap::new();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(Ok(m)) = c.poll(Duration::from_millis(50)) {
            next.insert(m.partition(), m.offset() + 1);
            out.push((
                m.key().unwrap_or_default().to_vec(),
                m.payload().unwrap_or_default().to_vec(),
            ));
        }
        for p in 0..partitions {
            if let Entry::Vacant(e) = ends.entry(p) {
                if let Some(w) = fetched_watermarks(&c, &name, p) {
                    e.insert(w);
                }
            }
        }
        let read_all = |p: i32| {
            ends.get(&p)
                .is_some_and(|&(low, high)| next.get(&p).copied().unwrap_or(low) >= high)
        };
        if (0..partitions).all(read_all) {
            break;
        }
    }
    out
}

/// Kafka's protocol types, read by hand: big-endian, STRING = INT16 length + UTF-8.
struct Cursor<'a>(&'a [u8]);
impl Cursor<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
    fn i16(&mut self) -> i16 {
        i16::from_be_bytes(self.take(2).try_into().unwrap())
    }
    fn i32(&mut self) -> i32 {
        i32::from_be_bytes(self.take(4).try_into().unwrap())
    }
    fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.take(8).try_into().unwrap())
    }
    fn string(&mut self) -> String {
        let n = self.i16() as usize;
        String::from_utf8(self.take(n).to_vec()).unwrap()
    }
    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

/// A checkpoint: key {group, topic, partition}, value {version=0, upstreamOffset, offset, metadata}.
#[derive(Debug)]
struct Checkpoint {
    group: String,
    topic: String,
    partition: i32,
    upstream: i64,
    downstream: i64,
}

fn decode_checkpoint(key: &[u8], value: &[u8]) -> Checkpoint {
    let (mut k, mut v) = (Cursor(key), Cursor(value));
    assert_eq!(v.i16(), 0, "checkpoint value version");
    let c = Checkpoint {
        group: k.string(),
        topic: k.string(),
        partition: k.i32(),
        upstream: v.i64(),
        downstream: v.i64(),
    };
    let _metadata = v.string();
    assert!(k.done() && v.done(), "checkpoint has trailing bytes");
    c
}

/// A heartbeat: key {sourceClusterAlias, targetClusterAlias}, value {version=0, timestamp}.
fn decode_heartbeat(key: &[u8], value: &[u8]) -> (String, String, i64) {
    let (mut k, mut v) = (Cursor(key), Cursor(value));
    assert_eq!(v.i16(), 0, "heartbeat value version");
    let h = (k.string(), k.string(), v.i64());
    assert!(k.done() && v.done(), "heartbeat has trailing bytes");
    h
}

/// An offset sync: key {topic, partition}, value {upstreamOffset, offset}, no version.
fn decode_offset_sync(key: &[u8], value: &[u8]) -> (String, i32, i64, i64) {
    let (mut k, mut v) = (Cursor(key), Cursor(value));
    let s = (k.string(), k.i32(), v.i64(), v.i64());
    assert!(k.done() && v.done(), "offset sync has trailing bytes");
    s
}

struct Clusters {
    a: TestBroker,
    b: TestBroker,
}

impl Clusters {
    fn start() -> Clusters {
        let a = TestBroker::start(BrokerKind::Tansu);
        let b = TestBroker::start(BrokerKind::Tansu);
        assert_ne!(a.bootstrap_servers(), b.bootstrap_servers());
        Clusters { a, b }
    }
    fn a(&self) -> &str {
        self.a.bootstrap_servers().unwrap()
    }
    fn b(&self) -> &str {
        self.b.bootstrap_servers().unwrap()
    }

    fn worker_props<'a>(
        &'a self,
        dir: &'a Path,
        plugins: &'a Path,
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, String)> {
        let mut props = vec![
            ("bootstrap.servers", self.b().to_string()),
            ("key.converter", BYTES.to_string()),
            ("value.converter", BYTES.to_string()),
            ("header.converter", BYTES.to_string()),
            (
                "offset.storage.file.filename",
                path_str(&dir.join("connect.offsets")).to_string(),
            ),
            ("offset.flush.interval.ms", "100".to_string()),
            ("plugin.path", path_str(plugins).to_string()),
        ];
        props.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        props
    }

    /// A connector's settings for the flow A -> B, with `extra` on top.
    fn connector(&self, name: &str, class: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut c: Vec<(String, String)> = [
            ("name", name),
            ("connector.class", class),
            ("source.cluster.alias", "A"),
            ("target.cluster.alias", "B"),
            ("source.cluster.bootstrap.servers", self.a()),
            ("target.cluster.bootstrap.servers", self.b()),
            // One broker per cluster.
            ("replication.factor", "1"),
            ("offset-syncs.topic.replication.factor", "1"),
            ("checkpoints.topic.replication.factor", "1"),
            ("heartbeats.topic.replication.factor", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            c.retain(|(key, _)| key != k);
            c.push((k.to_string(), v.to_string()));
        }
        c
    }
}

fn start_worker(dir: &Path, clusters: &Clusters, connectors: &[Vec<(String, String)>]) -> Worker {
    start_worker_with(dir, clusters, &[], connectors)
}

fn start_worker_with(
    dir: &Path,
    clusters: &Clusters,
    worker: &[(&str, &str)],
    connectors: &[Vec<(String, String)>],
) -> Worker {
    let plugins = dir.join("plugins");
    if !plugins.exists() {
        plugin_dir(dir, &["connect_mirror"]);
    }
    let props = clusters.worker_props(dir, &plugins, worker);
    let props: Vec<(&str, &str)> = props.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let connectors: Vec<Vec<(&str, &str)>> = connectors
        .iter()
        .map(|c| c.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .collect();
    let refs: Vec<&[(&str, &str)]> = connectors.iter().map(Vec::as_slice).collect();
    Worker::standalone(dir, &props, &refs)
}

/// The sum of the partitions' high watermarks: how many records the topic holds. Taken from
/// a Fetch response, not from `fetch_watermarks` (see [`fetched_watermarks`]), and quickly:
/// a small fetch from offset 0, answered at once.
fn high_watermarks(servers: &str, topic: &str, partitions: i32) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("group.id", "watermarks")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .set("fetch.max.bytes", "1000")
        .set("message.max.bytes", "1000")
        .create()
        .expect("consumer");
    let known = c
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .is_ok_and(|m| {
            m.topics()
                .first()
                .is_some_and(|t| !t.partitions().is_empty())
        });
    if !known {
        return 0;
    }
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        // Every Fetch response carries the high watermark, whatever it fetches.
        tpl.add_partition_offset(topic, p, Offset::Offset(0))
            .unwrap();
    }
    c.assign(&tpl).unwrap();
    let name = CString::new(topic).unwrap();
    let mut ends = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while (ends.len() as i32) < partitions && Instant::now() < deadline {
        let _ = c.poll(Duration::from_millis(10));
        for p in 0..partitions {
            if let Entry::Vacant(e) = ends.entry(p) {
                if let Some((_, high)) = fetched_watermarks(&c, &name, p) {
                    e.insert(high);
                }
            }
        }
    }
    ends.values().sum()
}

/// Commits `offset` on every partition of `topic` for `group`, as a group that consumed that
/// far and stopped.
fn commit_group(servers: &str, group: &str, topic: &str, partitions: i32, offset: i64) {
    let c = consumer(servers, group);
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Offset(offset))
            .unwrap();
    }
    c.commit(&tpl, CommitMode::Sync).expect("commit");
}

fn count(parts: &[Vec<Rec>]) -> usize {
    parts.iter().map(Vec::len).sum()
}

#[test]
fn topics_replicate_partition_for_partition_and_new_topics_follow() {
    let clusters = Clusters::start();
    clusters.a.create_topic("orders", 4);
    let mut sent = produce(clusters.a(), "orders", 4, 0, 50_000);
    let dir = tempfile::tempdir().unwrap();
    let refresh = 5;
    let source = clusters.connector(
        "mirror-source",
        "MirrorSourceConnector",
        &[
            ("tasks.max", "2"),
            ("refresh.topics.interval.seconds", &refresh.to_string()),
        ],
    );
    let worker = start_worker(dir.path(), &clusters, &[source]);

    let got = read_partitions(
        clusters.b(),
        "A.orders",
        4,
        200_000,
        Duration::from_secs(60),
    );
    assert_eq!(
        count(&got),
        200_000,
        "A.orders holds every record; log:\n{}",
        worker.log()
    );
    for p in 0..4 {
        assert!(got[p] == sent[p], "partition {p} differs from the source");
    }

    // Records produced while running keep flowing.
    let more = produce(clusters.a(), "orders", 4, 50_000, 1_000);
    for (p, m) in more.into_iter().enumerate() {
        sent[p].extend(m);
    }
    let got = read_partitions(
        clusters.b(),
        "A.orders",
        4,
        204_000,
        Duration::from_secs(30),
    );
    for p in 0..4 {
        assert!(got[p] == sent[p], "partition {p} after more records");
    }

    // A topic created after start is replicated within the refresh interval + 5 s.
    let created = Instant::now();
    clusters.a.create_topic("late", 2);
    let late = produce(clusters.a(), "late", 2, 0, 100);
    let watcher = consumer(clusters.b(), "late-watcher");
    let mut tpl = TopicPartitionList::new();
    for p in 0..2 {
        tpl.add_partition_offset("A.late", p, Offset::Beginning)
            .unwrap();
    }
    watcher.assign(&tpl).unwrap();
    let mut seen = 0;
    let deadline = created + Duration::from_secs(refresh + 5);
    while seen < 200 && Instant::now() < deadline {
        if let Some(Ok(_)) = watcher.poll(Duration::from_millis(100)) {
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        200,
        "A.late not replicated within {} s; log:\n{}",
        refresh + 5,
        worker.log()
    );
    eprintln!(
        "new topic replicated {:?} after creation",
        created.elapsed()
    );
    assert_eq!(
        read_partitions(clusters.b(), "A.late", 2, 200, Duration::from_secs(5)),
        late
    );

    // Cycle detection: a topic that came from B is not replicated back.
    clusters.a.create_topic("B.echo", 1);
    produce(clusters.a(), "B.echo", 1, 0, 10);
    std::thread::sleep(Duration::from_secs(refresh + 2));
    let meta = consumer(clusters.b(), "meta")
        .fetch_metadata(None, Duration::from_secs(10))
        .unwrap();
    assert!(
        !meta.topics().iter().any(|t| t.name() == "A.B.echo"),
        "a topic from the target was replicated back"
    );
}

#[test]
fn checkpoints_heartbeats_and_offset_syncs_translate_a_groups_position() {
    let clusters = Clusters::start();
    clusters.a.create_topic("pay", 2);
    let sent = produce(clusters.a(), "pay", 2, 0, 10_000);
    // A group on the source that consumed half of each partition.
    let group = "billing";
    commit_group(clusters.a(), group, "pay", 2, 5_000);

    let dir = tempfile::tempdir().unwrap();
    let common = [
        ("emit.checkpoints.interval.seconds", "1"),
        ("refresh.groups.interval.seconds", "2"),
    ];
    let source = clusters.connector(
        "mirror-source",
        "MirrorSourceConnector",
        &[("topics", "pay")],
    );
    let checkpoint = clusters.connector(
        "mirror-checkpoint",
        "MirrorCheckpointConnector",
        &[
            common[0],
            common[1],
            ("topics", "pay"),
            ("sync.group.offsets.enabled", "true"),
            ("sync.group.offsets.interval.seconds", "1"),
        ],
    );
    let heartbeat = clusters.connector(
        "mirror-heartbeat",
        "MirrorHeartbeatConnector",
        &[("emit.heartbeats.interval.seconds", "1")],
    );
    let started = now_ms();
    // The group resumes mid-topic on the target: one record per batch there (ONE_PER_BATCH).
    let worker = start_worker_with(
        dir.path(),
        &clusters,
        &[("producer.linger.ms", "0"), ("producer.batch.size", "1")],
        &[source, checkpoint, heartbeat],
    );
    let got = read_partitions(clusters.b(), "A.pay", 2, 20_000, Duration::from_secs(60));
    assert_eq!(count(&got), 20_000, "log:\n{}", worker.log());

    // Offset syncs on the source cluster (offset-syncs.topic.location=source). The task
    // writes them once the worker committed the records' offsets, a moment after the records
    // arrived: wait for each partition's last (offset.lag.max = 100: within 101 of the end).
    let mut syncs = Vec::new();
    let synced_to_end = wait_until(Duration::from_secs(30), || {
        syncs = read_raw(clusters.a(), "mm2-offset-syncs.B.internal")
            .iter()
            .map(|(k, v)| decode_offset_sync(k, v))
            .collect();
        (0..2).all(|p| {
            syncs
                .iter()
                .any(|s| s.0 == "pay" && s.1 == p && s.2 >= 10_000 - 101)
        })
    });
    assert!(
        synced_to_end,
        "offset syncs of pay not written to the end: {syncs:?}; log:\n{}",
        worker.log()
    );
    for p in 0..2 {
        let mine: Vec<_> = syncs.iter().filter(|s| s.0 == "pay" && s.1 == p).collect();
        assert!(!mine.is_empty(), "no offset sync for pay-{p}: {syncs:?}");
        // The target started empty, so each record lands at its source offset.
        assert!(mine.iter().all(|s| s.2 == s.3), "{mine:?}");
        assert_eq!(mine[0].2, 0, "the first record is synced");
        // offset.lag.max = 100: never more than 101 records between syncs.
        for w in mine.windows(2) {
            assert!(w[1].2 - w[0].2 <= 101, "syncs too far apart: {w:?}");
        }
    }

    // The checkpoint of the group appears on the target, translated. Checkpoints written
    // while replication was still behind the group translate to less (as Java's); each later
    // one moves forward, and once replication passed the group the latest lands within
    // offset.lag.max (+1: Kafka translates to one past the last sync) of its position.
    let mut checkpoints = Vec::new();
    let latest = |cs: &[Checkpoint], p: i32| {
        cs.iter()
            .rev()
            .find(|c| c.partition == p)
            .map(|c| c.downstream)
    };
    let found = wait_until(Duration::from_secs(30), || {
        checkpoints = read_raw(clusters.b(), "A.checkpoints.internal")
            .iter()
            .map(|(k, v)| decode_checkpoint(k, v))
            .collect();
        (0..2).all(|p| latest(&checkpoints, p).is_some_and(|d| d >= 5_000 - 101))
    });
    assert!(
        found,
        "no checkpoints for {group}: {checkpoints:?}; log:\n{}",
        worker.log()
    );
    let mut translated = HashMap::new();
    for c in &checkpoints {
        assert_eq!(
            (c.group.as_str(), c.topic.as_str(), c.upstream),
            (group, "A.pay", 5_000)
        );
        // Translation never passes the group's position: nothing is skipped.
        assert!(c.downstream <= 5_000, "{c:?}");
        let previous = translated.insert(c.partition, c.downstream);
        assert!(
            previous.is_none_or(|d| d < c.downstream),
            "checkpoints move forward: {checkpoints:?}"
        );
    }

    // With sync.group.offsets.enabled the idle group's offsets are committed on the target,
    // and a consumer of that group resumes there: nothing skipped, re-reads within the lag.
    let target_group = consumer(clusters.b(), group);
    let mut synced = false;
    wait_until(Duration::from_secs(30), || {
        let mut tpl = TopicPartitionList::new();
        for p in 0..2 {
            tpl.add_partition("A.pay", p);
        }
        synced = target_group
            .committed_offsets(tpl, Duration::from_secs(10))
            .map(|t| {
                (0..2).all(|p| {
                    t.find_partition("A.pay", p).unwrap().offset() == Offset::Offset(translated[&p])
                })
            })
            .unwrap_or(false);
        synced
    });
    assert!(
        synced,
        "the group's offsets were not synced to the target; log:\n{}",
        worker.log()
    );
    drop(target_group);
    let resumed = consumer(clusters.b(), group);
    resumed.subscribe(&["A.pay"]).unwrap();
    let mut first: HashMap<i32, Vec<u8>> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while first.len() < 2 && Instant::now() < deadline {
        if let Some(Ok(m)) = resumed.poll(Duration::from_millis(200)) {
            if !first.contains_key(&m.partition()) {
                eprintln!(
                    "resumed partition {} at offset {}",
                    m.partition(),
                    m.offset()
                );
            }
            first
                .entry(m.partition())
                .or_insert_with(|| m.payload().unwrap().to_vec());
        }
    }
    for p in 0..2i32 {
        let at = translated[&p] as usize;
        assert_eq!(
            first.get(&p),
            sent[p as usize].get(at).and_then(|r| r.value.as_ref()),
            "the group resumes on the target at the translated offset of partition {p}"
        );
    }

    // Heartbeats on the target at the set interval.
    let beats: Vec<_> = read_raw(clusters.b(), "heartbeats")
        .iter()
        .map(|(k, v)| decode_heartbeat(k, v))
        .collect();
    let elapsed_s = (now_ms() - started) / 1000;
    assert!(beats.len() >= 3, "heartbeats: {beats:?}");
    assert!(beats.iter().all(|b| b.0 == "A" && b.1 == "B"), "{beats:?}");
    assert!(
        beats.windows(2).all(|w| w[1].2 > w[0].2),
        "heartbeat timestamps increase"
    );
    let span_s = (beats.last().unwrap().2 - beats[0].2) as f64 / 1000.0;
    let per_s = (beats.len() - 1) as f64 / span_s.max(1.0);
    assert!(
        (0.5..=1.5).contains(&per_s),
        "{} heartbeats over {span_s:.1} s (worker up {elapsed_s} s) for a 1 s interval",
        beats.len()
    );
}

#[test]
fn kill_9_mid_replication_loses_nothing_on_the_target() {
    let clusters = Clusters::start();
    clusters.a.create_topic("big", 4);
    // The restarted task resumes mid-topic on the source: one record per batch there.
    let sent = produce_with(clusters.a(), ONE_PER_BATCH, "big", 4, 0, 15_000);
    let dir = tempfile::tempdir().unwrap();
    let source = clusters.connector(
        "mirror-source",
        "MirrorSourceConnector",
        &[
            ("topics", "big"),
            ("tasks.max", "2"),
            // Unthrottled, the 60,000 records are copied in about 2 s; smaller fetches from A
            // (64 KiB, some 460 records) give the kill time to land mid-replication.
            ("source.consumer.fetch.max.bytes", "65536"),
            ("source.consumer.message.max.bytes", "65536"),
        ],
    );
    let mut worker = start_worker(dir.path(), &clusters, std::slice::from_ref(&source));
    let offsets = dir.path().join("connect.offsets");
    let mid = wait_until(Duration::from_secs(120), || {
        std::fs::read_to_string(&offsets)
            .map(|s| s.len() > 2)
            .unwrap_or(false)
            && high_watermarks(clusters.b(), "A.big", 4) >= 6_000
    });
    assert!(mid, "nothing replicated; log:\n{}", worker.log());
    worker.kill_9();
    let at_kill = count(&read_partitions(
        clusters.b(),
        "A.big",
        4,
        60_000,
        Duration::from_secs(3),
    ));
    assert!(
        at_kill < 60_000,
        "killed too late to be mid-replication ({at_kill})"
    );

    let worker = start_worker(dir.path(), &clusters, &[source]);
    let mut got = Vec::new();
    let done = wait_until(Duration::from_secs(180), || {
        got = read_partitions(clusters.b(), "A.big", 4, 120_000, Duration::from_secs(3));
        (0..4).all(|p| got[p].last() == sent[p].last())
    });
    assert!(
        done,
        "the restarted worker did not finish; log:\n{}",
        worker.log()
    );
    // At least once: each record arrives, in order; a range may repeat after the crash
    // (what was sent after the last committed offset).
    let resent = assert_at_least_once_in_order(&sent, &got);
    // Every offset sync, from both runs, points at its record on the target or before it:
    // translation may make a consumer read records again, never skip one. (The restarted task
    // counts where its records land from the remote partition's end at start; a crashed run's
    // last requests appended later, or a trailing end offset as Tansu 0.6 reports one right
    // after a restart, make its syncs point earlier until the task finds the end moved.)
    let syncs: Vec<_> = read_raw(clusters.a(), "mm2-offset-syncs.B.internal")
        .iter()
        .map(|(k, v)| decode_offset_sync(k, v))
        .collect();
    assert!(syncs.len() >= 4, "{syncs:?}");
    let mut exact = 0;
    for (topic, p, upstream, downstream) in &syncs {
        assert_eq!(topic, "big");
        let want = &sent[*p as usize][*upstream as usize];
        // The record may be there twice (sent again after the crash): its last copy counts.
        let at = got[*p as usize]
            .iter()
            .rposition(|r| r == want)
            .expect("replicated");
        assert!(
            at as i64 >= *downstream,
            "offset sync {upstream} -> {downstream} of partition {p} points past its record (at {at})"
        );
        if got[*p as usize].get(*downstream as usize) == Some(want) {
            exact += 1;
        }
    }
    eprintln!("{exact} of {} offset syncs exact", syncs.len());
    eprintln!("killed with {at_kill} replicated; {resent} records sent twice, none lost");
}

/// Kafka's own `config/connect-mirror-maker.properties` with only the clusters' addresses
/// changed, and `extra` lines after it.
fn mm2_file(dir: &Path, clusters: &Clusters, extra: &str) -> std::path::PathBuf {
    let kafkas = std::fs::read_to_string(
        e2e::workspace_root().join("tests/fixtures/kafka/connect-mirror-maker.properties"),
    )
    .unwrap();
    let text = kafkas
        .replace("A_host1:9092, A_host2:9092, A_host3:9092", clusters.a())
        .replace("B_host1:9092, B_host2:9092, B_host3:9092", clusters.b());
    assert_ne!(text, kafkas);
    let file = dir.join("mm2.properties");
    std::fs::write(&file, format!("{text}\n{extra}\n")).unwrap();
    file
}

/// The REST API of one flow's worker, from the line the dedicated MirrorMaker logs for it.
fn flow_rest(log: &str, flow: &str) -> Option<String> {
    let line = log
        .lines()
        .find(|l| l.contains(&format!("MirrorMaker flow {flow} ")))?;
    let url = line.split("REST API ").nth(1)?.trim();
    Some(url.trim_end_matches('/').to_string())
}

/// Which of `sent` a replicated record is.
fn source_index(sent: &[Rec], r: &Rec) -> usize {
    sent.iter()
        .position(|s| s == r)
        .expect("only source records")
}

/// Checks that each partition of `got` holds every record of `sent` in order, where a record
/// may come again only after records that followed it (a range resent after a crash), never
/// ahead of its turn; returns how many came again.
fn assert_at_least_once_in_order(sent: &[Vec<Rec>], got: &[Vec<Rec>]) -> usize {
    let mut resent = 0;
    for (p, (sent, got)) in sent.iter().zip(got).enumerate() {
        let mut next = 0;
        for r in got {
            if next < sent.len() && *r == sent[next] {
                next += 1;
            } else {
                assert!(
                    source_index(sent, r) < next,
                    "partition {p}: a record ahead of its turn"
                );
                resent += 1;
            }
        }
        assert_eq!(next, sent.len(), "partition {p}: records lost");
    }
    resent
}

/// Kafka's own MirrorMaker file, both ways between two clusters: A's topic arrives on B as
/// `A.orders` per partition and in order, B's heartbeats arrive on A, checkpoints and
/// heartbeats are written on both; a `kill -9` mid-replication and a restart lose nothing and
/// leave the connector configurations as they were.
#[test]
fn dedicated_mode_runs_kafkas_file_both_ways_and_a_kill_9_loses_nothing() {
    let clusters = Clusters::start();
    clusters.a.create_topic("orders", 4);
    // The restarted flow resumes mid-topic on the source: one record per batch there.
    let sent = produce_with(clusters.a(), ONE_PER_BATCH, "orders", 4, 0, 10_000);
    commit_group(clusters.a(), "billing", "orders", 4, 5_000);
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_mirror"]);
    // Unthrottled, the flow copies the 40,000 records in under 3 s, before a first offset
    // flush can be seen on B and the kill sent; smaller fetches from A (32 KiB, some 230
    // records) stretch that to about 20 s, so the kill lands mid-replication.
    let file = mm2_file(
        dir.path(),
        &clusters,
        &format!(
            "plugin.path = {}\n\
             tasks.max = 2\n\
             emit.heartbeats.interval.seconds = 1\n\
             emit.checkpoints.interval.seconds = 1\n\
             refresh.groups.interval.seconds = 2\n\
             sync.group.offsets.enabled = true\n\
             sync.group.offsets.interval.seconds = 1\n\
             A.offset.flush.interval.ms = 500\n\
             B.offset.flush.interval.ms = 500\n\
             A.consumer.fetch.max.bytes = 32768\n\
             A.consumer.message.max.bytes = 32768\n",
            path_str(&plugins)
        ),
    );
    let mut mm = Worker::mirror_maker(dir.path(), &file, &[]);
    let mid = wait_until(Duration::from_secs(120), || {
        !read_raw(clusters.b(), "mm2-offsets.A.internal").is_empty()
            && high_watermarks(clusters.b(), "A.orders", 4) >= 4_000
    });
    assert!(
        mid,
        "not replicating: {} records on B's A.orders, {} in mm2-offsets.A.internal; log:\n{}",
        high_watermarks(clusters.b(), "A.orders", 4),
        read_raw(clusters.b(), "mm2-offsets.A.internal").len(),
        mm.log()
    );
    let first_log = mm.log();
    for name in [
        "MirrorSourceConnector",
        "MirrorCheckpointConnector",
        "MirrorHeartbeatConnector",
    ] {
        for flow in ["A->B", "B->A"] {
            assert!(
                first_log.contains(&format!("MirrorMaker flow {flow}: created {name}")),
                "{flow} {name} not created; log:\n{first_log}"
            );
        }
    }
    mm.kill_9();
    let at_kill = high_watermarks(clusters.b(), "A.orders", 4);
    assert!(
        at_kill < 40_000,
        "killed too late to be mid-replication ({at_kill}); log:\n{first_log}"
    );

    let mut mm = Worker::mirror_maker(dir.path(), &file, &[]);
    let mut got = Vec::new();
    let done = wait_until(Duration::from_secs(180), || {
        got = read_partitions(clusters.b(), "A.orders", 4, 80_000, Duration::from_secs(3));
        (0..4).all(|p| got[p].last() == sent[p].last())
    });
    assert!(
        done,
        "the restarted MirrorMaker did not finish; log:\n{}",
        mm.log()
    );
    let resent = assert_at_least_once_in_order(&sent, &got);
    eprintln!("killed with {at_kill} replicated; {resent} records sent twice, none lost");

    // The restart found its connectors in the config topic as the file has them.
    let log = mm.log();
    assert!(
        !log.contains(": created Mirror") && !log.contains(": reconfigured Mirror"),
        "{log}"
    );
    // Each flow's worker answers for its own connectors.
    mm.rest = flow_rest(&log, "A->B").unwrap_or_else(|| panic!("no A->B REST line:\n{log}"));
    let (status, names) = mm.get("/connectors");
    assert_eq!(status, 200);
    let mut names: Vec<&str> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "MirrorCheckpointConnector",
            "MirrorHeartbeatConnector",
            "MirrorSourceConnector"
        ]
    );
    let running = wait_until(Duration::from_secs(30), || {
        mm.connector_state("MirrorSourceConnector").as_deref() == Some("RUNNING")
            && mm.task_state("MirrorSourceConnector", 1).as_deref() == Some("RUNNING")
    });
    assert!(
        running,
        "{:?}",
        mm.get("/connectors/MirrorSourceConnector/status")
    );
    let (_, config) = mm.get("/connectors/MirrorSourceConnector/config");
    assert_eq!(config["source.cluster.alias"], "A");
    assert_eq!(config["target.cluster.bootstrap.servers"], clusters.b());
    assert_eq!(config["enabled"], "true");

    // Heartbeats both ways: each flow's on its target, and B's carried back to A by B->A.
    let beats = |servers: &str, topic: &str| -> Vec<(String, String, i64)> {
        read_raw(servers, topic)
            .iter()
            .map(|(k, v)| decode_heartbeat(k, v))
            .collect()
    };
    let (mut on_a, mut on_b, mut from_b) = (Vec::new(), Vec::new(), Vec::new());
    let flowing = wait_until(Duration::from_secs(60), || {
        on_a = beats(clusters.a(), "heartbeats");
        on_b = beats(clusters.b(), "heartbeats");
        from_b = beats(clusters.a(), "B.heartbeats");
        on_a.len() >= 3 && on_b.len() >= 3 && !from_b.is_empty()
    });
    assert!(
        flowing,
        "heartbeats on A {on_a:?}, on B {on_b:?}, B.heartbeats on A {from_b:?}; log:\n{}",
        mm.log()
    );
    // Java's layout: the source and target alias of the flow that emitted each, so B.heartbeats
    // on A holds A->B's heartbeats: the round trip that shows both flows work.
    assert!(on_a.iter().all(|b| b.0 == "B" && b.1 == "A"), "{on_a:?}");
    assert!(on_b.iter().all(|b| b.0 == "A" && b.1 == "B"), "{on_b:?}");
    assert!(
        from_b.iter().all(|b| b.0 == "A" && b.1 == "B"),
        "{from_b:?}"
    );

    // The group's checkpoint on B, never past its position; its offsets synced on B.
    let mut checkpoints = Vec::new();
    let found = wait_until(Duration::from_secs(60), || {
        checkpoints = read_raw(clusters.b(), "A.checkpoints.internal")
            .iter()
            .map(|(k, v)| decode_checkpoint(k, v))
            .filter(|c| c.group == "billing")
            .collect();
        (0..4).all(|p| checkpoints.iter().any(|c| c.partition == p))
    });
    assert!(
        found,
        "no checkpoints for billing: {checkpoints:?}; log:\n{}",
        mm.log()
    );
    for c in &checkpoints {
        assert_eq!((c.topic.as_str(), c.upstream), ("A.orders", 5_000), "{c:?}");
        let p = c.partition as usize;
        // Nothing skipped: the record a consumer resumes at comes at or before the 5,000th.
        assert!(
            source_index(&sent[p], &got[p][c.downstream as usize]) <= 5_000,
            "{c:?}"
        );
    }
    let target_group = consumer(clusters.b(), "billing");
    let synced = wait_until(Duration::from_secs(30), || {
        let mut tpl = TopicPartitionList::new();
        for p in 0..4 {
            tpl.add_partition("A.orders", p);
        }
        target_group
            .committed_offsets(tpl, Duration::from_secs(10))
            .map(|t| {
                (0..4).all(
                    |p| match t.find_partition("A.orders", p).unwrap().offset() {
                        // Nothing skipped there either.
                        Offset::Offset(o) if o > 0 => {
                            source_index(&sent[p as usize], &got[p as usize][o as usize]) <= 5_000
                        }
                        _ => false,
                    },
                )
            })
            .unwrap_or(false)
    });
    assert!(
        synced,
        "billing's offsets not synced on B; log:\n{}",
        mm.log()
    );
    assert!(mm.terminate(), "a clean stop; log:\n{}", mm.log());
}
