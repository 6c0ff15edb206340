//! The ABI compatibility policy, held against real libraries: a plugin built against the
//! first ABI (the frozen fixture `tests/fixtures/abi-1.0`) keeps loading and running in the
//! worker of today, and copies of it built against an incompatible layout or another major
//! version are refused with a message that names the mismatch, without taking the worker
//! down.
//!
//! The embedded broker only: what is tested happens at load time, and the records only show
//! that the old plugin's code ran, through each kind of class it exports.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use e2e::{
    build_external_plugin, connect_binary, pairs, read_topic, read_topic_so_far, target_dir,
    wait_until, worker_settings, workspace_root, BrokerKind, TestBroker, Worker,
};
use serde_json::json;

const SOURCE: &str = "test.frozen.FrozenSourceConnector";
const PREFIX: &str = "test.frozen.Prefix";
const TAGGED: &str = "test.frozen.TaggedConverter";
const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";

/// The frozen fixture: plugin-abi 1.0.0 and a plugin built against it.
fn fixture() -> PathBuf {
    workspace_root().join("tests/fixtures/abi-1.0")
}

/// The frozen plugin, built from the fixture as it is.
fn frozen_library() -> PathBuf {
    build_external_plugin(&fixture().join("frozen-plugin"), "connect_test_frozen")
}

/// A copy of the fixture under `<target>/abi-variants/<lib_name>`, its library renamed to
/// `lib_name` (so variants never overwrite each other in the shared target directory) and
/// `edit` applied to each file's text, built. Files are rewritten only when their text
/// changes, so a later run rebuilds nothing.
fn variant(lib_name: &str, edit: impl Fn(&Path, String) -> String) -> PathBuf {
    static PREPARING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = PREPARING.lock().unwrap_or_else(|e| e.into_inner());
    let root = target_dir().join("abi-variants").join(lib_name);
    copy_edited(&fixture(), &root, Path::new(""), &|path, text| {
        let text = if path == Path::new("frozen-plugin/Cargo.toml") {
            let renamed = text.replace(
                "name = \"connect_test_frozen\"",
                &format!("name = \"{lib_name}\""),
            );
            assert_ne!(renamed, text, "the fixture names its library");
            renamed
        } else {
            text
        };
        edit(path, text)
    });
    build_external_plugin(&root.join("frozen-plugin"), lib_name)
}

fn copy_edited(from: &Path, to: &Path, rel: &Path, edit: &dyn Fn(&Path, String) -> String) {
    fs::create_dir_all(to.join(rel)).unwrap();
    for entry in fs::read_dir(from.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let rel = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_edited(from, to, &rel, edit);
            continue;
        }
        let text = edit(&rel, fs::read_to_string(from.join(&rel)).unwrap());
        let dest = to.join(&rel);
        if fs::read_to_string(&dest).ok().as_deref() != Some(text.as_str()) {
            fs::write(&dest, text).unwrap();
        }
    }
}

/// The fixture with `PluginDescriptor.task_class` an `RStr<'static>` instead of an
/// `RString`: the same version, an incompatible layout.
fn changed_layout_library() -> PathBuf {
    variant("connect_test_abi_changed_layout", |path, text| {
        if path != Path::new("plugin-abi/src/ffi/mod.rs") {
            return text;
        }
        let changed = text.replace(
            "    pub task_class: RString,\n",
            "    pub task_class: RStr<'static>,\n",
        );
        assert_ne!(
            changed, text,
            "PluginDescriptor.task_class is an RString in 1.0.0"
        );
        changed
    })
}

/// The fixture with plugin-abi's version set to 2.0.0 (in its manifest and the plugin's
/// lockfile), nothing else changed.
fn abi_2_library() -> PathBuf {
    variant("connect_test_abi_2", |path, text| {
        let (from, to) = match path.to_str().unwrap() {
            "plugin-abi/Cargo.toml" => ("\nversion = \"1.0.0\"\n", "\nversion = \"2.0.0\"\n"),
            "frozen-plugin/Cargo.lock" => (
                "name = \"plugin-abi\"\nversion = \"1.0.0\"",
                "name = \"plugin-abi\"\nversion = \"2.0.0\"",
            ),
            _ => return text,
        };
        let changed = text.replace(from, to);
        assert_ne!(changed, text, "{} names plugin-abi 1.0.0", path.display());
        changed
    })
}

/// A `plugin.path` in `dir` holding copies of `libraries`.
fn plugins_with(dir: &Path, libraries: &[PathBuf]) -> PathBuf {
    let plugins = dir.join("plugins");
    fs::create_dir_all(&plugins).unwrap();
    for library in libraries {
        fs::copy(library, plugins.join(library.file_name().unwrap())).unwrap();
    }
    plugins
}

/// `connect plugins verify` on copies of `libraries` in `dir`: its exit code and output.
fn verify(dir: &Path, libraries: &[PathBuf]) -> (Option<i32>, String) {
    let plugins = plugins_with(dir, libraries);
    let out = Command::new(connect_binary())
        .args(["plugins", "verify"])
        .args(
            libraries
                .iter()
                .map(|l| plugins.join(l.file_name().unwrap())),
        )
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The one line of `text` containing `needle`.
fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(lines.len(), 1, "one line with {needle}:\n{text}");
    lines[0]
}

#[test]
fn a_plugin_built_against_abi_1_0_loads_runs_and_verifies() {
    let broker = TestBroker::start_external(BrokerKind::Embedded);
    let servers = broker.bootstrap_servers().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let library = frozen_library();

    let (code, out) = verify(dir.path(), std::slice::from_ref(&library));
    assert_eq!(code, Some(0), "{out}");
    for (kind, class) in [
        ("source", SOURCE),
        ("source_task", "test.frozen.FrozenSourceTask"),
        ("transformation", PREFIX),
        ("converter", TAGGED),
    ] {
        let line = line_with(&out, class);
        assert!(
            line.trim().starts_with(kind) && line.ends_with(" 1.0.0"),
            "{out}"
        );
    }

    let plugins = plugins_with(dir.path(), &[library]);
    let mut settings = worker_settings(dir.path(), &plugins, STRING);
    settings.push(("bootstrap.servers".into(), servers.clone()));
    settings.push(("offset.flush.interval.ms".into(), "200".into()));
    let connector = [
        ("name", "frozen"),
        ("connector.class", SOURCE),
        ("topic", "frozen"),
        ("count", "5"),
        ("transforms", "prefix"),
        ("transforms.prefix.type", PREFIX),
        ("transforms.prefix.prefix", "old:"),
        ("value.converter", TAGGED),
    ];
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[&connector]);

    let (code, listed) = worker.get("/connector-plugins?connectorsOnly=false");
    assert_eq!(code, 200);
    for (class, kind) in [
        (SOURCE, "source"),
        (PREFIX, "transformation"),
        (TAGGED, "converter"),
    ] {
        assert!(
            listed
                .as_array()
                .unwrap()
                .contains(&json!({"class": class, "type": kind, "version": "1.0.0"})),
            "{class} listed: {listed}"
        );
    }
    let arrived = wait_until(Duration::from_secs(30), || {
        read_topic_so_far(&servers, "frozen").len() >= 5
    });
    assert!(arrived, "{}", worker.log());
    let values: Vec<String> = read_topic(&servers, "frozen")
        .into_iter()
        .map(|v| String::from_utf8(v.expect("a value")).unwrap())
        .collect();
    let expected: Vec<String> = (1..=5)
        .map(|n| format!("[abi-1.0]old:frozen-{n}"))
        .collect();
    assert_eq!(
        values, expected,
        "written by the 1.0 source, prefixed by its transformation, tagged by its converter"
    );
    assert_eq!(worker.task_state("frozen", 0).as_deref(), Some("RUNNING"));
    let log = worker.log();
    assert!(
        log.contains("frozen source (plugin-abi 1.0.0) starting"),
        "the 1.0 library logs through the worker:\n{log}"
    );
}

#[test]
fn plugins_verify_refuses_a_changed_layout_and_another_major_naming_the_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = verify(dir.path(), &[changed_layout_library(), abi_2_library()]);
    assert_eq!(code, Some(1), "{out}");
    let layout = line_with(&out, "connect_test_abi_changed_layout");
    assert!(layout.starts_with("REFUSED"), "{out}");
    assert!(
        layout.contains("built against an incompatible plugin ABI")
            && layout.contains(
                "PluginDescriptor.task_class: mismatched type (worker: RString, library: RStr<'a>)"
            ),
        "{layout}"
    );
    let major = line_with(&out, "connect_test_abi_2");
    assert!(major.starts_with("REFUSED"), "{out}");
    assert!(
        major.contains("built against plugin-abi 2.0.0")
            && major.contains("this worker implements plugin-abi 1.0.0"),
        "{major}"
    );
}

#[test]
fn a_worker_refuses_incompatible_libraries_with_one_warning_each_and_serves() {
    // No bootstrap.servers: the worker runs its in-process broker.
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugins_with(
        dir.path(),
        &[frozen_library(), changed_layout_library(), abi_2_library()],
    );
    let settings = worker_settings(dir.path(), &plugins, STRING);
    let worker = Worker::standalone(dir.path(), &pairs(&settings), &[]);

    let log = worker.log();
    let warnings = |file: &str| -> Vec<&str> {
        log.lines()
            .filter(|l| l.contains("WARN") && l.contains(file))
            .collect()
    };
    let layout = warnings("connect_test_abi_changed_layout");
    assert_eq!(layout.len(), 1, "one WARN for the changed layout:\n{log}");
    assert!(
        layout[0].contains("PluginDescriptor.task_class: mismatched type"),
        "{}",
        layout[0]
    );
    let major = warnings("connect_test_abi_2");
    assert_eq!(major.len(), 1, "one WARN for plugin-abi 2.0.0:\n{log}");
    assert!(
        major[0].contains("plugin-abi 2.0.0") && major[0].contains("plugin-abi 1.0.0"),
        "{}",
        major[0]
    );

    // The worker serves, with the compatible library's classes and nothing of the others.
    let (code, listed) = worker.get("/connector-plugins?connectorsOnly=false");
    assert_eq!(code, 200);
    let sources: Vec<&serde_json::Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["class"] == SOURCE)
        .collect();
    assert_eq!(
        sources,
        [&json!({"class": SOURCE, "type": "source", "version": "1.0.0"})]
    );
    assert_eq!(worker.get("/").0, 200);
}
