//! `cargo xtask bench`: connector throughput as a ratio of the raw librdkafka client's, on
//! the same broker and data in the same run; start-up time and memory of the worker.
//!
//! Every figure is the median of `RUNS` runs. Results: a markdown table on stdout and
//! `target/bench/results.json`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, root, run, target_dir, Result};

pub(crate) const RUNS: usize = 3;
const RECORDS: usize = 1_000_000;
/// Bytes per line, newline included.
const RECORD_BYTES: usize = 100;

pub(crate) struct Row {
    pub broker: &'static str,
    pub name: &'static str,
    pub value: f64,
    pub unit: &'static str,
    /// The raw client's figure for the same work, when the row is a throughput.
    pub raw: Option<f64>,
}

/// Which figures a bench run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    All,
    /// Only the start-up and memory rows (seconds).
    StartupOnly,
    /// Only the distributed rebalance row (a few minutes).
    RebalanceOnly,
}

/// The figures asked for, in one table.
pub fn bench(figures: Figures) -> Result {
    run(
        "build release binaries",
        cargo().args([
            "build",
            "--release",
            "-p",
            "connect",
            "-p",
            "connect-file",
            "-p",
            "connect-mirror",
            "-p",
            "connect-test-kit",
            "-p",
            "bench",
        ]),
    )?;
    let dir = target_dir().join("bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).map_err(|e| e.to_string())?;
    copy_file(
        &release_lib("connect_file"),
        &plugins.join(lib_name("connect_file")),
    )?;
    copy_file(
        &release_lib("connect_mirror"),
        &plugins.join(lib_name("connect_mirror")),
    )?;

    let mut rows = Vec::new();
    let tansu = match figures {
        Figures::StartupOnly => None,
        Figures::All | Figures::RebalanceOnly => Some(crate::ensure_tansu()?),
    };
    if let (Figures::All, Some(tansu)) = (figures, &tansu) {
        // Only the throughput rows read the data file (1,000,000 lines).
        let data = dir.join("lines.txt");
        write_data(&data)?;
        rows.extend(throughput(&dir, &data, &plugins, "embedded", None)?);
        rows.extend(throughput(
            &dir,
            &data,
            &plugins,
            "Tansu (memory)",
            Some(tansu),
        )?);
    }
    if let Some(tansu) = &tansu {
        // A rebalance that does not end is reported, not fatal to the other figures.
        match crate::rebalance::fourth_worker(&dir, tansu) {
            Ok(row) => rows.push(row),
            Err(e) => eprintln!("xtask: no rebalance figure, the rebalance failed: {e}"),
        }
    }
    if figures != Figures::RebalanceOnly {
        rows.extend(startup_and_memory(&dir, &plugins)?);
    }
    report(&rows, &dir)
}

fn release_bin(name: &str) -> PathBuf {
    target_dir()
        .join("release")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

pub(crate) fn lib_name(crate_name: &str) -> String {
    format!(
        "{}{crate_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

pub(crate) fn release_lib(crate_name: &str) -> PathBuf {
    target_dir().join("release").join(lib_name(crate_name))
}

pub(crate) fn copy_file(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {}: {e}", from.display()))
}

/// `RECORDS` lines of `RECORD_BYTES` bytes each.
fn write_data(path: &Path) -> Result {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(|e| e.to_string())?);
    let filler = "y".repeat(RECORD_BYTES - 11);
    for i in 0..RECORDS {
        writeln!(out, "{i:010}{filler}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `connect embedded-broker` in its own process: the broker of the throughput runs.
pub(crate) struct Broker {
    child: Child,
    pub bootstrap: String,
    /// The tansu binary, for a Tansu broker.
    tansu: Option<PathBuf>,
}

impl Broker {
    /// Tansu with in-memory storage on a free loopback port.
    pub(crate) fn tansu(bin: &Path) -> Result<Broker> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start tansu: {e}"))?;
        let broker = Broker {
            child,
            bootstrap: format!("127.0.0.1:{port}"),
            tansu: Some(bin.to_path_buf()),
        };
        wait_for("tansu to listen", Duration::from_secs(30), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        })?;
        Ok(broker)
    }

    /// Creates the topic where the broker does not create topics on first use.
    pub(crate) fn create_topic(&self, topic: &str) -> Result {
        let Some(bin) = &self.tansu else {
            return Ok(());
        };
        let broker = format!("tcp://{}", self.bootstrap);
        let out = Command::new(bin)
            .args([
                "topic",
                "create",
                "--broker",
                &broker,
                "--partitions",
                "1",
                topic,
            ])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "tansu topic create {topic}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn embedded() -> Result<Broker> {
        let mut child = Command::new(release_bin("connect"))
            .arg("embedded-broker")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start the embedded broker: {e}"))?;
        let mut stdout = child.stdout.take().ok_or("no broker stdout")?;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).map_err(|e| e.to_string())? == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&line);
        let bootstrap = text
            .trim()
            .strip_prefix("bootstrap.servers=")
            .ok_or("the broker printed no address")?
            .to_string();
        Ok(Broker {
            child,
            bootstrap,
            tansu: None,
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A worker process with its REST address.
pub(crate) struct Worker {
    child: Child,
    pub rest: String,
}

impl Worker {
    fn start(
        dir: &Path,
        settings: &[(&str, String)],
        connectors: &[Vec<(&str, String)>],
    ) -> Result<Worker> {
        Worker::start_mode("standalone", dir, settings, connectors)
    }

    /// `connect <mode>` (`standalone` or `distributed`) with its files in `dir`.
    pub(crate) fn start_mode(
        mode: &str,
        dir: &Path,
        settings: &[(&str, String)],
        connectors: &[Vec<(&str, String)>],
    ) -> Result<Worker> {
        let write = |path: &Path, pairs: &[(&str, String)]| {
            let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            std::fs::write(path, text).map_err(|e| e.to_string())
        };
        let worker_file = dir.join("worker.properties");
        let mut props = vec![("listeners", "http://127.0.0.1:0".to_string())];
        props.extend_from_slice(settings);
        write(&worker_file, &props)?;
        let mut args = vec![worker_file];
        for (i, c) in connectors.iter().enumerate() {
            let f = dir.join(format!("connector-{i}.properties"));
            write(&f, c)?;
            args.push(f);
        }
        let log = dir.join("worker.log");
        let child = Command::new(release_bin("connect"))
            .arg(mode)
            .args(&args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("start connect: {e}"))?;
        let mut worker = Worker {
            child,
            rest: String::new(),
        };
        let started = Instant::now();
        while worker.rest.is_empty() {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(url) = text
                .lines()
                .find_map(|l| l.split("REST API listening on http://").nth(1))
            {
                worker.rest = url.trim().to_string();
            } else if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("the worker did not start:\n{text}"));
            } else {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Ok(worker)
    }

    /// A `/proc/<pid>/status` figure in MiB (`VmRSS`, `VmHWM`).
    fn memory_mib(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kib: f64 = status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        kib / 1024.0
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) -> Result {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > timeout {
            return Err(format!("timed out waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}

fn raw(mode: &str, args: &[&str]) -> Result<f64> {
    let out = Command::new(release_bin("bench"))
        .arg(mode)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "bench {mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("bench {mode} output: {e}"))
}

fn worker_settings(
    dir: &Path,
    plugins: &Path,
    bootstrap: &str,
    converter: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("bootstrap.servers", bootstrap.to_string()),
        ("key.converter", converter.to_string()),
        ("value.converter", converter.to_string()),
        ("key.converter.schemas.enable", "true".into()),
        ("value.converter.schemas.enable", "true".into()),
        (
            "offset.storage.file.filename",
            dir.join("offsets.json").display().to_string(),
        ),
        ("offset.flush.interval.ms", "50".into()),
        ("plugin.path", plugins.display().to_string()),
    ]
}

fn stored_position(offsets: &Path) -> u64 {
    let text = std::fs::read_to_string(offsets).unwrap_or_default();
    text.split("\"position\":")
        .nth(1)
        .and_then(|r| r.split(['}', ',']).next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// Source run: seconds until the offset of the last line is committed (every record acked);
/// returns that and the worker's peak RSS.
fn source_run(
    dir: &Path,
    data: &Path,
    plugins: &Path,
    bootstrap: &str,
    topic: &str,
    converter: &str,
    extra: &[(&'static str, String)],
) -> Result<(f64, f64)> {
    let run_dir = dir.join(topic);
    std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
    let total = std::fs::metadata(data).map_err(|e| e.to_string())?.len();
    let offsets = run_dir.join("offsets.json");
    let started = Instant::now();
    let worker = Worker::start(
        &run_dir,
        &worker_settings(&run_dir, plugins, bootstrap, converter),
        &[[
            ("name", "source".into()),
            ("connector.class", "FileStreamSource".into()),
            ("file", data.display().to_string()),
            ("topic", topic.into()),
        ]
        .into_iter()
        .chain(extra.iter().cloned())
        .collect()],
    )?;
    wait_for("the source to finish", Duration::from_secs(600), || {
        stored_position(&offsets) == total
    })?;
    Ok((started.elapsed().as_secs_f64(), worker.memory_mib("VmHWM")))
}

/// Mirror run: seconds until MirrorSourceConnector's offset for the last record of `topic`
/// (partition 0 on cluster `source`) is committed, i.e. every record is acked on `target`.
fn mirror_run(dir: &Path, plugins: &Path, source: &str, target: &str, topic: &str) -> Result<f64> {
    const BYTES: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";
    let run_dir = dir.join(format!("mirror-{topic}"));
    std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
    let offsets = run_dir.join("offsets.json");
    let last = format!("\"offset\":{}", RECORDS - 1);
    let mut settings = worker_settings(&run_dir, plugins, target, BYTES);
    settings.push(("header.converter", BYTES.into()));
    let started = Instant::now();
    let _worker = Worker::start(
        &run_dir,
        &settings,
        &[vec![
            ("name", "mirror".into()),
            ("connector.class", "MirrorSourceConnector".into()),
            ("source.cluster.alias", "A".into()),
            ("target.cluster.alias", "B".into()),
            ("source.cluster.bootstrap.servers", source.into()),
            ("target.cluster.bootstrap.servers", target.into()),
            ("topics", topic.into()),
            ("replication.factor", "1".into()),
            ("offset-syncs.topic.replication.factor", "1".into()),
        ]],
    )?;
    wait_for("the mirror to finish", Duration::from_secs(600), || {
        std::fs::read_to_string(&offsets)
            .map(|t| t.contains(&last))
            .unwrap_or(false)
    })?;
    Ok(started.elapsed().as_secs_f64())
}

/// Sink run: seconds until the file holds every record of `topic`.
fn sink_run(dir: &Path, plugins: &Path, bootstrap: &str, topic: &str) -> Result<f64> {
    let run_dir = dir.join(format!("sink-{topic}"));
    std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
    let out = run_dir.join("out.txt");
    let expected = (RECORDS * RECORD_BYTES) as u64;
    let started = Instant::now();
    let _worker = Worker::start(
        &run_dir,
        &worker_settings(
            &run_dir,
            plugins,
            bootstrap,
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        &[vec![
            ("name", "sink".into()),
            ("connector.class", "FileStreamSink".into()),
            ("file", out.display().to_string()),
            ("topics", topic.into()),
        ]],
    )?;
    wait_for("the sink to finish", Duration::from_secs(600), || {
        std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) >= expected
    })?;
    Ok(started.elapsed().as_secs_f64())
}

fn throughput(
    dir: &Path,
    data: &Path,
    plugins: &Path,
    name: &'static str,
    tansu: Option<&Path>,
) -> Result<Vec<Row>> {
    const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
    const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";
    // Each broker's runs get folders of their own: a source finding another run's offsets
    // file would rightly resume at its end and send nothing.
    let dir = &dir.join(if tansu.is_some() { "tansu" } else { "embedded" });
    let (mut raw_p, mut src, mut json, mut raw_c, mut sink, mut peak) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut plain, mut chained) = (vec![], vec![]);
    let (mut pipe, mut mirror) = (vec![], vec![]);
    for i in 0..RUNS {
        eprintln!("xtask: bench run {} of {RUNS} ({name})", i + 1);
        let broker = match tansu {
            Some(bin) => Broker::tansu(bin)?,
            None => Broker::embedded()?,
        };
        for topic in [
            format!("raw-{i}"),
            format!("src-{i}"),
            format!("json-{i}"),
            format!("plain-{i}"),
            format!("chain-{i}"),
        ] {
            broker.create_topic(&topic)?;
        }
        let b = broker.bootstrap.as_str();
        raw_p.push(raw(
            "produce",
            &[b, &format!("raw-{i}"), &data.display().to_string()],
        )?);
        let (secs, hwm) = source_run(dir, data, plugins, b, &format!("src-{i}"), STRING, &[])?;
        src.push(secs);
        peak.push(hwm);
        json.push(source_run(dir, data, plugins, b, &format!("json-{i}"), JSON, &[])?.0);
        // The transform chain against the same source and converter without it.
        let schemaless = [("value.converter.schemas.enable", "false".to_string())];
        plain.push(
            source_run(
                dir,
                data,
                plugins,
                b,
                &format!("plain-{i}"),
                JSON,
                &schemaless,
            )?
            .0,
        );
        let chain: Vec<(&'static str, String)> = schemaless
            .iter()
            .cloned()
            .chain(transform_chain())
            .collect();
        chained.push(source_run(dir, data, plugins, b, &format!("chain-{i}"), JSON, &chain)?.0);
        let raw_out = dir.join(format!("raw-consume-{i}.txt"));
        raw_c.push(raw(
            "consume",
            &[
                b,
                &format!("src-{i}"),
                &raw_out.display().to_string(),
                &RECORDS.to_string(),
            ],
        )?);
        sink.push(sink_run(dir, plugins, b, &format!("src-{i}"))?);
        // Mirroring raw-{i} to a second Tansu: a raw consume → produce pipe, then
        // MirrorSourceConnector (offset syncs on, as by default). Not on the embedded broker:
        // it does not answer CreateTopics/DescribeConfigs, so the connector's start waits out
        // its admin timeouts and the figure would measure those.
        let Some(bin) = tansu else {
            continue;
        };
        let target = Broker::tansu(bin)?;
        target.create_topic(&format!("pipe-{i}"))?;
        pipe.push(raw(
            "pipe",
            &[
                b,
                &format!("raw-{i}"),
                &target.bootstrap,
                &format!("pipe-{i}"),
                &RECORDS.to_string(),
            ],
        )?);
        mirror.push(mirror_run(
            dir,
            plugins,
            b,
            &target.bootstrap,
            &format!("raw-{i}"),
        )?);
    }
    let rate = |secs: f64| RECORDS as f64 / secs;
    let (raw_p, raw_c) = (median(raw_p), median(raw_c));
    let mirror_row = (!mirror.is_empty()).then(|| Row {
        broker: name,
        name: "mirror: MirrorSourceConnector between two clusters; ratio vs. a raw consume → produce pipe",
        value: rate(median(mirror)),
        unit: "records/s",
        raw: Some(rate(median(pipe))),
    });
    let mut rows = vec![
        Row {
            broker: name,
            name: "source: FileStreamSource + StringConverter",
            value: rate(median(src)),
            unit: "records/s",
            raw: Some(rate(raw_p)),
        },
        Row {
            broker: name,
            name: "json: FileStreamSource + JsonConverter (schemas)",
            value: rate(median(json)),
            unit: "records/s",
            raw: Some(rate(raw_p)),
        },
        Row {
            broker: name,
            name: "sink: FileStreamSink + StringConverter",
            value: rate(median(sink)),
            unit: "records/s",
            raw: Some(rate(raw_c)),
        },
        Row {
            broker: name,
            name: "transforms: source + HoistField, InsertField, ReplaceField, Cast (JSON, no schemas); ratio vs. the same without transforms",
            value: rate(median(chained)),
            unit: "records/s",
            raw: Some(rate(median(plain))),
        },
        Row {
            broker: name,
            name: "memory: peak RSS during the source run",
            value: median(peak),
            unit: "MiB",
            raw: None,
        },
    ];
    rows.extend(mirror_row);
    Ok(rows)
}

/// The chain: InsertField, ReplaceField and Cast, after a HoistField that makes each
/// line a field (the file source's values are plain strings).
fn transform_chain() -> Vec<(&'static str, String)> {
    [
        ("transforms", "hoist,insert,rename,cast"),
        (
            "transforms.hoist.type",
            "org.apache.kafka.connect.transforms.HoistField$Value",
        ),
        ("transforms.hoist.field", "line"),
        (
            "transforms.insert.type",
            "org.apache.kafka.connect.transforms.InsertField$Value",
        ),
        ("transforms.insert.static.field", "origin"),
        ("transforms.insert.static.value", "bench"),
        (
            "transforms.rename.type",
            "org.apache.kafka.connect.transforms.ReplaceField$Value",
        ),
        ("transforms.rename.renames", "line:text"),
        (
            "transforms.cast.type",
            "org.apache.kafka.connect.transforms.Cast$Value",
        ),
        ("transforms.cast.spec", "origin:string"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// Milliseconds from process start to `GET /` answering 200.
fn time_to_rest(dir: &Path, plugins: &Path) -> Result<f64> {
    let started = Instant::now();
    let worker = Worker::start(
        dir,
        &worker_settings(
            dir,
            plugins,
            "127.0.0.1:9",
            "org.apache.kafka.connect.storage.StringConverter",
        )[1..],
        &[],
    )?;
    wait_for("GET / to answer", Duration::from_secs(30), || {
        http_ok(&worker.rest)
    })?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

fn http_ok(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

fn startup_and_memory(dir: &Path, plugins: &Path) -> Result<Vec<Row>> {
    let two = dir.join("startup-2");
    std::fs::create_dir_all(&two).map_err(|e| e.to_string())?;
    copy_file(
        &release_lib("connect_file"),
        &two.join(lib_name("connect_file")),
    )?;
    copy_file(
        &release_lib("connect_test_kit"),
        &two.join(lib_name("connect_test_kit")),
    )?;
    let fifty = dir.join("startup-50");
    for i in 0..50 {
        // 50 plugin files in 50 folders: each is opened and checked; copies of one class
        // are refused as duplicates after their ABI check, like any repeated class.
        let sub = fifty.join(format!("plugin-{i:02}"));
        std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
        let lib = if i % 2 == 0 {
            "connect_file"
        } else {
            "connect_test_kit"
        };
        copy_file(&release_lib(lib), &sub.join(lib_name(lib)))?;
    }
    let mut rows = Vec::new();
    for (name, plugin_dir) in [
        (
            "start-up: process start to GET / with the 2 shipped plugin files",
            &two,
        ),
        (
            "start-up: process start to GET / with 50 plugin files",
            &fifty,
        ),
    ] {
        let run_dir = dir.join(format!(
            "run-{}",
            plugin_dir
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("x")
        ));
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let times = (0..RUNS.max(5))
            .map(|_| time_to_rest(&run_dir, plugin_dir))
            .collect::<Result<Vec<_>>>()?;
        rows.push(Row {
            broker: "-",
            name,
            value: median(times),
            unit: "ms",
            raw: None,
        });
    }

    // Idle: one source connector tailing an empty file on the embedded broker.
    let idle_dir = dir.join("idle");
    std::fs::create_dir_all(&idle_dir).map_err(|e| e.to_string())?;
    let empty = idle_dir.join("empty.txt");
    std::fs::write(&empty, "").map_err(|e| e.to_string())?;
    let settings = worker_settings(
        &idle_dir,
        plugins,
        "",
        "org.apache.kafka.connect.storage.StringConverter",
    );
    let worker = Worker::start(
        &idle_dir,
        &settings[1..],
        &[vec![
            ("name", "idle".into()),
            ("connector.class", "FileStreamSource".into()),
            ("file", empty.display().to_string()),
            ("topic", "idle".into()),
        ]],
    )?;
    std::thread::sleep(Duration::from_secs(3));
    rows.push(Row {
        broker: "embedded (in-process)",
        name: "memory: RSS idle with one connector",
        value: worker.memory_mib("VmRSS"),
        unit: "MiB",
        raw: None,
    });
    Ok(rows)
}

fn report(rows: &[Row], dir: &Path) -> Result {
    let machine = machine();
    println!("\n{machine}\n");
    println!("| broker | figure | value | raw client | ratio |");
    println!("|---|---|---:|---:|---:|");
    let mut json = Vec::new();
    for r in rows {
        let (raw, ratio) = match r.raw {
            Some(raw) => (
                format!("{raw:.0} {}", r.unit),
                format!("{:.2}×", r.value / raw),
            ),
            None => ("".into(), "".into()),
        };
        let value = if r.unit == "records/s" {
            format!(
                "{:.0} records/s ({:.1} MB/s)",
                r.value,
                r.value * RECORD_BYTES as f64 / 1e6
            )
        } else {
            format!("{:.1} {}", r.value, r.unit)
        };
        println!("| {} | {} | {value} | {raw} | {ratio} |", r.broker, r.name);
        json.push(format!(
            "{{\"broker\":\"{}\",\"figure\":\"{}\",\"value\":{:.3},\"unit\":\"{}\",\"raw\":{}}}",
            r.broker,
            r.name,
            r.value,
            r.unit,
            r.raw.map_or("null".to_string(), |v| format!("{v:.3}"))
        ));
    }
    let doc = format!(
        "{{\"machine\":\"{}\",\"runs\":{RUNS},\"records\":{RECORDS},\"record_bytes\":{RECORD_BYTES},\"results\":[{}]}}\n",
        machine.replace('"', "'"),
        json.join(",")
    );
    let path = dir.join("results.json");
    std::fs::write(&path, doc).map_err(|e| e.to_string())?;
    eprintln!(
        "xtask: wrote {}",
        path.strip_prefix(root()).unwrap_or(&path).display()
    );
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or("?".into(), |k| format!("{:.0} GiB", k / 1024.0 / 1024.0));
    format!("{cores} cores ({cpu}), {mem} memory, {} runs each, median; {RECORDS} records of {RECORD_BYTES} bytes", RUNS)
}
