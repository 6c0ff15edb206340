//! The worker-group settings, from Kafka's distributed worker keys.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{bail, Context};

use super::protocol::ConnectProtocol;

/// How a worker joins its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    /// `bootstrap.servers`: comma-separated `host:port` list.
    pub bootstrap_servers: String,
    /// `group.id`.
    pub group_id: String,
    /// `client.id` sent with every request.
    pub client_id: String,
    /// `session.timeout.ms` (default 10 s): without a heartbeat for this long a member is expelled.
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms` (default 3 s).
    pub heartbeat_interval: Duration,
    /// `rebalance.timeout.ms` (default 60 s): how long the coordinator waits for members to rejoin.
    pub rebalance_timeout: Duration,
    /// `scheduled.rebalance.max.delay.ms` (default 5 min): how long a departed member's work is held.
    pub scheduled_rebalance_max_delay: Duration,
    /// `connect.protocol` (default `sessioned`).
    pub protocol: ConnectProtocol,
}

impl Default for GroupSettings {
    /// Kafka's defaults, with `group.id` `connect-cluster` and no bootstrap servers.
    fn default() -> Self {
        GroupSettings {
            bootstrap_servers: String::new(),
            group_id: "connect-cluster".into(),
            client_id: "connect-1".into(),
            session_timeout: Duration::from_millis(10_000),
            heartbeat_interval: Duration::from_millis(3_000),
            rebalance_timeout: Duration::from_millis(60_000),
            scheduled_rebalance_max_delay: Duration::from_millis(300_000),
            protocol: ConnectProtocol::Sessioned,
        }
    }
}

impl GroupSettings {
    /// Reads `bootstrap.servers`, `group.id`, `client.id`, `session.timeout.ms`,
    /// `heartbeat.interval.ms`, `rebalance.timeout.ms`, `scheduled.rebalance.max.delay.ms` and
    /// `connect.protocol` from a worker's properties. The group membership speaks plaintext
    /// only: a `security.protocol` other than `PLAINTEXT` is an error.
    pub fn from_worker_props(props: &HashMap<String, String>) -> anyhow::Result<GroupSettings> {
        let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let defaults = GroupSettings::default();
        let millis = |key: &str, default: Duration| -> anyhow::Result<Duration> {
            match get(key) {
                None => Ok(default),
                Some(v) => v.parse::<u64>().map(Duration::from_millis).with_context(|| {
                    format!("Invalid value {v} for configuration {key}: Not a number of milliseconds")
                }),
            }
        };
        if let Some(protocol) = get("security.protocol") {
            if !protocol.eq_ignore_ascii_case("PLAINTEXT") {
                bail!(
                    "security.protocol={protocol}: distributed mode's group membership supports \
                     only PLAINTEXT connections to the brokers for now"
                );
            }
        }
        let protocol = match get("connect.protocol") {
            None => defaults.protocol,
            Some(v) => ConnectProtocol::from_config(v).with_context(|| {
                format!("Invalid value {v} for configuration connect.protocol: String must be one of: eager, compatible, sessioned")
            })?,
        };
        let settings = GroupSettings {
            bootstrap_servers: get("bootstrap.servers")
                .context("Missing required configuration \"bootstrap.servers\" which has no default value.")?
                .to_string(),
            group_id: get("group.id")
                .context("Missing required configuration \"group.id\" which has no default value.")?
                .to_string(),
            client_id: get("client.id").unwrap_or(&defaults.client_id).to_string(),
            session_timeout: millis("session.timeout.ms", defaults.session_timeout)?,
            heartbeat_interval: millis("heartbeat.interval.ms", defaults.heartbeat_interval)?,
            rebalance_timeout: millis("rebalance.timeout.ms", defaults.rebalance_timeout)?,
            scheduled_rebalance_max_delay: millis(
                "scheduled.rebalance.max.delay.ms",
                defaults.scheduled_rebalance_max_delay,
            )?,
            protocol,
        };
        settings.check()?;
        Ok(settings)
    }

    /// Refuses settings the coordinator or the heartbeat schedule cannot work with.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.bootstrap_servers.trim().is_empty() {
            bail!("distributed mode needs bootstrap.servers");
        }
        if self.group_id.trim().is_empty() {
            bail!("group.id must not be empty");
        }
        if self.heartbeat_interval.is_zero() || self.heartbeat_interval >= self.session_timeout {
            bail!(
                "heartbeat.interval.ms ({} ms) must be above 0 and below session.timeout.ms ({} ms)",
                self.heartbeat_interval.as_millis(),
                self.session_timeout.as_millis()
            );
        }
        for (key, d) in [
            ("session.timeout.ms", self.session_timeout),
            ("rebalance.timeout.ms", self.rebalance_timeout),
            (
                "scheduled.rebalance.max.delay.ms",
                self.scheduled_rebalance_max_delay,
            ),
        ] {
            if d.as_millis() > i32::MAX as u128 {
                bail!("{key} ({} ms) is too large", d.as_millis());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kafka_keys_and_defaults() {
        let s = GroupSettings::from_worker_props(&props(&[
            ("bootstrap.servers", "b:9092"),
            ("group.id", "g"),
            ("session.timeout.ms", "6000"),
            ("connect.protocol", "compatible"),
        ]))
        .unwrap();
        assert_eq!(s.session_timeout, Duration::from_secs(6));
        assert_eq!(s.heartbeat_interval, Duration::from_secs(3));
        assert_eq!(s.rebalance_timeout, Duration::from_secs(60));
        assert_eq!(s.scheduled_rebalance_max_delay, Duration::from_secs(300));
        assert_eq!(s.protocol, ConnectProtocol::Compatible);
        assert_eq!(
            (s.group_id.as_str(), s.client_id.as_str()),
            ("g", "connect-1")
        );
    }

    #[test]
    fn ssl_sasl_missing_keys_and_bad_values_are_clear_errors() {
        let base = [("bootstrap.servers", "b:9092"), ("group.id", "g")];
        let err = |extra: &[(&str, &str)], missing: &[&str]| {
            let mut p = props(&base);
            p.extend(props(extra));
            for k in missing {
                p.remove(*k);
            }
            GroupSettings::from_worker_props(&p)
                .unwrap_err()
                .to_string()
        };
        assert!(err(&[("security.protocol", "SASL_SSL")], &[]).contains("only PLAINTEXT"));
        assert!(err(&[], &["group.id"]).contains("\"group.id\""));
        assert!(err(&[("connect.protocol", "cooperative")], &[]).contains("connect.protocol"));
        assert!(
            err(&[("heartbeat.interval.ms", "20000")], &[]).contains("below session.timeout.ms")
        );
        assert!(err(&[("rebalance.timeout.ms", "soon")], &[]).contains("rebalance.timeout.ms"));
    }
}
