//! Connectors: they read their configuration and split the work into task configurations.

use std::sync::Arc;

use abi_stable::std_types::RString;

use crate::config::{ConfigDef, ConfigValue};
use crate::errors::ConnectError;
use crate::ffi::HostConnectorContextBox;
use crate::Props;

/// What a connector may ask of the worker. Clone it to keep it: a connector that watches
/// its source from a thread of its own calls it from there.
#[derive(Clone)]
pub struct ConnectorContext {
    host: Arc<HostConnectorContextBox>,
}

impl ConnectorContext {
    pub(crate) fn new(host: HostConnectorContextBox) -> Self {
        ConnectorContext {
            host: Arc::new(host),
        }
    }

    /// The task configurations changed (e.g. new input appeared): the worker will call
    /// [`SourceConnector::task_configs`] again and restart the tasks.
    pub fn request_task_reconfiguration(&self) {
        self.host.request_task_reconfiguration();
    }

    /// Fails the connector from a background thread of the plugin.
    pub fn raise_error(&self, message: &str) {
        self.host.raise_error(RString::from(message));
    }
}

/// A source connector: reads its configuration and splits the work among tasks.
///
/// The worker creates it with `Default`, then calls [`start`](Self::start),
/// [`task_configs`](Self::task_configs) and finally [`stop`](Self::stop), all from one thread.
pub trait SourceConnector: Send + 'static {
    /// The settings this connector understands.
    fn config(&self) -> ConfigDef;

    /// Validates a configuration before it is used; by default against [`config`](Self::config).
    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        self.config().validate(props)
    }

    /// Starts with a configuration that passed validation.
    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError>;

    /// At most `max_tasks` task configurations.
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError>;

    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A sink connector: the same life cycle as a [`SourceConnector`]; its tasks consume.
pub trait SinkConnector: Send + 'static {
    fn config(&self) -> ConfigDef;

    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        self.config().validate(props)
    }

    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError>;

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError>;

    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}
