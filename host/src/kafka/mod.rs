//! Kafka clients: configuration mapping and the embedded broker.

mod client_config;
mod embedded;

pub use client_config::{consumer_config, producer_config, translate_java_key, ClientSettings};
pub use embedded::EmbeddedBroker;
