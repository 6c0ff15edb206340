//! The URL this worker reports for its REST API, and so its worker id (`host:port`), as
//! Kafka derives them: `rest.advertised.listener` (scheme), `rest.advertised.host.name` and
//! `rest.advertised.port`, each falling back to the listener's.

use std::fmt;

use anyhow::{bail, Context};

use crate::config::WorkerConfig;

/// The advertised REST URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvertisedUrl {
    pub scheme: &'static str,
    pub host: String,
    pub port: u16,
}

impl AdvertisedUrl {
    /// From the worker's keys; `bound_port` is the port the listener got (for port 0).
    pub fn from_config(config: &WorkerConfig, bound_port: u16) -> anyhow::Result<AdvertisedUrl> {
        let get = |k: &str| {
            config
                .props
                .get(k)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let scheme = match get("rest.advertised.listener").map(str::to_ascii_lowercase) {
            None if config.rest_https => "https",
            None => "http",
            Some(s) if s == "http" => "http",
            Some(s) if s == "https" => "https",
            Some(s) => bail!(
                "Invalid value {s} for configuration rest.advertised.listener: expected http or https"
            ),
        };
        let host = match get("rest.advertised.host.name") {
            Some(h) => h.to_string(),
            None => listener_host(&config.rest_listener.0),
        };
        let port = match get("rest.advertised.port") {
            Some(p) => p.parse().with_context(|| {
                format!(
                    "Invalid value {p} for configuration rest.advertised.port: not a port number"
                )
            })?,
            None => bound_port,
        };
        Ok(AdvertisedUrl { scheme, host, port })
    }

    /// The worker id in statuses: `host:port`, as Kafka's.
    pub fn worker_id(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl fmt::Display for AdvertisedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}/", self.scheme, self.host, self.port)
    }
}

/// The listener's host, or this machine's name when the listener binds every interface (as
/// Java's worker advertises its host name).
fn listener_host(host: &str) -> String {
    if host != "0.0.0.0" && host != "::" {
        return host.to_string();
    }
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let name = if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    };
    if name.is_empty() {
        "localhost".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> WorkerConfig {
        let mut props: std::collections::HashMap<String, String> = [
            (
                "key.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("offset.storage.file.filename", "/tmp/connect.offsets"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        props.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        WorkerConfig::from_props(props).unwrap()
    }

    #[test]
    fn the_listener_is_advertised_by_default() {
        let url = AdvertisedUrl::from_config(&config(&[("listeners", "https://10.1.2.3:0")]), 4321)
            .unwrap();
        assert_eq!(url.to_string(), "https://10.1.2.3:4321/");
        assert_eq!(url.worker_id(), "10.1.2.3:4321");
    }

    #[test]
    fn advertised_keys_override_the_listener() {
        let c = config(&[
            ("listeners", "http://127.0.0.1:8083"),
            ("rest.advertised.listener", "HTTPS"),
            ("rest.advertised.host.name", "connect.example.com"),
            ("rest.advertised.port", "443"),
        ]);
        let url = AdvertisedUrl::from_config(&c, 8083).unwrap();
        assert_eq!(url.to_string(), "https://connect.example.com:443/");
        assert_eq!(url.worker_id(), "connect.example.com:443");
    }

    #[test]
    fn bad_values_are_named() {
        let err = AdvertisedUrl::from_config(&config(&[("rest.advertised.port", "x")]), 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("rest.advertised.port"), "{err}");
        let err = AdvertisedUrl::from_config(&config(&[("rest.advertised.listener", "ftp")]), 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("rest.advertised.listener"), "{err}");
    }

    #[test]
    fn a_wildcard_listener_advertises_the_host_name() {
        let url = AdvertisedUrl::from_config(&config(&[]), 8083).unwrap();
        assert!(!url.host.is_empty() && url.host != "0.0.0.0", "{url}");
    }
}
