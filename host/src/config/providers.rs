//! Config providers (Kafka's KIP-297, KIP-421, KIP-887): `${provider:path:key}` variables in
//! configurations, resolved by the worker from files, directories and environment variables.
//!
//! The worker declares its providers:
//! ```properties
//! config.providers=file,dir,env
//! config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
//! config.providers.dir.class=DirectoryConfigProvider
//! config.providers.env.class=EnvVarConfigProvider
//! config.providers.env.param.allowlist.pattern=^APP_
//! ```
//! Connector configurations are stored as written and resolved only when a connector or task
//! starts. A variable whose provider is unknown or whose key is missing stays as it was
//! written, as in Kafka (with a WARN here); a provider that cannot read its source (an
//! unreadable file, a path given to the environment provider) is an error.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use anyhow::{bail, Context};
use regex::Regex;

/// Kafka's `ConfigTransformer.DEFAULT_PATTERN`: `${provider:[path:]key}`.
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").expect("a valid constant pattern")
});

/// One `${provider:path:key}` reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Variable {
    provider: String,
    /// Empty for `${env:KEY}` and `${env::KEY}` alike.
    path: String,
    key: String,
}

fn variables(value: &str) -> impl Iterator<Item = (std::ops::Range<usize>, Variable)> + '_ {
    VARIABLE.captures_iter(value).map(|c| {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let text = |i: usize| c.get(i).map_or("", |m| m.as_str()).to_string();
        (
            whole,
            Variable {
                provider: text(1),
                path: text(3),
                key: text(4),
            },
        )
    })
}

/// Whether `value` holds a `${...}` variable.
pub fn has_variables(value: &str) -> bool {
    VARIABLE.is_match(value)
}

/// One configured provider.
#[derive(Debug, Clone)]
enum Provider {
    /// `FileConfigProvider`: the key of the properties file at `path`.
    File { allowed: Option<Vec<PathBuf>> },
    /// `DirectoryConfigProvider`: the whole content of the file named `key` in directory `path`.
    Directory { allowed: Option<Vec<PathBuf>> },
    /// `EnvVarConfigProvider`: the environment variable `key`, when its name matches the
    /// allowlist (Java's `Pattern.asPredicate`: a match anywhere in the name).
    Env { allowlist: Regex },
}

const FILE: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
const DIRECTORY: &str = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
const ENV: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";

impl Provider {
    fn new(name: &str, class: &str, params: &HashMap<String, String>) -> anyhow::Result<Provider> {
        let simple = class.rsplit('.').next().unwrap_or(class);
        let allowed = || allowed_paths(params.get("allowed.paths").map(String::as_str));
        match simple {
            "FileConfigProvider" if class == FILE || class == simple => Ok(Provider::File {
                allowed: allowed()?,
            }),
            "DirectoryConfigProvider" if class == DIRECTORY || class == simple => {
                Ok(Provider::Directory {
                    allowed: allowed()?,
                })
            }
            "EnvVarConfigProvider" if class == ENV || class == simple => {
                let pattern = params.get("allowlist.pattern").map_or(".*", String::as_str);
                let allowlist = Regex::new(pattern).with_context(|| {
                    format!("Invalid value {pattern} for configuration config.providers.{name}.param.allowlist.pattern")
                })?;
                Ok(Provider::Env { allowlist })
            }
            _ => bail!(
                "Invalid value {class} for configuration config.providers.{name}.class: \
                 Class {class} could not be found (known: {FILE}, {DIRECTORY}, {ENV})"
            ),
        }
    }

    /// The values of `keys` at `path`; keys it does not have are left out.
    fn get(&self, path: &str, keys: &BTreeSet<&str>) -> anyhow::Result<HashMap<String, String>> {
        match self {
            Provider::File { allowed } => {
                let Some(file) = permitted(path, allowed.as_deref()) else {
                    return Ok(HashMap::new());
                };
                let props = std::fs::File::open(&file)
                    .ok()
                    .and_then(|f| java_properties::read(std::io::BufReader::new(f)).ok())
                    .with_context(|| format!("Could not read properties from file {path}"))?;
                Ok(props
                    .into_iter()
                    .filter(|(k, _)| keys.contains(k.as_str()))
                    .collect())
            }
            Provider::Directory { allowed } => {
                let Some(dir) = permitted(path, allowed.as_deref()) else {
                    return Ok(HashMap::new());
                };
                if !dir.is_dir() {
                    tracing::warn!("config provider: the path {path} is not a directory");
                    return Ok(HashMap::new());
                }
                let mut data = HashMap::new();
                for key in keys {
                    let file = dir.join(key);
                    // Only regular files directly in the directory, as Kafka's.
                    let plain = Path::new(key).components().count() == 1
                        && std::fs::metadata(&file).is_ok_and(|m| m.is_file());
                    if plain {
                        let bytes = std::fs::read(&file).with_context(|| {
                            format!("Could not read file {} for property {key}", file.display())
                        })?;
                        data.insert(
                            key.to_string(),
                            String::from_utf8_lossy(&bytes).into_owned(),
                        );
                    }
                }
                Ok(data)
            }
            Provider::Env { allowlist } => {
                if !path.is_empty() {
                    bail!("Path is not supported for EnvVarConfigProvider, invalid value '{path}'");
                }
                Ok(keys
                    .iter()
                    .filter(|k| allowlist.is_match(k))
                    .filter_map(|k| Some((k.to_string(), std::env::var(k).ok()?)))
                    .collect())
            }
        }
    }
}

/// `allowed.paths` (Kafka 3.6, KIP-993): absolute paths that exist; none set allows all.
fn allowed_paths(value: Option<&str>) -> anyhow::Result<Option<Vec<PathBuf>>> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    value
        .split(',')
        .map(|p| {
            let path = normalize(Path::new(p));
            if path.is_absolute() && path.exists() {
                Ok(path)
            } else {
                bail!(
                    "Path {} is not valid. The path should be absolute and exist",
                    path.display()
                )
            }
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(Some)
}

/// `path`, normalised, when it lies under one of `allowed` (all paths when `None`).
fn permitted(path: &str, allowed: Option<&[PathBuf]>) -> Option<PathBuf> {
    let Some(allowed) = allowed else {
        return Some(PathBuf::from(path));
    };
    let normal = normalize(Path::new(path));
    if allowed.iter().any(|a| normal.starts_with(a)) {
        Some(normal)
    } else {
        tracing::warn!("config provider: the path {path} is not allowed to be accessed");
        None
    }
}

/// Java's `Path.normalize`: drops `.` and folds `dir/..`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The worker's config providers, by name (`config.providers`).
#[derive(Debug, Clone, Default)]
pub struct ConfigProviders {
    providers: BTreeMap<String, Provider>,
}

impl ConfigProviders {
    /// Reads `config.providers`, `config.providers.<name>.class` and
    /// `config.providers.<name>.param.*` from the worker's settings.
    pub fn from_worker_props(props: &HashMap<String, String>) -> anyhow::Result<ConfigProviders> {
        let mut providers = BTreeMap::new();
        let names = props.get("config.providers").map_or("", String::as_str);
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let class_key = format!("config.providers.{name}.class");
            let class = props
                .get(&class_key)
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .with_context(|| {
                    format!(
                        "Missing required configuration \"{class_key}\" for config provider {name}"
                    )
                })?;
            let params = super::subset(props, &format!("config.providers.{name}.param."));
            providers.insert(name.to_string(), Provider::new(name, class, &params)?);
        }
        Ok(ConfigProviders { providers })
    }

    /// Kafka's `ConfigTransformer.transform`: every `${provider:path:key}` replaced by its
    /// value. Unknown providers and missing keys leave the variable as written (with a WARN
    /// naming the setting and the variable, never a value); a provider that cannot read its
    /// source is an error.
    pub fn resolve(
        &self,
        props: &HashMap<String, String>,
    ) -> anyhow::Result<HashMap<String, String>> {
        // One look-up per provider and path, as Kafka's.
        let mut wanted: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        let mut all = Vec::new();
        for (name, value) in props {
            for (range, var) in variables(value) {
                all.push((name, &value[range], var));
            }
        }
        for (_, _, var) in &all {
            wanted
                .entry((var.provider.as_str(), var.path.as_str()))
                .or_default()
                .insert(var.key.as_str());
        }
        let mut found: HashMap<(&str, &str), HashMap<String, String>> = HashMap::new();
        for ((provider, path), keys) in &wanted {
            if let Some(p) = self.providers.get(*provider) {
                let data = p
                    .get(path, keys)
                    .with_context(|| format!("config provider {provider}"))?;
                found.insert((provider, path), data);
            }
        }
        for (setting, text, var) in &all {
            match found.get(&(var.provider.as_str(), var.path.as_str())) {
                None => tracing::warn!(
                    "{setting}: no config provider named '{}'; {text} is left unresolved",
                    var.provider
                ),
                Some(data) if !data.contains_key(&var.key) => tracing::warn!(
                    "{setting}: config provider '{}' has no key '{}' at '{}'; {text} is left unresolved",
                    var.provider,
                    var.key,
                    var.path
                ),
                Some(_) => {}
            }
        }
        Ok(props
            .iter()
            .map(|(name, value)| {
                let mut out = String::with_capacity(value.len());
                let mut last = 0;
                for (range, var) in variables(value) {
                    let replacement = found
                        .get(&(var.provider.as_str(), var.path.as_str()))
                        .and_then(|data| data.get(&var.key));
                    out.push_str(&value[last..range.start]);
                    out.push_str(replacement.map_or(&value[range.clone()], String::as_str));
                    last = range.end;
                }
                out.push_str(&value[last..]);
                (name.clone(), out)
            })
            .collect())
    }
}

/// Kafka's `AbstractHerder.reverseTransform`: in task configurations a connector produced
/// from its resolved configuration, the settings whose raw value holds a variable get that
/// raw text back, so tasks are stored and shown unresolved and resolve when they start.
pub fn unresolve_tasks(
    raw: &HashMap<String, String>,
    task_configs: Vec<plugin_abi::Props>,
) -> Vec<plugin_abi::Props> {
    let with_variables: Vec<(&String, &String)> =
        raw.iter().filter(|(_, v)| has_variables(v)).collect();
    task_configs
        .into_iter()
        .map(|mut config| {
            for (key, value) in &with_variables {
                if let Some(v) = config.get_mut(*key) {
                    v.clone_from(value);
                }
            }
            config
        })
        .collect()
}

/// What a message must not show: resolved secrets (shown as the `${...}` text they came
/// from) and the values of PASSWORD settings (shown as `[hidden]`, as Java prints them).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret containing another is replaced whole.
    secrets: Vec<(String, String)>,
}

impl Redactor {
    /// For a configuration as written (`raw`) and resolved, with the names of its PASSWORD
    /// settings.
    pub fn new<'a>(
        raw: &HashMap<String, String>,
        resolved: &HashMap<String, String>,
        passwords: impl IntoIterator<Item = &'a str>,
    ) -> Redactor {
        let mut secrets: Vec<(String, String)> = Vec::new();
        for key in passwords {
            for value in [raw.get(key), resolved.get(key)].into_iter().flatten() {
                secrets.push((value.clone(), "[hidden]".to_string()));
            }
        }
        for (key, value) in resolved {
            if let Some(written) = raw.get(key).filter(|w| *w != value) {
                secrets.push((value.clone(), written.clone()));
            }
        }
        secrets.retain(|(secret, _)| !secret.trim().is_empty());
        secrets.sort_by_key(|(secret, _)| std::cmp::Reverse(secret.len()));
        Redactor { secrets }
    }

    /// `text` with every secret replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (secret, shown) in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), shown);
            }
        }
        text
    }
}

/// Worker settings that are secrets (Kafka's PASSWORD-typed worker and client keys, with or
/// without a `producer.`/`consumer.`/`admin.`/`listeners.https.` prefix).
pub fn is_worker_password(key: &str) -> bool {
    key.ends_with(".password")
        || key.ends_with("sasl.jaas.config")
        || key.ends_with("client.secret")
        || key.ends_with("basic.auth.user.info")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as map;

    fn providers(pairs: &[(&str, &str)]) -> ConfigProviders {
        ConfigProviders::from_worker_props(&map(pairs)).unwrap()
    }

    #[test]
    fn file_provider_reads_a_key_of_a_properties_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secrets.properties");
        std::fs::write(&file, "db.password=s3cr3t\nother=x\n").unwrap();
        let p = providers(&[
            ("config.providers", "file"),
            ("config.providers.file.class", FILE),
        ]);
        let raw = map(&[(
            "password",
            &format!("pre-${{file:{}:db.password}}-post", file.display()),
        )]);
        assert_eq!(p.resolve(&raw).unwrap()["password"], "pre-s3cr3t-post");
    }

    #[test]
    fn unknown_provider_and_missing_key_stay_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.properties");
        std::fs::write(&file, "a=1\n").unwrap();
        let p = providers(&[
            ("config.providers", "file"),
            ("config.providers.file.class", "FileConfigProvider"),
        ]);
        let missing = format!("${{file:{}:nope}}", file.display());
        let raw = map(&[("a", "${vault:secret/x:k}"), ("b", &missing)]);
        let resolved = p.resolve(&raw).unwrap();
        assert_eq!(resolved, raw);
    }

    #[test]
    fn unreadable_file_is_an_error_naming_the_path() {
        let p = providers(&[
            ("config.providers", "file"),
            ("config.providers.file.class", FILE),
        ]);
        let err = p
            .resolve(&map(&[("a", "${file:/no/such/file:k}")]))
            .unwrap_err();
        assert!(format!("{err:#}").contains("/no/such/file"), "{err:#}");
    }

    #[test]
    fn directory_provider_reads_the_whole_file_named_by_the_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "line1\nline2\n").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let p = providers(&[
            ("config.providers", "dir"),
            ("config.providers.dir.class", DIRECTORY),
        ]);
        let d = dir.path().display();
        let raw = map(&[
            ("t", &format!("${{dir:{d}:token}}")),
            ("s", &format!("${{dir:{d}:sub}}")),
        ]);
        let resolved = p.resolve(&raw).unwrap();
        assert_eq!(resolved["t"], "line1\nline2\n");
        assert_eq!(resolved["s"], raw["s"], "a directory is not a value");
    }

    #[test]
    fn env_provider_takes_an_empty_path_and_honours_the_allowlist() {
        std::env::set_var("PROVIDERS_TEST_ALLOWED", "yes");
        std::env::set_var("PROVIDERS_TEST_OTHER", "no");
        let p = providers(&[
            ("config.providers", "env"),
            ("config.providers.env.class", "EnvVarConfigProvider"),
            ("config.providers.env.param.allowlist.pattern", "ALLOWED$"),
        ]);
        let raw = map(&[
            ("a", "${env:PROVIDERS_TEST_ALLOWED}"),
            ("b", "${env::PROVIDERS_TEST_ALLOWED}"),
            ("c", "${env:PROVIDERS_TEST_OTHER}"),
        ]);
        let resolved = p.resolve(&raw).unwrap();
        assert_eq!(resolved["a"], "yes");
        assert_eq!(resolved["b"], "yes");
        assert_eq!(resolved["c"], "${env:PROVIDERS_TEST_OTHER}");
        let err = p
            .resolve(&map(&[("a", "${env:/x:PROVIDERS_TEST_ALLOWED}")]))
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("Path is not supported"),
            "{err:#}"
        );
    }

    #[test]
    fn allowed_paths_limit_what_file_providers_read() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("in");
        std::fs::create_dir(&inside).unwrap();
        std::fs::write(inside.join("s.properties"), "k=v\n").unwrap();
        std::fs::write(dir.path().join("out.properties"), "k=v\n").unwrap();
        let p = providers(&[
            ("config.providers", "file"),
            ("config.providers.file.class", FILE),
            (
                "config.providers.file.param.allowed.paths",
                inside.to_str().unwrap(),
            ),
        ]);
        let ok = format!("${{file:{}/s.properties:k}}", inside.display());
        let sneaky = format!("${{file:{}/../out.properties:k}}", inside.display());
        let resolved = p.resolve(&map(&[("a", &ok), ("b", &sneaky)])).unwrap();
        assert_eq!(resolved["a"], "v");
        assert_eq!(resolved["b"], sneaky);
        let bad = ConfigProviders::from_worker_props(&map(&[
            ("config.providers", "file"),
            ("config.providers.file.class", FILE),
            ("config.providers.file.param.allowed.paths", "relative/dir"),
        ]));
        assert!(bad.unwrap_err().to_string().contains("should be absolute"));
    }

    #[test]
    fn unknown_classes_and_missing_classes_are_refused() {
        let err = ConfigProviders::from_worker_props(&map(&[
            ("config.providers", "v"),
            (
                "config.providers.v.class",
                "com.example.VaultConfigProvider",
            ),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("could not be found"), "{err}");
        let err =
            ConfigProviders::from_worker_props(&map(&[("config.providers", "v")])).unwrap_err();
        assert!(
            err.to_string().contains("config.providers.v.class"),
            "{err}"
        );
    }

    #[test]
    fn task_configs_get_the_variables_back() {
        let raw = map(&[("file", "${file:/s:path}"), ("topic", "t")]);
        let task: plugin_abi::Props = map(&[("file", "/secret/path"), ("topic", "t")])
            .into_iter()
            .collect();
        let back = unresolve_tasks(&raw, vec![task]);
        assert_eq!(back[0]["file"], "${file:/s:path}");
        assert_eq!(back[0]["topic"], "t");
    }

    #[test]
    fn redactor_hides_resolved_values_and_passwords() {
        let raw = map(&[("file", "${env:F}"), ("password", "pw-123")]);
        let resolved = map(&[("file", "/very/secret"), ("password", "pw-123")]);
        let r = Redactor::new(&raw, &resolved, ["password"]);
        assert_eq!(
            r.redact("cannot open /very/secret with pw-123"),
            "cannot open ${env:F} with [hidden]"
        );
    }
}
