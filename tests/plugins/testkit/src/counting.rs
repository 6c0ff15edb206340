//! A source with `tasks.max` tasks; task `i` writes `<i>-<n>` for n = 0, 1, … up to
//! `records.per.task` (no end when absent), `batch.size` per poll, with source partition
//! `{"task": i}` and offset `{"n": n}`: after a restart or a move to another worker it goes
//! on after its committed offset, so tests can check that no number is missing.

use std::time::Duration;

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct CountingSourceConnector {
    props: Props,
}

impl SourceConnector for CountingSourceConnector {
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::new(
                "topic",
                ConfigType::String,
                Importance::High,
                "Where the records go",
            ))
            .define(
                ConfigKey::new(
                    "records.per.task",
                    ConfigType::Long,
                    Importance::Medium,
                    "How many records each task writes; no end when absent",
                )
                .default_null(),
            )
            .define(
                ConfigKey::new(
                    "batch.size",
                    ConfigType::Int,
                    Importance::Low,
                    "Records per poll",
                )
                .default_value("100"),
            )
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.props = props.clone();
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok((0..max_tasks)
            .map(|i| {
                let mut config = self.props.clone();
                config.insert("task.index".into(), i.to_string());
                config
            })
            .collect())
    }
}

#[derive(Default)]
pub struct CountingSourceTask {
    topic: String,
    index: i64,
    next: i64,
    end: Option<i64>,
    batch: i64,
}

impl SourceTask for CountingSourceTask {
    fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        let number = |key: &str| props.get(key).and_then(|v| v.trim().parse::<i64>().ok());
        self.topic = props.get("topic").cloned().unwrap_or_default();
        self.index = number("task.index").unwrap_or(0);
        self.end = number("records.per.task");
        self.batch = number("batch.size").unwrap_or(100).max(1);
        self.next = ctx
            .offset(&self.partition())
            .and_then(|o| o.get("n").and_then(Value::as_i64))
            .map_or(0, |n| n + 1);
        Ok(())
    }

    fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        let upto = match self.end {
            Some(end) => end.min(self.next + self.batch),
            None => self.next + self.batch,
        };
        if self.next >= upto {
            std::thread::sleep(Duration::from_millis(100));
            return Ok(Vec::new());
        }
        let records = (self.next..upto)
            .map(|n| {
                let value = Value::string(format!("{}-{n}", self.index));
                SourceRecord::new(&self.topic, Some(Schema::string()), value).with_source(
                    self.partition(),
                    Value::string_map([("n", Value::Int64(n))]),
                )
            })
            .collect();
        self.next = upto;
        Ok(records)
    }
}

impl CountingSourceTask {
    fn partition(&self) -> Value {
        Value::string_map([("task", Value::Int64(self.index))])
    }
}
