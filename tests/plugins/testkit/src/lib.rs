//! Test plugin library: connectors that misbehave or change on purpose, to test the worker.

mod panicking;
mod reconfiguring;

pub use panicking::{PanickingSourceConnector, PanickingSourceTask};
pub use reconfiguring::{ReconfiguringSourceConnector, ReconfiguringSourceTask};

plugin_abi::export_plugins! {
    source "test.kit.PanickingSourceConnector" => PanickingSourceConnector {
        task "test.kit.PanickingSourceTask" => PanickingSourceTask
    }
    source "test.kit.ReconfiguringSourceConnector" => ReconfiguringSourceConnector {
        task "test.kit.ReconfiguringSourceTask" => ReconfiguringSourceTask
    }
}
