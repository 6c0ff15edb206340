use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::time::Duration;

use plugin_abi::log;
use plugin_abi::prelude::*;

const FILE: &str = "file";
const TOPIC: &str = "topic";
const BATCH_SIZE: &str = "batch.size";
/// Key of the source partition map, as Java's `FileStreamSourceTask.FILENAME_FIELD`.
const FILENAME_FIELD: &str = "filename";
/// Key of the source offset map, as Java's `FileStreamSourceTask.POSITION_FIELD`.
const POSITION_FIELD: &str = "position";
/// How long `poll` waits when the file has no new complete line.
const IDLE_WAIT: Duration = Duration::from_millis(100);

fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(FILE, ConfigType::String, Importance::High,
                "Source filename. If not specified, the standard input will be used")
            .default_null(),
        )
        .define(
            ConfigKey::new(TOPIC, ConfigType::String, Importance::High, "The topic to publish data to")
                .validator(Validator::NonEmptyString),
        )
        .define(
            ConfigKey::new(BATCH_SIZE, ConfigType::Int, Importance::Low,
                "The maximum number of records the source task can read from the file each time it is polled")
            .default_value("2000")
            .validator(Validator::AtLeast(1)),
        )
}

fn config_error(def: &ConfigDef, props: &Props) -> Result<(), ConnectError> {
    let errors = def.errors(props);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ConnectError::config(errors.join("; ")))
    }
}

/// Reads lines of one file (or stdin) into one topic, with one task.
#[derive(Default)]
pub struct FileStreamSourceConnector {
    props: Props,
}

impl SourceConnector for FileStreamSourceConnector {
    fn config(&self) -> ConfigDef {
        config_def()
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        config_error(&config_def(), props)?;
        self.props = props.clone();
        Ok(())
    }

    /// One task, whatever `tasks.max` says: a file is read by one reader (as Java's).
    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let def = config_def();
        let mut task = Props::new();
        for key in [FILE, TOPIC, BATCH_SIZE] {
            if let Some(v) = def.get(&self.props, key) {
                task.insert(key.to_string(), v.to_string());
            }
        }
        Ok(vec![task])
    }
}

enum Input {
    File(File),
    Stdin(std::io::Stdin),
}

/// Reads complete lines from the file, remembering the byte position after each one.
pub struct FileStreamSourceTask {
    filename: Option<String>,
    topic: String,
    batch_size: usize,
    input: Option<Input>,
    /// Read but not yet returned bytes: the start of a line not yet complete.
    pending: Vec<u8>,
    /// Byte position in the file of `pending[0]`.
    position: u64,
    partition: Value,
    /// One schema shared by every record (cloning it is a reference count).
    schema: Schema,
    missing_file_logged: bool,
}

impl Default for FileStreamSourceTask {
    fn default() -> Self {
        FileStreamSourceTask {
            filename: None,
            topic: String::new(),
            batch_size: 2000,
            input: None,
            pending: Vec::new(),
            position: 0,
            partition: Value::Null,
            schema: Schema::string(),
            missing_file_logged: false,
        }
    }
}

impl FileStreamSourceTask {
    /// Opens the file, resuming at the committed position; `None` while it does not exist.
    fn open(&mut self, ctx: &SourceTaskContext) -> Result<Option<Input>, ConnectError> {
        let Some(name) = &self.filename else {
            return Ok(Some(Input::Stdin(std::io::stdin())));
        };
        let mut file = match File::open(name) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !self.missing_file_logged {
                    log::warn!("Couldn't find file {name} for FileStreamSourceTask, sleeping to wait for it to be created");
                    self.missing_file_logged = true;
                }
                return Ok(None);
            }
            Err(e) => return Err(ConnectError::new(format!("Couldn't open file {name}: {e}"))),
        };
        let committed = ctx
            .offset(&self.partition)
            .and_then(|o| o.get(POSITION_FIELD).and_then(Value::as_i64));
        if let Some(position) = committed {
            log::debug!("Found previous offset, trying to skip to file offset {position}");
            let len = file.metadata()?.len();
            if (position as u64) > len {
                return Err(ConnectError::new(format!(
                    "File {name} is shorter ({len} bytes) than the committed position {position}: was it replaced?"
                )));
            }
            file.seek(SeekFrom::Start(position as u64))?;
            self.position = position as u64;
        }
        log::debug!("Opened {name} for reading at position {}", self.position);
        Ok(Some(Input::File(file)))
    }

    fn read_more(&mut self) -> Result<usize, ConnectError> {
        let mut chunk = [0u8; 64 * 1024];
        let n = match self.input.as_mut() {
            Some(Input::File(f)) => f.read(&mut chunk)?,
            Some(Input::Stdin(s)) => s.lock().read(&mut chunk)?,
            None => 0,
        };
        self.pending.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Cuts up to `batch_size` complete lines off `pending`.
    fn take_lines(&mut self) -> Vec<SourceRecord> {
        let mut records = Vec::new();
        let mut start = 0;
        while records.len() < self.batch_size {
            let Some(newline) = self.pending[start..].iter().position(|&b| b == b'\n') else {
                break;
            };
            let end = start + newline;
            let mut line = &self.pending[start..end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            let next = end + 1;
            let text = match std::str::from_utf8(line) {
                Ok(valid) => valid.to_owned(),
                Err(_) => String::from_utf8_lossy(line).into_owned(),
            };
            records.push(SourceRecord::new(
                &self.topic,
                Some(self.schema.clone()),
                Value::string(text),
            ));
            start = next;
        }
        // The position goes on the last record of the batch only: the worker commits a
        // position once every record before it is acknowledged, so per-line positions
        // would add two maps per line and change nothing about what is committed or resent.
        if let (Some(last), true) = (records.last_mut(), self.filename.is_some()) {
            let offset = Value::string_map([(
                POSITION_FIELD,
                Value::Int64((self.position + start as u64) as i64),
            )]);
            last.source_partition = self.partition.clone();
            last.source_offset = offset;
        }
        self.pending.drain(..start);
        self.position += start as u64;
        records
    }
}

impl SourceTask for FileStreamSourceTask {
    fn start(&mut self, props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        let def = config_def();
        config_error(&def, props)?;
        self.filename = def
            .get(props, FILE)
            .filter(|f| !f.is_empty())
            .map(str::to_string);
        self.topic = def.get(props, TOPIC).unwrap_or_default().to_string();
        self.batch_size = def
            .get(props, BATCH_SIZE)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(2000);
        self.partition = match &self.filename {
            Some(name) => Value::string_map([(FILENAME_FIELD, Value::string(name.as_str()))]),
            None => Value::Null,
        };
        Ok(())
    }

    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        if self.input.is_none() {
            self.input = self.open(ctx)?;
            if self.input.is_none() {
                std::thread::sleep(Duration::from_secs(1));
                return Ok(Vec::new());
            }
        }
        loop {
            let records = self.take_lines();
            if !records.is_empty() {
                return Ok(records);
            }
            if self.read_more()? == 0 {
                // End of file for now: tail it, as Java's task does.
                std::thread::sleep(IDLE_WAIT);
                return Ok(Vec::new());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(pending: &str, batch_size: usize) -> FileStreamSourceTask {
        FileStreamSourceTask {
            filename: Some("f".into()),
            topic: "t".into(),
            batch_size,
            pending: pending.as_bytes().to_vec(),
            partition: Value::string_map([(FILENAME_FIELD, Value::string("f"))]),
            ..FileStreamSourceTask::default()
        }
    }

    fn position(r: &SourceRecord) -> i64 {
        r.source_offset
            .get(POSITION_FIELD)
            .and_then(Value::as_i64)
            .unwrap()
    }

    #[test]
    fn complete_lines_become_records_and_the_batch_ends_at_a_byte_position() {
        let mut t = task("héllo\r\nworld\npart", 10);
        let records = t.take_lines();
        let values: Vec<String> = records.iter().map(|r| r.value.to_string()).collect();
        assert_eq!(values, ["héllo", "world"]);
        assert!(
            records[0].source_offset.is_null(),
            "only the batch's last record carries the position"
        );
        assert_eq!(
            position(&records[1]),
            14,
            "bytes, not chars, past the \\r\\n and the \\n"
        );
        assert_eq!(
            records[1]
                .source_partition
                .get("filename")
                .and_then(Value::as_str),
            Some("f")
        );
        assert_eq!(t.pending, b"part");
        assert_eq!(t.position, 14);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let mut t = task("", 10);
        t.pending = b"a\xffb\n".to_vec();
        assert_eq!(t.take_lines()[0].value.to_string(), "a\u{fffd}b");
    }

    #[test]
    fn batch_size_limits_a_poll() {
        let mut t = task("a\nb\nc\n", 2);
        assert_eq!(t.take_lines().len(), 2);
        let rest = t.take_lines();
        assert_eq!(rest.len(), 1);
        assert_eq!(position(&rest[0]), 6);
    }

    #[test]
    fn the_topic_is_required() {
        let errors = config_def().errors(&Props::new());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("\"topic\""));
    }

    #[test]
    fn one_task_config_whatever_tasks_max() {
        let mut c = FileStreamSourceConnector {
            props: [("topic".to_string(), "t".to_string())]
                .into_iter()
                .collect(),
        };
        let tasks = c.task_configs(4).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].get("batch.size").map(String::as_str), Some("2000"));
    }
}
