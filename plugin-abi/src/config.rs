//! Configuration definitions: a plugin describes its settings as data, and the worker
//! renders, validates and documents them (Kafka Connect's `ConfigDef`).
//!
//! ```
//! use plugin_abi::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
//! let def = ConfigDef::new()
//!     .define(ConfigKey::new("topic", ConfigType::String, Importance::High, "Where records go.")
//!         .validator(Validator::NonEmptyString))
//!     .define(ConfigKey::new("batch.size", ConfigType::Int, Importance::Low, "Lines per poll.")
//!         .default_value("2000")
//!         .validator(Validator::AtLeast(1)));
//! let props = [("batch.size".to_string(), "0".to_string())].into_iter().collect();
//! let errors = def.errors(&props);
//! assert_eq!(errors.len(), 2); // topic is missing, batch.size is below 1
//! ```

use abi_stable::std_types::{ROption, RString, RVec};
use abi_stable::StableAbi;

use crate::Props;

/// The type of a setting, as Kafka's `ConfigDef.Type`.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    /// `true` or `false`, in any case.
    Boolean,
    /// Any string.
    String,
    /// A 32-bit integer.
    Int,
    /// A 16-bit integer.
    Short,
    /// A 64-bit integer.
    Long,
    /// A 64-bit floating-point number.
    Double,
    /// A comma-separated list of strings.
    List,
    /// A class name, such as a converter's (`org.apache.kafka.connect.json.JsonConverter`).
    Class,
    /// A secret: never logged, hidden when returned.
    Password,
}

impl ConfigType {
    /// Kafka's upper-case name (`"STRING"`, `"INT"` …).
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }
}

/// How much a setting matters, as Kafka's `ConfigDef.Importance`.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    /// Most users set it.
    High,
    /// Some users set it.
    Medium,
    /// Rarely changed.
    Low,
}

impl Importance {
    /// Kafka's upper-case name (`"HIGH"` …).
    pub fn name(self) -> &'static str {
        match self {
            Importance::High => "HIGH",
            Importance::Medium => "MEDIUM",
            Importance::Low => "LOW",
        }
    }
}

/// The display width of a setting's input, as Kafka's `ConfigDef.Width`.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// No preference.
    None,
    /// A short value, such as a number.
    Short,
    /// A medium value, such as a host name.
    Medium,
    /// A long value, such as a list or a URL.
    Long,
}

impl Width {
    /// Kafka's upper-case name (`"NONE"`, `"SHORT"` …).
    pub fn name(self) -> &'static str {
        match self {
            Width::None => "NONE",
            Width::Short => "SHORT",
            Width::Medium => "MEDIUM",
            Width::Long => "LONG",
        }
    }
}

/// A check on a setting's value, as data so every side can run it.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum Validator {
    /// No check beyond the type.
    None,
    /// A number of at least this value.
    AtLeast(i64),
    /// A number in `[min, max]`.
    Between(i64, i64),
    /// One of these strings (case-insensitive, as Kafka's `CaseInsensitiveValidString`).
    OneOf(RVec<RString>),
    /// A string with something other than whitespace in it.
    NonEmptyString,
}

/// What the value of a setting defaults to.
#[repr(C, u8)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// The setting must be given.
    Required,
    /// Absent means null.
    Null,
    /// Absent means this value, as it would be written in the configuration.
    Value(RString),
}

/// One setting of a plugin.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConfigKey {
    /// The property name, e.g. `topic` or `batch.size`.
    pub name: RString,
    /// How the raw string value is parsed and checked.
    pub config_type: ConfigType,
    /// Whether the setting must be given, and what it is when absent.
    pub default_value: DefaultValue,
    /// How prominently the worker's documentation shows it.
    pub importance: Importance,
    /// What the setting does, shown by the REST API and the generated docs.
    pub documentation: RString,
    /// A check on the value beyond its type.
    pub validator: Validator,
    /// Values a user interface may offer; not enforced.
    pub recommended_values: RVec<RString>,
    /// The group the setting is shown in, if any.
    pub group: ROption<RString>,
    /// The position within its group; `-1` when not grouped.
    pub order_in_group: i32,
    /// How wide a user interface should make its input.
    pub width: Width,
    /// The name a user interface shows; the property name by default.
    pub display_name: RString,
    /// Settings whose validity depends on this one (Kafka's `dependents`), by name.
    pub dependents: RVec<RString>,
}

impl ConfigKey {
    /// A required setting; chain the other builders to refine it.
    pub fn new(name: &str, config_type: ConfigType, importance: Importance, doc: &str) -> Self {
        ConfigKey {
            name: name.into(),
            config_type,
            default_value: DefaultValue::Required,
            importance,
            documentation: doc.into(),
            validator: Validator::None,
            recommended_values: RVec::new(),
            group: ROption::RNone,
            order_in_group: -1,
            width: Width::None,
            display_name: name.into(),
            dependents: RVec::new(),
        }
    }
    /// The setting is optional and defaults to `value`, written as in a configuration.
    pub fn default_value(mut self, value: &str) -> Self {
        self.default_value = DefaultValue::Value(value.into());
        self
    }
    /// The setting may be absent and then is null.
    pub fn default_null(mut self) -> Self {
        self.default_value = DefaultValue::Null;
        self
    }
    /// Checks the value with `validator` as well as its type.
    pub fn validator(mut self, validator: Validator) -> Self {
        self.validator = validator;
        self
    }
    /// Values a user interface may offer.
    pub fn recommended(mut self, values: &[&str]) -> Self {
        self.recommended_values = values.iter().map(|v| RString::from(*v)).collect();
        self
    }
    /// Where and how a user interface shows the setting (Kafka's `define` with a group).
    pub fn group(mut self, group: &str, order: i32, width: Width, display_name: &str) -> Self {
        self.group = ROption::RSome(group.into());
        self.order_in_group = order;
        self.width = width;
        self.display_name = display_name.into();
        self
    }

    /// Whether the setting must be given.
    pub fn is_required(&self) -> bool {
        self.default_value == DefaultValue::Required
    }

    /// Checks one raw value (or its absence); returns the error messages.
    pub fn check(&self, raw: Option<&str>) -> Vec<String> {
        let value = match (raw, &self.default_value) {
            (Some(v), _) => v,
            (None, DefaultValue::Required) => {
                return vec![format!(
                    "Missing required configuration \"{}\" which has no default value.",
                    self.name
                )]
            }
            (None, DefaultValue::Null) => return Vec::new(),
            (None, DefaultValue::Value(v)) => v.as_str(),
        };
        let mut errors = Vec::new();
        if let Err(e) = self.check_type(value) {
            errors.push(e);
            return errors;
        }
        // A PASSWORD's value is never printed (Kafka's `Password.toString`).
        let shown = if self.config_type == ConfigType::Password {
            "[hidden]"
        } else {
            value
        };
        let invalid = |why: String| {
            format!(
                "Invalid value {} for configuration {}: {}",
                shown, self.name, why
            )
        };
        match &self.validator {
            Validator::None => {}
            Validator::AtLeast(min) => {
                if value.trim().parse::<f64>().is_ok_and(|v| v < *min as f64) {
                    errors.push(invalid(format!("Value must be at least {min}")));
                }
            }
            Validator::Between(min, max) => {
                if value
                    .trim()
                    .parse::<f64>()
                    .is_ok_and(|v| v < *min as f64 || v > *max as f64)
                {
                    errors.push(invalid(format!(
                        "Value must be no less than {min} and no more than {max}"
                    )));
                }
            }
            Validator::OneOf(options) => {
                if !options.iter().any(|o| o.eq_ignore_ascii_case(value)) {
                    let list: Vec<&str> = options.iter().map(|o| o.as_str()).collect();
                    errors.push(invalid(format!(
                        "String must be one of: {}",
                        list.join(", ")
                    )));
                }
            }
            Validator::NonEmptyString => {
                if value.trim().is_empty() {
                    errors.push(invalid("String must be non-empty".into()));
                }
            }
        }
        errors
    }

    fn check_type(&self, value: &str) -> Result<(), String> {
        let v = value.trim();
        let ok = match self.config_type {
            ConfigType::Boolean => {
                v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
            }
            ConfigType::Int => v.parse::<i32>().is_ok(),
            ConfigType::Short => v.parse::<i16>().is_ok(),
            ConfigType::Long => v.parse::<i64>().is_ok(),
            ConfigType::Double => v.parse::<f64>().is_ok(),
            ConfigType::String | ConfigType::List | ConfigType::Class | ConfigType::Password => {
                true
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "Invalid value {} for configuration {}: Not a valid {}",
                value,
                self.name,
                self.config_type.name()
            ))
        }
    }
}

/// The result of validating one setting (Kafka's `ConfigValue`).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConfigValue {
    /// The setting's name.
    pub name: RString,
    /// The raw value given, if any.
    pub value: ROption<RString>,
    /// Values a user interface may offer.
    pub recommended_values: RVec<RString>,
    /// What is wrong with the value; empty when it is valid.
    pub errors: RVec<RString>,
    /// Whether a user interface should show the setting.
    pub visible: bool,
}

/// All settings of a plugin.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct ConfigDef {
    /// The settings, in the order they were defined.
    pub keys: RVec<ConfigKey>,
}

impl ConfigDef {
    /// No settings yet; add them with [`define`](Self::define).
    pub fn new() -> Self {
        ConfigDef::default()
    }

    /// Adds a setting.
    pub fn define(mut self, key: ConfigKey) -> Self {
        self.keys.push(key);
        self
    }

    /// The setting called `name`.
    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().find(|k| k.name.as_str() == name)
    }

    /// Validates `props` against every setting.
    pub fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        self.keys
            .iter()
            .map(|key| {
                let raw = props.get(key.name.as_str()).map(String::as_str);
                ConfigValue {
                    name: key.name.clone(),
                    value: raw.map(RString::from).into(),
                    recommended_values: key.recommended_values.clone(),
                    errors: key.check(raw).into_iter().map(RString::from).collect(),
                    visible: true,
                }
            })
            .collect()
    }

    /// Every error message of [`ConfigDef::validate`], flattened.
    pub fn errors(&self, props: &Props) -> Vec<String> {
        self.validate(props)
            .into_iter()
            .flat_map(|v| v.errors.into_iter().map(String::from))
            .collect()
    }

    /// The raw value of `name`, or its default.
    pub fn get<'a>(&'a self, props: &'a Props, name: &str) -> Option<&'a str> {
        props.get(name).map(String::as_str).or_else(|| {
            self.key(name).and_then(|k| match &k.default_value {
                DefaultValue::Value(v) => Some(v.as_str()),
                _ => None,
            })
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

    #[test]
    fn missing_required_key_is_named() {
        let def = ConfigDef::new().define(ConfigKey::new(
            "topic",
            ConfigType::String,
            Importance::High,
            "",
        ));
        let errors = def.errors(&props(&[]));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("\"topic\""), "{errors:?}");
    }

    #[test]
    fn type_and_range_are_checked() {
        let def = ConfigDef::new().define(
            ConfigKey::new("n", ConfigType::Int, Importance::Low, "")
                .default_value("5")
                .validator(Validator::Between(1, 10)),
        );
        assert!(def.errors(&props(&[])).is_empty());
        assert!(def.errors(&props(&[("n", "x")]))[0].contains("Not a valid INT"));
        assert!(def.errors(&props(&[("n", "11")]))[0].contains("no more than 10"));
    }

    #[test]
    fn one_of_is_case_insensitive() {
        let def = ConfigDef::new().define(
            ConfigKey::new("mode", ConfigType::String, Importance::Low, "")
                .validator(Validator::OneOf(vec!["none".into(), "all".into()].into())),
        );
        assert!(def.errors(&props(&[("mode", "ALL")])).is_empty());
        assert_eq!(def.errors(&props(&[("mode", "some")])).len(), 1);
    }

    #[test]
    fn a_password_value_is_never_in_an_error() {
        let def = ConfigDef::new().define(
            ConfigKey::new("secret", ConfigType::Password, Importance::High, "")
                .validator(Validator::OneOf(vec!["a".into()].into())),
        );
        let errors = def.errors(&props(&[("secret", "hunter2")]));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("[hidden]"), "{errors:?}");
        assert!(!errors[0].contains("hunter2"), "{errors:?}");
    }

    #[test]
    fn get_falls_back_to_default() {
        let def = ConfigDef::new().define(
            ConfigKey::new("batch.size", ConfigType::Int, Importance::Low, "")
                .default_value("2000"),
        );
        assert_eq!(def.get(&props(&[]), "batch.size"), Some("2000"));
        assert_eq!(
            def.get(&props(&[("batch.size", "3")]), "batch.size"),
            Some("3")
        );
    }
}
