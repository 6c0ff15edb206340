//! Kafka clients: configuration mapping, the embedded broker, consumer group offsets.

pub mod admin;
mod client_config;
mod embedded;
pub mod group_offsets;

pub use client_config::{
    base_config, consumer_config, is_shared_client_key, producer_config, translate_java_key,
    ClientSettings,
};
pub use embedded::EmbeddedBroker;
