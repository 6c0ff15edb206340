//! Apache Kafka's file connectors as a plugin library: FileStreamSource reads lines of a
//! file (or stdin) into a topic, FileStreamSink writes records' values to a file (or stdout)
//! one per line. Same class names and settings as `org.apache.kafka.connect.file`.

mod sink;
mod source;

pub use sink::{FileStreamSinkConnector, FileStreamSinkTask};
pub use source::{FileStreamSourceConnector, FileStreamSourceTask};

plugin_abi::export_plugins! {
    source "org.apache.kafka.connect.file.FileStreamSourceConnector" => FileStreamSourceConnector {
        task "org.apache.kafka.connect.file.FileStreamSourceTask" => FileStreamSourceTask
    }
    sink "org.apache.kafka.connect.file.FileStreamSinkConnector" => FileStreamSinkConnector {
        task "org.apache.kafka.connect.file.FileStreamSinkTask" => FileStreamSinkTask
    }
}
