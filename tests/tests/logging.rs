//! Log lines carry their connector and task, plugin lines included, in text and in JSON.

use std::time::Duration;

use e2e::{pairs, path_str, plugin_dir, wait_until, worker_settings, Worker};
use serde_json::Value;

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

fn file_source_worker(dir: &std::path::Path, format: &str) -> Worker {
    let plugins = plugin_dir(dir, &["connect_file"]);
    // Missing on purpose: FileStreamSourceTask then logs a WARN of its own, through the
    // plugin's `log` crate, from the task's thread.
    let input = dir.join("in.txt");
    let mut settings = worker_settings(dir, &plugins, STRING);
    settings.push(("log.format".into(), format.into()));
    Worker::standalone(
        dir,
        &pairs(&settings),
        &[&[
            ("name", "logged"),
            ("connector.class", "FileStreamSource"),
            ("file", path_str(&input)),
            ("topic", "logged"),
        ]],
    )
}

/// FileStreamSourceTask's `Couldn't find file <file> …` line.
fn plugin_line(log: &str) -> Option<&str> {
    log.lines()
        .find(|l| l.contains("Couldn't find file") && l.contains("in.txt"))
}

#[test]
fn text_lines_of_a_task_name_the_connector_and_task() {
    let dir = tempfile::tempdir().unwrap();
    let worker = file_source_worker(dir.path(), "text");
    assert!(
        wait_until(Duration::from_secs(20), || plugin_line(&worker.log())
            .is_some()),
        "{}",
        worker.log()
    );
    let log = worker.log();
    let line = plugin_line(&log).unwrap();
    assert!(
        line.contains("connector=logged") && line.contains("task=0"),
        "{line}"
    );
}

#[test]
fn json_lines_parse_and_carry_the_connector_and_task() {
    let dir = tempfile::tempdir().unwrap();
    let worker = file_source_worker(dir.path(), "json");
    assert!(
        wait_until(Duration::from_secs(20), || plugin_line(&worker.log())
            .is_some()),
        "{}",
        worker.log()
    );
    let log = worker.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines
        .iter()
        .all(|l| l["timestamp"].is_string() && l["level"].is_string()));
    let plugin = lines
        .iter()
        .find(|l| {
            l["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Couldn't find file"))
        })
        .unwrap();
    assert_eq!(plugin["target"], "plugin", "{plugin}");
    assert_eq!(plugin["span"]["connector"], "logged", "{plugin}");
    assert_eq!(plugin["span"]["task"], 0, "{plugin}");
}

#[test]
fn an_unknown_log_format_is_named_and_text_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let worker = file_source_worker(dir.path(), "xml");
    let log = worker.log();
    assert!(
        log.lines()
            .any(|l| l.contains("WARN") && l.contains("log.format") && l.contains("xml")),
        "{log}"
    );
}
