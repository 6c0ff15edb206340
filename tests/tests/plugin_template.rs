//! The plugin template (`examples/plugin-template`, DatagenSource) as a third party uses it:
//! built from its own directory with its own lockfile, copied into a fresh `plugin.path`,
//! run by the real worker on both brokers.
//!
//! The broker runs in a process of its own (`connect embedded-broker`, or Tansu), so the
//! topic outlives a stopped worker and is read by an independent client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::{
    build_external_plugin, on_every_broker, pairs, path_str, read_topic_messages, wait_until,
    workspace_root, BrokerKind, ReadMessage, TestBroker, Worker,
};
use serde_json::{json, Value};

const CLASS: &str = "io.connect.rs.datagen.DatagenSourceConnector";
const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";
const FIELDS: &str = "id:sequence,user:choice(alice|bob|carol),amount:float(0,100),ts:now";
const USERS: [&str; 3] = ["alice", "bob", "carol"];

/// A `plugin.path` in `dir` holding the template's library, built as its author would.
fn datagen_plugin_dir(dir: &Path) -> PathBuf {
    let library = build_external_plugin(
        &workspace_root().join("examples/plugin-template"),
        "connect_datagen",
    );
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(&library, plugins.join(library.file_name().unwrap())).unwrap();
    plugins
}

/// Worker settings: JSON values with schemas, JSON keys without, a fast offset flush.
fn worker_settings(broker: &TestBroker, dir: &Path, plugins: &Path) -> Vec<(String, String)> {
    let mut settings: Vec<(String, String)> = [
        ("key.converter", JSON),
        ("key.converter.schemas.enable", "false"),
        ("value.converter", JSON),
        ("value.converter.schemas.enable", "true"),
        (
            "offset.storage.file.filename",
            path_str(&dir.join("connect.offsets")),
        ),
        ("offset.flush.interval.ms", "200"),
        ("plugin.path", path_str(plugins)),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if let Some(servers) = broker.bootstrap_servers() {
        settings.push(("bootstrap.servers".into(), servers.into()));
    }
    settings
}

/// The last sequence number each task stored in the offsets file, by task index.
fn stored_sequences(offsets: &Path) -> BTreeMap<i64, i64> {
    let Some(doc) = std::fs::read(offsets)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    else {
        return BTreeMap::new();
    };
    doc["offsets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["key"][1]["task"].as_i64()?,
                e["value"]["sequence"].as_i64()?,
            ))
        })
        .collect()
}

/// How many records task `task` of `tasks` made up to and including `sequence`.
fn records_up_to(task: i64, tasks: i64, sequence: i64) -> i64 {
    (sequence - task) / tasks + 1
}

/// One generated record, read back and checked against the schema the connector declares.
#[derive(Debug)]
struct Order {
    id: i64,
    user: String,
    amount: f64,
    ts: i64,
}

fn decode(message: &ReadMessage) -> Order {
    let value: Value = serde_json::from_slice(message.value.as_deref().expect("a value"))
        .expect("the value is JSON");
    let schema = &value["schema"];
    assert_eq!(schema["type"], "struct", "{value}");
    assert_eq!(schema["name"], "io.connect.rs.datagen.Record", "{value}");
    let fields: Vec<(&str, &str, Option<&str>)> = schema["fields"]
        .as_array()
        .expect("struct fields")
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or_default(),
                f["type"].as_str().unwrap_or_default(),
                f["name"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("id", "int64", None),
            ("user", "string", None),
            ("amount", "double", None),
            (
                "ts",
                "int64",
                Some("org.apache.kafka.connect.data.Timestamp")
            ),
        ],
        "{value}"
    );
    let payload = &value["payload"];
    let order = Order {
        id: payload["id"].as_i64().expect("id"),
        user: payload["user"].as_str().expect("user").to_string(),
        amount: payload["amount"].as_f64().expect("amount"),
        ts: payload["ts"].as_i64().expect("ts"),
    };
    let key: Value = serde_json::from_slice(message.key.as_deref().expect("a key")).unwrap();
    assert_eq!(key, json!(order.user), "key.field=user keys by the user");
    order
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Asserts the topic holds sequence numbers `0..total`, each exactly once, with valid values.
fn assert_every_sequence_once(servers: &str, topic: &str, total: i64, since_ms: i64) {
    let orders: Vec<Order> = read_topic_messages(servers, topic)
        .iter()
        .map(decode)
        .collect();
    let mut ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    ids.sort_unstable();
    let duplicates = ids.windows(2).filter(|w| w[0] == w[1]).count();
    ids.dedup();
    assert_eq!(duplicates, 0, "duplicated sequence numbers");
    assert_eq!(
        ids,
        (0..total).collect::<Vec<_>>(),
        "every sequence number once, none missing"
    );
    let until = now_ms();
    for o in &orders {
        assert!(USERS.contains(&o.user.as_str()), "{o:?}");
        assert!((0.0..100.0).contains(&o.amount), "{o:?}");
        assert!(
            (since_ms - 1000..=until).contains(&o.ts),
            "ts is when the record was made: {o:?}"
        );
    }
    for user in USERS {
        assert!(orders.iter().any(|o| o.user == user), "{user} never chosen");
    }
}

fn datagen(topic: &str, extra: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    let mut config: Vec<(&str, &str)> = vec![
        ("name", "datagen"),
        ("connector.class", "DatagenSource"),
        ("topic", topic),
        ("fields", FIELDS),
        ("key.field", "user"),
        ("tasks.max", "2"),
        ("random.seed", "7"),
    ];
    config.extend_from_slice(extra);
    config
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn max_records_from_two_tasks(kind: BrokerKind) {
    let started = now_ms();
    let broker = TestBroker::start_external(kind);
    broker.create_topic("orders", 1);
    let servers = broker.bootstrap_servers().expect("an external broker");
    let dir = tempfile::tempdir().unwrap();
    let plugins = datagen_plugin_dir(dir.path());
    let settings = worker_settings(&broker, dir.path(), &plugins);
    let connector = datagen("orders", &[("max.records", "1000")]);
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[&pairs(&connector)]);

    let (code, plugins_listed) = worker.get("/connector-plugins");
    assert_eq!(code, 200);
    assert!(
        plugins_listed
            .as_array()
            .unwrap()
            .contains(&json!({"class": CLASS, "type": "source", "version": "0.1.0"})),
        "{plugins_listed}"
    );
    let offsets = dir.path().join("connect.offsets");
    // Task 0 makes the even sequence numbers, task 1 the odd ones: 998 and 999 are the last.
    let done = wait_until(Duration::from_secs(60), || {
        stored_sequences(&offsets) == BTreeMap::from([(0, 998), (1, 999)])
    });
    assert!(
        done,
        "stored {:?}; log:\n{}",
        stored_sequences(&offsets),
        worker.log()
    );
    assert_eq!(
        worker.connector_state("datagen").as_deref(),
        Some("RUNNING")
    );
    for task in 0..2 {
        assert_eq!(
            worker.task_state("datagen", task).as_deref(),
            Some("RUNNING")
        );
    }
    assert_every_sequence_once(servers, "orders", 1000, started);
    let log = worker.log();
    assert!(
        log.contains("Generating records with fields id, user, amount, ts into topic orders"),
        "the connector logs through plugin_abi::log:\n{log}"
    );
    assert!(log.contains("Task 1 of 2: starting at sequence 1"), "{log}");
}

fn restart_mid_run(kind: BrokerKind) {
    const TOTAL: i64 = 3000;
    let started = now_ms();
    let broker = TestBroker::start_external(kind);
    broker.create_topic("orders", 1);
    let servers = broker.bootstrap_servers().expect("an external broker");
    let dir = tempfile::tempdir().unwrap();
    let plugins = datagen_plugin_dir(dir.path());
    let settings = worker_settings(&broker, dir.path(), &plugins);
    // 250 records/s: about 12 s in all, so the stop lands mid-run.
    let connector = datagen("orders", &[("max.records", "3000"), ("rate", "250")]);
    let offsets = dir.path().join("connect.offsets");

    let mut worker = Worker::standalone(dir.path(), &pairs(&settings), &[&pairs(&connector)]);
    let some = wait_until(Duration::from_secs(60), || {
        let stored = stored_sequences(&offsets);
        stored.len() == 2 && stored.values().all(|&s| s >= 300)
    });
    assert!(some, "no progress stored; log:\n{}", worker.log());
    assert!(worker.terminate(), "clean stop; log:\n{}", worker.log());
    let stored = stored_sequences(&offsets);
    let committed: i64 = stored
        .iter()
        .map(|(&task, &sequence)| records_up_to(task, 2, sequence))
        .sum();
    assert!(
        committed < TOTAL,
        "stopped too late to be mid-run: {stored:?}"
    );
    let delivered = read_topic_messages(servers, "orders").len() as i64;
    assert_eq!(
        delivered, committed,
        "a clean stop stores the offsets of everything it delivered ({stored:?})"
    );

    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[&pairs(&connector)]);
    let done = wait_until(Duration::from_secs(90), || {
        stored_sequences(&offsets) == BTreeMap::from([(0, TOTAL - 2), (1, TOTAL - 1)])
    });
    assert!(
        done,
        "stored {:?}; log:\n{}",
        stored_sequences(&offsets),
        worker.log()
    );
    let log = worker.log();
    for (task, sequence) in &stored {
        assert!(
            log.contains(&format!(
                "Task {task} of 2: resuming after sequence {sequence}"
            )),
            "task {task} resumes from its stored offset:\n{log}"
        );
    }
    assert_every_sequence_once(servers, "orders", TOTAL, started);
}

fn bad_fields_spec_is_refused(kind: BrokerKind) {
    let broker = TestBroker::start(kind);
    let dir = tempfile::tempdir().unwrap();
    let plugins = datagen_plugin_dir(dir.path());
    let settings = worker_settings(&broker, dir.path(), &plugins);
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);
    let bad = json!({
        "name": "bad",
        "connector.class": CLASS,
        "topic": "t",
        "fields": "id:sequence,amount:float(0,x)",
        "key.field": "id",
    });
    let expected = "Invalid value id:sequence,amount:float(0,x) for configuration fields: \
                    field 2 \"amount:float(0,x)\": \"x\" is not a number";

    let (code, infos) = worker.call(
        "PUT",
        "/connector-plugins/DatagenSource/config/validate",
        Some(bad.clone()),
    );
    assert_eq!(code, 200, "{infos}");
    assert_eq!(infos["name"], CLASS);
    assert_eq!(infos["error_count"], 1, "only the spec is wrong: {infos}");
    let fields = infos["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["definition"]["name"] == "fields")
        .expect("fields is validated");
    assert_eq!(fields["value"]["errors"], json!([expected]), "{fields}");
    assert_eq!(fields["definition"]["group"], "Records");
    assert!(infos["groups"].as_array().unwrap().contains(&json!("Pace")));

    let (code, body) = worker.call(
        "POST",
        "/connectors",
        Some(json!({"name": "bad", "config": bad})),
    );
    assert_eq!(code, 400, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(expected), "{message}");
    let (_, names) = worker.get("/connectors");
    assert_eq!(names, json!([]), "the refused connector does not exist");

    // A key field that is not among the fields is named too.
    let (_, infos) = worker.call(
        "PUT",
        "/connector-plugins/DatagenSource/config/validate",
        Some(json!({"name": "x", "connector.class": "DatagenSource", "topic": "t", "key.field": "price"})),
    );
    assert_eq!(infos["error_count"], 1, "{infos}");
    assert!(
        infos
            .to_string()
            .contains("no field \\\"price\\\" in fields (id, user, amount, ts)"),
        "{infos}"
    );
}

on_every_broker! {
    fn max_records_from_two_tasks_arrive_once_each_with_schema_and_key(kind) {
        max_records_from_two_tasks(kind);
    }

    fn a_restarted_worker_resumes_each_task_after_its_stored_sequence(kind) {
        restart_mid_run(kind);
    }

    fn a_bad_fields_spec_is_refused_naming_the_field_at_fault(kind) {
        bad_fields_spec_is_refused(kind);
    }
}
