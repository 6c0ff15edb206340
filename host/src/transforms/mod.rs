//! Single message transforms and predicates: Kafka's built-ins under their Java class names,
//! configured as Kafka does (`transforms=a,b`, `transforms.a.type=…`, `transforms.a.predicate`,
//! `transforms.a.negate`, `predicates=p`, `predicates.p.type=…`).
//!
//! Each transform lives in a file of its own and is registered in [`registry`].

mod cast;
mod chain;
mod date_format;
mod drop;
mod extract_field;
mod filter;
mod flatten;
mod header_from;
mod headers;
mod hoist_field;
mod insert_field;
mod mask_field;
mod plugin;
mod predicates;
mod record;
pub mod registry;
mod replace_field;
mod routers;
mod set_schema_metadata;
mod settings;
mod timestamp_converter;
mod timestamp_router;
pub mod util;
mod value_to_key;

pub use chain::TransformChain;
pub use record::Record;
pub use settings::Settings;

/// Which part of a record a `$Key` / `$Value` variant works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Key,
    Value,
}

/// Kafka's `Transformation`: one record in, one record or none (dropped) out.
pub trait Transformation: Send + Sync {
    /// The transformed record, `None` to drop it; an error names what was wrong.
    fn apply(&self, record: Record) -> Result<Option<Record>, String>;

    /// Several records at once, one result each in order (plugin transforms cross the ABI
    /// once per batch).
    fn apply_batch(&self, records: Vec<Record>) -> Vec<Result<Option<Record>, String>> {
        records.into_iter().map(|r| self.apply(r)).collect()
    }
}

/// Kafka's `Predicate`: decides whether a transformation applies to a record.
pub trait Predicate: Send + Sync {
    fn test(&self, record: &Record) -> bool;

    /// Several records at once, one answer each in order; an error fails that record
    /// (plugin predicates cross the ABI once per batch).
    fn test_batch(&self, records: &[&Record]) -> Vec<Result<bool, String>> {
        records.iter().map(|r| Ok(self.test(r))).collect()
    }
}
