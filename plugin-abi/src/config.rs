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
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
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
    High,
    Medium,
    Low,
}

impl Importance {
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
    None,
    Short,
    Medium,
    Long,
}

impl Width {
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
    None,
    /// A number of at least this value.
    AtLeast(i64),
    /// A number in `[min, max]`.
    Between(i64, i64),
    /// One of these strings (case-insensitive, as Kafka's `CaseInsensitiveValidString`).
    OneOf(RVec<RString>),
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
    Value(RString),
}

/// One setting of a plugin.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct ConfigKey {
    pub name: RString,
    pub config_type: ConfigType,
    pub default_value: DefaultValue,
    pub importance: Importance,
    pub documentation: RString,
    pub validator: Validator,
    pub recommended_values: RVec<RString>,
    pub group: ROption<RString>,
    pub order_in_group: i32,
    pub width: Width,
    pub display_name: RString,
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
    pub fn default_value(mut self, value: &str) -> Self {
        self.default_value = DefaultValue::Value(value.into());
        self
    }
    /// The setting may be absent and then is null.
    pub fn default_null(mut self) -> Self {
        self.default_value = DefaultValue::Null;
        self
    }
    pub fn validator(mut self, validator: Validator) -> Self {
        self.validator = validator;
        self
    }
    pub fn recommended(mut self, values: &[&str]) -> Self {
        self.recommended_values = values.iter().map(|v| RString::from(*v)).collect();
        self
    }
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
        let invalid = |why: String| {
            format!(
                "Invalid value {} for configuration {}: {}",
                value, self.name, why
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
    pub name: RString,
    pub value: ROption<RString>,
    pub recommended_values: RVec<RString>,
    pub errors: RVec<RString>,
    pub visible: bool,
}

/// All settings of a plugin.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Default)]
pub struct ConfigDef {
    pub keys: RVec<ConfigKey>,
}

impl ConfigDef {
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
