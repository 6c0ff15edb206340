//! Distributed mode: separate `connect distributed` processes on loopback forming one group
//! through a real broker's group coordinator, with configs, offsets and statuses in topics.
//!
//! These run on Tansu only: librdkafka's mock cluster, the embedded broker, drops the
//! connection of a JoinGroup with protocol type `connect`.
//!
//! Tansu's group coordinator answers a leader's JoinGroup at once and holds a follower's for
//! 3 s instead of waiting for every member as Kafka's does, so followers sometimes miss the
//! round that gave them work; the leader gives such work again in the next round
//! (`cluster::assignor`), and these tests check that the group converges all the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use e2e::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::{json, Value};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

struct Cluster {
    broker: TestBroker,
    dir: tempfile::TempDir,
    plugins: PathBuf,
    group: String,
    workers: Vec<Option<Worker>>,
    extra: Vec<(String, String)>,
}

impl Cluster {
    fn start(workers: usize, extra: &[(&str, &str)]) -> Cluster {
        let broker = TestBroker::start(BrokerKind::Tansu);
        let dir = tempfile::tempdir().unwrap();
        let plugins = plugin_dir(dir.path(), &["connect_test_kit", "connect_file"]);
        let mut cluster = Cluster {
            broker,
            plugins,
            group: "connect-cluster".to_string(),
            workers: Vec::new(),
            extra: extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            dir,
        };
        for _ in 0..workers {
            cluster.add_worker();
        }
        cluster
    }

    fn settings(&self) -> Vec<(String, String)> {
        let mut settings: Vec<(String, String)> = [
            (
                "bootstrap.servers",
                self.broker.bootstrap_servers().unwrap(),
            ),
            ("group.id", self.group.as_str()),
            ("config.storage.topic", "connect-configs"),
            ("offset.storage.topic", "connect-offsets"),
            ("status.storage.topic", "connect-status"),
            ("config.storage.replication.factor", "1"),
            ("offset.storage.replication.factor", "1"),
            ("status.storage.replication.factor", "1"),
            ("key.converter", STRING),
            ("value.converter", STRING),
            ("plugin.path", path_str(&self.plugins)),
            ("offset.flush.interval.ms", "500"),
            ("session.timeout.ms", "6000"),
            ("heartbeat.interval.ms", "1000"),
            ("scheduled.rebalance.max.delay.ms", "3000"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        settings.extend(self.extra.iter().cloned());
        settings
    }

    fn start_worker(&self, index: usize) -> Worker {
        let dir = self.dir.path().join(format!("worker-{index}"));
        Worker::distributed(&dir, &pairs(&self.settings()))
    }

    fn add_worker(&mut self) -> usize {
        let index = self.workers.len();
        let worker = self.start_worker(index);
        self.workers.push(Some(worker));
        index
    }

    fn worker(&self, index: usize) -> &Worker {
        self.workers[index].as_ref().expect("a running worker")
    }

    fn live(&self) -> impl Iterator<Item = &Worker> {
        self.workers.iter().flatten()
    }

    fn any(&self) -> &Worker {
        self.live().next().expect("a live worker")
    }

    /// Waits until every live worker is in the group (`GET /health` is 200).
    fn wait_joined(&self) {
        for worker in self.live() {
            assert!(
                wait_until(Duration::from_secs(60), || worker.get("/health").0 == 200),
                "worker never joined; its log:\n{}",
                worker.log()
            );
        }
    }

    /// Creates a connector through worker `via`, retrying while a rebalance is under way.
    fn create(&self, via: usize, name: &str, config: Value) -> (u16, Value) {
        // Tansu creates no topic on first use.
        if let Some(topic) = config["topic"].as_str() {
            self.broker.create_topic(topic, 1);
        }
        let mut answer = (0, Value::Null);
        wait_until(Duration::from_secs(30), || {
            answer = self.worker(via).call(
                "POST",
                "/connectors",
                Some(json!({"name": name, "config": config})),
            );
            answer.0 != 409
                || answer.1["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("exists")
        });
        answer
    }

    /// Every task of every connector RUNNING, as `via` reports it: task → worker id.
    fn running_tasks(
        &self,
        via: &Worker,
        connectors: &[(&str, usize)],
    ) -> Option<BTreeMap<String, String>> {
        let mut placement = BTreeMap::new();
        for (name, tasks) in connectors {
            let (code, status) = via.get(&format!("/connectors/{name}/status"));
            if code != 200 || status["connector"]["state"] != "RUNNING" {
                return None;
            }
            let list = status["tasks"].as_array()?;
            if list.len() != *tasks {
                return None;
            }
            for task in list {
                if task["state"] != "RUNNING" {
                    return None;
                }
                placement.insert(
                    format!("{name}-{}", task["id"]),
                    task["worker_id"].as_str()?.to_string(),
                );
            }
            placement.insert(
                name.to_string(),
                status["connector"]["worker_id"].as_str()?.to_string(),
            );
        }
        Some(placement)
    }

    fn wait_running(&self, connectors: &[(&str, usize)]) -> BTreeMap<String, String> {
        let mut placement = None;
        let ok = wait_until(Duration::from_secs(90), || {
            placement = self.running_tasks(self.any(), connectors);
            placement.is_some()
        });
        assert!(ok, "not everything RUNNING; logs:\n{}", self.logs());
        placement.unwrap()
    }

    fn logs(&self) -> String {
        self.live()
            .enumerate()
            .map(|(i, w)| format!("==== worker {i}\n{}", w.log()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn counting(topic: &str, tasks: usize, per_task: u64, batch: u64) -> Value {
    json!({
        "connector.class": "test.kit.CountingSourceConnector",
        "tasks.max": tasks.to_string(),
        "topic": topic,
        "records.per.task": per_task.to_string(),
        "batch.size": batch.to_string(),
    })
}

/// How many of each `<task>-<n>` value the topic holds (all partitions), read until every
/// `n < per_task` of every task is there or `timeout` passes.
fn read_counts(
    bootstrap: &str,
    topic: &str,
    tasks: usize,
    per_task: u64,
    timeout: Duration,
) -> HashMap<String, u32> {
    // librdkafka assigns partitions only to a consumer with a group; nothing is committed.
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("read-counts-{topic}"))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let partitions = metadata.topics()[0].partitions().len().max(1);
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p as i32, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut counts: HashMap<String, u32> = HashMap::new();
    let wanted = tasks as u64 * per_task;
    let deadline = Instant::now() + timeout;
    while (counts.len() as u64) < wanted && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let value = String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned();
            *counts.entry(value).or_default() += 1;
        }
    }
    counts
}

fn missing(counts: &HashMap<String, u32>, tasks: usize, per_task: u64) -> Vec<String> {
    (0..tasks)
        .flat_map(|t| (0..per_task).map(move |n| format!("{t}-{n}")))
        .filter(|v| !counts.contains_key(v))
        .take(10)
        .collect()
}

fn spread(placement: &BTreeMap<String, String>, tasks_only: bool) -> BTreeMap<String, usize> {
    let mut per_worker = BTreeMap::new();
    for (id, worker) in placement {
        let is_task = id
            .rsplit_once('-')
            .is_some_and(|(_, n)| n.parse::<u32>().is_ok());
        if is_task == tasks_only {
            *per_worker.entry(worker.clone()).or_default() += 1;
        }
    }
    per_worker
}

fn within_one(per_worker: &BTreeMap<String, usize>, workers: usize) -> bool {
    let counts: Vec<usize> = per_worker.values().copied().collect();
    let (min, max) = (
        if per_worker.len() < workers {
            0
        } else {
            *counts.iter().min().unwrap_or(&0)
        },
        *counts.iter().max().unwrap_or(&0),
    );
    max - min <= 1
}

#[test]
fn three_workers_run_every_task_exactly_once_spread_evenly() {
    let cluster = Cluster::start(3, &[]);
    cluster.wait_joined();
    // 4 connectors, 6 tasks, created through different workers (followers forward).
    let connectors = [("c1", 1), ("c2", 1), ("c3", 2), ("c4", 2)];
    for (i, (name, tasks)) in connectors.iter().enumerate() {
        let (code, body) =
            cluster.create(i % 3, name, counting(&format!("t-{name}"), *tasks, 200, 50));
        assert_eq!(code, 201, "{body}\n{}", cluster.logs());
    }
    let placement = cluster.wait_running(&connectors);
    let tasks = spread(&placement, true);
    let instances = spread(&placement, false);
    assert!(within_one(&tasks, 3), "tasks: {tasks:?}");
    assert!(within_one(&instances, 3), "connectors: {instances:?}");
    // Every worker tells the same story.
    for worker in cluster.live() {
        assert_eq!(
            cluster.running_tasks(worker, &connectors).as_ref(),
            Some(&placement)
        );
    }
    // Exactly once: each number of each task is in its topic once.
    let bootstrap = cluster.broker.bootstrap_servers().unwrap();
    for (name, tasks) in connectors {
        let counts = read_counts(
            bootstrap,
            &format!("t-{name}"),
            tasks,
            200,
            Duration::from_secs(60),
        );
        assert_eq!(missing(&counts, tasks, 200), Vec::<String>::new(), "{name}");
        let twice: Vec<_> = counts.iter().filter(|(_, c)| **c > 1).collect();
        assert!(twice.is_empty(), "{name}: written twice: {twice:?}");
    }
}

#[test]
fn a_connector_created_through_a_follower_appears_on_every_worker() {
    let cluster = Cluster::start(3, &[]);
    cluster.wait_joined();
    let started = Instant::now();
    // Worker 2 is a follower unless it happened to be elected; either way it must work.
    let (code, body) = cluster.create(2, "via-follower", counting("t-follower", 1, 10, 10));
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["name"], "via-follower");
    let everywhere = wait_until(Duration::from_secs(10), || {
        cluster
            .live()
            .all(|w| w.get("/connectors/via-follower").0 == 200)
    });
    let took = started.elapsed();
    assert!(everywhere, "{}", cluster.logs());
    eprintln!(
        "connector visible on all 3 workers {} ms after POST",
        took.as_millis()
    );
    // Unhappy paths answer the same way through any worker: the leader's error body.
    for worker in cluster.live() {
        let (code, body) = worker.call(
            "POST",
            "/connectors",
            Some(json!({"name": "bad", "config": {"connector.class": "NoSuchConnector"}})),
        );
        assert_eq!(code, 400, "{body}");
        assert_eq!(body["error_code"], 400);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("NoSuchConnector"),
            "{body}"
        );
        let (code, body) = worker.call("PUT", "/connectors/none/pause", None);
        assert_eq!(
            (code, body["error_code"].as_i64()),
            (404, Some(404)),
            "{body}"
        );
    }
    // Changes through a follower reach the worker running the connector.
    let (code, _) = cluster
        .worker(1)
        .call("PUT", "/connectors/via-follower/pause", None);
    assert_eq!(code, 202);
    let paused = wait_until(Duration::from_secs(90), || {
        cluster.worker(0).connector_state("via-follower").as_deref() == Some("PAUSED")
    });
    assert!(
        paused,
        "{:?}\n{}",
        cluster.worker(0).get("/connectors/via-follower/status"),
        cluster.logs()
    );
    let (code, _) = cluster
        .worker(2)
        .call("DELETE", "/connectors/via-follower", None);
    assert_eq!(code, 204);
    assert!(wait_until(Duration::from_secs(20), || {
        cluster
            .live()
            .all(|w| w.get("/connectors/via-follower").0 == 404)
    }));
}

/// Whether `worker` led its last completed round, as its log says.
fn leads(worker: &Worker) -> bool {
    let log = worker.log();
    let leader = log
        .lines()
        .rev()
        .find_map(|l| l.split(" leader=http").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("");
    !leader.is_empty()
        && format!("http{}", leader.trim_end_matches('/')) == worker.rest.trim_end_matches('/')
}

#[test]
fn a_killed_worker_s_tasks_move_and_come_back_with_nothing_lost() {
    let mut cluster = Cluster::start(3, &[]);
    cluster.wait_joined();
    const PER_TASK: u64 = 1_000_000 / 3 + 1;
    let (code, body) = cluster.create(0, "bulk", counting("t-bulk", 3, PER_TASK, 1000));
    assert_eq!(code, 201, "{body}");
    let before = cluster.wait_running(&[("bulk", 3)]);
    // Kill -9 a worker running a task, while the transfer is under way.
    let victim_id = before["bulk-0"].clone();
    let victim = (0..3)
        .find(|i| cluster.worker(*i).rest.contains(&victim_id))
        .expect("the worker running task 0");
    let was_leader = leads(cluster.worker(victim));
    let killed = Instant::now();
    cluster.workers[victim].as_mut().unwrap().kill_9();
    cluster.workers[victim] = None;
    let moved = wait_until(Duration::from_secs(60), || {
        cluster
            .running_tasks(cluster.any(), &[("bulk", 3)])
            .is_some_and(|p| p.values().all(|w| *w != victim_id))
    });
    assert!(moved, "tasks did not move; logs:\n{}", cluster.logs());
    eprintln!(
        "tasks RUNNING elsewhere {:.1} s after kill -9 of the {}",
        killed.elapsed().as_secs_f64(),
        if was_leader { "leader" } else { "follower" }
    );
    // Every record is there; duplicates only from offsets not yet committed at the kill.
    let bootstrap = cluster.broker.bootstrap_servers().unwrap().to_string();
    let counts = read_counts(&bootstrap, "t-bulk", 3, PER_TASK, Duration::from_secs(240));
    assert_eq!(missing(&counts, 3, PER_TASK), Vec::<String>::new());
    let duplicates: usize = counts
        .values()
        .map(|c| (*c as usize).saturating_sub(1))
        .sum();
    eprintln!("1,000,002 records, {duplicates} duplicates after kill -9");

    // The worker comes back: work moves back to it, and tasks that stay never stop.
    let placement = cluster
        .running_tasks(cluster.any(), &[("bulk", 3)])
        .unwrap();
    cluster.workers[victim] = Some(cluster.start_worker(victim));
    // One worker's view throughout: a task that moves shows UNASSIGNED on its old worker
    // before RUNNING on its new one, and another worker's view may be a moment ahead.
    let observer = cluster.worker((victim + 1) % 3);
    let mut history: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut after = None;
    while Instant::now() < deadline {
        let (_, status) = observer.get("/connectors/bulk/status");
        for task in status["tasks"].as_array().into_iter().flatten() {
            history
                .entry(format!("bulk-{}", task["id"]))
                .or_default()
                .push((
                    task["state"].as_str().unwrap_or("").to_string(),
                    task["worker_id"].as_str().unwrap_or("").to_string(),
                ));
        }
        let now = cluster.running_tasks(observer, &[("bulk", 3)]);
        if now.as_ref().is_some_and(|p| spread(p, true).len() == 3) {
            after = now;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = after.unwrap_or_else(|| panic!("work never moved back; logs:\n{}", cluster.logs()));
    // The tasks that did not move never stopped.
    for (task, seen) in &history {
        if after[task] == placement[task] {
            assert!(
                seen.iter()
                    .all(|(s, w)| s == "RUNNING" && *w == placement[task]),
                "{task} did not move but left RUNNING: {seen:?}"
            );
        }
    }
    let moved = history
        .keys()
        .filter(|t| after[*t] != placement[*t])
        .count();
    assert!(moved >= 1, "nothing moved back to the returning worker");
}

#[test]
fn a_rolling_restart_loses_nothing_and_rest_answers_throughout() {
    let mut cluster = Cluster::start(3, &[]);
    cluster.wait_joined();
    const PER_TASK: u64 = 60_000;
    let (code, body) = cluster.create(0, "rolling", counting("t-rolling", 3, PER_TASK, 200));
    assert_eq!(code, 201, "{body}");
    cluster.wait_running(&[("rolling", 3)]);
    let mut answered = 0;
    let mut unanswered = 0;
    for i in 0..3 {
        assert!(
            cluster.workers[i].as_mut().unwrap().terminate(),
            "clean stop"
        );
        cluster.workers[i] = None;
        // Some worker answers while this one is away.
        for _ in 0..10 {
            let ok = cluster.live().any(|w| w.get("/connectors").0 == 200);
            if ok {
                answered += 1
            } else {
                unanswered += 1
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster.workers[i] = Some(cluster.start_worker(i));
        cluster.wait_joined();
    }
    assert_eq!(
        unanswered,
        0,
        "REST unanswered {unanswered} of {} times",
        answered + unanswered
    );
    let bootstrap = cluster.broker.bootstrap_servers().unwrap().to_string();
    let counts = read_counts(
        &bootstrap,
        "t-rolling",
        3,
        PER_TASK,
        Duration::from_secs(180),
    );
    assert_eq!(
        missing(&counts, 3, PER_TASK),
        Vec::<String>::new(),
        "{}",
        cluster.logs()
    );
}

/// The raw records of `topic`'s partition 0, as keys and JSON values (None: tombstone).
fn raw_records(bootstrap: &str, topic: &str) -> Vec<(String, Option<Value>)> {
    read_topic_messages(bootstrap, topic)
        .into_iter()
        .map(|m| {
            (
                String::from_utf8(m.key.unwrap_or_default()).unwrap(),
                m.value
                    .map(|v| serde_json::from_slice(&v).expect("JSON value")),
            )
        })
        .collect()
}

#[test]
fn internal_topics_hold_javas_record_formats() {
    let cluster = Cluster::start(
        1,
        &[
            ("offset.storage.partitions", "1"),
            ("status.storage.partitions", "1"),
        ],
    );
    cluster.wait_joined();
    let (code, _) = cluster.create(0, "fmt", counting("t-fmt", 2, 5, 5));
    assert_eq!(code, 201);
    cluster.wait_running(&[("fmt", 2)]);
    let (code, _) = cluster.worker(0).call("PUT", "/connectors/fmt/pause", None);
    assert_eq!(code, 202);
    assert!(wait_until(Duration::from_secs(20), || {
        cluster.worker(0).connector_state("fmt").as_deref() == Some("PAUSED")
    }));
    let bootstrap = cluster.broker.bootstrap_servers().unwrap();

    let configs = raw_records(bootstrap, "connect-configs");
    let find = |key: &str| -> Value {
        configs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {key} in {configs:?}"))
    };
    assert_eq!(find("connector-fmt")["properties"]["topic"], "t-fmt");
    assert_eq!(find("task-fmt-0")["properties"]["task.index"], "0");
    assert_eq!(find("task-fmt-1")["properties"]["task.index"], "1");
    assert_eq!(find("commit-fmt"), json!({"tasks": 2}));
    assert_eq!(find("target-state-fmt")["state"], "PAUSED");

    let offsets = raw_records(bootstrap, "connect-offsets");
    let keys: BTreeSet<String> = offsets.iter().map(|(k, _)| k.clone()).collect();
    assert!(keys.contains(r#"["fmt",{"task":0}]"#), "{keys:?}");
    let last = offsets
        .iter()
        .rev()
        .find(|(k, _)| k == r#"["fmt",{"task":1}]"#)
        .and_then(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(last, json!({"n": 4}));

    let statuses = raw_records(bootstrap, "connect-status");
    let connector = statuses
        .iter()
        .rev()
        .find(|(k, _)| k == "status-connector-fmt")
        .and_then(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(connector["state"], "PAUSED");
    assert!(connector["worker_id"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    assert!(connector["generation"].is_i64());
    assert!(statuses.iter().any(|(k, _)| k == "status-task-fmt-1"));
}

#[test]
fn a_worker_without_its_distributed_keys_says_which_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let broker = TestBroker::start(BrokerKind::Tansu);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let settings = [
        ("bootstrap.servers", broker.bootstrap_servers().unwrap()),
        ("key.converter", STRING),
        ("value.converter", STRING),
        ("plugin.path", path_str(&plugins)),
        ("config.storage.topic", "c"),
        ("offset.storage.topic", "o"),
        ("status.storage.topic", "s"),
    ];
    let log = match Worker::try_distributed(&dir.path().join("w"), &settings) {
        Err(log) => log,
        Ok(worker) => panic!("started without group.id; its log:\n{}", worker.log()),
    };
    assert!(log.contains("group.id"), "{log}");
    // The group membership is plaintext only: said at start-up, not found out later.
    let mut secure = settings.to_vec();
    secure.extend([("group.id", "g"), ("security.protocol", "SSL")]);
    let log = match Worker::try_distributed(&dir.path().join("w2"), &secure) {
        Err(log) => log,
        Ok(worker) => panic!("started with SSL; its log:\n{}", worker.log()),
    };
    assert!(log.contains("security.protocol=SSL"), "{log}");
    // No embedded broker for a group: bootstrap.servers is required, and said to be.
    let alone: Vec<(&str, &str)> = secure
        .iter()
        .copied()
        .filter(|(k, _)| *k != "bootstrap.servers" && *k != "security.protocol")
        .collect();
    let log = match Worker::try_distributed(&dir.path().join("w3"), &alone) {
        Err(log) => log,
        Ok(worker) => panic!(
            "started without bootstrap.servers; its log:\n{}",
            worker.log()
        ),
    };
    assert!(
        log.contains("distributed mode needs bootstrap.servers"),
        "{log}"
    );
}
