//! Test plugin library: connectors that misbehave or change on purpose, and a custom
//! transformation, converter, header converter and predicate, to test the worker.

mod counting;
mod hex_headers;
mod panicking;
mod reconfiguring;
mod rot13;
mod starts_with;
mod uppercase;

pub use counting::{CountingSourceConnector, CountingSourceTask};
pub use hex_headers::HexHeaderConverter;
pub use panicking::{PanickingSourceConnector, PanickingSourceTask};
pub use reconfiguring::{ReconfiguringSourceConnector, ReconfiguringSourceTask};
pub use rot13::Rot13Converter;
pub use starts_with::ValueStartsWith;
pub use uppercase::UppercaseValue;

plugin_abi::export_plugins! {
    source "test.kit.PanickingSourceConnector" => PanickingSourceConnector {
        task "test.kit.PanickingSourceTask" => PanickingSourceTask
    }
    source "test.kit.CountingSourceConnector" => CountingSourceConnector {
        task "test.kit.CountingSourceTask" => CountingSourceTask
    }
    source "test.kit.ReconfiguringSourceConnector" => ReconfiguringSourceConnector {
        task "test.kit.ReconfiguringSourceTask" => ReconfiguringSourceTask
    }
    transformation "test.kit.UppercaseValue" => UppercaseValue
    converter "test.kit.Rot13Converter" => Rot13Converter
    predicate "test.kit.ValueStartsWith" => ValueStartsWith
    header_converter "test.kit.HexHeaderConverter" => HexHeaderConverter
}
