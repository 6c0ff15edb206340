//! What each fuzz target checks, one function per target: arbitrary bytes in, a panic when
//! an invariant breaks. The `fuzz_targets/` only call these, and `host/tests/fuzz_corpus.rs`
//! compiles this same file to replay the committed corpus in `cargo test` (no fuzzing
//! engine needed there). See `docs/fuzzing.md`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use connect::data::{Converter, JsonConverter};
use tower::ServiceExt;

/// `properties`: any bytes parse or fail cleanly; what parses, written back (every
/// character escaped) and parsed again, is the same map.
pub fn properties(data: &[u8]) {
    let Ok(props) = connect::config::parse_properties(data) else {
        return;
    };
    let text = write_properties(&props);
    let again = connect::config::parse_properties(text.as_bytes())
        .unwrap_or_else(|e| panic!("re-parsing {text:?} failed: {e}"));
    assert_eq!(props, again, "round trip through {text:?}");
}

/// A `.properties` text with every key and value escaped so that nothing in it is syntax:
/// letters and digits as they are, every other character as `\uXXXX`.
fn write_properties(props: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for (key, value) in props {
        escape_into(&mut out, key);
        out.push('=');
        escape_into(&mut out, value);
        out.push('\n');
    }
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
}

/// `json_converter`: any bytes through `JsonConverter::to_connect`, with `schemas.enable`
/// true and false. A value it yields must go back through `from_connect` without a panic;
/// when that succeeds, reading its output again gives the same schema and value (the
/// converter's output is a fixed point). Schemaless values always serialize.
pub fn json_converter(data: &[u8]) {
    for schemas_enable in [true, false] {
        let props: plugin_abi::Props = [("schemas.enable".to_string(), schemas_enable.to_string())]
            .into_iter()
            .collect();
        let converter = JsonConverter::new(&props, false).expect("valid settings");
        let Ok((schema, value)) = converter.to_connect("t", Some(data)) else {
            continue;
        };
        let written = converter.from_connect("t", schema.as_ref(), &value);
        if schema.is_none() {
            assert!(
                written.is_ok(),
                "a schemaless value does not serialize: {value:?}: {written:?}"
            );
        }
        let Ok(written) = written else { continue };
        let bytes = written.as_deref();
        let reread = converter.to_connect("t", bytes).unwrap_or_else(|e| {
            panic!(
                "cannot read back {:?}: {e}",
                bytes.map(String::from_utf8_lossy)
            )
        });
        assert_eq!(
            (schema.as_ref(), &value),
            (reread.0.as_ref(), &reread.1),
            "read back from {:?}",
            bytes.map(String::from_utf8_lossy)
        );
    }
}

/// The REST endpoints that take a JSON body: (method, path). The paths name a connector,
/// a plugin and a logger that exist in no worker, so nothing is created or changed; the
/// logger `fuzz` is set only at its own name, which nothing logs under.
const BODY_ENDPOINTS: &[(Method, &str)] = &[
    (Method::POST, "/connectors"),
    (Method::PUT, "/connectors/fuzz/config"),
    (Method::PATCH, "/connectors/fuzz/config"),
    (Method::PATCH, "/connectors/fuzz/offsets"),
    (
        Method::PUT,
        "/connector-plugins/FileStreamSource/config/validate",
    ),
    (
        Method::PUT,
        "/connector-plugins/org.apache.kafka.connect.file.FileStreamSinkConnector/config/validate",
    ),
    (Method::PUT, "/admin/loggers/fuzz"),
];

/// `rest_bodies`: the first byte picks an endpoint and whether the request says it is
/// JSON (`0x1N` is endpoint `N` with `content-type: application/json`), the rest is the body, sent through the real router of a worker with no plugins
/// and no broker. Every answer is 2xx or 4xx, and a 4xx is Kafka's
/// `{"error_code": <status>, "message": "…"}`; never a 5xx.
pub fn rest_bodies(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    // The low 4 bits pick the endpoint; high bits all 0 leave the content type out (415).
    let (method, path) = &BODY_ENDPOINTS[usize::from(selector & 0x0f) % BODY_ENDPOINTS.len()];
    let mut request = Request::builder().method(method.clone()).uri(*path);
    if selector & 0xf0 != 0 {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Body::from(body.to_vec()))
        .expect("a valid request");
    let rest = rest_harness();
    let (status, answer) = rest.runtime.block_on(async {
        let response = rest
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let answer = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body is in memory");
        (status, answer)
    });
    let shown = String::from_utf8_lossy(&answer);
    assert!(
        status.is_success() || status.is_client_error(),
        "{method} {path}: {status} {shown}"
    );
    if status.is_client_error() {
        let json: serde_json::Value = serde_json::from_slice(&answer)
            .unwrap_or_else(|e| panic!("{method} {path}: {status}: not JSON ({e}): {shown}"));
        assert_eq!(
            json["error_code"].as_u64(),
            Some(u64::from(status.as_u16())),
            "{method} {path}: {status}: {shown}"
        );
        assert!(
            json["message"].is_string(),
            "{method} {path}: {status}: {shown}"
        );
    } else if status != StatusCode::NO_CONTENT {
        serde_json::from_slice::<serde_json::Value>(&answer)
            .unwrap_or_else(|e| panic!("{method} {path}: {status}: not JSON ({e}): {shown}"));
    }
}

/// A worker with no plugins and no broker behind the real router, made once per process.
struct RestHarness {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

fn rest_harness() -> &'static RestHarness {
    static HARNESS: OnceLock<RestHarness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        use connect::config::WorkerConfig;
        use connect::kafka::ClientSettings;
        use connect::plugins::PluginRegistry;
        use connect::rest::{router, RestState};
        use connect::runtime::{TaskEnv, Worker};
        use connect::storage::{ActiveTopics, OffsetStore, StatusStore};

        // Log levels change over REST only once logging is set up; nothing should print.
        std::env::set_var("RUST_LOG", "off");
        connect::logging::init(connect::logging::LogFormat::Text);

        let dir = std::env::temp_dir().join(format!("connect-fuzz-{}", std::process::id()));
        let plugin_path = dir.join("plugins");
        std::fs::create_dir_all(&plugin_path).expect("a temporary directory");
        let offsets_file = dir.join("connect.offsets");
        let props: HashMap<String, String> = [
            ("bootstrap.servers", "127.0.0.1:9"),
            (
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            (
                "offset.storage.file.filename",
                offsets_file.to_str().expect("UTF-8 path"),
            ),
            ("plugin.path", plugin_path.to_str().expect("UTF-8 path")),
            ("listeners", "http://127.0.0.1:0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = Arc::new(WorkerConfig::from_props(props).expect("a valid worker config"));
        let env = TaskEnv {
            clients: ClientSettings {
                bootstrap_servers: "127.0.0.1:9".to_string(),
                ..ClientSettings::default()
            },
            metrics: Default::default(),
            offsets: Arc::new(OffsetStore::open(&offsets_file).expect("an offsets file")),
            status: Arc::new(StatusStore::default()),
            topics: Arc::new(ActiveTopics::new(config.topic_tracking)),
            plugins: Arc::new(PluginRegistry::load(&config.plugin_path)),
            worker_id: "fuzz:8083".to_string(),
            worker: config,
        };
        let state = Arc::new(RestState {
            worker: Arc::new(Worker::new(env)),
            kafka_cluster_id: "fuzz".to_string(),
            ready: true.into(),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        RestHarness {
            runtime,
            router: router(state),
        }
    })
}
