//! Active topics (Kafka's KIP-558): every topic a connector's records went to or came from,
//! kept from the first record on, until the connector is deleted or its topics are reset.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The topics each connector has used.
#[derive(Default)]
pub struct ActiveTopics {
    enabled: bool,
    topics: RwLock<BTreeMap<String, BTreeSet<String>>>,
    /// Bumped by every reset, so tasks report again what they had already reported.
    resets: AtomicU64,
}

impl ActiveTopics {
    /// `topic.tracking.enable=false` keeps nothing.
    pub fn new(enabled: bool) -> ActiveTopics {
        ActiveTopics {
            enabled,
            topics: RwLock::default(),
            resets: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn record(&self, connector: &str, topic: &str) {
        if !self.enabled {
            return;
        }
        let mut all = self.topics.write().unwrap_or_else(|e| e.into_inner());
        if all
            .entry(connector.to_string())
            .or_default()
            .insert(topic.to_string())
        {
            tracing::info!("connector {connector} is now using topic {topic}");
        }
    }

    /// The connector's topics, sorted.
    pub fn get(&self, connector: &str) -> Vec<String> {
        self.topics
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(connector)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets the connector's topics.
    pub fn reset(&self, connector: &str) {
        self.topics
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(connector);
        self.resets.fetch_add(1, Ordering::Release);
    }
}

/// A task's view: remembers what it already reported, so the shared store is touched once
/// per new topic, not once per record.
pub struct TopicTracker {
    connector: String,
    seen: HashSet<String>,
    /// The topic of the previous record: most records share it, and comparing is cheaper
    /// than hashing.
    last: String,
    resets_seen: u64,
    store: Arc<ActiveTopics>,
}

impl TopicTracker {
    pub fn new(connector: &str, store: Arc<ActiveTopics>) -> TopicTracker {
        TopicTracker {
            connector: connector.to_string(),
            seen: HashSet::new(),
            last: String::new(),
            resets_seen: store.resets.load(Ordering::Acquire),
            store,
        }
    }

    pub fn saw(&mut self, topic: &str) {
        let resets = self.store.resets.load(Ordering::Acquire);
        if resets != self.resets_seen {
            self.resets_seen = resets;
            self.seen.clear();
            self.last.clear();
        } else if topic == self.last {
            return;
        }
        topic.clone_into(&mut self.last);
        if !self.seen.contains(topic) {
            self.seen.insert(topic.to_string());
            self.store.record(&self.connector, topic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_kept_per_connector_until_reset() {
        let store = Arc::new(ActiveTopics::new(true));
        let mut tracker = TopicTracker::new("a", store.clone());
        for topic in ["t2", "t1", "t2"] {
            tracker.saw(topic);
        }
        TopicTracker::new("b", store.clone()).saw("t3");
        assert_eq!(store.get("a"), ["t1", "t2"]);
        store.reset("a");
        assert!(store.get("a").is_empty());
        tracker.saw("t1");
        assert_eq!(store.get("a"), ["t1"]);
        assert_eq!(store.get("b"), ["t3"]);
    }

    #[test]
    fn disabled_tracking_keeps_nothing() {
        let store = Arc::new(ActiveTopics::new(false));
        TopicTracker::new("a", store.clone()).saw("t1");
        assert!(store.get("a").is_empty());
    }
}
