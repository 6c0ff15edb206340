//! The worker's side of the contexts handed to plugins.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{ROption, RString, RVec};
use plugin_abi::data::Value;
use plugin_abi::ffi::{
    HostConnectorContext, HostConnectorContextBox, HostConnectorContext_TO, HostSinkTaskContext,
    HostSinkTaskContextBox, HostSinkTaskContext_TO, HostSourceTaskContext,
    HostSourceTaskContextBox, HostSourceTaskContext_TO,
};
use plugin_abi::sink::TopicPartition;

use crate::storage::OffsetStore;

/// Flags a connector raises from its own threads.
#[derive(Default)]
pub struct ConnectorSignals {
    pub reconfigure: AtomicBool,
    pub error: Mutex<Option<String>>,
}

impl ConnectorSignals {
    /// The error the connector raised since the last call, if any.
    pub fn take_error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Whether the connector asked for new task configurations since the last call.
    pub fn take_reconfigure(&self) -> bool {
        self.reconfigure.swap(false, Ordering::AcqRel)
    }
}

struct ConnectorCtx(Arc<ConnectorSignals>);

impl HostConnectorContext for ConnectorCtx {
    fn request_task_reconfiguration(&self) {
        self.0.reconfigure.store(true, Ordering::Release);
    }
    fn raise_error(&self, message: RString) {
        tracing::error!("connector raised an error: {message}");
        *self.0.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(message.into_string());
    }
}

pub fn connector_context(signals: Arc<ConnectorSignals>) -> HostConnectorContextBox {
    HostConnectorContext_TO::from_value(ConnectorCtx(signals), TD_Opaque)
}

struct SourceCtx {
    connector: String,
    offsets: Arc<OffsetStore>,
    stopping: Arc<AtomicBool>,
}

impl HostSourceTaskContext for SourceCtx {
    fn offset(&self, partition: &Value) -> ROption<Value> {
        self.offsets.get(&self.connector, partition).into()
    }
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

pub fn source_task_context(
    connector: &str,
    offsets: Arc<OffsetStore>,
    stopping: Arc<AtomicBool>,
) -> HostSourceTaskContextBox {
    HostSourceTaskContext_TO::from_value(
        SourceCtx {
            connector: connector.to_string(),
            offsets,
            stopping,
        },
        TD_Opaque,
    )
}

/// What a sink task shares with its worker thread.
#[derive(Default)]
pub struct SinkShared {
    pub assignment: Mutex<Vec<TopicPartition>>,
    pub commit_requested: AtomicBool,
}

struct SinkCtx {
    shared: Arc<SinkShared>,
    stopping: Arc<AtomicBool>,
}

impl HostSinkTaskContext for SinkCtx {
    fn assignment(&self) -> RVec<TopicPartition> {
        self.shared
            .assignment
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .into()
    }
    fn request_commit(&self) {
        self.shared.commit_requested.store(true, Ordering::Release);
    }
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

pub fn sink_task_context(
    shared: Arc<SinkShared>,
    stopping: Arc<AtomicBool>,
) -> HostSinkTaskContextBox {
    HostSinkTaskContext_TO::from_value(SinkCtx { shared, stopping }, TD_Opaque)
}
