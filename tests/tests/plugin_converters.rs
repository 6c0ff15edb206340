//! Converters and header converters from a plugin library, used by class name in and out
//! of Kafka.

use std::time::Duration;

use e2e::{
    pairs, path_str, plugin_dir, read_lines, read_topic, read_topic_messages, wait_until,
    worker_settings, BrokerKind, TestBroker, Worker,
};

const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

#[test]
fn a_plugin_converter_scrambles_into_kafka_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let broker = TestBroker::start_external(BrokerKind::Embedded);
    broker.create_topic("t", 1);
    let servers = broker.bootstrap_servers().unwrap().to_string();
    let (input, output) = (dir.path().join("in.txt"), dir.path().join("out.txt"));
    std::fs::write(&input, "Hello\nKafka Connect\n").unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file", "connect_test_kit"]);
    let mut settings = worker_settings(dir.path(), &plugins, STRING);
    settings.push(("bootstrap.servers".into(), servers.clone()));
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);

    let (_, listed) = worker.get("/connector-plugins?connectorsOnly=false");
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["class"] == "test.kit.Rot13Converter" && p["type"] == "converter"),
        "{listed}"
    );
    assert_eq!(
        worker
            .get("/connector-plugins/test.kit.Rot13Converter/config")
            .0,
        200
    );

    for (name, config) in [
        (
            "src",
            serde_json::json!({"connector.class": "FileStreamSource", "file": path_str(&input), "topic": "t", "value.converter": "test.kit.Rot13Converter"}),
        ),
        (
            "sink",
            serde_json::json!({"connector.class": "FileStreamSink", "file": path_str(&output), "topics": "t", "value.converter": "test.kit.Rot13Converter"}),
        ),
    ] {
        let (code, body) = worker.call("PUT", &format!("/connectors/{name}/config"), Some(config));
        assert_eq!(code, 201, "{body}");
    }
    let arrived = wait_until(Duration::from_secs(60), || read_lines(&output).len() >= 2);
    assert!(arrived, "{:?}\n{}", read_lines(&output), worker.log());
    assert_eq!(read_lines(&output), ["Hello", "Kafka Connect"]);
    let in_kafka: Vec<String> = read_topic(&servers, "t")
        .into_iter()
        .map(|v| String::from_utf8(v.unwrap()).unwrap())
        .collect();
    assert_eq!(
        in_kafka,
        ["Uryyb", "Xnsxn Pbaarpg"],
        "the topic holds the plugin's bytes"
    );

    // A converter class nobody has is a clear 400.
    let (code, body) = worker.call(
        "PUT",
        "/connectors/bad/config",
        Some(serde_json::json!({"connector.class": "FileStreamSource", "file": "/tmp/x", "topic": "t", "value.converter": "com.example.Nope"})),
    );
    assert_eq!(code, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("com.example.Nope"),
        "{body}"
    );
}

#[test]
fn a_plugin_header_converter_writes_the_headers() {
    let dir = tempfile::tempdir().unwrap();
    let broker = TestBroker::start_external(BrokerKind::Embedded);
    broker.create_topic("h", 1);
    let servers = broker.bootstrap_servers().unwrap().to_string();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "one\n").unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file", "connect_test_kit"]);
    let mut settings = worker_settings(dir.path(), &plugins, STRING);
    settings.push(("bootstrap.servers".into(), servers.clone()));
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);
    let config = serde_json::json!({
        "connector.class": "FileStreamSource", "file": path_str(&input), "topic": "h",
        "header.converter": "test.kit.HexHeaderConverter",
        "transforms": "tag", "transforms.tag.type": "InsertHeader",
        "transforms.tag.header": "origin", "transforms.tag.value.literal": "file",
    });
    let (code, body) = worker.call("PUT", "/connectors/src/config", Some(config));
    assert_eq!(code, 201, "{body}");
    let got = wait_until(Duration::from_secs(30), || {
        !read_topic_messages(&servers, "h").is_empty()
    });
    assert!(got, "{}", worker.log());
    let messages = read_topic_messages(&servers, "h");
    assert_eq!(
        messages[0].header("origin"),
        Some("66696c65"),
        "hex of \"file\""
    );
}
