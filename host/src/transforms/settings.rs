//! A transform's or predicate's settings (the keys after `transforms.<alias>.`), read with
//! Kafka's error messages.

use std::collections::HashMap;

/// The settings of one transform or predicate.
#[derive(Debug, Clone, Default)]
pub struct Settings(pub HashMap<String, String>);

impl Settings {
    pub fn new(pairs: &[(&str, &str)]) -> Settings {
        Settings(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The trimmed value, absent when missing or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A setting that must be given.
    pub fn required(&self, key: &str) -> Result<&str, String> {
        self.get(key).ok_or_else(|| {
            format!("Missing required configuration \"{key}\" which has no default value.")
        })
    }

    /// A comma-separated list (empty when missing).
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A boolean with a default.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.get(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(v) => Err(format!(
                "Invalid value {v} for configuration {key}: Expected value to be either true or false"
            )),
        }
    }

    /// One of `options` (case-insensitive), with a default; returned as given in `options`.
    pub fn one_of(
        &self,
        key: &str,
        options: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(v))
                .copied()
                .ok_or_else(|| {
                    format!(
                        "Invalid value {v} for configuration {key}: String must be one of: {}",
                        options.join(", ")
                    )
                }),
        }
    }
}
