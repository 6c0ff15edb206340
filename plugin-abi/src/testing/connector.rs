//! The connector half of both harnesses: validate, start, task configurations, and what the
//! connector asked for through its context.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RResult, RString, RVec};

use super::HarnessError;
use crate::config::ConfigValue;
use crate::errors::ConnectError;
use crate::ffi::{
    props_from_ffi, props_to_ffi, ConnectorBox, HostConnectorContext, HostConnectorContext_TO,
    PluginError,
};
use crate::Props;

/// A configuration from `(key, value)` pairs, for [`SourceHarness::start`] and
/// [`SinkHarness::start`].
///
/// [`SourceHarness::start`]: super::SourceHarness::start
/// [`SinkHarness::start`]: super::SinkHarness::start
pub fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A call across the ABI, back in the SDK's error type.
pub(super) fn call<R>(result: RResult<R, PluginError>) -> Result<R, ConnectError> {
    result.into_result().map_err(ConnectError::from)
}

/// What the connector asked for through its [`ConnectorContext`](crate::connector::ConnectorContext).
#[derive(Default)]
struct Signals {
    reconfigure: AtomicBool,
    errors: Mutex<Vec<String>>,
}

struct Context(Arc<Signals>);

impl HostConnectorContext for Context {
    fn request_task_reconfiguration(&self) {
        self.0.reconfigure.store(true, Ordering::Release);
    }
    fn raise_error(&self, message: RString) {
        let mut errors = self.0.errors.lock().unwrap_or_else(|e| e.into_inner());
        errors.push(message.into_string());
    }
}

/// A started connector and the task configurations it asked for.
pub(super) struct RunningConnector {
    connector: ConnectorBox,
    signals: Arc<Signals>,
    max_tasks: u32,
    pub task_configs: Vec<Props>,
}

impl RunningConnector {
    /// What the worker does with a submitted configuration: validate it on an instance of
    /// its own, start another instance, ask it for at most `tasks.max` task configurations.
    pub fn launch(
        make: fn(&'static str) -> ConnectorBox,
        props: &Props,
    ) -> Result<Self, HarnessError> {
        let max_tasks = max_tasks(props)?;
        let values = call(make("").validate(props_to_ffi(props)))?;
        let invalid: Vec<ConfigValue> = values
            .into_iter()
            .filter(|v| !v.errors.is_empty())
            .collect();
        if !invalid.is_empty() {
            return Err(HarnessError::Invalid(invalid));
        }
        let signals = Arc::new(Signals::default());
        let mut connector = make("");
        let ctx = HostConnectorContext_TO::from_value(Context(signals.clone()), TD_Opaque);
        call(connector.start(props_to_ffi(props), ctx))?;
        let mut running = RunningConnector {
            connector,
            signals,
            max_tasks,
            task_configs: Vec::new(),
        };
        match running.ask_task_configs() {
            Ok(configs) => {
                running.task_configs = configs;
                Ok(running)
            }
            Err(e) => {
                let _ = running.stop();
                Err(e.into())
            }
        }
    }

    /// The connector's task configurations now.
    pub fn ask_task_configs(&mut self) -> Result<Vec<Props>, ConnectError> {
        let configs = call(self.connector.task_configs(self.max_tasks))?;
        Ok(configs.iter().map(props_from_ffi).collect())
    }

    /// Whether the connector requested a reconfiguration; clears the request.
    pub fn take_reconfiguration_request(&self) -> bool {
        self.signals.reconfigure.swap(false, Ordering::AcqRel)
    }

    pub fn reconfiguration_requested(&self) -> bool {
        self.signals.reconfigure.load(Ordering::Acquire)
    }

    pub fn raised_errors(&self) -> Vec<String> {
        self.signals
            .errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn stop(&mut self) -> Result<(), ConnectError> {
        call(self.connector.stop())
    }
}

/// `tasks.max`, 1 when absent, as the worker reads it.
fn max_tasks(props: &Props) -> Result<u32, HarnessError> {
    let Some(raw) = props.get("tasks.max") else {
        return Ok(1);
    };
    match raw.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(HarnessError::Invalid(vec![ConfigValue {
            name: "tasks.max".into(),
            value: abi_stable::std_types::ROption::RSome(raw.as_str().into()),
            recommended_values: RVec::new(),
            errors: RVec::from(vec![RString::from(format!(
                "Invalid value {raw} for configuration tasks.max: Value must be at least 1"
            ))]),
            visible: true,
        }])),
    }
}
