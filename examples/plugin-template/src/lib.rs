//! DatagenSource: a source connector that generates records, for demos, tests and
//! benchmarks, and the template to copy for a plugin of your own.
//!
//! ```properties
//! name=datagen
//! connector.class=DatagenSource
//! topic=orders
//! fields=id:sequence,user:choice(alice|bob|carol),amount:float(0,100),ts:now
//! key.field=user
//! rate=100
//! max.records=10000
//! tasks.max=2
//! ```
//!
//! Each record's value is a struct with a schema (the `fields`), so the JsonConverter with
//! `schemas.enable=true` writes Kafka's `{"schema":…,"payload":…}` envelope. Task `i` of `n`
//! makes sequence numbers `i, i + n, …` and stores the last one it made as its source offset:
//! a restarted worker resumes after it, without gaps or duplicates. The source partition
//! names the task count too (`{"task": i, "tasks": n}`), so changing `tasks.max` starts the
//! sequence over. With `random.seed` set, a record's values depend only on the seed and its
//! sequence number.
//!
//! The parts, for authors copying this crate: [`config`] (settings and validation), [`spec`]
//! (parsing `fields`), [`connector`] (splitting the work), [`task`] (making records,
//! offsets) and the `export_plugins!` call below, which makes the library loadable.

pub mod config;
pub mod connector;
mod random;
pub mod spec;
pub mod task;

pub use connector::DatagenSourceConnector;
pub use task::DatagenSourceTask;

// The worker finds the connector under this class name, and under the aliases it derives
// from it: `DatagenSourceConnector` and `DatagenSource`.
plugin_abi::export_plugins! {
    source "io.connect.rs.datagen.DatagenSourceConnector" => DatagenSourceConnector {
        task "io.connect.rs.datagen.DatagenSourceTask" => DatagenSourceTask
    }
}
