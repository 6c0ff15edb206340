//! The Kafka Connect worker: loads connector plugins from shared libraries and runs them.
//!
//! Dependencies point one way: `rest → runtime → {plugins, storage, kafka, data, transforms, config}`,
//! and `plugin-abi` is used by all. See `ARCHITECTURE.md` for the map.

pub mod cluster;
pub mod config;
pub mod data;
pub mod distributed;
pub mod kafka;
pub mod logging;
pub mod metrics;
pub mod mirror_maker;
pub mod plugins;
pub mod rest;
pub mod runtime;
pub mod standalone;
pub mod storage;
pub mod transforms;
