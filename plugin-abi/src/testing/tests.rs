//! The harnesses, driven by small plugins whose behaviour the configuration chooses.

use std::cell::RefCell;

use super::{props, HarnessError, SinkHarness, SourceHarness};
use crate::errors::ErrorKind;
use crate::prelude::*;

thread_local! {
    /// What the plugins under test did, in order. A harness calls its plugin from the
    /// test's thread, and each test has its own thread.
    static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn event(what: impl Into<String>) {
    EVENTS.with(|e| e.borrow_mut().push(what.into()));
}

fn events() -> Vec<String> {
    EVENTS.with(|e| e.borrow().clone())
}

fn partition(stream: &str) -> Value {
    Value::string_map([("stream", Value::string(stream))])
}

fn position(n: i64) -> Value {
    Value::string_map([("position", Value::Int64(n))])
}

/// Counts per stream; `streams` are shared among the tasks.
#[derive(Default)]
struct Streams {
    props: Props,
    ctx: Option<ConnectorContext>,
}

impl SourceConnector for Streams {
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new("streams", ConfigType::List, Importance::High, "")
                    .validator(Validator::NonEmptyString),
            )
            .define(ConfigKey::new("fail", ConfigType::String, Importance::Low, "").default_null())
    }

    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.props = props.clone();
        self.ctx = Some(ctx.clone());
        event("connector start");
        if props.get("fail").map(String::as_str) == Some("start") {
            panic!("cannot start");
        }
        Ok(())
    }

    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let streams: Vec<&str> = self.props["streams"].split(',').collect();
        let n = max_tasks.min(streams.len());
        Ok((0..n)
            .map(|i| {
                let mine: Vec<&str> = streams.iter().skip(i).step_by(n).copied().collect();
                let mut config = self.props.clone();
                config.insert("streams".into(), mine.join(","));
                config
            })
            .collect())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        event("connector stop");
        Ok(())
    }
}

#[derive(Default)]
struct StreamsTask {
    /// Each stream and the position of its next record.
    streams: Vec<(String, i64)>,
    fail: Option<String>,
    failed_once: bool,
}

impl SourceTask for StreamsTask {
    fn start(&mut self, props: &Props, ctx: &SourceTaskContext) -> Result<(), ConnectError> {
        self.fail = props.get("fail").cloned();
        for stream in props["streams"].split(',') {
            let next = ctx
                .offset(&partition(stream))
                .and_then(|o| o.get("position").and_then(Value::as_i64))
                .unwrap_or(0);
            self.streams.push((stream.to_string(), next));
        }
        event(format!("task start {}", props["streams"]));
        Ok(())
    }

    fn poll(&mut self, ctx: &SourceTaskContext) -> Result<Vec<SourceRecord>, ConnectError> {
        assert!(!ctx.is_stopping());
        match self.fail.as_deref() {
            Some("poll") => panic!("deliberate panic in poll"),
            Some("once") if !self.failed_once => {
                self.failed_once = true;
                return Err(ConnectError::retriable("not ready yet"));
            }
            _ => {}
        }
        Ok(self
            .streams
            .iter_mut()
            .map(|(stream, next)| {
                let value = Value::string(format!("{stream}-{next}"));
                *next += 1;
                SourceRecord::new("t", None, value).with_source(partition(stream), position(*next))
            })
            .collect())
    }

    fn commit(&mut self) -> Result<(), ConnectError> {
        event("task commit");
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ConnectError> {
        event("task stop");
        Ok(())
    }
}

type Source = SourceHarness<Streams, StreamsTask>;

fn values(records: &[SourceRecord]) -> Vec<String> {
    records.iter().map(|r| r.value.to_string()).collect()
}

#[test]
fn start_refuses_an_invalid_configuration_naming_the_setting() {
    let Err(HarnessError::Invalid(invalid)) = Source::new().start(props(&[])) else {
        panic!("a configuration without streams was accepted");
    };
    assert_eq!(invalid.len(), 1);
    assert_eq!(invalid[0].name.as_str(), "streams");
    assert!(events().is_empty(), "nothing starts: {:?}", events());
}

#[test]
fn start_refuses_a_tasks_max_below_one() {
    let err = Source::new()
        .start(props(&[("streams", "a"), ("tasks.max", "0")]))
        .expect_err("tasks.max=0 was accepted");
    assert!(err.to_string().contains("tasks.max"), "{err}");
}

#[test]
fn task_configs_split_the_streams_over_tasks_max() {
    let mut h = Source::new()
        .start(props(&[("streams", "a,b,c"), ("tasks.max", "2")]))
        .unwrap();
    assert_eq!(h.task_count(), 2);
    assert_eq!(h.task_configs()[0]["streams"], "a,c");
    assert_eq!(h.task_configs()[1]["streams"], "b");
    assert_eq!(values(&h.poll_all().unwrap()), ["a-0", "c-0", "b-0"]);
}

#[test]
fn restart_resumes_from_the_committed_offsets() {
    let mut h = Source::new().start(props(&[("streams", "a")])).unwrap();
    h.poll(0).unwrap();
    h.poll(0).unwrap();
    assert_eq!(
        h.committed_offset(&partition("a")),
        None,
        "not committed yet"
    );
    h.restart().unwrap();
    assert_eq!(h.committed_offset(&partition("a")), Some(position(2)));
    assert_eq!(values(&h.poll(0).unwrap()), ["a-2"]);
}

#[test]
fn commit_makes_offsets_visible_and_tells_the_tasks() {
    let mut h = Source::new().start(props(&[("streams", "a")])).unwrap();
    h.poll(0).unwrap();
    h.commit().unwrap();
    assert_eq!(h.committed_offset(&partition("a")), Some(position(1)));
    assert!(events().contains(&"task commit".to_string()));
}

#[test]
fn with_offset_presets_where_tasks_resume() {
    let mut h = Source::new()
        .with_offset(partition("a"), position(41))
        .start(props(&[("streams", "a,b")]))
        .unwrap();
    assert_eq!(values(&h.poll(0).unwrap()), ["a-41", "b-0"]);
}

#[test]
fn a_panicking_poll_comes_back_as_a_panic_error() {
    let mut h = Source::new()
        .start(props(&[("streams", "a"), ("fail", "poll")]))
        .unwrap();
    let err = h.poll(0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Panic);
    assert!(err.message.contains("deliberate panic in poll"), "{err}");
    h.stop().unwrap();
}

#[test]
fn a_panicking_start_fails_start_with_a_panic_error() {
    let Err(HarnessError::Plugin(err)) =
        Source::new().start(props(&[("streams", "a"), ("fail", "start")]))
    else {
        panic!("a panicking connector started");
    };
    assert_eq!(err.kind, ErrorKind::Panic);
}

#[test]
fn a_retriable_error_is_returned_and_the_next_poll_succeeds() {
    let mut h = Source::new()
        .start(props(&[("streams", "a"), ("fail", "once")]))
        .unwrap();
    assert_eq!(h.poll(0).unwrap_err().kind, ErrorKind::Retriable);
    assert_eq!(values(&h.poll(0).unwrap()), ["a-0"]);
}

#[test]
fn stop_commits_then_stops_tasks_before_the_connector() {
    let mut h = Source::new().start(props(&[("streams", "a")])).unwrap();
    h.poll(0).unwrap();
    h.stop().unwrap();
    assert_eq!(
        events(),
        [
            "connector start",
            "task start a",
            "task commit",
            "task stop",
            "connector stop"
        ]
    );
    assert_eq!(h.committed_offset(&partition("a")), Some(position(1)));
}

#[test]
fn dropping_a_running_harness_stops_it() {
    drop(Source::new().start(props(&[("streams", "a")])).unwrap());
    assert_eq!(events().last().map(String::as_str), Some("connector stop"));
}

#[derive(Default)]
struct Watcher(Streams);

impl SourceConnector for Watcher {
    fn config(&self) -> ConfigDef {
        self.0.config()
    }
    fn start(&mut self, props: &Props, ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.0.start(props, ctx)?;
        // A watcher thread would do this when it notices new streams or loses its source.
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            ctx.raise_error("source went away");
            ctx.request_task_reconfiguration();
        })
        .join()
        .unwrap();
        self.0.props.insert("streams".into(), "a,b".into());
        Ok(())
    }
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        let configs = self.0.task_configs(max_tasks);
        self.0.props.insert("streams".into(), "a,b,c".into());
        configs
    }
}

#[test]
fn context_requests_are_recorded_and_reconfigure_replaces_the_tasks() {
    let mut h = SourceHarness::<Watcher, StreamsTask>::new()
        .start(props(&[("streams", "a"), ("tasks.max", "3")]))
        .unwrap();
    assert_eq!(h.raised_errors(), ["source went away"]);
    assert!(h.reconfiguration_requested());
    assert_eq!(h.task_count(), 2);
    h.poll(0).unwrap();
    assert!(h.reconfigure().unwrap());
    assert!(!h.reconfiguration_requested());
    assert_eq!(h.task_count(), 3);
    assert_eq!(
        values(&h.poll(0).unwrap()),
        ["a-1"],
        "resumes after the replaced task"
    );
    assert!(
        !h.reconfigure().unwrap(),
        "unchanged configurations keep the tasks"
    );
}

/// Writes values into a buffer on `put` and "persists" them on `flush`.
#[derive(Default)]
struct Store(Props);

impl SinkConnector for Store {
    fn config(&self) -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::new("fail", ConfigType::String, Importance::Low, "").default_null())
    }
    fn start(&mut self, props: &Props, _ctx: &ConnectorContext) -> Result<(), ConnectError> {
        self.0 = props.clone();
        Ok(())
    }
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError> {
        Ok(vec![self.0.clone(); max_tasks])
    }
    fn stop(&mut self) -> Result<(), ConnectError> {
        event("connector stop");
        Ok(())
    }
}

#[derive(Default)]
struct StoreTask {
    fail: Option<String>,
    buffer: Vec<String>,
}

impl SinkTask for StoreTask {
    fn start(&mut self, props: &Props, _ctx: &SinkTaskContext) -> Result<(), ConnectError> {
        self.fail = props.get("fail").cloned();
        Ok(())
    }
    fn put(&mut self, records: &[SinkRecord], ctx: &SinkTaskContext) -> Result<(), ConnectError> {
        match self.fail.as_deref() {
            Some("put") => panic!("deliberate panic in put"),
            Some("busy") => return Err(ConnectError::retriable("busy")),
            _ => {}
        }
        self.buffer
            .extend(records.iter().map(|r| r.value.to_string()));
        if self.buffer.len() >= 3 {
            ctx.request_commit();
        }
        let assigned: Vec<String> = ctx
            .assignment()
            .iter()
            .map(|tp| format!("{}-{}", tp.topic, tp.partition))
            .collect();
        event(format!("put; assigned {}", assigned.join(",")));
        Ok(())
    }
    fn flush(&mut self, offsets: &[TopicPartitionOffset]) -> Result<(), ConnectError> {
        let at: Vec<String> = offsets
            .iter()
            .map(|o| format!("{}-{}@{}", o.topic, o.partition, o.offset))
            .collect();
        event(format!(
            "flush {} at {}",
            self.buffer.join(","),
            at.join(",")
        ));
        self.buffer.clear();
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ConnectError> {
        event("task stop");
        Ok(())
    }
}

type Sink = SinkHarness<Store, StoreTask>;

fn record(topic: &str, partition: i32, offset: i64, value: &str) -> SinkRecord {
    SinkRecord::new(topic, partition, offset, None, Value::string(value))
}

fn offset(topic: &str, partition: i32, offset: i64) -> TopicPartitionOffset {
    TopicPartitionOffset {
        topic: topic.into(),
        partition,
        offset,
    }
}

#[test]
fn commit_flushes_and_commits_the_next_offsets() {
    let mut h = Sink::new().start(props(&[])).unwrap();
    h.put(&[record("t", 0, 10, "x"), record("t", 1, 5, "y")])
        .unwrap();
    h.put(&[record("t", 0, 11, "z")]).unwrap();
    assert_eq!(h.commit().unwrap(), [offset("t", 0, 12), offset("t", 1, 6)]);
    assert_eq!(events().last().unwrap(), "flush x,y,z at t-0@12,t-1@6");
    assert_eq!(
        h.committed_offsets(),
        [offset("t", 0, 12), offset("t", 1, 6)]
    );
}

#[test]
fn flush_flushes_without_committing() {
    let mut h = Sink::new().start(props(&[])).unwrap();
    h.put(&[record("t", 0, 0, "x")]).unwrap();
    h.flush().unwrap();
    assert_eq!(events().last().unwrap(), "flush x at t-0@1");
    assert!(h.committed_offsets().is_empty());
}

#[test]
fn the_assignment_is_the_partitions_put_so_far() {
    let mut h = Sink::new().start(props(&[])).unwrap();
    h.put(&[record("t", 0, 0, "x")]).unwrap();
    h.put(&[record("u", 3, 0, "y")]).unwrap();
    assert_eq!(events(), ["put; assigned t-0", "put; assigned t-0,u-3"]);
    assert_eq!(h.assignment(0).len(), 2);
}

#[test]
fn request_commit_is_observed_until_the_next_commit() {
    let mut h = Sink::new().start(props(&[])).unwrap();
    h.put(&[record("t", 0, 0, "a"), record("t", 0, 1, "b")])
        .unwrap();
    assert!(!h.commit_requested());
    h.put(&[record("t", 0, 2, "c")]).unwrap();
    assert!(h.commit_requested());
    h.commit().unwrap();
    assert!(!h.commit_requested());
}

#[test]
fn a_retriable_put_counts_for_nothing() {
    let mut h = Sink::new().start(props(&[("fail", "busy")])).unwrap();
    let err = h.put(&[record("t", 0, 0, "x")]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Retriable);
    assert!(h.commit().unwrap().is_empty());
}

#[test]
fn a_panicking_put_comes_back_as_a_panic_error() {
    let mut h = Sink::new().start(props(&[("fail", "put")])).unwrap();
    let err = h.put(&[record("t", 0, 0, "x")]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Panic);
    assert!(err.message.contains("deliberate panic in put"), "{err}");
}

#[test]
fn put_to_reaches_the_chosen_task() {
    let mut h = Sink::new().start(props(&[("tasks.max", "2")])).unwrap();
    h.put_to(1, &[record("t", 1, 0, "x")]).unwrap();
    assert!(h.assignment(0).is_empty());
    assert_eq!(h.assignment(1).len(), 1);
}

#[test]
fn sink_stop_commits_then_stops_tasks_before_the_connector() {
    let mut h = Sink::new().start(props(&[])).unwrap();
    h.put(&[record("t", 0, 0, "x")]).unwrap();
    h.stop().unwrap();
    assert_eq!(
        events(),
        [
            "put; assigned t-0",
            "flush x at t-0@1",
            "task stop",
            "connector stop"
        ]
    );
    assert_eq!(h.committed_offsets(), [offset("t", 0, 1)]);
}
