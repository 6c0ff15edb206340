//! The rebalance figure of `cargo xtask bench`: 3 distributed workers run 20 tasks; a 4th
//! joins; how long until every task runs again, spread over all 4 (±1 each).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::bench::{copy_file, lib_name, median, release_lib, wait_for, Broker, Row, Worker};
use crate::Result;

const TASKS_PER_CONNECTOR: usize = 5;
const CONNECTORS: usize = 4;

pub fn fourth_worker(dir: &Path, tansu: &Path) -> Result<Row> {
    let plugins = dir.join("rebalance-plugins");
    std::fs::create_dir_all(&plugins).map_err(|e| e.to_string())?;
    copy_file(
        &release_lib("connect_test_kit"),
        &plugins.join(lib_name("connect_test_kit")),
    )?;
    let mut runs = Vec::new();
    for run in 0..crate::bench::RUNS {
        let seconds = one_run(&dir.join(format!("rebalance-{run}")), &plugins, tansu)?;
        eprintln!("xtask: rebalance run {run}: {seconds:.2} s");
        runs.push(seconds);
    }
    Ok(Row {
        broker: "Tansu (memory)",
        name: "rebalance: a 4th worker joins 3 running 20 tasks",
        value: median(runs),
        unit: "s",
        raw: None,
    })
}

fn one_run(dir: &Path, plugins: &Path, tansu: &Path) -> Result<f64> {
    let broker = Broker::tansu(tansu)?;
    // Kafka's defaults for everything that paces a rebalance.
    let settings: Vec<(&str, String)> = vec![
        ("bootstrap.servers", broker.bootstrap.clone()),
        ("group.id", "bench-cluster".into()),
        ("config.storage.topic", "bench-configs".into()),
        ("offset.storage.topic", "bench-offsets".into()),
        ("status.storage.topic", "bench-status".into()),
        ("config.storage.replication.factor", "1".into()),
        ("offset.storage.replication.factor", "1".into()),
        ("status.storage.replication.factor", "1".into()),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter".into(),
        ),
        ("plugin.path", plugins.display().to_string()),
    ];
    let start = |i: usize| -> Result<Worker> {
        let d = dir.join(format!("worker-{i}"));
        std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
        Worker::start_mode("distributed", &d, &settings, &[])
    };
    let workers: Vec<Worker> = (0..3).map(start).collect::<Result<_>>()?;
    let rest = workers[0].rest.clone();
    wait_for("the group to form", Duration::from_secs(60), || {
        workers
            .iter()
            .all(|w| http(&w.rest, "GET", "/health", "").0 == 200)
    })?;
    for c in 0..CONNECTORS {
        broker.create_topic(&format!("bench-{c}"))?;
        let body = format!(
            r#"{{"name":"bench-{c}","config":{{"connector.class":"test.kit.CountingSourceConnector","tasks.max":"{TASKS_PER_CONNECTOR}","topic":"bench-{c}","records.per.task":"100"}}}}"#
        );
        wait_for("a connector to be created", Duration::from_secs(30), || {
            http(&rest, "POST", "/connectors", &body).0 == 201
        })?;
    }
    wait_for("20 running tasks", Duration::from_secs(120), || {
        placement(&rest).is_some_and(|p| p.len() == CONNECTORS * TASKS_PER_CONNECTOR)
    })?;
    let started = Instant::now();
    let _fourth = start(3)?;
    wait_for(
        "the 4th worker to get its share",
        Duration::from_secs(120),
        || {
            placement(&rest).is_some_and(|p| {
                let mut per_worker: BTreeMap<&str, usize> = BTreeMap::new();
                for w in p.values() {
                    *per_worker.entry(w).or_default() += 1;
                }
                let counts: Vec<usize> = per_worker.values().copied().collect();
                p.len() == CONNECTORS * TASKS_PER_CONNECTOR
                    && per_worker.len() == 4
                    && counts.iter().max().unwrap_or(&0) - counts.iter().min().unwrap_or(&0) <= 1
            })
        },
    )?;
    Ok(started.elapsed().as_secs_f64())
}

/// Task → worker id of every RUNNING task of the bench connectors.
fn placement(rest: &str) -> Option<BTreeMap<String, String>> {
    let mut all = BTreeMap::new();
    for c in 0..CONNECTORS {
        let (code, body) = http(rest, "GET", &format!("/connectors/bench-{c}/status"), "");
        if code != 200 {
            return None;
        }
        let status: serde_json::Value = serde_json::from_str(&body).ok()?;
        for task in status["tasks"].as_array()? {
            if task["state"] == "RUNNING" {
                all.insert(
                    format!("{c}-{}", task["id"]),
                    task["worker_id"].as_str()?.to_string(),
                );
            }
        }
    }
    Some(all)
}

/// A plain HTTP/1.0 request: status code and body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let code = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}
