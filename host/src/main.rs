//! `connect`: the Kafka Connect worker.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use connect::logging::LogFormat;
use connect::plugins::PluginRegistry;

#[derive(Parser)]
#[command(
    name = "connect",
    version,
    about = "Kafka Connect worker: runs connector plugins loaded from shared libraries"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a standalone worker, as Kafka's connect-standalone.sh.
    Standalone {
        /// The worker configuration (Kafka's connect-standalone.properties keys).
        worker_properties: PathBuf,
        /// Connector configurations, one per file.
        connector_properties: Vec<PathBuf>,
    },
    /// Runs a worker of a distributed cluster, as Kafka's connect-distributed.sh: workers
    /// with the same group.id share the connectors; configs, offsets and statuses live in
    /// Kafka topics.
    Distributed {
        /// The worker configuration (Kafka's connect-distributed.properties keys).
        worker_properties: PathBuf,
    },
    /// Runs MirrorMaker 2 as Kafka's connect-mirror-maker.sh: the replication flows of a
    /// top-level file (`clusters = A, B`, `A.bootstrap.servers`, `A->B.enabled = true`, …),
    /// each on an internal distributed worker whose storage is on the flow's target cluster.
    MirrorMaker {
        /// The MirrorMaker configuration (Kafka's connect-mirror-maker.properties keys).
        mm2_properties: PathBuf,
        /// Run only the flows into these target clusters (aliases), as Kafka's --clusters.
        #[arg(long, value_delimiter = ',', num_args = 1..)]
        clusters: Option<Vec<String>>,
    },
    /// Inspects the plugins under plugin.path.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
    /// REST API tools.
    Rest {
        #[command(subcommand)]
        command: RestCommand,
    },
    /// Runs only the embedded broker (librdkafka's mock cluster) until stopped, printing its
    /// address: several workers and tools can then share it through bootstrap.servers.
    EmbeddedBroker,
}

#[derive(Subcommand)]
enum PluginsCommand {
    /// Lists every plugin class found, with its kind, version, aliases and file.
    List {
        /// Comma-separated plugin directories.
        #[arg(long, default_value = "plugin.path")]
        plugin_path: String,
    },
    /// Checks plugin files the way the worker does before loading them (in a separate
    /// process, so a crashing library cannot take anything down): prints what each file
    /// exports, or why it is refused. Exits with 1 when any file is refused.
    Verify {
        /// The library files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check in this process and print one JSON verdict per file: the worker's child.
        #[arg(long, hide = true)]
        in_process: bool,
    },
}

#[derive(Subcommand)]
enum RestCommand {
    /// Prints a `USER:<argon2id hash>` line for rest.basic.auth.credentials.file, reading the
    /// password from standard input (prompted without echo on a terminal).
    HashPassword {
        /// The user name.
        user: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = log_format(&cli);
    connect::logging::init(format.clone().unwrap_or_default());
    if let Err(e) = format {
        tracing::warn!("{e}; writing text");
    }
    let result = match cli.command {
        Command::Standalone {
            worker_properties,
            connector_properties,
        } => connect::standalone::run(&worker_properties, &connector_properties),
        Command::Distributed { worker_properties } => connect::distributed::run(&worker_properties),
        Command::MirrorMaker {
            mm2_properties,
            clusters,
        } => connect::mirror_maker::run(&mm2_properties, clusters.as_deref()),
        Command::Plugins {
            command: PluginsCommand::List { plugin_path },
        } => {
            list_plugins(&plugin_path);
            Ok(())
        }
        Command::Plugins {
            command: PluginsCommand::Verify { files, in_process },
        } => {
            if in_process {
                connect::plugins::verify::run_checks(&files);
                return ExitCode::SUCCESS;
            }
            return verify_plugins(&files);
        }
        Command::Rest {
            command: RestCommand::HashPassword { user },
        } => hash_password(&user),
        Command::EmbeddedBroker => run_embedded_broker(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn list_plugins(plugin_path: &str) {
    let dirs: Vec<PathBuf> = plugin_path
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .collect();
    let registry = PluginRegistry::load(&dirs);
    let rows: Vec<[String; 5]> = registry
        .all()
        .iter()
        .map(|p| {
            [
                p.class.clone(),
                p.kind.rest_name().to_string(),
                p.version.clone(),
                p.aliases.join(", "),
                p.location(),
            ]
        })
        .collect();
    let header = ["CLASS", "TYPE", "VERSION", "ALIASES", "LOCATION"].map(String::from);
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}

/// `log.format` from the worker file, else `CONNECT_LOG_FORMAT`. Read before the worker
/// configuration proper, since logging starts first.
fn log_format(cli: &Cli) -> Result<LogFormat, String> {
    let from_file = match &cli.command {
        Command::Standalone {
            worker_properties, ..
        }
        | Command::Distributed { worker_properties }
        | Command::MirrorMaker {
            mm2_properties: worker_properties,
            ..
        } => connect::config::read_properties(worker_properties)
            .ok()
            .and_then(|p| p.get("log.format").cloned()),
        _ => None,
    };
    match from_file.or_else(|| std::env::var("CONNECT_LOG_FORMAT").ok()) {
        Some(text) => LogFormat::parse(&text),
        None => Ok(LogFormat::Text),
    }
}

fn verify_plugins(files: &[PathBuf]) -> ExitCode {
    let report = connect::plugins::verify::verify_files(files);
    let mut all_ok = true;
    for (file, verdict) in files.iter().zip(report) {
        match verdict {
            Ok((sha256, classes)) => {
                println!("OK       {}", file.display());
                println!("         sha256 {sha256}");
                for c in classes {
                    println!("         {:<16} {} {}", c.kind, c.class, c.version);
                }
            }
            Err(e) => {
                all_ok = false;
                println!("REFUSED  {}: {e}", file.display());
            }
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn hash_password(user: &str) -> anyhow::Result<()> {
    let password = read_password(&format!("Password for {user}: "))?;
    println!("{}", connect::rest::credentials_line(user, &password)?);
    Ok(())
}

/// One line from standard input without its line end; on a terminal, prompted and not echoed.
fn read_password(prompt: &str) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let mut line = String::new();
    if stdin.is_terminal() {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let _echo_off = EchoOff::new();
        stdin.lock().read_line(&mut line)?;
        eprintln!();
    } else {
        stdin.lock().read_line(&mut line)?;
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// Turns terminal echo off on standard input until dropped.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a termios we own; failures leave echo on.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return EchoOff(None);
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(0, libc::TCSANOW, &quiet) != 0 {
                return EchoOff(None);
            }
            EchoOff(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, saved) };
        }
    }
}

fn run_embedded_broker() -> anyhow::Result<()> {
    let broker = connect::kafka::EmbeddedBroker::start()?;
    println!("bootstrap.servers={}", broker.bootstrap_servers());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(connect::standalone::shutdown_signal());
    drop(broker);
    Ok(())
}
