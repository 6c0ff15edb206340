//! Discovery under plugin.path: good libraries load, bad files are skipped with a reason.

use std::fs;
use std::process::Command;

use e2e::{connect_binary, path_str, plugin_dir, plugin_library, warning_about};

fn plugins_list(plugin_path: &str) -> (String, String) {
    let out = Command::new(connect_binary())
        .args(["plugins", "list", "--plugin-path", plugin_path])
        .env("RUST_LOG", "info")
        .output()
        .expect("run connect plugins list");
    assert!(
        out.status.success(),
        "plugins list must not fail on bad files"
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn good_libraries_load_and_bad_files_are_skipped_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(dir.path(), &["connect_file", "connect_test_kit"]);
    let ext = std::env::consts::DLL_EXTENSION;
    fs::write(plugins.join(format!("x.{ext}")), "this is a text file\n").unwrap();
    fs::write(plugins.join(format!("empty.{ext}")), "").unwrap();
    let deeper = plugins.join("nested/deeper");
    fs::create_dir_all(&deeper).unwrap();
    fs::copy(
        plugin_library("connect_test_not_a_plugin"),
        deeper.join(format!("libnot_a_plugin.{ext}")),
    )
    .unwrap();
    fs::copy(
        plugin_library("connect_file"),
        deeper.join(format!("libconnect_file_copy.{ext}")),
    )
    .unwrap();
    fs::write(
        plugins.join("README.txt"),
        "not a library name: never opened",
    )
    .unwrap();

    let (table, log) = plugins_list(path_str(&plugins));

    for class in [
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "test.kit.PanickingSourceConnector",
    ] {
        assert!(table.contains(class), "{class} missing from\n{table}");
    }
    assert!(
        table.contains("FileStreamSource"),
        "aliases are listed:\n{table}"
    );
    assert!(warning_about(&log, &format!("x.{ext}")).contains("not a loadable library"));
    assert!(warning_about(&log, &format!("empty.{ext}")).contains("not a loadable library"));
    assert!(
        warning_about(&log, "libnot_a_plugin").contains("does not export the plugin root module")
    );
    let dup = warning_about(&log, "libconnect_file_copy");
    assert!(
        dup.contains("duplicates org.apache.kafka.connect.file.")
            && dup.contains("already loaded from"),
        "{dup}"
    );
    assert!(
        !log.contains("README.txt"),
        "files without the library extension are not opened"
    );
    // The duplicate's classes are not registered twice.
    assert_eq!(
        table.matches("FileStreamSinkConnector ").count()
            + table.matches("FileStreamSinkConnector\n").count(),
        1,
        "{table}"
    );
}

#[test]
fn a_missing_plugin_directory_is_a_warning_not_a_failure() {
    let (table, log) = plugins_list("/nonexistent/plugins");
    assert!(log.contains("not a directory"), "{log}");
    assert!(
        table.contains("org.apache.kafka.connect.storage.StringConverter"),
        "built-ins are always there:\n{table}"
    );
}
