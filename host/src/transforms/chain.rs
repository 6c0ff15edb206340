//! A connector's transformation chain, built from its configuration.

use std::collections::HashMap;
use std::sync::Arc;

use super::plugin::{PluginPredicate, PluginTransformation};
use super::registry::{find_predicate, find_transform};
use super::{Predicate, Record, Settings, Transformation};
use crate::config::{subset, RetryPolicy};
use crate::plugins::version::{check_built_in, requested_version};
use crate::plugins::PluginRegistry;

struct Step {
    alias: String,
    transform: Box<dyn Transformation>,
    /// The predicate deciding whether the step applies, and whether it is negated.
    predicate: Option<(Arc<dyn Predicate>, bool)>,
}

/// The transforms of one connector, in order.
#[derive(Default)]
pub struct TransformChain {
    steps: Vec<Step>,
}

impl TransformChain {
    /// Builds the chain from `transforms`, `transforms.<alias>.*`, `predicates` and
    /// `predicates.<alias>.*`; every problem is reported, each naming its key.
    pub fn from_config(
        props: &HashMap<String, String>,
        plugins: &PluginRegistry,
    ) -> Result<TransformChain, Vec<String>> {
        let mut errors = Vec::new();
        let retry = RetryPolicy::from_config(props).unwrap_or_else(|e| {
            errors.push(e);
            RetryPolicy::default()
        });
        let mut predicates: HashMap<String, Arc<dyn Predicate>> = HashMap::new();
        let all = Settings(props.clone());
        let predicate_aliases = all.list("predicates");
        check_unique(&predicate_aliases, "predicates", &mut errors);
        for alias in &predicate_aliases {
            let prefix = format!("predicates.{alias}.");
            let settings = Settings(subset(props, &prefix));
            let type_key = format!("{prefix}type");
            match settings.get("type") {
                None => errors.push(format!(
                    "Missing required configuration \"{type_key}\" which has no default value."
                )),
                Some(class) => {
                    let version = requested_version(props, &prefix);
                    let made: Option<Result<Arc<dyn Predicate>, String>> = match version {
                        Err(e) => Some(Err(e)),
                        Ok(version) => match find_predicate(class) {
                            Some(make) => Some(
                                check_built_in(class, version.as_ref())
                                    .and_then(|()| make(&settings).map(Arc::from)),
                            ),
                            None => match plugins.find_predicate(class, version.as_ref()) {
                                Err(e) => Some(Err(e)),
                                Ok(found) => found.map(|plugin| {
                                    PluginPredicate::new(&plugin, &settings)
                                        .map(|p| Arc::new(p) as Arc<dyn Predicate>)
                                }),
                            },
                        },
                    };
                    match made {
                        None => errors.push(format!(
                            "Invalid value {class} for configuration {type_key}: Class {class} could not be found."
                        )),
                        Some(Ok(p)) => {
                            predicates.insert(alias.clone(), p);
                        }
                        Some(Err(e)) => errors.push(format!("{prefix}: {e}")),
                    }
                }
            }
        }

        let mut steps = Vec::new();
        let transform_aliases = all.list("transforms");
        check_unique(&transform_aliases, "transforms", &mut errors);
        for alias in &transform_aliases {
            let prefix = format!("transforms.{alias}.");
            let settings = Settings(subset(props, &prefix));
            let type_key = format!("{prefix}type");
            let Some(class) = settings.get("type") else {
                errors.push(format!(
                    "Missing required configuration \"{type_key}\" which has no default value."
                ));
                continue;
            };
            let version = match requested_version(props, &prefix) {
                Ok(version) => version,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let made: Result<Box<dyn Transformation>, String> = match find_transform(class) {
                Some((make, side)) => {
                    check_built_in(class, version.as_ref()).and_then(|()| make(side, &settings))
                }
                None => match plugins.find_transformation(class, version.as_ref()) {
                    Err(e) => Err(e),
                    Ok(Some(plugin)) => PluginTransformation::new(&plugin, &settings, retry)
                        .map(|t| Box::new(t) as Box<dyn Transformation>),
                    Ok(None) => {
                        errors.push(format!(
                            "Invalid value {class} for configuration {type_key}: Class {class} could not be found."
                        ));
                        continue;
                    }
                },
            };
            let predicate = match settings.get("predicate") {
                None => None,
                Some(p) => match predicates.get(p) {
                    Some(predicate) => match settings.bool("negate", false) {
                        Ok(negate) => Some((predicate.clone(), negate)),
                        Err(e) => {
                            errors.push(format!("{prefix}negate: {e}"));
                            None
                        }
                    },
                    None => {
                        if !predicate_aliases.contains(&p.to_string()) {
                            errors.push(format!(
                                "Invalid value {p} for configuration {prefix}predicate: The predicate alias {p} is not defined in 'predicates'"
                            ));
                        }
                        None
                    }
                },
            };
            match made {
                Ok(transform) => steps.push(Step {
                    alias: alias.clone(),
                    transform,
                    predicate,
                }),
                Err(e) => errors.push(format!(
                    "Invalid configuration of transform {alias} ({class}): {e}"
                )),
            }
        }
        if errors.is_empty() {
            Ok(TransformChain { steps })
        } else {
            Err(errors)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Runs one record through the chain (see [`TransformChain::apply_batch`]).
    pub fn apply(&self, record: Record) -> Result<Option<Record>, String> {
        self.apply_batch(vec![record]).pop().unwrap_or(Ok(None))
    }
}

impl TransformChain {
    /// Runs a batch through the chain, step by step (a plugin step crosses the ABI once per
    /// batch): one result per record, in order — the record, `None` when a step dropped it,
    /// or the error of the step that failed it.
    pub fn apply_batch(&self, records: Vec<Record>) -> Vec<Result<Option<Record>, String>> {
        let mut slots: Vec<Result<Option<Record>, String>> =
            records.into_iter().map(|r| Ok(Some(r))).collect();
        for step in &self.steps {
            let alive: Vec<usize> = (0..slots.len())
                .filter(|&i| matches!(slots[i], Ok(Some(_))))
                .collect();
            // Which of them the step applies to, asked of the predicate once per batch.
            let verdicts: Vec<Result<bool, String>> = match &step.predicate {
                None => alive.iter().map(|_| Ok(true)).collect(),
                Some((predicate, negate)) => {
                    let records: Vec<&Record> = alive
                        .iter()
                        .filter_map(|&i| slots[i].as_ref().ok().and_then(|r| r.as_ref()))
                        .collect();
                    predicate
                        .test_batch(&records)
                        .into_iter()
                        .map(|v| v.map(|matched| matched != *negate))
                        .collect()
                }
            };
            let mut taken = Vec::new();
            let mut batch = Vec::new();
            for (i, verdict) in alive.into_iter().zip(verdicts) {
                match verdict {
                    Ok(true) => {
                        if let Ok(Some(record)) = std::mem::replace(&mut slots[i], Ok(None)) {
                            taken.push(i);
                            batch.push(record);
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        slots[i] = Err(format!(
                            "the predicate of transform {} failed: {e}",
                            step.alias
                        ))
                    }
                }
            }
            if batch.is_empty() {
                continue;
            }
            for (i, result) in taken.into_iter().zip(step.transform.apply_batch(batch)) {
                slots[i] = result.map_err(|e| format!("transform {} failed: {e}", step.alias));
            }
        }
        slots
    }
}

fn check_unique(aliases: &[String], key: &str, errors: &mut Vec<String>) {
    for (i, a) in aliases.iter().enumerate() {
        if aliases[..i].contains(a) {
            errors.push(format!(
                "Invalid value {} for configuration {key}: Duplicate alias provided.",
                aliases.join(",")
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;
    use plugin_abi::data::Value;

    fn build(p: &HashMap<String, String>) -> Result<TransformChain, Vec<String>> {
        TransformChain::from_config(p, &PluginRegistry::default())
    }

    #[test]
    fn no_transforms_is_an_empty_chain() {
        assert!(build(&props(&[])).unwrap().is_empty());
    }

    #[test]
    fn config_errors_name_their_keys() {
        let errors = build(&props(&[
            ("transforms", "a,b,c"),
            ("transforms.b.type", "com.example.Nope"),
            (
                "transforms.c.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.c.predicate", "missing"),
        ]))
        .err()
        .unwrap();
        assert!(errors[0].contains("\"transforms.a.type\""), "{errors:?}");
        assert!(errors[1].contains("com.example.Nope"), "{errors:?}");
        assert!(errors[2].contains("transforms.c.predicate"), "{errors:?}");
        let dup = build(&props(&[("transforms", "a,a")])).err().unwrap();
        assert!(dup[0].contains("Duplicate alias"), "{dup:?}");
    }

    #[test]
    fn predicates_decide_and_negate_flips() {
        let chain = build(&props(&[
            ("transforms", "drop"),
            ("transforms.drop.type", "Filter"),
            ("transforms.drop.predicate", "isFoo"),
            ("predicates", "isFoo"),
            (
                "predicates.isFoo.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ),
            ("predicates.isFoo.pattern", "foo.*"),
        ]))
        .unwrap();
        let foo = Record::new("foo-1", None, Value::string("x"));
        let bar = Record::new("bar", None, Value::string("x"));
        assert_eq!(chain.apply(foo.clone()).unwrap(), None);
        assert_eq!(chain.apply(bar.clone()).unwrap(), Some(bar.clone()));
        let negated = build(&props(&[
            ("transforms", "drop"),
            ("transforms.drop.type", "Filter"),
            ("transforms.drop.predicate", "isFoo"),
            ("transforms.drop.negate", "true"),
            ("predicates", "isFoo"),
            ("predicates.isFoo.type", "TopicNameMatches"),
            ("predicates.isFoo.pattern", "foo.*"),
        ]))
        .unwrap();
        assert_eq!(negated.apply(foo.clone()).unwrap(), Some(foo));
        assert_eq!(negated.apply(bar.clone()).unwrap(), None);
        // The batch path agrees with the one-record path.
        let out = negated.apply_batch(vec![bar, Record::new("foo", None, Value::string("y"))]);
        assert_eq!(out[0], Ok(None));
        assert_eq!(out[1].as_ref().unwrap().as_ref().unwrap().topic, "foo");
    }
}
