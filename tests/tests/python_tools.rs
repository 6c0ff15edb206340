//! The REST API as outside tools see it: schemathesis fuzzes every operation of the
//! worker's OpenAPI document, and kafka-connect-py (an independent client from PyPI)
//! drives a connector's life cycle, both against the real binary.
//!
//! `cargo xtask test` installs both into a virtual environment and names its `bin`
//! directory in `PYTHON_TOOLS_BIN`.

use std::path::PathBuf;
use std::process::Command;

use e2e::{pairs, path_str, plugin_dir, worker_settings, workspace_root, write_lines, Worker};
use serde_json::json;

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

fn tool(name: &str) -> PathBuf {
    let bin = std::env::var_os("PYTHON_TOOLS_BIN")
        .map(PathBuf::from)
        .expect("PYTHON_TOOLS_BIN is not set: `cargo xtask test` installs the Python tools");
    bin.join(name)
}

fn worker(dir: &std::path::Path) -> Worker {
    let plugins = plugin_dir(dir, &["connect_file"]);
    let mut settings = worker_settings(dir, &plugins, STRING);
    settings.push(("offset.flush.interval.ms".into(), "500".into()));
    Worker::standalone(dir, &pairs(&settings), &[])
}

#[test]
fn schemathesis_finds_no_server_errors_and_no_schema_violations() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    write_lines(&input, 3);
    let w = worker(dir.path());
    // The connector the fuzzer's path parameters name (it may well delete it).
    let (code, _) = w.call(
        "PUT",
        "/connectors/fuzzed/config",
        Some(
            json!({"connector.class": "FileStreamSource", "file": path_str(&input), "topic": "t"}),
        ),
    );
    assert_eq!(code, 201);
    let output = Command::new(tool("schemathesis"))
        // It keeps a cache of what it found in its working directory: not in the clone.
        .current_dir(dir.path())
        .arg("--config-file")
        .arg(workspace_root().join("tests/python/schemathesis.toml"))
        .args(["run", &format!("{}/openapi.json", w.rest)])
        // Every check but "schema-valid data is accepted": a configuration can match the
        // schema and still be invalid for its connector (400 is right there).
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args(["--max-examples", "25", "--workers", "1", "--seed", "1"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run schemathesis");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{}\nworker log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        w.log()
    );
    assert!(report.contains("passed"), "{report}");
    // Still standing after all of it.
    assert_eq!(w.get("/health").0, 200);
}

#[test]
fn kafka_connect_py_drives_the_life_cycle_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    write_lines(&input, 20);
    let w = worker(dir.path());
    let run = Command::new(tool("python"))
        .arg(workspace_root().join("tests/python/client_lifecycle.py"))
        .args([&w.rest, path_str(&input), path_str(&output)])
        .output()
        .expect("run python");
    assert!(
        run.status.success(),
        "kafka-connect-py failed:\n{}\n{}\nworker log:\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
        w.log()
    );
}
