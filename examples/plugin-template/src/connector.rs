//! The connector: checks the configuration and splits the work between tasks.

use plugin_abi::config::ConfigValue;
use plugin_abi::log;
use plugin_abi::prelude::*;

use crate::config::{self, Settings, RANDOM_SEED};
use crate::task::{TASK_COUNT, TASK_INDEX};

/// Generates records from a field spec (`fields`) into one topic.
///
/// Task `i` of `n` makes the records whose sequence numbers are `i, i + n, i + 2n, …`, so
/// the tasks never overlap and together make every sequence number once.
#[derive(Default)]
pub struct DatagenSourceConnector {
    props: Props,
    settings: Option<Settings>,
    seed: u64,
}

impl SourceConnector for DatagenSourceConnector {
    fn config(&self) -> ConfigDef {
        config::config_def()
    }

    /// The definitions' checks plus the `fields` spec and `key.field`: the REST API's
    /// `PUT /connector-plugins/…/config/validate` and every create or update run this.
    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        config::validate(props)
    }

    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        let settings = Settings::parse(props)?;
        // One seed for every task of this run, so sequence numbers alone decide the data.
        self.seed = settings.seed.unwrap_or_else(seed_from_clock);
        let fields: Vec<&str> = settings.fields.iter().map(|f| f.name.as_str()).collect();
        log::info!(
            "Generating records with fields {} into topic {}: {}, {}, random seed {}",
            fields.join(", "),
            settings.topic,
            settings
                .max_records
                .map_or("no end".to_string(), |m| format!("{m} records in all")),
            settings
                .rate
                .map_or("as fast as possible".to_string(), |r| format!(
                    "{r} records/s"
                )),
            self.seed as i64,
        );
        self.props = props.clone();
        self.settings = Some(settings);
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let settings = self
            .settings
            .as_ref()
            .ok_or_else(|| ConnectError::new("task_configs called before start"))?;
        let count = task_count(max_tasks, settings.max_records);
        Ok((0..count)
            .map(|index| {
                let mut task = self.props.clone();
                task.insert(TASK_INDEX.into(), index.to_string());
                task.insert(TASK_COUNT.into(), count.to_string());
                task.insert(RANDOM_SEED.into(), (self.seed as i64).to_string());
                task
            })
            .collect())
    }
}

/// `max_tasks` tasks, but no more than there are records to make.
fn task_count(max_tasks: usize, max_records: Option<i64>) -> usize {
    let wanted = max_tasks.max(1);
    match max_records {
        Some(records) => wanted.min(usize::try_from(records).unwrap_or(usize::MAX)),
        None => wanted,
    }
}

fn seed_from_clock() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_nanos() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_split_the_sequence_and_share_one_seed() {
        let mut c = DatagenSourceConnector::default();
        let props: Props = [("topic", "t"), ("max.records", "10"), ("random.seed", "5")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        c.settings = Some(Settings::parse(&props).unwrap());
        c.seed = 5;
        c.props = props;
        let tasks = c.task_configs(3).unwrap();
        assert_eq!(tasks.len(), 3);
        for (i, t) in tasks.iter().enumerate() {
            assert_eq!(t[TASK_INDEX], i.to_string());
            assert_eq!(t[TASK_COUNT], "3");
            assert_eq!(t[RANDOM_SEED], "5");
            assert_eq!(t["topic"], "t");
        }
    }

    #[test]
    fn never_more_tasks_than_records() {
        assert_eq!(task_count(4, Some(2)), 2);
        assert_eq!(task_count(4, None), 4);
        assert_eq!(task_count(0, None), 1);
    }
}
