//! Every REST endpoint on the real binary: the happy paths with Kafka Connect's shapes and
//! codes, and the unhappy ones with `{"error_code", "message"}` bodies.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use e2e::{
    broker_worker_settings, on_every_broker, pairs, path_str, plugin_dir, read_lines, wait_until,
    worker_settings, write_lines, BrokerKind, TestBroker, Worker,
};
use serde_json::{json, Value};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const WAIT: Duration = Duration::from_secs(60);

/// A worker with the file and test-kit plugins and no connectors.
fn worker(dir: &Path, extra: &[(&str, &str)]) -> Worker {
    let plugins = plugin_dir(dir, &["connect_file", "connect_test_kit"]);
    let mut settings = worker_settings(dir, &plugins, STRING);
    settings.push(("offset.flush.interval.ms".into(), "500".into()));
    for (k, v) in extra {
        settings.push((k.to_string(), v.to_string()));
    }
    Worker::standalone(dir, &pairs(&settings), &[])
}

fn source_config(input: &Path, topic: &str) -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "file": path_str(input),
        "topic": topic,
    })
}

fn sink_config(output: &Path, topic: &str) -> Value {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "file": path_str(output),
        "topics": topic,
    })
}

/// Source `src` from `input` to topic `t`, sink `sink` from `t` to `output`.
fn start_file_pipeline(w: &Worker, input: &Path, output: &Path) {
    for (name, config) in [
        ("src", source_config(input, "t")),
        ("sink", sink_config(output, "t")),
    ] {
        let (code, body) = w.call("PUT", &format!("/connectors/{name}/config"), Some(config));
        assert_eq!(code, 201, "{body}");
    }
}

fn append(path: &Path, lines: &[&str]) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn assert_error(response: (u16, Value), status: u16, message_part: &str) {
    let (code, body) = response;
    assert_eq!(code, status, "{body}");
    assert_eq!(body["error_code"], status, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(message_part),
        "{message:?} lacks {message_part:?}"
    );
}

fn wait_state(worker: &Worker, name: &str, state: &str) {
    let ok = wait_until(WAIT, || {
        worker.connector_state(name).as_deref() == Some(state)
    });
    assert!(
        ok,
        "{name} never {state}: {:?}\n{}",
        worker.get(&format!("/connectors/{name}/status")),
        worker.log()
    );
}

fn wait_task_state(worker: &Worker, name: &str, state: &str) {
    let ok = wait_until(WAIT, || {
        worker.task_state(name, 0).as_deref() == Some(state)
    });
    assert!(
        ok,
        "{name} task 0 never {state}: {:?}\n{}",
        worker.get(&format!("/connectors/{name}/status")),
        worker.log()
    );
}

fn wait_lines(worker: &Worker, path: &Path, count: usize) {
    let ok = wait_until(WAIT, || read_lines(path).len() >= count);
    assert!(
        ok,
        "{} has {} of {count} lines\n{}",
        path.display(),
        read_lines(path).len(),
        worker.log()
    );
}

#[test]
fn create_read_update_delete() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    write_lines(&input, 10);
    let w = worker(dir.path(), &[]);
    assert_eq!(w.get("/connectors"), (200, json!([])));

    let (code, body) = w.call(
        "POST",
        "/connectors",
        Some(json!({"name": "src", "config": source_config(&input, "t")})),
    );
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["name"], "src");
    assert_eq!(body["type"], "source");
    assert_eq!(body["config"]["name"], "src");
    assert_eq!(body["tasks"], json!([{"connector": "src", "task": 0}]));

    // PUT creates (201) and then updates (200).
    let (code, body) = w.call(
        "PUT",
        "/connectors/sink/config",
        Some(sink_config(&output, "t")),
    );
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["type"], "sink");
    wait_lines(&w, &output, 10);
    let mut updated = sink_config(&output, "t");
    updated["tasks.max"] = json!(1); // a number, as some clients send
    let (code, body) = w.call("PUT", "/connectors/sink/config", Some(updated));
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["config"]["tasks.max"], "1");

    assert_eq!(w.get("/connectors").1, json!(["sink", "src"]));
    let (code, expanded) = w.get("/connectors?expand=status&expand=info");
    assert_eq!(code, 200);
    assert_eq!(expanded["src"]["info"]["type"], "source");
    assert_eq!(expanded["src"]["status"]["connector"]["state"], "RUNNING");
    let (_, only_status) = w.get("/connectors?expand=status");
    assert!(only_status["sink"].get("info").is_none());
    assert_eq!(only_status["sink"]["status"]["name"], "sink");

    let (code, info) = w.get("/connectors/src");
    assert_eq!(code, 200);
    assert_eq!(info["config"]["topic"], "t");
    assert_eq!(w.get("/connectors/src/config").1["file"], path_str(&input));
    let (_, status) = w.get("/connectors/src/status");
    assert_eq!(status["type"], "source");
    assert_eq!(status["tasks"][0]["id"], 0);
    assert!(status["connector"]["worker_id"]
        .as_str()
        .unwrap()
        .contains(':'));
    let (_, tasks) = w.get("/connectors/src/tasks");
    assert_eq!(tasks[0]["id"], json!({"connector": "src", "task": 0}));
    assert_eq!(tasks[0]["config"]["topic"], "t");
    let (_, tasks_config) = w.get("/connectors/src/tasks-config");
    assert_eq!(tasks_config["src-0"]["topic"], "t");
    let (code, task) = w.get("/connectors/src/tasks/0/status");
    assert_eq!(code, 200);
    assert_eq!(task["state"], "RUNNING");

    // PATCH merges; null removes a key.
    let (code, body) = w.call(
        "PATCH",
        "/connectors/src/config",
        Some(json!({"batch.size": "100", "tasks.max": null})),
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["config"]["batch.size"], "100");
    assert!(body["config"].get("tasks.max").is_none());
    assert_eq!(body["config"]["file"], path_str(&input));

    // Topics the connectors used.
    let ok = wait_until(WAIT, || {
        w.get("/connectors/src/topics").1 == json!({"src": {"topics": ["t"]}})
    });
    assert!(ok, "{:?}", w.get("/connectors/src/topics"));
    assert_eq!(
        w.get("/connectors/sink/topics").1,
        json!({"sink": {"topics": ["t"]}})
    );
    assert_eq!(w.call("PUT", "/connectors/src/topics/reset", None).0, 202);
    assert_eq!(
        w.get("/connectors/src/topics").1,
        json!({"src": {"topics": []}})
    );

    assert_eq!(w.call("DELETE", "/connectors/src", None).0, 204);
    assert_error(w.get("/connectors/src"), 404, "Connector src not found");
    assert_eq!(w.get("/connectors").1, json!(["sink"]));
}

#[test]
fn pause_resume_stop_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    write_lines(&input, 5);
    let w = worker(dir.path(), &[]);
    assert_eq!(
        w.call(
            "PUT",
            "/connectors/src/config",
            Some(source_config(&input, "t"))
        )
        .0,
        201
    );
    assert_eq!(
        w.call(
            "PUT",
            "/connectors/sink/config",
            Some(sink_config(&output, "t"))
        )
        .0,
        201
    );
    wait_lines(&w, &output, 5);

    // Paused: status says so and no data moves.
    assert_eq!(w.call("PUT", "/connectors/src/pause", None).0, 202);
    wait_state(&w, "src", "PAUSED");
    wait_task_state(&w, "src", "PAUSED");
    append(&input, &["while-paused"]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(read_lines(&output).len(), 5, "a paused source sent data");

    // Resumed: it goes on where it was.
    assert_eq!(w.call("PUT", "/connectors/src/resume", None).0, 202);
    wait_state(&w, "src", "RUNNING");
    wait_task_state(&w, "src", "RUNNING");
    wait_lines(&w, &output, 6);
    assert_eq!(read_lines(&output)[5], "while-paused");

    // A paused sink keeps its consumer but puts nothing.
    assert_eq!(w.call("PUT", "/connectors/sink/pause", None).0, 202);
    wait_task_state(&w, "sink", "PAUSED");
    append(&input, &["for-paused-sink"]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(read_lines(&output).len(), 6, "a paused sink wrote data");
    assert_eq!(w.call("PUT", "/connectors/sink/resume", None).0, 202);
    wait_lines(&w, &output, 7);

    // Restart: connector only (204), with tasks (202 with RESTARTING), one task (204).
    assert_eq!(w.call("POST", "/connectors/src/restart", None).0, 204);
    let (code, plan) = w.call("POST", "/connectors/src/restart?includeTasks=true", None);
    assert_eq!(code, 202, "{plan}");
    assert_eq!(plan["connector"]["state"], "RESTARTING");
    assert_eq!(plan["tasks"][0]["state"], "RESTARTING");
    wait_task_state(&w, "src", "RUNNING");
    // Nothing failed: onlyFailed restarts nothing and says so.
    let (code, plan) = w.call(
        "POST",
        "/connectors/src/restart?includeTasks=true&onlyFailed=true",
        None,
    );
    assert_eq!(code, 202);
    assert_eq!(plan["connector"]["state"], "RUNNING");
    assert_eq!(plan["tasks"][0]["state"], "RUNNING");
    assert_eq!(
        w.call("POST", "/connectors/src/tasks/0/restart", None).0,
        204
    );
    wait_task_state(&w, "src", "RUNNING");
    append(&input, &["after-restarts"]);
    wait_lines(&w, &output, 8);
    assert_eq!(read_lines(&output).len(), 8, "restarts duplicated records");

    // Stopped: tasks released, status STOPPED with no tasks; resume starts it again.
    assert_eq!(w.call("PUT", "/connectors/src/stop", None).0, 204);
    wait_state(&w, "src", "STOPPED");
    let (_, status) = w.get("/connectors/src/status");
    assert_eq!(status["tasks"], json!([]));
    assert_eq!(w.get("/connectors/src").1["tasks"], json!([]));
    append(&input, &["while-stopped"]);
    assert_eq!(w.call("PUT", "/connectors/src/resume", None).0, 202);
    wait_task_state(&w, "src", "RUNNING");
    wait_lines(&w, &output, 9);
    assert_eq!(read_lines(&output)[8], "while-stopped");
}

#[test]
fn connectors_can_be_created_paused_or_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    write_lines(&input, 3);
    let w = worker(dir.path(), &[]);
    let (code, body) = w.call(
        "POST",
        "/connectors",
        Some(json!({"name": "p", "config": source_config(&input, "t"), "initial_state": "PAUSED"})),
    );
    assert_eq!(code, 201, "{body}");
    wait_state(&w, "p", "PAUSED");
    wait_task_state(&w, "p", "PAUSED");
    let (code, _) = w.call(
        "POST",
        "/connectors",
        Some(
            json!({"name": "s", "config": source_config(&input, "t"), "initial_state": "STOPPED"}),
        ),
    );
    assert_eq!(code, 201);
    wait_state(&w, "s", "STOPPED");
    assert_eq!(w.get("/connectors/s/status").1["tasks"], json!([]));
    assert_error(
        w.call("POST", "/connectors", Some(json!({"name": "x", "config": source_config(&input, "t"), "initial_state": "SLEEPING"}))),
        400,
        "initial_state",
    );
}

#[test]
fn failed_tasks_show_their_trace_and_restart_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    let (code, _) = w.call(
        "PUT",
        "/connectors/boom/config",
        Some(json!({"connector.class": "test.kit.PanickingSourceConnector", "topic": "t"})),
    );
    assert_eq!(code, 201);
    wait_task_state(&w, "boom", "FAILED");
    let (_, task) = w.get("/connectors/boom/tasks/0/status");
    assert!(
        task["trace"].as_str().unwrap().contains("deliberate panic"),
        "{task}"
    );
    let (code, plan) = w.call(
        "POST",
        "/connectors/boom/restart?includeTasks=true&onlyFailed=true",
        None,
    );
    assert_eq!(code, 202, "{plan}");
    assert_eq!(
        plan["connector"]["state"], "RUNNING",
        "the connector had not failed"
    );
    assert_eq!(plan["tasks"][0]["state"], "RESTARTING");
    // It panics again: FAILED again, and the worker is still fine.
    wait_task_state(&w, "boom", "FAILED");
    assert_eq!(w.get("/").0, 200);
}

#[test]
fn source_offsets_are_read_altered_and_reset_while_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    write_lines(&input, 4);
    let w = worker(dir.path(), &[]);
    start_file_pipeline(&w, &input, &output);
    wait_lines(&w, &output, 4);
    let ok = wait_until(WAIT, || {
        w.get("/connectors/src/offsets").1["offsets"][0]["offset"]["position"]
            .as_i64()
            .is_some()
    });
    assert!(ok, "{:?}", w.get("/connectors/src/offsets"));
    let (code, offsets) = w.get("/connectors/src/offsets");
    assert_eq!(code, 200);
    assert_eq!(
        offsets["offsets"][0]["partition"],
        json!({"filename": path_str(&input)})
    );
    let end = std::fs::metadata(&input).unwrap().len() as i64;
    assert_eq!(offsets["offsets"][0]["offset"], json!({"position": end}));

    // Only a STOPPED connector's offsets change.
    let rewind = json!({"offsets": [{"partition": {"filename": path_str(&input)}, "offset": {"position": 0}}]});
    assert_error(
        w.call("PATCH", "/connectors/src/offsets", Some(rewind.clone())),
        409,
        "STOPPED",
    );
    assert_error(
        w.call("DELETE", "/connectors/src/offsets", None),
        409,
        "STOPPED",
    );
    assert_eq!(w.call("PUT", "/connectors/src/stop", None).0, 204);
    assert_error(
        w.call(
            "PATCH",
            "/connectors/src/offsets",
            Some(json!({"offsets": []})),
        ),
        400,
        "need to be provided",
    );
    let (code, body) = w.call("PATCH", "/connectors/src/offsets", Some(rewind));
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        body["message"],
        "The offsets for this connector have been altered successfully"
    );
    assert_eq!(
        w.get("/connectors/src/offsets").1["offsets"][0]["offset"],
        json!({"position": 0})
    );

    // Resumed from position 0: the file goes through again.
    w.call("PUT", "/connectors/src/resume", None);
    wait_lines(&w, &output, 8);

    // Reset: no offsets at all; the next start reads from the beginning again.
    w.call("PUT", "/connectors/src/stop", None);
    wait_state(&w, "src", "STOPPED");
    let (code, body) = w.call("DELETE", "/connectors/src/offsets", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        body["message"],
        "The offsets for this connector have been reset successfully"
    );
    assert_eq!(w.get("/connectors/src/offsets").1, json!({"offsets": []}));
    w.call("PUT", "/connectors/src/resume", None);
    wait_lines(&w, &output, 12);
}

#[test]
fn plugins_their_settings_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    let (_, connectors) = w.get("/connector-plugins");
    let classes: Vec<&str> = connectors
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["class"].as_str().unwrap())
        .collect();
    assert!(classes.contains(&"org.apache.kafka.connect.file.FileStreamSourceConnector"));
    assert!(connectors
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["type"] == "source" || p["type"] == "sink"));
    let (_, all) = w.get("/connector-plugins?connectorsOnly=false");
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["type"] == "converter"));

    let (code, defs) = w.get("/connector-plugins/FileStreamSource/config");
    assert_eq!(code, 200);
    let names: Vec<&str> = defs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"file") && names.contains(&"topic") && names.contains(&"tasks.max"),
        "{names:?}"
    );
    let (code, json_defs) = w.get("/connector-plugins/JsonConverter/config");
    assert_eq!(code, 200);
    assert!(json_defs
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "schemas.enable"));
    assert_error(
        w.get("/connector-plugins/com.example.Nope/config"),
        404,
        "Unknown plugin com.example.Nope",
    );

    // Validation lists every setting with its errors.
    let (code, infos) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(json!({"name": "x", "tasks.max": "zero", "file": "/tmp/x"})),
    );
    assert_eq!(code, 200, "{infos}");
    assert_eq!(
        infos["name"],
        "org.apache.kafka.connect.file.FileStreamSinkConnector"
    );
    assert!(infos["error_count"].as_u64().unwrap() >= 2, "{infos}");
    assert_eq!(infos["groups"][0], "Common");
    let config = |name: &str| -> Value {
        infos["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["definition"]["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(config("tasks.max")["definition"]["type"], "INT");
    assert!(!config("tasks.max")["value"]["errors"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(config("topics")["value"]["errors"][0]
        .as_str()
        .unwrap()
        .contains("topics or topics.regex"));
    assert_eq!(config("file")["value"]["value"], "/tmp/x");
    let (code, ok) = w.call(
        "PUT",
        "/connector-plugins/org.apache.kafka.connect.file.FileStreamSinkConnector/config/validate",
        Some(json!({"name": "x", "topics": "t", "file": "/tmp/x", "connector.class": "FileStreamSink"})),
    );
    assert_eq!(code, 200);
    assert_eq!(ok["error_count"], 0, "{ok}");
    // A transform that does not exist is reported under `transforms`.
    let (code, infos) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(json!({"name": "x", "topics": "t", "file": "/tmp/x", "transforms": "a", "transforms.a.type": "com.example.Nope"})),
    );
    assert_eq!(code, 200);
    let transforms = infos["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["definition"]["name"] == "transforms")
        .unwrap();
    assert!(
        transforms["value"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("com.example.Nope"),
        "{transforms}"
    );
    assert_error(
        w.call(
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            Some(json!({"connector.class": "FileStreamSource"})),
        ),
        400,
        "does not match request type",
    );
    assert_error(
        w.call(
            "PUT",
            "/connector-plugins/Nope/config/validate",
            Some(json!({})),
        ),
        404,
        "Unknown connector plugin",
    );
}

#[test]
fn bad_requests_get_error_bodies_never_500() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    write_lines(&input, 1);
    let w = worker(dir.path(), &[("topic.tracking.allow.reset", "false")]);
    for path in [
        "/connectors/nope",
        "/connectors/nope/config",
        "/connectors/nope/tasks",
        "/connectors/nope/tasks-config",
        "/connectors/nope/topics",
        "/connectors/nope/offsets",
    ] {
        assert_error(w.get(path), 404, "nope");
    }
    assert_error(
        w.get("/connectors/nope/status"),
        404,
        "No status found for connector nope",
    );
    for (method, path) in [
        ("PUT", "/connectors/nope/pause"),
        ("PUT", "/connectors/nope/resume"),
        ("PUT", "/connectors/nope/stop"),
        ("POST", "/connectors/nope/restart"),
        ("DELETE", "/connectors/nope"),
        ("POST", "/connectors/nope/tasks/0/restart"),
        ("DELETE", "/connectors/nope/offsets"),
        ("PATCH", "/connectors/nope/config"),
    ] {
        let body = (method == "PATCH").then(|| json!({}));
        assert_error(w.call(method, path, body), 404, "nope");
    }
    assert_error(w.get("/no/such/path"), 404, "HTTP 404");
    assert_error(
        w.call("DELETE", "/connector-plugins", None),
        405,
        "Method Not Allowed",
    );

    // Bodies: malformed JSON, wrong content type, too large, wrong types.
    assert_error(
        w.call_raw(
            "POST",
            "/connectors",
            "application/json",
            b"{\"name\": ".to_vec(),
        ),
        400,
        "",
    );
    assert_error(
        w.call_raw("POST", "/connectors", "text/plain", b"name=x".to_vec()),
        415,
        "",
    );
    assert_error(
        w.call_raw(
            "PUT",
            "/connectors/x/config",
            "application/json",
            vec![b' '; 2 * 1024 * 1024],
        ),
        413,
        "",
    );
    assert_error(
        w.call(
            "PUT",
            "/connectors/x/config",
            Some(json!({"file": {"nested": 1}})),
        ),
        400,
        "",
    );
    assert_error(
        w.call("POST", "/connectors", Some(json!({"config": {}}))),
        400,
        "name",
    );

    // Invalid configurations name every problem.
    let (code, body) = w.call("POST", "/connectors", Some(json!({"name": "bad", "config": {"connector.class": "FileStreamSink", "tasks.max": "0"}})));
    assert_eq!(code, 400, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("tasks.max") && message.contains("topics"),
        "{message}"
    );
    assert_error(
        w.call(
            "POST",
            "/connectors",
            Some(json!({"name": "bad", "config": {"connector.class": "com.example.Nope"}})),
        ),
        400,
        "com.example.Nope",
    );
    assert_error(
        w.call(
            "PUT",
            "/connectors/a/config",
            Some(json!({"name": "b", "connector.class": "FileStreamSource"})),
        ),
        400,
        "doesn't match connector name in the URL",
    );

    // Conflicts and unknown tasks.
    let create = json!({"name": "src", "config": source_config(&input, "t")});
    assert_eq!(w.call("POST", "/connectors", Some(create.clone())).0, 201);
    assert_error(
        w.call("POST", "/connectors", Some(create)),
        409,
        "Connector src already exists",
    );
    assert_error(
        w.get("/connectors/src/tasks/7/status"),
        404,
        "No status found for task src-7",
    );
    assert_error(
        w.call("POST", "/connectors/src/tasks/7/restart", None),
        404,
        "src-7",
    );
    assert_error(w.get("/connectors/src/tasks/abc/status"), 400, "");
    // Query flags read as Java reads them: anything but "true" is false.
    assert_eq!(
        w.call("POST", "/connectors/src/restart?includeTasks=False", None)
            .0,
        204
    );
    assert_error(
        w.call("PUT", "/connectors/src/topics/reset", None),
        403,
        "Topic tracking reset is disabled.",
    );
    assert_error(
        w.call("PUT", "/admin/loggers/connect", Some(json!({}))),
        400,
        "'level'",
    );
    assert_error(
        w.call(
            "PUT",
            "/admin/loggers/connect",
            Some(json!({"level": "LOUD"})),
        ),
        400,
        "invalid log level 'LOUD'.",
    );
}

#[test]
fn log_levels_change_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    let (code, loggers) = w.get("/admin/loggers");
    assert_eq!(code, 200);
    assert_eq!(loggers["root"]["level"], "INFO");
    assert_eq!(loggers["root"]["last_modified"], Value::Null);
    assert!(!w.log().contains("DEBUG"), "no debug lines at INFO");

    let (code, changed) = w.call(
        "PUT",
        "/admin/loggers/connect",
        Some(json!({"level": "debug"})),
    );
    assert_eq!(code, 200, "{changed}");
    assert_eq!(changed, json!(["connect"]));
    let (_, level) = w.get("/admin/loggers/connect::runtime");
    assert_eq!(level["level"], "DEBUG", "inherited from connect");
    assert!(level["last_modified"].as_u64().is_some());
    // A running source now logs its offset commits at DEBUG.
    let input = dir.path().join("in.txt");
    write_lines(&input, 1);
    w.call(
        "PUT",
        "/connectors/src/config",
        Some(source_config(&input, "t")),
    );
    let debug_line = || {
        w.log()
            .lines()
            .any(|l| l.contains("DEBUG") && l.contains("committed offsets of"))
    };
    assert!(
        wait_until(WAIT, debug_line),
        "no DEBUG line after the change:\n{}",
        w.log()
    );

    assert_eq!(
        w.call(
            "PUT",
            "/admin/loggers/root?scope=cluster",
            Some(json!({"level": "WARN"}))
        )
        .0,
        204
    );
    assert_eq!(w.get("/admin/loggers/ROOT").1["level"], "WARN");
}

#[test]
fn health_and_the_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let w = worker(dir.path(), &[]);
    assert_eq!(
        w.get("/health"),
        (
            200,
            json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
        )
    );
    let (_, root) = w.get("/");
    assert!(root["version"].is_string() && root["kafka_cluster_id"].is_string());
    let (code, doc) = w.get("/openapi.json");
    assert_eq!(code, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/connectors",
        "/connectors/{name}/offsets",
        "/connector-plugins/{plugin}/config/validate",
        "/admin/loggers/{name}",
        "/health",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
}

on_every_broker! {
    fn sink_offsets_are_the_consumer_groups(kind) {
        sink_offsets(kind)
    }
}

/// A sink's offsets are its consumer group's: read, rewound while stopped, and the sink
/// consumes again from there.
fn sink_offsets(kind: BrokerKind) {
    let dir = tempfile::tempdir().unwrap();
    let broker = TestBroker::start(kind);
    broker.create_topic("t", 1);
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    write_lines(&input, 6);
    let plugins = plugin_dir(dir.path(), &["connect_file"]);
    let mut settings = broker_worker_settings(&broker, dir.path(), &plugins, STRING);
    settings.push(("offset.flush.interval.ms".into(), "500".into()));
    let w = Worker::standalone(dir.path(), &pairs(&settings), &[]);
    start_file_pipeline(&w, &input, &output);
    wait_lines(&w, &output, 6);
    let committed =
        || w.get("/connectors/sink/offsets").1["offsets"][0]["offset"]["kafka_offset"].as_i64();
    assert!(
        wait_until(WAIT, || committed() == Some(6)),
        "{:?}",
        w.get("/connectors/sink/offsets")
    );
    assert_eq!(
        w.get("/connectors/sink/offsets").1["offsets"][0]["partition"],
        json!({"kafka_topic": "t", "kafka_partition": 0})
    );

    assert_eq!(w.call("PUT", "/connectors/sink/stop", None).0, 204);
    // Back to 0, the start of the source's one batch: Tansu 0.6 serves a fetch that starts
    // inside a batch wrongly (seen: nothing until the next batch, then that batch's record
    // again for each offset asked), while Kafka and the embedded broker serve it right.
    let rewind = json!({"offsets": [{"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": 0}}]});
    let (code, body) = w.call("PATCH", "/connectors/sink/offsets", Some(rewind));
    assert_eq!(code, 200, "{body}\n{}", w.log());
    assert_eq!(committed(), Some(0));
    assert_error(
        w.call("PATCH", "/connectors/sink/offsets", Some(json!({"offsets": [{"partition": {"kafka_topic": "t"}, "offset": {"kafka_offset": 1}}]}))),
        400,
        "kafka_partition",
    );
    w.call("PUT", "/connectors/sink/resume", None);
    // Every record again, in order.
    wait_lines(&w, &output, 12);
    let lines = read_lines(&output);
    assert_eq!(
        lines[..6],
        lines[6..],
        "the second pass differs from the first"
    );
    assert!(wait_until(WAIT, || committed() == Some(6)));
    // Reset: the group's offsets are gone; resumed, the sink reads everything again.
    assert_eq!(w.call("PUT", "/connectors/sink/stop", None).0, 204);
    let (code, body) = w.call("DELETE", "/connectors/sink/offsets", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        body["message"],
        "The offsets for this connector have been reset successfully"
    );
    assert_eq!(w.get("/connectors/sink/offsets").1, json!({"offsets": []}));
    w.call("PUT", "/connectors/sink/resume", None);
    wait_lines(&w, &output, 18);
}
