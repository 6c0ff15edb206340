//! `/connector-plugins…`: what is installed, each plugin's settings, and validation of a
//! connector configuration (Java's `ConfigInfos` shape).

use std::collections::HashMap;

use axum::extract::State;
use plugin_abi::config::{ConfigDef, ConfigKey, ConfigType, DefaultValue};
use plugin_abi::ffi::{props_to_ffi, PluginKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ErrorBody, Json, Path, Query};
use super::model::{config_values, ConfigInput};
use super::{blocking, RestError, Shared};
use crate::config::providers::is_worker_password;
use crate::config::{
    common_definitions, connector_definitions, ConnectorConfig, ConnectorType, Redactor,
};
use crate::plugins::version::{requested_version, VersionRange};
use crate::plugins::{PluginInfo, PluginSource};
use crate::runtime::Herder;
use crate::transforms::TransformChain;

/// One installed plugin class.
#[derive(Serialize, ToSchema)]
pub struct PluginBody {
    class: String,
    /// source, sink, converter, header_converter, transformation or predicate.
    #[serde(rename = "type")]
    kind: String,
    version: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PluginsQuery {
    /// Anything but `true` (any case) lists converters, transforms and predicates too;
    /// absent means true.
    #[serde(default, deserialize_with = "super::model::java_bool")]
    #[param(value_type = Option<String>)]
    connectors_only: Option<bool>,
}

/// `GET /connector-plugins`.
#[utoipa::path(get, path = "/connector-plugins", tag = "plugins",
    params(PluginsQuery),
    responses(
        (status = 200, body = Vec<PluginBody>),
        (status = 400, description = "Bad query", body = ErrorBody),
    ))]
pub async fn list(
    State(state): Shared,
    Query(query): Query<PluginsQuery>,
) -> axum::Json<Vec<PluginBody>> {
    let plugins = state
        .worker
        .registry()
        .listed(query.connectors_only.unwrap_or(true));
    axum::Json(
        plugins
            .iter()
            .map(|p| PluginBody {
                class: p.class.clone(),
                kind: p.kind.rest_name().to_string(),
                version: p.version.clone(),
            })
            .collect(),
    )
}

/// A setting's definition (Java's `ConfigKeyInfo`).
#[derive(Serialize, ToSchema)]
pub struct ConfigKeyBody {
    name: String,
    /// BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS or PASSWORD.
    #[serde(rename = "type")]
    kind: String,
    required: bool,
    default_value: Option<String>,
    importance: String,
    documentation: String,
    group: Option<String>,
    width: String,
    display_name: String,
    dependents: Vec<String>,
    order: i32,
}

impl From<&ConfigKey> for ConfigKeyBody {
    fn from(k: &ConfigKey) -> Self {
        ConfigKeyBody {
            name: k.name.to_string(),
            kind: k.config_type.name().to_string(),
            required: k.is_required(),
            default_value: match &k.default_value {
                DefaultValue::Value(v) => Some(v.to_string()),
                DefaultValue::Null | DefaultValue::Required => None,
            },
            importance: k.importance.name().to_string(),
            documentation: k.documentation.to_string(),
            group: k.group.as_ref().map(|g| g.to_string()).into_option(),
            width: k.width.name().to_string(),
            display_name: k.display_name.to_string(),
            dependents: k.dependents.iter().map(|d| d.to_string()).collect(),
            order: k.order_in_group,
        }
    }
}

/// `GET /connector-plugins/{plugin}/config`: the plugin's own settings.
#[utoipa::path(get, path = "/connector-plugins/{plugin}/config", tag = "plugins",
    params(("plugin" = String, Path, description = "Class name or alias"), VersionQuery),
    responses(
        (status = 200, body = Vec<ConfigKeyBody>),
        (status = 400, description = "Malformed version range", body = ErrorBody),
        (status = 404, description = "Unknown plugin, or no version in the range", body = ErrorBody),
    ))]
pub async fn config(
    State(state): Shared,
    Path(plugin): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<axum::Json<Vec<ConfigKeyBody>>, RestError> {
    let def = blocking(&state, move |w| {
        plugin_definitions(w, &plugin, query.version)
    })
    .await??;
    Ok(axum::Json(
        def.keys.iter().map(ConfigKeyBody::from).collect(),
    ))
}

/// The newest version (in `version`, when given) of the class or alias `name`.
fn find_plugin(
    worker: &dyn Herder,
    name: &str,
    version: Option<&VersionRange>,
) -> Option<std::sync::Arc<PluginInfo>> {
    // Listed newest first within a class.
    let listed: Vec<_> = worker
        .registry()
        .listed(false)
        .into_iter()
        .filter(|p| version.is_none_or(|r| r.contains(&p.version)))
        .collect();
    let found = listed.iter().find(|p| p.class == name).cloned();
    found.or_else(|| {
        listed
            .into_iter()
            .find(|p| p.aliases.iter().any(|a| a == name))
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version or version range (KIP-891); the newest when absent.
    version: Option<String>,
}

fn plugin_definitions(
    worker: &dyn Herder,
    name: &str,
    version: Option<String>,
) -> Result<ConfigDef, RestError> {
    let range =
        VersionRange::parse(version.as_deref().unwrap_or("")).map_err(RestError::bad_request)?;
    let unknown = || match &range {
        None => RestError::not_found(format!("Unknown plugin {name}.")),
        Some(r) => RestError::not_found(format!("Unknown plugin {name} with a version in {r}.")),
    };
    let plugin = find_plugin(worker, name, range.as_ref()).ok_or_else(unknown)?;
    match plugin.kind {
        PluginKind::Source | PluginKind::Sink => {
            connector_definitions(&plugin).map_err(RestError::internal)
        }
        PluginKind::Converter => match crate::data::converter_definitions(&plugin.class) {
            Some(def) => Ok(def),
            None => {
                let converter = plugin.new_converter().map_err(RestError::internal)?;
                converter
                    .config()
                    .into_result()
                    .map_err(|e| RestError::internal(e.message.into_string()))
            }
        },
        PluginKind::Transformation if !matches!(plugin.source, PluginSource::BuiltIn) => {
            let transform = plugin.new_transformation().map_err(RestError::internal)?;
            transform
                .config()
                .into_result()
                .map_err(|e| RestError::internal(e.message.into_string()))
        }
        _ => Ok(ConfigDef::new()),
    }
}

/// A setting's value after validation (Java's `ConfigValueInfo`).
#[derive(Serialize, ToSchema)]
pub struct ConfigValueBody {
    name: String,
    value: Option<String>,
    recommended_values: Vec<String>,
    errors: Vec<String>,
    visible: bool,
}

/// One setting in a validation answer.
#[derive(Serialize, ToSchema)]
pub struct ConfigInfoBody {
    definition: ConfigKeyBody,
    value: ConfigValueBody,
}

/// `PUT /connector-plugins/{plugin}/config/validate` (Java's `ConfigInfos`).
#[derive(Serialize, ToSchema)]
pub struct ConfigInfosBody {
    /// The connector class.
    name: String,
    error_count: usize,
    groups: Vec<String>,
    configs: Vec<ConfigInfoBody>,
}

/// `PUT /connector-plugins/{plugin}/config/validate`: every setting, common and the
/// plugin's own, with its value and errors; PASSWORD values hidden.
#[utoipa::path(put, path = "/connector-plugins/{plugin}/config/validate", tag = "plugins",
    params(("plugin" = String, Path, description = "Connector class name or alias")),
    request_body = ConfigInput,
    responses(
        (status = 200, body = ConfigInfosBody),
        (status = 400, description = "Malformed body, or connector.class names another plugin", body = ErrorBody),
        (status = 404, description = "Unknown connector plugin", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ))]
pub async fn validate(
    State(state): Shared,
    Path(plugin): Path<String>,
    Json(config): Json<ConfigInput>,
) -> Result<axum::Json<ConfigInfosBody>, RestError> {
    let props = config_values(config);
    let infos = blocking(&state, move |w| validate_config(w, &plugin, props)).await??;
    Ok(axum::Json(infos))
}

fn validate_config(
    worker: &dyn Herder,
    name: &str,
    mut props: HashMap<String, String>,
) -> Result<ConfigInfosBody, RestError> {
    let mut extra: HashMap<&str, Vec<String>> = HashMap::new();
    // The version asked for picks the plugin that validates; a bad range is the key's error.
    let version = match requested_version(&props, "connector.") {
        Ok(version) => version,
        Err(e) => {
            extra.entry("connector.plugin.version").or_default().push(e);
            None
        }
    };
    let newest = find_plugin(worker, name, None)
        .filter(|p| p.is_connector())
        .ok_or_else(|| RestError::not_found(format!("Unknown connector plugin {name}.")))?;
    let plugin = match worker
        .registry()
        .find_connector(&newest.class, version.as_ref())
    {
        Ok(plugin) => plugin,
        Err(e) => {
            extra.entry("connector.plugin.version").or_default().push(e);
            newest
        }
    };
    for (prefix, key) in [
        ("key.converter.", "key.converter.plugin.version"),
        ("value.converter.", "value.converter.plugin.version"),
        ("header.converter.", "header.converter.plugin.version"),
    ] {
        if let Err(e) = requested_version(&props, prefix) {
            extra.entry(key).or_default().push(e);
        }
    }
    if let Some(included) = props.get("connector.class") {
        let same = find_plugin(worker, included, None).is_some_and(|p| p.class == plugin.class);
        if !same {
            return Err(RestError::bad_request(format!(
                "Included connector type {included} does not match request type {name}"
            )));
        }
    }
    props.insert("connector.class".to_string(), plugin.class.clone());
    // Checks see the values resolved (`${provider:path:key}`); the answer echoes them as written.
    let written = props;
    let props = worker
        .env()
        .worker
        .providers
        .resolve(&written)
        .map_err(|e| {
            RestError::bad_request(format!(
                "Failed to resolve the configuration's variables: {e:#}"
            ))
        })?;
    let kind = if plugin.kind == PluginKind::Sink {
        ConnectorType::Sink
    } else {
        ConnectorType::Source
    };

    // The worker's part: common settings, plus what only the worker knows (sink topics,
    // converters that are not installed).
    let common = common_definitions(kind);
    let mut values: Vec<(ConfigKeyBody, ConfigValueBody)> = Vec::new();
    // Transform, predicate and error-handling problems show under the key that lists them.
    if let Err(errors) = TransformChain::from_config(&props, worker.registry()) {
        for e in errors {
            let key = if e.contains("predicates.") {
                "predicates"
            } else {
                "transforms"
            };
            extra.entry(key).or_default().push(e);
        }
    }
    if let Err(e) = crate::config::RetryPolicy::from_config(&props) {
        extra.entry("errors.retry.timeout").or_default().push(e);
    }
    if kind == ConnectorType::Sink {
        let errors = ConnectorConfig {
            name: String::new(),
            class: plugin.class.clone(),
            tasks_max: 1,
            props: props.clone(),
        }
        .sink_errors();
        extra
            .entry("topics")
            .or_default()
            .extend(errors.iter().cloned());
        extra.entry("topics.regex").or_default().extend(errors);
    }
    for which in ["key.converter", "value.converter"] {
        if let Some(class) = props.get(which) {
            if crate::data::new_converter(class, &Default::default(), which == "key.converter")
                .is_err()
                && find_plugin(worker, class, None).is_none()
            {
                extra.entry(which).or_default().push(format!(
                    "Invalid value {class} for configuration {which}: Class {class} could not be found."
                ));
            }
        }
    }
    for key in common.keys.iter() {
        let raw = written.get(key.name.as_str()).map(String::as_str);
        let mut errors = key.check(raw);
        errors.extend(extra.remove(key.name.as_str()).unwrap_or_default());
        values.push(value_of(
            key,
            raw,
            errors,
            key.recommended_values
                .iter()
                .map(|r| r.to_string())
                .collect(),
        ));
    }

    // The plugin's part.
    let connector = plugin.new_connector().map_err(RestError::internal)?;
    let def = connector
        .config()
        .into_result()
        .map_err(|e| RestError::internal(e.message.into_string()))?;
    let validated = connector
        .validate(props_to_ffi(&props))
        .into_result()
        .map_err(|e| RestError::internal(e.message.into_string()))?;
    for key in def.keys.iter() {
        if common.key(key.name.as_str()).is_some() {
            continue;
        }
        let raw = written.get(key.name.as_str()).map(String::as_str);
        let v = validated.iter().find(|v| v.name == key.name);
        let errors = v
            .map(|v| v.errors.iter().map(|e| e.to_string()).collect())
            .unwrap_or_default();
        let recommended = v
            .map(|v| v.recommended_values.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default();
        let mut entry = value_of(key, raw, errors, recommended);
        entry.1.visible = v.is_none_or(|v| v.visible);
        values.push(entry);
    }
    // Errors the plugin reports for settings it does not define still count.
    for v in validated.iter() {
        if def.key(v.name.as_str()).is_none()
            && common.key(v.name.as_str()).is_none()
            && !v.errors.is_empty()
        {
            let key = ConfigKey::new(
                v.name.as_str(),
                ConfigType::String,
                plugin_abi::config::Importance::Low,
                "",
            )
            .default_null();
            let raw = written.get(v.name.as_str()).map(String::as_str);
            values.push(value_of(
                &key,
                raw,
                v.errors.iter().map(|e| e.to_string()).collect(),
                Vec::new(),
            ));
        }
    }

    // No error message shows a resolved value or a PASSWORD value.
    let passwords = def
        .keys
        .iter()
        .filter(|k| k.config_type == ConfigType::Password)
        .map(|k| k.name.as_str())
        .chain(
            written
                .keys()
                .map(String::as_str)
                .filter(|k| is_worker_password(k)),
        );
    let redactor = Redactor::new(&written, &props, passwords);
    for (_, value) in &mut values {
        for error in &mut value.errors {
            *error = redactor.redact(error);
        }
    }

    let mut groups: Vec<String> = Vec::new();
    for (definition, _) in &values {
        if let Some(g) = &definition.group {
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
    }
    Ok(ConfigInfosBody {
        name: plugin.class.clone(),
        error_count: values.iter().map(|(_, v)| v.errors.len()).sum(),
        groups,
        configs: values
            .into_iter()
            .map(|(definition, value)| ConfigInfoBody { definition, value })
            .collect(),
    })
}

fn value_of(
    key: &ConfigKey,
    raw: Option<&str>,
    errors: Vec<String>,
    recommended_values: Vec<String>,
) -> (ConfigKeyBody, ConfigValueBody) {
    let value = match raw {
        Some(_) if key.config_type == ConfigType::Password => Some("[hidden]".to_string()),
        Some(v) => Some(v.to_string()),
        None => match &key.default_value {
            DefaultValue::Value(v) if key.config_type == ConfigType::Password => {
                let _ = v;
                Some("[hidden]".to_string())
            }
            DefaultValue::Value(v) => Some(v.to_string()),
            _ => None,
        },
    };
    (
        ConfigKeyBody::from(key),
        ConfigValueBody {
            name: key.name.to_string(),
            value,
            recommended_values,
            errors,
            visible: true,
        },
    )
}
