use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;

/// Reads a Java `.properties` file (escapes, continuations, `=`/`:`/space separators).
pub fn read_properties(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    parse_properties(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not a valid properties file", path.display()))
}

/// Parses `.properties` bytes as [`read_properties`] does (values trimmed); public for the
/// fuzz targets (`fuzz/`), which feed it arbitrary bytes.
///
/// The bytes are ISO-8859-1, as Java's `Properties.load(InputStream)` reads them (other
/// characters come as `\uXXXX` escapes). They are decoded here, not by `java_properties`,
/// whose decoder sniffs for a byte-order mark and panics on a file that is only the start
/// of one (a lone `0xEF`, `0xFE` or `0xFF`: found by fuzzing).
pub fn parse_properties(mut input: impl std::io::Read) -> anyhow::Result<HashMap<String, String>> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let mut props = HashMap::new();
    java_properties::PropertiesIter::new_with_encoding(text.as_bytes(), encoding_rs::UTF_8)
        .read_into(|k, v| {
            props.insert(k, v.trim().to_string());
        })?;
    Ok(props)
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
    fn a_lone_byte_order_mark_start_is_a_key_not_a_panic() {
        for bytes in [&b"\xef"[..], b"\xef\xbb", b"\xfe", b"\xff"] {
            let props = parse_properties(bytes).unwrap();
            let key: String = bytes.iter().map(|&b| char::from(b)).collect();
            assert_eq!(props.get(&key).map(String::as_str), Some(""), "{bytes:x?}");
        }
    }

    #[test]
    fn bytes_are_iso_8859_1_as_in_java() {
        let props = parse_properties(&b"k=\x80\xe9\\u20ac"[..]).unwrap();
        assert_eq!(props["k"], "\u{80}\u{e9}\u{20ac}");
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
