//! The task: makes records of its share of the sequence, at the configured pace, and
//! stores how far it got as its source offset.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use plugin_abi::log;
use plugin_abi::prelude::*;

use crate::config::{Settings, RANDOM_SEED};
use crate::random::Rng;
use crate::spec::{value_schema, FieldSpec};

/// Set by the connector in each task's configuration: which task this is, of how many.
pub const TASK_INDEX: &str = "task.index";
pub const TASK_COUNT: &str = "task.count";
/// The keys of the source partition map, and of the source offset map.
const PARTITION_TASK: &str = "task";
const PARTITION_TASKS: &str = "tasks";
const OFFSET_SEQUENCE: &str = "sequence";
/// How long `poll` waits when there is nothing to make (done, or not due yet).
const IDLE_WAIT: Duration = Duration::from_millis(200);

/// Makes the records with sequence numbers `index, index + count, …` (below `end`).
pub struct DatagenSourceTask {
    topic: String,
    fields: Vec<FieldSpec>,
    /// One schema shared by every record (cloning it is a reference count).
    schema: Schema,
    key: Option<(usize, Schema)>,
    seed: u64,
    count: i64,
    /// The sequence number of the next record.
    next: i64,
    /// The first sequence number not to make; `None` for no end.
    end: Option<i64>,
    batch_size: usize,
    pacer: Option<Pacer>,
    /// `{"task": index, "tasks": count}`: this task's source partition.
    partition: Value,
    done_logged: bool,
}

impl Default for DatagenSourceTask {
    fn default() -> Self {
        DatagenSourceTask {
            topic: String::new(),
            fields: Vec::new(),
            schema: Schema::struct_builder().build(),
            key: None,
            seed: 0,
            count: 1,
            next: 0,
            end: None,
            batch_size: 1000,
            pacer: None,
            partition: Value::Null,
            done_logged: false,
        }
    }
}

fn task_number(props: &Props, key: &str) -> Result<i64, ConnectError> {
    props
        .get(key)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ConnectError::config(format!("the task configuration lacks {key}")))
}

impl DatagenSourceTask {
    /// Records left for this task; `None` for no end.
    fn remaining(&self) -> Option<u64> {
        self.end
            .map(|end| ((end - self.next).max(0) as u64).div_ceil(self.count as u64))
    }

    /// The next `n` records; the last one carries the source offset.
    fn generate(&mut self, n: usize) -> Vec<SourceRecord> {
        let mut records = Vec::with_capacity(n);
        for _ in 0..n {
            let sequence = self.next;
            let mut rng = Rng::for_record(self.seed, sequence);
            let now = now_ms();
            let values: Vec<Value> = self
                .fields
                .iter()
                .map(|f| f.generator.generate(sequence, &mut rng, now))
                .collect();
            let key = self
                .key
                .as_ref()
                .map(|(i, s)| (s.clone(), values[*i].clone()));
            let mut record = SourceRecord::new(
                &self.topic,
                Some(self.schema.clone()),
                Value::Struct(self.schema.clone(), values.into()),
            );
            if let Some((schema, value)) = key {
                record = record.with_key(Some(schema), value);
            }
            records.push(record);
            self.next += self.count;
        }
        // The worker commits a batch's offsets once every record of it is acknowledged, so
        // the position on the last record is all it needs (records without one are fine).
        if let Some(last) = records.last_mut() {
            let sequence = self.next - self.count;
            last.source_partition = self.partition.clone();
            last.source_offset = Value::string_map([(OFFSET_SEQUENCE, Value::Int64(sequence))]);
        }
        records
    }
}

impl SourceTask for DatagenSourceTask {
    fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        let settings = Settings::parse(props)?;
        let index = task_number(props, TASK_INDEX)?;
        self.count = task_number(props, TASK_COUNT)?.max(1);
        self.seed = task_number(props, RANDOM_SEED)? as u64;
        self.schema = value_schema(&settings.schema_name, &settings.fields);
        self.key = settings
            .key_field
            .map(|i| (i, self.schema.fields[i].schema.clone()));
        self.topic = settings.topic;
        self.fields = settings.fields;
        self.end = settings.max_records;
        self.batch_size = settings.batch_size;
        self.partition = Value::string_map([
            (PARTITION_TASK, Value::Int64(index)),
            (PARTITION_TASKS, Value::Int64(self.count)),
        ]);
        let stored = ctx
            .offset(&self.partition)
            .and_then(|o| o.get(OFFSET_SEQUENCE).and_then(Value::as_i64));
        self.next = match stored {
            Some(last) => {
                log::info!(
                    "Task {index} of {}: resuming after sequence {last}",
                    self.count
                );
                last + self.count
            }
            None => {
                log::info!(
                    "Task {index} of {}: starting at sequence {index}",
                    self.count
                );
                index
            }
        };
        self.pacer = settings
            .rate
            .map(|rate| Pacer::new(rate / self.count as f64));
        Ok(())
    }

    fn poll(&mut self, _ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        let mut n = self.batch_size;
        if let Some(remaining) = self.remaining() {
            if remaining == 0 {
                if !self.done_logged {
                    log::info!("Made every record of this task; idle until stopped");
                    self.done_logged = true;
                }
                std::thread::sleep(IDLE_WAIT);
                return Ok(Vec::new());
            }
            n = n.min(usize::try_from(remaining).unwrap_or(usize::MAX));
        }
        if let Some(pacer) = &mut self.pacer {
            n = pacer.take(n);
        }
        Ok(self.generate(n))
    }
}

/// Spreads records evenly over time: on average `per_second`.
struct Pacer {
    per_second: f64,
    started: Instant,
    sent: u64,
}

impl Pacer {
    fn new(per_second: f64) -> Pacer {
        Pacer {
            per_second,
            started: Instant::now(),
            sent: 0,
        }
    }

    /// How many of `wanted` records are due; waits (at most [`IDLE_WAIT`]) when none is yet.
    fn take(&mut self, wanted: usize) -> usize {
        let due = |p: &Pacer| (p.started.elapsed().as_secs_f64() * p.per_second) as u64;
        if due(self) <= self.sent {
            let next_at = (self.sent + 1) as f64 / self.per_second;
            let wait = next_at - self.started.elapsed().as_secs_f64();
            std::thread::sleep(Duration::from_secs_f64(
                wait.clamp(0.0, IDLE_WAIT.as_secs_f64()),
            ));
        }
        let n = due(self).saturating_sub(self.sent).min(wanted as u64);
        self.sent += n;
        n as usize
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

// These tests check the task's own logic on a task built by hand. The tests that drive the
// connector and its tasks through the worker's life cycle (validate, start, task configs,
// poll, stored offsets, restart) use the `plugin_abi::testing` harness: `harness_tests`
// below (a `cdylib`-only crate has no integration tests in tests/: they could not link the
// library).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_fields;

    fn task(index: i64, count: i64, end: Option<i64>) -> DatagenSourceTask {
        let fields = parse_fields("id:sequence,user:choice(a|b),n:int(0,9)").unwrap();
        DatagenSourceTask {
            topic: "t".into(),
            schema: value_schema("r", &fields),
            fields,
            seed: 42,
            count,
            next: index,
            end,
            batch_size: 4,
            partition: Value::string_map([
                (PARTITION_TASK, Value::Int64(index)),
                (PARTITION_TASKS, Value::Int64(count)),
            ]),
            ..DatagenSourceTask::default()
        }
    }

    fn ids(records: &[SourceRecord]) -> Vec<i64> {
        records
            .iter()
            .map(|r| r.value.get("id").and_then(Value::as_i64).unwrap())
            .collect()
    }

    #[test]
    fn tasks_take_turns_in_the_sequence_and_stop_at_the_end() {
        let mut all = Vec::new();
        for index in 0..3 {
            let mut t = task(index, 3, Some(10));
            assert_eq!(t.remaining(), Some([4, 3, 3][index as usize]));
            while t.remaining() != Some(0) {
                let n = t.batch_size.min(t.remaining().unwrap() as usize);
                all.extend(ids(&t.generate(n)));
            }
        }
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn the_batch_ends_with_the_offset_of_its_last_record() {
        let mut t = task(1, 2, None);
        let batch = t.generate(3);
        assert_eq!(ids(&batch), [1, 3, 5]);
        assert!(batch[0].source_offset.is_null());
        assert_eq!(
            batch[2]
                .source_offset
                .get("sequence")
                .and_then(Value::as_i64),
            Some(5)
        );
        assert_eq!(
            batch[2]
                .source_partition
                .get("task")
                .and_then(Value::as_i64),
            Some(1)
        );
        assert_eq!(t.next, 7, "the next batch goes on after the offset");
    }

    #[test]
    fn a_record_is_the_same_whichever_task_makes_it() {
        let by_one: Vec<Value> = task(0, 1, None)
            .generate(6)
            .into_iter()
            .map(|r| r.value)
            .collect();
        let by_second_of_two: Vec<Value> = task(1, 2, None)
            .generate(3)
            .into_iter()
            .map(|r| r.value)
            .collect();
        assert_eq!(
            by_second_of_two,
            [by_one[1].clone(), by_one[3].clone(), by_one[5].clone()]
        );
    }

    #[test]
    fn the_key_is_the_key_fields_value() {
        let mut t = task(0, 1, None);
        t.key = Some((1, t.schema.fields[1].schema.clone()));
        for r in t.generate(4) {
            assert_eq!(Some(&r.key), r.value.get("user"));
            assert!(r.key_schema.is_some());
        }
    }

    #[test]
    fn the_pacer_spreads_records_over_time() {
        let mut pacer = Pacer::new(50.0);
        let started = Instant::now();
        let mut sent = 0;
        while sent < 10 {
            sent += pacer.take(100);
        }
        let elapsed = started.elapsed();
        assert_eq!(sent, 10, "never more than due");
        assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }
}

// The connector and its tasks as the worker runs them: through the same ABI glue, with
// validation, task configurations, stored offsets and restarts, but in the test's thread and
// without a broker.
#[cfg(test)]
mod harness_tests {
    use plugin_abi::prelude::*;
    use plugin_abi::testing::{props, HarnessError, SourceHarness};

    use crate::{DatagenSourceConnector, DatagenSourceTask};

    type Datagen = SourceHarness<DatagenSourceConnector, DatagenSourceTask>;

    fn ids(records: &[SourceRecord]) -> Vec<i64> {
        records
            .iter()
            .map(|r| r.value.get("id").and_then(Value::as_i64).unwrap())
            .collect()
    }

    /// Polls task `task` until it has made all its records (its first empty batch).
    fn drain(harness: &mut Datagen, task: usize) -> Vec<SourceRecord> {
        let mut all = Vec::new();
        loop {
            let batch = harness.poll(task).unwrap();
            if batch.is_empty() {
                return all;
            }
            all.extend(batch);
        }
    }

    fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
        ids.sort_unstable();
        ids
    }

    #[test]
    fn a_bad_configuration_is_refused_naming_the_setting_at_fault() {
        let refused = Datagen::new()
            .start(props(&[
                ("topic", "orders"),
                ("fields", "id:sequence,amount:float(0,x)"),
            ]))
            .unwrap_err();
        let HarnessError::Invalid(invalid) = &refused else {
            panic!("not a validation error: {refused}");
        };
        let names: Vec<&str> = invalid.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["fields"]);
        assert_eq!(
            refused.messages(),
            [
                "Invalid value id:sequence,amount:float(0,x) for configuration fields: \
              field 2 \"amount:float(0,x)\": \"x\" is not a number"
            ]
        );

        let refused = Datagen::new()
            .start(props(&[("topic", "orders"), ("key.field", "name")]))
            .unwrap_err();
        assert!(
            matches!(&refused, HarnessError::Invalid(v) if v.len() == 1 && v[0].name.as_str() == "key.field"),
            "{refused:?}"
        );
        let refused = Datagen::new().start(props(&[])).unwrap_err();
        assert_eq!(
            refused.messages(),
            ["Missing required configuration \"topic\" which has no default value."]
        );
    }

    #[test]
    fn three_tasks_share_the_sequence_each_number_once() {
        let mut harness = Datagen::new()
            .start(props(&[
                ("topic", "orders"),
                ("max.records", "10"),
                ("batch.size", "2"),
                ("tasks.max", "3"),
            ]))
            .unwrap();
        assert_eq!(harness.task_count(), 3);
        let per_task: Vec<Vec<i64>> = (0..3).map(|t| ids(&drain(&mut harness, t))).collect();
        assert_eq!(per_task, [vec![0, 3, 6, 9], vec![1, 4, 7], vec![2, 5, 8]]);
        let all = sorted(per_task.concat());
        assert_eq!(
            all,
            (0..10).collect::<Vec<_>>(),
            "every id once, none twice"
        );
        harness.stop().unwrap();
    }

    #[test]
    fn max_records_is_honoured_exactly() {
        let mut harness = Datagen::new()
            .start(props(&[
                ("topic", "orders"),
                ("max.records", "7"),
                ("batch.size", "3"),
            ]))
            .unwrap();
        assert_eq!(ids(&harness.poll(0).unwrap()), [0, 1, 2]);
        assert_eq!(ids(&harness.poll(0).unwrap()), [3, 4, 5]);
        assert_eq!(ids(&harness.poll(0).unwrap()), [6], "only what is left");
        assert!(harness.poll(0).unwrap().is_empty(), "then nothing");
        assert!(harness.poll(0).unwrap().is_empty());
        // More tasks than records: no task without work.
        let harness = Datagen::new()
            .start(props(&[
                ("topic", "orders"),
                ("max.records", "2"),
                ("tasks.max", "4"),
            ]))
            .unwrap();
        assert_eq!(harness.task_count(), 2);
    }

    #[test]
    fn a_restart_resumes_after_the_committed_offsets() {
        let config = props(&[
            ("topic", "orders"),
            ("max.records", "20"),
            ("batch.size", "3"),
            ("tasks.max", "2"),
        ]);
        let mut harness = Datagen::new().start(config.clone()).unwrap();
        let mut first_run = ids(&harness.poll(0).unwrap());
        first_run.extend(ids(&harness.poll(1).unwrap()));
        first_run.extend(ids(&harness.poll(1).unwrap()));
        assert_eq!(first_run, [0, 2, 4, 1, 3, 5, 7, 9, 11]);

        // stop() commits the offsets of what was polled; the tasks read them back in start.
        harness.restart().unwrap();
        let task0 = Value::string_map([("task", Value::Int64(0)), ("tasks", Value::Int64(2))]);
        assert_eq!(
            harness.committed_offset(&task0),
            Some(Value::string_map([("sequence", Value::Int64(4))]))
        );
        assert_eq!(ids(&harness.poll(0).unwrap()), [6, 8, 10]);
        let mut second_run = vec![6, 8, 10];
        second_run.extend(ids(&drain(&mut harness, 0)));
        second_run.extend(ids(&drain(&mut harness, 1)));
        let all = sorted([first_run, second_run].concat());
        assert_eq!(all, (0..20).collect::<Vec<_>>(), "no gap, no duplicate");

        // An offset an earlier run stored, as the worker hands it over.
        let mut harness = Datagen::new()
            .with_offset(task0, Value::string_map([("sequence", Value::Int64(14))]))
            .start(config)
            .unwrap();
        assert_eq!(ids(&drain(&mut harness, 0)), [16, 18]);
        assert_eq!(ids(&harness.poll(1).unwrap()), [1, 3, 5]);
    }

    /// The record values by sequence number, for a run of 12 records with `seed`, restarted
    /// after the first batch when `restart` is set.
    fn values(seed: Option<&str>, restart: bool) -> Vec<Value> {
        let mut config = props(&[
            ("topic", "orders"),
            (
                "fields",
                "id:sequence,user:choice(alice|bob|carol),n:int(0,1000000),s:string(8)",
            ),
            ("max.records", "12"),
            ("batch.size", "4"),
        ]);
        if let Some(seed) = seed {
            config.insert("random.seed".into(), seed.into());
        }
        let mut harness = Datagen::new().start(config).unwrap();
        let mut records = harness.poll(0).unwrap();
        if restart {
            harness.restart().unwrap();
        }
        records.extend(drain(&mut harness, 0));
        assert_eq!(ids(&records), (0..12).collect::<Vec<_>>());
        records.into_iter().map(|r| r.value).collect()
    }

    #[test]
    fn random_seed_makes_the_data_the_same_across_restarts() {
        let straight = values(Some("7"), false);
        assert_eq!(values(Some("7"), true), straight);
        assert_ne!(
            values(Some("8"), false),
            straight,
            "another seed, other data"
        );
        let n: Vec<i64> = straight
            .iter()
            .map(|v| v.get("n").and_then(Value::as_i64).unwrap())
            .collect();
        assert!(n.iter().all(|n| (0..=1_000_000).contains(n)), "{n:?}");
        assert!(
            n.windows(2).any(|w| w[0] != w[1]),
            "random, not constant: {n:?}"
        );
        let s = straight[0].get("s").and_then(Value::as_str).unwrap();
        assert_eq!(s.len(), 8);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{s}"
        );

        // Without a seed every start picks one, so a restart continues with other data.
        let mut harness = Datagen::new().start(props(&[("topic", "orders")])).unwrap();
        let seed = harness.task_configs()[0]["random.seed"].clone();
        harness.restart().unwrap();
        assert_ne!(harness.task_configs()[0]["random.seed"], seed);
    }

    #[test]
    fn the_key_is_the_key_fields_value() {
        let mut harness = Datagen::new()
            .start(props(&[
                ("topic", "orders"),
                ("key.field", "user"),
                ("max.records", "30"),
                ("random.seed", "1"),
            ]))
            .unwrap();
        let records = harness.poll(0).unwrap();
        assert_eq!(records.len(), 30);
        for r in &records {
            assert_eq!(r.topic.as_str(), "orders");
            assert_eq!(Some(&r.key), r.value.get("user"));
            assert!(["alice", "bob", "carol"].contains(&r.key.as_str().unwrap()));
            assert_eq!(r.key_schema.as_ref().into_option(), Some(&Schema::string()));
        }
        let users: std::collections::HashSet<&str> =
            records.iter().filter_map(|r| r.key.as_str()).collect();
        assert_eq!(users.len(), 3, "the keys vary with the records");

        let mut unkeyed = Datagen::new()
            .start(props(&[("topic", "orders"), ("max.records", "3")]))
            .unwrap();
        for r in unkeyed.poll(0).unwrap() {
            assert_eq!(r.key, Value::Null);
            assert!(r.key_schema.is_none());
        }
    }
}
