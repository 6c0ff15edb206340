//! `errors.retry.timeout` and `errors.retry.delay.max.ms` (Kafka's KIP-298): how long an
//! operation that failed with a retriable error is tried again, and how long to wait between.

use std::cell::Cell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Java's first wait between attempts; each next one doubles, up to `max_delay`.
const FIRST_DELAY: Duration = Duration::from_millis(300);

thread_local! {
    /// Retries made on this thread since [`RetryPolicy::take_retries`] last read them: a
    /// task's converters and transforms run on its thread, which reads them per batch.
    static RETRIES: Cell<u64> = const { Cell::new(0) };
}

/// A connector's retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// `None` retries without end (`errors.retry.timeout=-1`); zero never retries.
    pub timeout: Option<Duration>,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            timeout: Some(Duration::ZERO),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// Why an attempt failed: whether trying again may help, and the message.
pub struct Failure {
    pub retriable: bool,
    pub message: String,
}

impl RetryPolicy {
    pub fn from_config(props: &HashMap<String, String>) -> Result<RetryPolicy, String> {
        let number = |key: &str, default: i64| -> Result<i64, String> {
            match props.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| {
                    format!("Invalid value {v} for configuration {key}: Not a number of type LONG")
                }),
            }
        };
        let timeout = number("errors.retry.timeout", 0)?;
        let max_delay = number("errors.retry.delay.max.ms", 60_000)?;
        if timeout < -1 || max_delay < 0 {
            return Err(
                "errors.retry.timeout must be -1 or more and errors.retry.delay.max.ms 0 or more"
                    .to_string(),
            );
        }
        Ok(RetryPolicy {
            timeout: (timeout >= 0).then(|| Duration::from_millis(timeout as u64)),
            max_delay: Duration::from_millis(max_delay as u64),
        })
    }

    /// Retries [`RetryPolicy::run`] made on this thread since the last call.
    pub fn take_retries() -> u64 {
        RETRIES.with(|r| r.replace(0))
    }

    /// Runs `attempt` until it succeeds, fails for good, or the timeout is spent.
    pub fn run<T>(&self, mut attempt: impl FnMut() -> Result<T, Failure>) -> Result<T, String> {
        let started = Instant::now();
        let mut delay = FIRST_DELAY;
        loop {
            match attempt() {
                Ok(value) => return Ok(value),
                Err(f) if !f.retriable => return Err(f.message),
                Err(f) => {
                    let spent = started.elapsed();
                    let left = match self.timeout {
                        None => Duration::MAX,
                        Some(t) => t.saturating_sub(spent),
                    };
                    if left.is_zero() {
                        return Err(f.message);
                    }
                    let wait = delay.min(self.max_delay).min(left);
                    tracing::warn!("retriable error, trying again in {wait:?}: {}", f.message);
                    std::thread::sleep(wait);
                    RETRIES.with(|r| r.set(r.get() + 1));
                    delay = delay.saturating_mul(2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_props as props;

    #[test]
    fn retriable_failures_are_tried_again_until_the_timeout() {
        let policy = RetryPolicy::from_config(&props(&[
            ("errors.retry.timeout", "2000"),
            ("errors.retry.delay.max.ms", "10"),
        ]))
        .unwrap();
        RetryPolicy::take_retries();
        let mut calls = 0;
        let out = policy.run(|| {
            calls += 1;
            if calls < 3 {
                Err(Failure {
                    retriable: true,
                    message: "busy".into(),
                })
            } else {
                Ok(calls)
            }
        });
        assert_eq!(out, Ok(3));
        assert_eq!(
            RetryPolicy::take_retries(),
            2,
            "counted for the task's metrics"
        );
        assert_eq!(RetryPolicy::take_retries(), 0);
        let mut calls = 0;
        let out: Result<(), String> = policy.run(|| {
            calls += 1;
            Err(Failure {
                retriable: false,
                message: "bad".into(),
            })
        });
        assert_eq!((out, calls), (Err("bad".to_string()), 1));
    }

    #[test]
    fn the_default_never_retries() {
        let policy = RetryPolicy::from_config(&props(&[])).unwrap();
        let mut calls = 0;
        let out: Result<(), String> = policy.run(|| {
            calls += 1;
            Err(Failure {
                retriable: true,
                message: "busy".into(),
            })
        });
        assert_eq!((out.is_err(), calls), (true, 1));
        assert!(RetryPolicy::from_config(&props(&[("errors.retry.timeout", "-2")])).is_err());
        assert_eq!(
            RetryPolicy::from_config(&props(&[("errors.retry.timeout", "-1")]))
                .unwrap()
                .timeout,
            None
        );
    }
}
