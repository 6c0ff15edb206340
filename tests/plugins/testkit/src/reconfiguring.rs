//! A source that asks for new task configurations from a thread of its own, half a second
//! after it starts: generation 1 becomes generation 2. Each task writes one record naming
//! its generation, then idles.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct ReconfiguringSourceConnector {
    props: Props,
    generation: Arc<AtomicU32>,
}

impl SourceConnector for ReconfiguringSourceConnector {
    fn config(&self) -> ConfigDef {
        ConfigDef::new().define(ConfigKey::new(
            "topic",
            ConfigType::String,
            Importance::High,
            "Where the records go",
        ))
    }

    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.props = props.clone();
        self.generation.store(1, Ordering::Release);
        let (ctx, generation) = (ctx.clone(), self.generation.clone());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            generation.store(2, Ordering::Release);
            ctx.request_task_reconfiguration();
        });
        Ok(())
    }

    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let mut config = self.props.clone();
        config.insert(
            "generation".into(),
            self.generation.load(Ordering::Acquire).to_string(),
        );
        Ok(vec![config])
    }
}

#[derive(Default)]
pub struct ReconfiguringSourceTask {
    topic: String,
    generation: String,
    sent: bool,
}

impl SourceTask for ReconfiguringSourceTask {
    fn start(&mut self, props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        self.topic = props.get("topic").cloned().unwrap_or_default();
        self.generation = props.get("generation").cloned().unwrap_or_default();
        Ok(())
    }

    fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        if self.sent {
            std::thread::sleep(Duration::from_millis(100));
            return Ok(Vec::new());
        }
        self.sent = true;
        let value = Value::string(format!("generation-{}", self.generation));
        Ok(vec![SourceRecord::new(
            &self.topic,
            Some(Schema::string()),
            value,
        )])
    }
}
