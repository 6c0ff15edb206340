//! `Filter`: drops every record (with a predicate: the records it matches).

use super::{Record, Settings, Side, Transformation};

pub struct Filter;

pub fn new(_: Option<Side>, _: &Settings) -> Result<Box<dyn Transformation>, String> {
    Ok(Box::new(Filter))
}

impl Transformation for Filter {
    fn apply(&self, _: Record) -> Result<Option<Record>, String> {
        Ok(None)
    }
}
