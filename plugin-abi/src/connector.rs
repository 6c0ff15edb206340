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

    /// Fails the connector from a background thread of the plugin. Errors inside a call
    /// from the worker are returned from that call instead.
    pub fn raise_error(&self, message: &str) {
        self.host.raise_error(RString::from(message));
    }
}

/// A source connector: reads its configuration and splits the work among tasks.
///
/// The worker creates it with `Default`, then calls [`start`](Self::start),
/// [`task_configs`](Self::task_configs) and finally [`stop`](Self::stop), all from one thread.
/// [`validate`](Self::validate) runs on a separate instance that is never started, when a
/// configuration is submitted.
pub trait SourceConnector: Send + 'static {
    /// The settings this connector understands. The worker shows them through its REST API
    /// and validates configurations against them.
    fn config(&self) -> ConfigDef;

    /// Validates a configuration before it is used; by default against [`config`](Self::config).
    /// Override it to add checks across settings, appending messages to the `errors` of the
    /// setting at fault: any error refuses the configuration.
    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        self.config().validate(props)
    }

    /// Starts with a configuration that passed validation. It holds the connector's whole
    /// configuration, including the worker's own keys (`name`, `connector.class`, `tasks.max` …).
    /// An error fails the connector and no task starts.
    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError>;

    /// Splits the work: one configuration per task to run, at most `max_tasks` (`tasks.max`).
    /// Called after `start`, and again when the connector requests a reconfiguration; tasks
    /// are restarted only when the configurations changed.
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError>;

    /// Releases what `start` acquired (threads, connections). The tasks are stopped separately.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}

/// A sink connector: the same life cycle as a [`SourceConnector`]; its tasks consume the
/// topics named by `topics` or `topics.regex`, which the worker subscribes to.
pub trait SinkConnector: Send + 'static {
    /// The settings this connector understands (see [`SourceConnector::config`]).
    fn config(&self) -> ConfigDef;

    /// Validates a configuration before it is used (see [`SourceConnector::validate`]).
    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        self.config().validate(props)
    }

    /// Starts with a configuration that passed validation (see [`SourceConnector::start`]).
    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError>;

    /// One configuration per task to run, at most `max_tasks` (see
    /// [`SourceConnector::task_configs`]). The worker shares the topics' partitions among
    /// the tasks through the consumer group, so identical configurations are usual.
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError>;

    /// Releases what `start` acquired.
    fn stop(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }
}
