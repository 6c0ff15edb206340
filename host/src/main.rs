//! `connect`: the Kafka Connect worker.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Inspects the plugins under plugin.path.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
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
}

fn main() -> ExitCode {
    connect::logging::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Standalone {
            worker_properties,
            connector_properties,
        } => connect::standalone::run(&worker_properties, &connector_properties),
        Command::Plugins {
            command: PluginsCommand::List { plugin_path },
        } => {
            list_plugins(&plugin_path);
            Ok(())
        }
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
