//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the checks the fuzz
//! targets run, so `cargo test` guards what fuzzing found without a fuzzing engine.
//! `cargo xtask fuzz` runs the targets themselves; see `docs/fuzzing.md`.

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod checks;

use std::path::PathBuf;

/// Every input of `fuzz/corpus/<target>/`, through `check`; a failure names the file.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has no inputs", dir.display());
    for file in files {
        let data = std::fs::read(&file).expect("a corpus file");
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{} fails: {reason}", file.display());
        }
    }
}

#[test]
fn properties_corpus_parses_and_round_trips() {
    replay("properties", checks::properties);
}

#[test]
fn json_converter_corpus_reads_and_writes_back() {
    replay("json_converter", checks::json_converter);
}

#[test]
fn rest_bodies_corpus_gets_2xx_or_4xx_error_bodies() {
    replay("rest_bodies", checks::rest_bodies);
}
