//! The built-in transforms and predicates, under Kafka's class names; a simple name
//! (`InsertField$Value`, `TopicNameMatches`) works as an alias, as in Java.

use super::{predicates, Predicate, Settings, Side, Transformation};

/// Makes a transform from its settings; `side` is `Some` for `$Key` / `$Value` classes.
pub type TransformFactory =
    fn(side: Option<Side>, settings: &Settings) -> Result<Box<dyn Transformation>, String>;

/// Makes a predicate from its settings.
pub type PredicateFactory = fn(settings: &Settings) -> Result<Box<dyn Predicate>, String>;

/// (class name without `$Key`/`$Value`, whether it has those variants, factory).
const TRANSFORMS: &[(&str, bool, TransformFactory)] = &[
    (
        "org.apache.kafka.connect.transforms.Filter",
        false,
        super::filter::new,
    ),
    (
        "org.apache.kafka.connect.transforms.InsertHeader",
        false,
        super::headers::insert_header,
    ),
    (
        "org.apache.kafka.connect.transforms.DropHeaders",
        false,
        super::headers::drop_headers,
    ),
    (
        "org.apache.kafka.connect.transforms.RegexRouter",
        false,
        super::routers::regex_router,
    ),
    (
        "org.apache.kafka.connect.transforms.InsertField",
        true,
        super::insert_field::new,
    ),
    (
        "org.apache.kafka.connect.transforms.ReplaceField",
        true,
        super::replace_field::new,
    ),
    (
        "org.apache.kafka.connect.transforms.MaskField",
        true,
        super::mask_field::new,
    ),
    (
        "org.apache.kafka.connect.transforms.Cast",
        true,
        super::cast::new,
    ),
    (
        "org.apache.kafka.connect.transforms.ExtractField",
        true,
        super::extract_field::new,
    ),
    (
        "org.apache.kafka.connect.transforms.HoistField",
        true,
        super::hoist_field::new,
    ),
    (
        "org.apache.kafka.connect.transforms.ValueToKey",
        false,
        super::value_to_key::new,
    ),
    (
        "io.confluent.connect.transforms.Drop",
        true,
        super::drop::new,
    ),
    (
        "org.apache.kafka.connect.transforms.SetSchemaMetadata",
        true,
        super::set_schema_metadata::new,
    ),
    (
        "org.apache.kafka.connect.transforms.Flatten",
        true,
        super::flatten::new,
    ),
    (
        "org.apache.kafka.connect.transforms.HeaderFrom",
        true,
        super::header_from::new,
    ),
    (
        "org.apache.kafka.connect.transforms.TimestampRouter",
        false,
        super::timestamp_router::new,
    ),
    (
        "org.apache.kafka.connect.transforms.TimestampConverter",
        true,
        super::timestamp_converter::new,
    ),
];

const PREDICATES: &[(&str, PredicateFactory)] = &[
    (
        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        predicates::topic_name_matches,
    ),
    (
        "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        predicates::has_header_key,
    ),
    (
        "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        predicates::record_is_tombstone,
    ),
];

fn simple_name(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

fn matches(class: &str, name: &str) -> bool {
    name == class || name == simple_name(class)
}

/// The transform called `name` (class name or simple name, with `$Key`/`$Value` where the
/// transform has those variants).
pub fn find_transform(name: &str) -> Option<(TransformFactory, Option<Side>)> {
    let (base, side) = match name.rsplit_once('$') {
        Some((base, "Key")) => (base, Some(Side::Key)),
        Some((base, "Value")) => (base, Some(Side::Value)),
        Some(_) => return None,
        None => (name, None),
    };
    TRANSFORMS
        .iter()
        .find(|(class, sided, _)| matches(class, base) && *sided == side.is_some())
        .map(|(_, _, make)| (*make, side))
}

/// The predicate called `name` (class name or simple name).
pub fn find_predicate(name: &str) -> Option<PredicateFactory> {
    PREDICATES
        .iter()
        .find(|(class, _)| matches(class, name))
        .map(|(_, make)| *make)
}

/// Every built-in transform class as `GET /connector-plugins?connectorsOnly=false` lists it.
pub fn transform_classes() -> Vec<String> {
    let mut classes = Vec::new();
    for (class, sided, _) in TRANSFORMS {
        if *sided {
            classes.push(format!("{class}$Key"));
            classes.push(format!("{class}$Value"));
        } else {
            classes.push(class.to_string());
        }
    }
    classes
}

/// Every built-in predicate class.
pub fn predicate_classes() -> Vec<String> {
    PREDICATES.iter().map(|(c, _)| c.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_found_by_full_and_simple_name() {
        assert!(find_transform("org.apache.kafka.connect.transforms.Filter").is_some());
        assert!(find_transform("Filter").is_some());
        assert!(
            find_transform("Filter$Value").is_none(),
            "Filter has no $Value variant"
        );
        assert!(find_transform("com.example.Nope").is_none());
        assert!(find_predicate("RecordIsTombstone").is_some());
        assert_eq!(
            find_transform("Drop$Key").map(|f| f.1),
            Some(Some(Side::Key))
        );
        assert!(find_transform("io.confluent.connect.transforms.Drop$Value").is_some());
        assert!(find_transform("ValueToKey").is_some());
        assert!(
            find_transform("ExtractField").is_none(),
            "needs $Key or $Value"
        );
    }
}
