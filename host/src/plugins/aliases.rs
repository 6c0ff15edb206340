//! Java's plugin alias rule (`PluginUtils.simpleName` / `prunedName`).

/// The aliases of a class: its simple name, and the simple name without the kind's suffix
/// (`FileStreamSourceConnector` → `FileStreamSource`; `JsonConverter` → `Json`).
pub fn aliases_of(class: &str, suffix: &str) -> Vec<String> {
    let simple = class.rsplit(['.', '$']).next().unwrap_or(class);
    let mut aliases = vec![simple.to_string()];
    if let Some(pruned) = simple.strip_suffix(suffix).filter(|p| !p.is_empty()) {
        aliases.push(pruned.to_string());
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_aliases_follow_java() {
        assert_eq!(
            aliases_of(
                "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "Connector"
            ),
            ["FileStreamSourceConnector", "FileStreamSource"]
        );
    }

    #[test]
    fn a_bare_suffix_is_not_an_alias() {
        assert_eq!(aliases_of("a.Connector", "Connector"), ["Connector"]);
    }
}
