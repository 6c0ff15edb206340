//! The connector's settings: their definitions (what `GET /connector-plugins/…/config` shows
//! and `…/config/validate` checks) and their parsed, typed form.

use plugin_abi::config::ConfigValue;
use plugin_abi::prelude::*;

use crate::spec::{parse_fields, FieldSpec};

pub const TOPIC: &str = "topic";
pub const FIELDS: &str = "fields";
pub const KEY_FIELD: &str = "key.field";
pub const SCHEMA_NAME: &str = "schema.name";
pub const RATE: &str = "rate";
pub const MAX_RECORDS: &str = "max.records";
pub const BATCH_SIZE: &str = "batch.size";
pub const RANDOM_SEED: &str = "random.seed";

/// The default record: a sequence number, a user, an amount and a time.
pub const DEFAULT_FIELDS: &str =
    "id:sequence,user:choice(alice|bob|carol),amount:float(0,100),ts:now";

const GROUP_RECORDS: &str = "Records";
const GROUP_PACE: &str = "Pace";

/// The definitions of every setting.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                TOPIC,
                ConfigType::String,
                Importance::High,
                "The topic to write the generated records to.",
            )
            .validator(Validator::NonEmptyString)
            .group(GROUP_RECORDS, 0, Width::Medium, "Topic"),
        )
        .define(
            ConfigKey::new(
                FIELDS,
                ConfigType::String,
                Importance::High,
                "The fields of each record as name:generator pairs, separated by commas. \
                 Generators: sequence (int64, the record's sequence number 0, 1, 2 …), \
                 int(min,max) (int64 in [min, max]), float(min,max) (float64 in [min, max)), \
                 choice(a|b|…) (one of the strings), string(length) (random [a-z0-9]), bool, \
                 uuid (random, version 4) and now (a Timestamp: when the record was made). \
                 Example: id:sequence,user:choice(alice|bob|carol),amount:float(0,100),ts:now",
            )
            .default_value(DEFAULT_FIELDS)
            .validator(Validator::NonEmptyString)
            .group(GROUP_RECORDS, 1, Width::Long, "Fields"),
        )
        .define(
            ConfigKey::new(
                KEY_FIELD,
                ConfigType::String,
                Importance::Medium,
                "The field whose value is also the record key; none by default (null keys).",
            )
            .default_null()
            .group(GROUP_RECORDS, 2, Width::Short, "Key field"),
        )
        .define(
            ConfigKey::new(
                SCHEMA_NAME,
                ConfigType::String,
                Importance::Low,
                "The name of the value's struct schema.",
            )
            .default_value("io.connect.rs.datagen.Record")
            .validator(Validator::NonEmptyString)
            .group(GROUP_RECORDS, 3, Width::Medium, "Schema name"),
        )
        .define(
            ConfigKey::new(
                RANDOM_SEED,
                ConfigType::Long,
                Importance::Low,
                "The seed of the random values. Set it for reproducible data: a record's values \
                 then depend only on the seed and its sequence number. Unset, every start of \
                 the connector picks a new seed.",
            )
            .default_null()
            .group(GROUP_RECORDS, 4, Width::Short, "Random seed"),
        )
        .define(
            ConfigKey::new(
                RATE,
                ConfigType::Double,
                Importance::Medium,
                "Records per second, in all tasks together (an average); 0 for as fast as \
                 the worker takes them.",
            )
            .default_value("0")
            .validator(Validator::AtLeast(0))
            .group(GROUP_PACE, 0, Width::Short, "Records per second"),
        )
        .define(
            ConfigKey::new(
                MAX_RECORDS,
                ConfigType::Long,
                Importance::Medium,
                "Stop after this many records in all, split between the tasks (sequence \
                 numbers 0 to max.records - 1, each once, across restarts); 0 for no end.",
            )
            .default_value("0")
            .validator(Validator::AtLeast(0))
            .group(GROUP_PACE, 1, Width::Short, "Maximum records"),
        )
        .define(
            ConfigKey::new(
                BATCH_SIZE,
                ConfigType::Int,
                Importance::Low,
                "The most records a task returns from one poll.",
            )
            .default_value("1000")
            .validator(Validator::Between(1, 1_000_000))
            .group(GROUP_PACE, 2, Width::Short, "Batch size"),
        )
}

/// Validates `props`: the definitions' checks, then what they cannot express (the `fields`
/// spec, `key.field` naming one of the fields), each error under the setting at fault.
pub fn validate(props: &Props) -> Vec<ConfigValue> {
    let def = config_def();
    let mut values = def.validate(props);
    let clean = |values: &[ConfigValue], key: &str| {
        values
            .iter()
            .any(|v| v.name.as_str() == key && v.errors.is_empty())
    };
    let mut extra: Vec<(&str, String)> = Vec::new();
    let spec = def.get(props, FIELDS).unwrap_or_default();
    let fields = if clean(&values, FIELDS) {
        match parse_fields(spec) {
            Ok(fields) => Some(fields),
            Err(e) => {
                extra.push((
                    FIELDS,
                    format!("Invalid value {spec} for configuration {FIELDS}: {e}"),
                ));
                None
            }
        }
    } else {
        None
    };
    if let (Some(fields), Some(key)) = (&fields, def.get(props, KEY_FIELD)) {
        if !fields.iter().any(|f| f.name == key.trim()) {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            extra.push((
                KEY_FIELD,
                format!(
                    "Invalid value {key} for configuration {KEY_FIELD}: no field \"{}\" in {FIELDS} ({})",
                    key.trim(),
                    names.join(", ")
                ),
            ));
        }
    }
    if clean(&values, RATE) {
        let rate = def.get(props, RATE).unwrap_or_default();
        if !rate.trim().parse::<f64>().is_ok_and(f64::is_finite) {
            extra.push((
                RATE,
                format!("Invalid value {rate} for configuration {RATE}: not a finite number"),
            ));
        }
    }
    for (key, message) in extra {
        if let Some(v) = values.iter_mut().find(|v| v.name.as_str() == key) {
            v.errors.push(message.into());
        }
    }
    values
}

/// The settings, parsed.
#[derive(Debug, Clone)]
pub struct Settings {
    pub topic: String,
    pub fields: Vec<FieldSpec>,
    /// Index into `fields` of the key field.
    pub key_field: Option<usize>,
    pub schema_name: String,
    /// Records per second in all; `None` for no limit.
    pub rate: Option<f64>,
    /// Records in all; `None` for no end.
    pub max_records: Option<i64>,
    pub batch_size: usize,
    pub seed: Option<u64>,
}

impl Settings {
    /// Parses `props`, refusing them with every validation error at once.
    pub fn parse(props: &Props) -> Result<Settings, ConnectError> {
        let errors: Vec<String> = validate(props)
            .into_iter()
            .flat_map(|v| v.errors.into_iter().map(String::from))
            .collect();
        if !errors.is_empty() {
            return Err(ConnectError::config(errors.join("; ")));
        }
        let def = config_def();
        let get = |key: &str| def.get(props, key).map(str::trim);
        // Validation passed, so the values parse; the fallbacks are never used.
        let fields = parse_fields(get(FIELDS).unwrap_or(DEFAULT_FIELDS))
            .map_err(|e| ConnectError::config(e.to_string()))?;
        let key_field = get(KEY_FIELD).and_then(|k| fields.iter().position(|f| f.name == k));
        let rate = get(RATE).and_then(|r| r.parse::<f64>().ok()).unwrap_or(0.0);
        let max_records = get(MAX_RECORDS)
            .and_then(|m| m.parse::<i64>().ok())
            .unwrap_or(0);
        Ok(Settings {
            topic: get(TOPIC).unwrap_or_default().to_string(),
            key_field,
            schema_name: get(SCHEMA_NAME).unwrap_or_default().to_string(),
            rate: (rate > 0.0).then_some(rate),
            max_records: (max_records > 0).then_some(max_records),
            batch_size: get(BATCH_SIZE).and_then(|b| b.parse().ok()).unwrap_or(1000),
            seed: get(RANDOM_SEED)
                .and_then(|s| s.parse::<i64>().ok())
                .map(|s| s as u64),
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn errors_of(key: &str, values: &[ConfigValue]) -> Vec<String> {
        values
            .iter()
            .find(|v| v.name.as_str() == key)
            .map(|v| v.errors.iter().map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn only_the_topic_is_required() {
        let settings = Settings::parse(&props(&[("topic", "t")])).unwrap();
        assert_eq!(settings.topic, "t");
        assert_eq!(settings.fields.len(), 4, "the default fields");
        assert_eq!(settings.rate, None);
        assert_eq!(settings.max_records, None);
        assert_eq!(settings.batch_size, 1000);
        assert_eq!(settings.seed, None);
        let refused = Settings::parse(&props(&[])).unwrap_err();
        assert!(refused.message.contains("\"topic\""), "{refused}");
    }

    #[test]
    fn a_bad_fields_spec_is_reported_under_fields_naming_the_field() {
        let values = validate(&props(&[
            ("topic", "t"),
            ("fields", "id:sequence,amount:float(0,x)"),
        ]));
        assert_eq!(
            errors_of(FIELDS, &values),
            [
                "Invalid value id:sequence,amount:float(0,x) for configuration fields: \
              field 2 \"amount:float(0,x)\": \"x\" is not a number"
            ]
        );
        assert!(errors_of(TOPIC, &values).is_empty());
    }

    #[test]
    fn the_key_field_must_be_one_of_the_fields() {
        let values = validate(&props(&[
            ("topic", "t"),
            ("fields", "id:sequence,user:uuid"),
            ("key.field", "name"),
        ]));
        assert_eq!(
            errors_of(KEY_FIELD, &values),
            ["Invalid value name for configuration key.field: no field \"name\" in fields (id, user)"]
        );
        let ok = Settings::parse(&props(&[("topic", "t"), ("key.field", "user")])).unwrap();
        assert_eq!(ok.key_field, Some(1));
    }

    #[test]
    fn numbers_are_checked_by_type_and_range() {
        let values = validate(&props(&[
            ("topic", "t"),
            ("rate", "-1"),
            ("max.records", "many"),
            ("batch.size", "0"),
            ("random.seed", "x"),
        ]));
        for key in [RATE, MAX_RECORDS, BATCH_SIZE, RANDOM_SEED] {
            assert_eq!(errors_of(key, &values).len(), 1, "{key}: {values:?}");
        }
        assert!(
            errors_of(RATE, &validate(&props(&[("topic", "t"), ("rate", "NaN")])))[0]
                .contains("not a finite number")
        );
    }

    #[test]
    fn every_setting_is_documented_and_grouped() {
        for key in config_def().keys.iter() {
            assert!(!key.documentation.is_empty(), "{}", key.name);
            assert!(key.group.is_some(), "{}", key.name);
        }
    }
}
