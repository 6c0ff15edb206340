//! Checks plugin files in a short-lived child process before the worker loads them.
//!
//! Opening a library runs its initialisers: one that aborts or segfaults would take the
//! worker with it. The child (`connect plugins verify --in-process FILE…`) opens each file,
//! checks its ABI and makes one instance of every class it exports, printing one JSON line
//! per file as it finishes. If the child dies, the file it was on is the culprit: it is
//! refused and a new child checks the rest.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use abi_stable::std_types::{RResult, RStr};
use plugin_abi::ffi::{PluginError, PluginKind, PluginModuleRef};
use serde::{Deserialize, Serialize};

use super::loader::{check_not_writable_by_others, load_library, sha256_of, LoadError};

/// How long one file may take to load and instantiate before it counts as hung.
const PER_FILE_TIMEOUT: Duration = Duration::from_secs(10);

/// One exported class, as the child saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckedClass {
    pub class: String,
    pub kind: String,
    pub version: String,
}

/// The child's verdict on one file.
#[derive(Debug, Serialize, Deserialize)]
struct Verdict {
    file: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default)]
    classes: Vec<CheckedClass>,
}

/// The child's side: checks each file in this process and prints a verdict line per file.
pub fn run_checks(files: &[PathBuf]) {
    let stdout = std::io::stdout();
    for file in files {
        let verdict = match check_here(file) {
            Ok(classes) => Verdict {
                file: file.clone(),
                error: None,
                classes,
            },
            Err(e) => Verdict {
                file: file.clone(),
                error: Some(e.to_string()),
                classes: Vec::new(),
            },
        };
        let mut out = stdout.lock();
        let line = serde_json::to_string(&verdict).expect("a verdict serializes");
        // The parent reads line by line: each verdict must leave before the next file runs.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// Loads the file and makes an instance of every class it exports (and asks connectors,
/// transformations, converters and predicates for their ConfigDef).
fn check_here(file: &Path) -> Result<Vec<CheckedClass>, LoadError> {
    let (module, descriptors) = load_library(file)?;
    let mut classes = Vec::new();
    for d in &descriptors {
        instantiate(module, d.kind, d.class.as_str()).map_err(|e| {
            LoadError::InitFailed(format!("cannot make an instance of {}: {e}", d.class))
        })?;
        classes.push(CheckedClass {
            class: d.class.to_string(),
            kind: d.kind.rest_name().to_string(),
            version: d.version.to_string(),
        });
    }
    Ok(classes)
}

fn instantiate(module: PluginModuleRef, kind: PluginKind, class: &str) -> Result<(), String> {
    let class = RStr::from(class);
    let missing = || "the library lacks this kind's constructor".to_string();
    fn ok<T>(r: RResult<T, PluginError>) -> Result<T, String> {
        r.into_result().map_err(|e| e.message.to_string())
    }
    match kind {
        PluginKind::Source | PluginKind::Sink => {
            let c = (module.new_connector())(class);
            ok(ok(c)?.config()).map(drop)
        }
        PluginKind::SourceTask => ok((module.new_source_task())(class)).map(drop),
        PluginKind::SinkTask => ok((module.new_sink_task())(class)).map(drop),
        PluginKind::Transformation => {
            let make = module.new_transformation().ok_or_else(missing)?;
            let t = make(class);
            ok(ok(t)?.config()).map(drop)
        }
        PluginKind::Converter => {
            let make = module.new_converter().ok_or_else(missing)?;
            let c = make(class);
            ok(ok(c)?.config()).map(drop)
        }
        PluginKind::HeaderConverter => {
            let make = module.new_header_converter().ok_or_else(missing)?;
            let c = make(class);
            ok(ok(c)?.config()).map(drop)
        }
        PluginKind::Predicate => {
            let make = module.new_predicate().ok_or_else(missing)?;
            let p = make(class);
            ok(ok(p)?.config()).map(drop)
        }
    }
}

/// What `connect plugins verify` reports of one good file: its SHA-256 and classes.
pub type FileReport = (String, Vec<CheckedClass>);

/// `connect plugins verify FILE…`: the worker's checks on files named directly (their own
/// directory counts as their `plugin.path` entry), each with its SHA-256.
pub fn verify_files(files: &[PathBuf]) -> Vec<Result<FileReport, LoadError>> {
    // The dynamic loader searches its library path for a bare name: make names absolute.
    let files: Vec<PathBuf> = files
        .iter()
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
        .collect();
    let files = &files[..];
    let hashed: Vec<Result<String, LoadError>> = files
        .iter()
        .map(|file| {
            let root = file.parent().unwrap_or(Path::new("/"));
            check_not_writable_by_others(root, file).and_then(|()| sha256_of(file))
        })
        .collect();
    let to_check: Vec<PathBuf> = files
        .iter()
        .zip(&hashed)
        .filter(|(_, h)| h.is_ok())
        .map(|(f, _)| f.clone())
        .collect();
    let mut verdicts = check_in_child(&to_check).into_iter();
    hashed
        .into_iter()
        .map(|h| {
            let sha = h?;
            let classes = verdicts.next().expect("one verdict per checked file")?;
            Ok((sha, classes))
        })
        .collect()
}

/// The parent's side: the verdict on each file, in order, from as many child processes as
/// it takes (one, unless a file crashes its child).
pub fn check_in_child(files: &[PathBuf]) -> Vec<Result<Vec<CheckedClass>, LoadError>> {
    let mut verdicts = Vec::with_capacity(files.len());
    while verdicts.len() < files.len() {
        let rest = &files[verdicts.len()..];
        match run_child(rest) {
            Ok((mut done, crash)) => {
                let finished = done.len();
                verdicts.append(&mut done);
                if finished < rest.len() {
                    verdicts.push(Err(LoadError::Crashed(
                        crash.unwrap_or_else(|| "it exited early".into()),
                    )));
                }
            }
            Err(e) => {
                // Without a checker nothing is known to be safe: refuse what is left.
                let why = format!("cannot start the process that checks plugin files: {e}");
                verdicts.extend(rest.iter().map(|_| Err(LoadError::InitFailed(why.clone()))));
            }
        }
    }
    verdicts
}

type ChildRun = (Vec<Result<Vec<CheckedClass>, LoadError>>, Option<String>);

/// Runs one child over `files`: the verdicts it printed and, if it stopped short, why.
fn run_child(files: &[PathBuf]) -> std::io::Result<ChildRun> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["plugins", "verify", "--in-process", "--"])
        .args(files)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut verdicts = Vec::new();
    let mut hung = false;
    while verdicts.len() < files.len() {
        match lines.recv_timeout(PER_FILE_TIMEOUT) {
            Ok(line) => match serde_json::from_str::<Verdict>(&line) {
                Ok(v) => verdicts.push(match v.error {
                    None => Ok(v.classes),
                    Some(e) => Err(LoadError::Refused(e)),
                }),
                // A library may print to stdout itself: not a verdict, skip it.
                Err(_) => continue,
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {
                hung = true;
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait()?;
    let stderr_text = stderr_reader.join().unwrap_or_default();
    if verdicts.len() == files.len() {
        return Ok((verdicts, None));
    }
    let why = if hung {
        format!(
            "it did not finish loading within {} s",
            PER_FILE_TIMEOUT.as_secs()
        )
    } else {
        describe_exit(status)
    };
    let last_words = stderr_text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(|l| format!("; its last words: {l}"))
        .unwrap_or_default();
    Ok((verdicts, Some(format!("{why}{last_words}"))))
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                libc::SIGABRT => " SIGABRT",
                libc::SIGSEGV => " SIGSEGV",
                libc::SIGBUS => " SIGBUS",
                libc::SIGILL => " SIGILL",
                libc::SIGFPE => " SIGFPE",
                libc::SIGKILL => " SIGKILL",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("it exited with status {code}"),
        None => "it exited abnormally".to_string(),
    }
}
