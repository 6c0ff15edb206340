//! `cargo xtask <task>`: the project's tasks, with nothing to install beforehand.
//!
//! - `plugins [--release]`: builds the shipped plugin libraries into `plugin.path/`;
//! - `demo [--seconds N]`: the quickstart: file → topic → file on the embedded broker;
//! - `test`: everything CI checks: formatting, clippy, unit and end-to-end tests, short fuzz runs;
//! - `fuzz [--seconds N] [TARGET…]`: the cargo-fuzz targets of `fuzz/`, N seconds each
//!   (docs/fuzzing.md);
//! - `bench`: throughput against the raw client, start-up time, memory (see BENCHMARKS.md).

mod bench;
mod rebalance;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Workspace crates that are shipped plugins, installed into `plugin.path/`.
const SHIPPED_PLUGINS: &[&str] = &["connect-file", "connect-mirror"];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("plugins") => install_plugins(args.iter().any(|a| a == "--release")),
        Some("demo") => demo(seconds_arg(&args)),
        Some("test") => test(),
        Some("fuzz") => fuzz(seconds_arg(&args).unwrap_or(60), &fuzz_targets_arg(&args)),
        Some("bench") => bench::bench(if args.iter().any(|a| a == "--startup-only") {
            bench::Figures::StartupOnly
        } else if args.iter().any(|a| a == "--rebalance-only") {
            bench::Figures::RebalanceOnly
        } else {
            bench::Figures::All
        }),
        _ => Err(
            "usage: cargo xtask plugins [--release] | demo [--seconds N] | test | fuzz [--seconds N] [TARGET…] | bench [--startup-only | --rebalance-only]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn seconds_arg(args: &[String]) -> Option<u64> {
    let i = args.iter().position(|a| a == "--seconds")?;
    args.get(i + 1)?.parse().ok()
}

/// The target names after `fuzz`, without `--seconds N`.
fn fuzz_targets_arg(args: &[String]) -> Vec<&str> {
    let mut targets = Vec::new();
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        if arg == "--seconds" {
            rest.next();
        } else {
            targets.push(arg.as_str());
        }
    }
    targets
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn run(what: &str, cmd: &mut Command) -> Result {
    let started = Instant::now();
    eprintln!("xtask: {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if !status.success() {
        return Err(format!("{what} failed ({status})"));
    }
    eprintln!(
        "xtask: {what}: ok in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Builds the shipped plugins and copies them into `plugin.path/` (replacing older copies).
fn install_plugins(release: bool) -> Result {
    let mut build = cargo();
    build.arg("build");
    if release {
        build.arg("--release");
    }
    for p in SHIPPED_PLUGINS {
        build.args(["-p", p]);
    }
    run("build the plugins", &mut build)?;
    let profile = if release { "release" } else { "debug" };
    let dest = root().join("plugin.path");
    std::fs::create_dir_all(&dest).map_err(|e| format!("create {}: {e}", dest.display()))?;
    for p in SHIPPED_PLUGINS {
        let name = format!(
            "{}{}{}",
            std::env::consts::DLL_PREFIX,
            p.replace('-', "_"),
            std::env::consts::DLL_SUFFIX
        );
        let from = target_dir().join(profile).join(&name);
        // Copy to a temporary name and rename, so a watching worker never sees half a file.
        let tmp = dest.join(format!(".{name}.tmp"));
        std::fs::copy(&from, &tmp).map_err(|e| format!("copy {}: {e}", from.display()))?;
        std::fs::rename(&tmp, dest.join(&name)).map_err(|e| format!("install {name}: {e}"))?;
        eprintln!("xtask: installed plugin.path/{name}");
    }
    Ok(())
}

/// Kafka's quickstart: test.txt → topic connect-test → test.sink.txt, no broker needed.
fn demo(seconds: Option<u64>) -> Result {
    install_plugins(true)?;
    run(
        "build the worker",
        cargo().args(["build", "--release", "-p", "connect"]),
    )?;
    let input = root().join("test.txt");
    if !input.exists() {
        std::fs::write(&input, "foo\nbar\n").map_err(|e| format!("write test.txt: {e}"))?;
    }
    eprintln!(
        "xtask: running the worker: test.txt → topic connect-test → test.sink.txt.\n\
         xtask: append lines to test.txt and watch test.sink.txt; REST on http://localhost:8083; Ctrl-C stops.\n\
         xtask: the source's position is kept in /tmp/connect.offsets: delete it to copy test.txt from the start again."
    );
    let mut worker = Command::new(
        target_dir()
            .join("release")
            .join(format!("connect{}", std::env::consts::EXE_SUFFIX)),
    );
    worker.current_dir(root()).args([
        "standalone",
        "config/connect-standalone.properties",
        "config/connect-file-source.properties",
        "config/connect-file-sink.properties",
    ]);
    let Some(seconds) = seconds else {
        return run("connect standalone", &mut worker);
    };
    let mut child = worker.spawn().map_err(|e| format!("start connect: {e}"))?;
    std::thread::sleep(std::time::Duration::from_secs(seconds));
    // SIGTERM, as Ctrl-C would: the worker flushes offsets and stops cleanly.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().map_err(|e| format!("wait for connect: {e}"))?;
    let copied = std::fs::read_to_string(root().join("test.sink.txt")).unwrap_or_default();
    eprintln!(
        "xtask: worker exited ({status}); test.sink.txt has {} lines",
        copied.lines().count()
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!("the worker exited with {status}"))
    }
}

/// Tansu, the Kafka-compatible broker of the real-broker test tier. It is AGPL: used only
/// as an external program, never linked or vendored. `libsql` gives it file-backed
/// storage, so it keeps its data across its own restart.
const TANSU_VERSION: &str = "0.6.0";

/// The per-machine cache outside the clone where test tools are installed once.
fn tool_cache() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    home.join(".cache/kafka-connect-rs")
}

/// Where Tansu is installed.
fn tansu_root() -> PathBuf {
    tool_cache().join(format!("tansu-{TANSU_VERSION}"))
}

/// The Python tools of the REST tests, pinned: schemathesis fuzzes the API from its OpenAPI
/// document; kafka-connect-py is an independent Kafka Connect client driving it unchanged.
const PYTHON_TOOLS: &[&str] = &["schemathesis==4.32.5", "kafka-connect-py==1.0.0"];

/// A virtual environment with [`PYTHON_TOOLS`], made from PyPI when missing (seconds);
/// returns its `bin` directory.
fn ensure_python_tools() -> Result<PathBuf> {
    let venv = tool_cache().join(format!("python-tools-{}", PYTHON_TOOLS.join("-")));
    let bin = venv.join("bin");
    if bin.join("schemathesis").exists() && bin.join("python").exists() {
        return Ok(bin);
    }
    run(
        "create the Python test tools' virtual environment (once per machine)",
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
    )?;
    run(
        "install the Python test tools",
        Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PYTHON_TOOLS),
    )?;
    Ok(bin)
}

/// Debian's headless browser and its WebDriver, for the web console's tests.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromium and chromedriver, installed with apt-get when missing (as root, or through
/// sudo; about ten seconds); returns their paths.
fn ensure_chromium() -> Result<(PathBuf, PathBuf)> {
    let (chromium, chromedriver) = (PathBuf::from(CHROMIUM), PathBuf::from(CHROMEDRIVER));
    if chromium.exists() && chromedriver.exists() {
        return Ok((chromium, chromedriver));
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run("apt-get update (for Chromium)", &mut apt(&["update", "-q"]))?;
    run(
        "install Chromium and chromedriver for the web console tests (once per machine)",
        &mut apt(&[
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
            // Without a font the pages render as boxes, and the layout tests measure text.
            "fonts-liberation",
        ]),
    )?;
    if !chromium.exists() || !chromedriver.exists() {
        return Err(format!(
            "apt-get installed chromium and chromium-driver, but {CHROMIUM} or {CHROMEDRIVER} is missing"
        ));
    }
    Ok((chromium, chromedriver))
}

/// The tansu binary, installed from crates.io when missing (about 10 minutes on 2 cores).
pub(crate) fn ensure_tansu() -> Result<PathBuf> {
    let bin = tansu_root()
        .join("bin")
        .join(format!("tansu{}", std::env::consts::EXE_SUFFIX));
    if bin.exists() {
        return Ok(bin);
    }
    run(
        "install the Tansu test broker (once per machine)",
        cargo()
            .args([
                "install",
                "tansu",
                "--version",
                TANSU_VERSION,
                "--locked",
                "--features",
                "dynostore,libsql",
                "--root",
            ])
            .arg(tansu_root()),
    )?;
    Ok(bin)
}

/// cargo-fuzz, pinned. It runs on the stable toolchain with `--sanitizer none`: the
/// coverage instrumentation it asks rustc for (`-Cpasses=sancov-module`) is stable, only
/// the sanitizers need nightly.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The targets of `fuzz/fuzz_targets/`.
const FUZZ_TARGETS: &[&str] = &["properties", "json_converter", "rest_bodies"];

/// How long `cargo xtask test` fuzzes each target.
const FUZZ_TEST_SECONDS: u64 = 20;

/// The cargo-fuzz binary, installed from crates.io when missing (about 2.5 minutes on 2 cores).
fn ensure_cargo_fuzz() -> Result<PathBuf> {
    let install_root = tool_cache().join(format!("cargo-fuzz-{CARGO_FUZZ_VERSION}"));
    let bin = install_root
        .join("bin")
        .join(format!("cargo-fuzz{}", std::env::consts::EXE_SUFFIX));
    if bin.exists() {
        return Ok(bin);
    }
    run(
        "install cargo-fuzz (once per machine)",
        cargo()
            .args([
                "install",
                "cargo-fuzz",
                "--version",
                CARGO_FUZZ_VERSION,
                "--locked",
                "--root",
            ])
            .arg(&install_root),
    )?;
    Ok(bin)
}

/// Fuzzes each target (all when `targets` is empty) for `seconds`, starting from the
/// committed corpus `fuzz/corpus/<target>/`; new inputs go to `fuzz/target/corpus/<target>/`,
/// crashes to `fuzz/artifacts/<target>/`. The first run builds `fuzz/` in its own target
/// directory (a few minutes), later runs only what changed.
fn fuzz(seconds: u64, targets: &[&str]) -> Result {
    for target in targets {
        if !FUZZ_TARGETS.contains(target) {
            return Err(format!(
                "no fuzz target {target}: the targets are {}",
                FUZZ_TARGETS.join(", ")
            ));
        }
    }
    let targets = if targets.is_empty() {
        FUZZ_TARGETS
    } else {
        targets
    };
    let cargo_fuzz = ensure_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    for target in targets {
        let scratch = fuzz_dir.join("target").join("corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .map_err(|e| format!("create {}: {e}", scratch.display()))?;
        run(
            &format!("fuzz {target} for {seconds} s"),
            Command::new(&cargo_fuzz)
                .current_dir(&fuzz_dir)
                // fuzz/ is its own workspace with its own target directory: instrumented
                // builds must not share the workspace's.
                .env_remove("CARGO_TARGET_DIR")
                .args(["fuzz", "run", "--sanitizer", "none", target])
                .arg(&scratch)
                .arg(Path::new("corpus").join(target))
                .args([
                    "--",
                    &format!("-max_total_time={seconds}"),
                    "-timeout=10",
                    "-print_final_stats=1",
                ]),
        )?;
    }
    Ok(())
}

/// Everything CI runs.
fn test() -> Result {
    let started = Instant::now();
    let tansu = ensure_tansu()?;
    let python_tools = ensure_python_tools()?;
    let (chromium, chromedriver) = ensure_chromium()?;
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    run(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The end-to-end suite runs the real binary and plugin files: build them first.
    run(
        "build the worker and plugins",
        cargo().args(["build", "--workspace"]),
    )?;
    run(
        "cargo test",
        cargo()
            .args(["test", "--workspace"])
            .env("TANSU_BIN", &tansu)
            .env("PYTHON_TOOLS_BIN", &python_tools)
            .env("CHROMIUM_BIN", &chromium)
            .env("CHROMEDRIVER_BIN", &chromedriver),
    )?;
    // The corpus replays in `cargo test` (host/tests/fuzz_corpus.rs); this fuzzes anew.
    fuzz(FUZZ_TEST_SECONDS, &[])?;
    eprintln!(
        "xtask: all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
