use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;

/// Reads a Java `.properties` file (escapes, continuations, `=`/`:`/space separators).
pub fn read_properties(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let props = java_properties::read(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not a valid properties file", path.display()))?;
    Ok(props
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect())
}

/// The settings under `prefix`, with the prefix removed (Kafka's `originalsWithPrefix`).
pub fn subset(props: &HashMap<String, String>, prefix: &str) -> HashMap<String, String> {
    props
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(prefix)
                .map(|rest| (rest.to_string(), v.clone()))
        })
        .collect()
}

/// A settings map from pairs, for tests.
#[cfg(test)]
pub fn test_props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_java_syntax() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.properties");
        std::fs::write(&path, "# comment\na=1\nb : two \\\n  words\nc.d=x\\=y\n").unwrap();
        let props = read_properties(&path).unwrap();
        assert_eq!(props["a"], "1");
        assert_eq!(props["b"], "two words");
        assert_eq!(props["c.d"], "x=y");
    }

    #[test]
    fn subset_strips_the_prefix() {
        let props: HashMap<String, String> = [
            ("value.converter.schemas.enable", "false"),
            ("value.converter", "J"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let sub = subset(&props, "value.converter.");
        assert_eq!(sub.len(), 1);
        assert_eq!(sub["schemas.enable"], "false");
    }
}
