use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};

use plugin_abi::log;
use plugin_abi::prelude::*;

const FILE: &str = "file";

fn config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            FILE,
            ConfigType::String,
            Importance::High,
            "Destination filename. If not specified, the standard output will be used",
        )
        .default_null(),
    )
}

/// Writes the values of the records of its topics to one file (or stdout).
#[derive(Default)]
pub struct FileStreamSinkConnector {
    props: Props,
}

impl SinkConnector for FileStreamSinkConnector {
    fn config(&self) -> ConfigDef {
        config_def()
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.props = props.clone();
        Ok(())
    }

    /// One task: several writers appending to one file would interleave lines.
    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let mut task = Props::new();
        if let Some(file) = self.props.get(FILE) {
            task.insert(FILE.to_string(), file.clone());
        }
        Ok(vec![task])
    }
}

enum Output {
    File(BufWriter<File>),
    Stdout(std::io::Stdout),
}

/// Appends each record's value, one per line, as Java's `println(record.value())`.
#[derive(Default)]
pub struct FileStreamSinkTask {
    output: Option<Output>,
    filename: Option<String>,
}

impl FileStreamSinkTask {
    fn writer(&mut self) -> Result<&mut dyn Write, ConnectError> {
        match self.output.as_mut() {
            Some(Output::File(f)) => Ok(f),
            Some(Output::Stdout(s)) => Ok(s),
            None => Err(ConnectError::new("the sink task is not started")),
        }
    }
}

impl SinkTask for FileStreamSinkTask {
    fn start(&mut self, props: &Props, _ctx: &SinkTaskContext) -> Result<(), ConnectError> {
        self.filename = props.get(FILE).filter(|f| !f.is_empty()).cloned();
        self.output = Some(match &self.filename {
            Some(name) => {
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(name)
                    .map_err(|e| {
                        ConnectError::new(format!(
                            "Couldn't find or create file '{name}' for FileStreamSinkTask: {e}"
                        ))
                    })?;
                Output::File(BufWriter::with_capacity(256 * 1024, file))
            }
            None => Output::Stdout(std::io::stdout()),
        });
        Ok(())
    }

    fn put(&mut self, records: &[SinkRecord], _ctx: &SinkTaskContext) -> Result<(), ConnectError> {
        let out = self.writer()?;
        for record in records {
            writeln!(out, "{}", record.value)?;
        }
        // Written through at the end of each batch, as Java's task writes each line:
        // readers see the data at once; durability (fsync) waits for `flush`.
        out.flush()?;
        Ok(())
    }

    /// Flushes and syncs the file, so committed consumer offsets never run ahead of the data.
    fn flush(&mut self, _offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        match self.output.as_mut() {
            Some(Output::File(f)) => {
                f.flush()?;
                f.get_ref().sync_data()?;
            }
            Some(Output::Stdout(s)) => s.flush()?,
            None => {}
        }
        log::trace!("flushed {:?}", self.filename);
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        self.flush(&[])?;
        self.output = None;
        Ok(())
    }
}
