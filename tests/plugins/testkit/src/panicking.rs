//! A source whose task panics in `poll`: it must fail that task and nothing else.

use plugin_abi::prelude::*;

#[derive(Default)]
pub struct PanickingSourceConnector {
    props: Props,
}

impl SourceConnector for PanickingSourceConnector {
    fn config(&self) -> ConfigDef {
        ConfigDef::new().define(ConfigKey::new(
            "topic",
            ConfigType::String,
            Importance::High,
            "Unused: the task panics first",
        ))
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.props = props.clone();
        Ok(())
    }

    fn task_configs(&mut self, _max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok(vec![self.props.clone()])
    }
}

#[derive(Default)]
pub struct PanickingSourceTask;

impl SourceTask for PanickingSourceTask {
    fn start(&mut self, _props: &Props, _ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        Ok(())
    }

    fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        panic!("deliberate panic in PanickingSourceTask.poll");
    }
}
