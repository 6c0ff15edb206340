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

// These tests check the task's own logic on a task built by hand. Tests that drive the
// connector and its tasks through the worker's life cycle (validate, start, task configs,
// poll, stored offsets, restart) use the `plugin_abi::testing` harness and go in a module of
// their own beside this one (a `cdylib`-only crate has no integration tests in tests/: they
// could not link the library).
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
