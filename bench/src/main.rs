//! Raw-client baselines measured by `cargo xtask bench` beside the worker, on the same
//! broker and data:
//!
//! - `bench produce BOOTSTRAP TOPIC FILE`: sends each line of FILE as a record, with the
//!   worker's source producer settings; prints the seconds until every record is acked;
//! - `bench consume BOOTSTRAP TOPIC FILE COUNT`: reads COUNT records and writes each value
//!   as a line of FILE, as FileStreamSink does; prints the seconds it took;
//! - `bench pipe FROM TOPIC TO TO_TOPIC COUNT`: consumes COUNT records of partition 0 of
//!   TOPIC on cluster FROM and produces each (key, value, headers, timestamp) to TO_TOPIC on
//!   cluster TO with the worker's source producer settings: the raw counterpart of
//!   MirrorSourceConnector; prints the seconds until every record is acked.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{ClientConfig, Message};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["produce", bootstrap, topic, file] => produce(bootstrap, topic, file),
        ["pipe", from, topic, to, to_topic, count] => count
            .parse()
            .map_err(|e| format!("bad count: {e}"))
            .and_then(|n| pipe(from, topic, to, to_topic, n)),
        ["consume", bootstrap, topic, file, count] => count
            .parse()
            .map_err(|e| format!("bad count: {e}"))
            .and_then(|n| consume(bootstrap, topic, file, n)),
        _ => Err(
            "usage: bench produce BOOTSTRAP TOPIC FILE | consume BOOTSTRAP TOPIC FILE COUNT | pipe FROM TOPIC TO TO_TOPIC COUNT".into(),
        ),
    };
    match result {
        Ok(seconds) => {
            println!("{seconds:.3}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A producer with the worker's source producer settings (see host/src/kafka/client_config.rs).
fn worker_producer(bootstrap: &str) -> Result<ThreadedProducer<DefaultProducerContext>, String> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", "0")
        .set("linger.ms", "5")
        .set("batch.num.messages", "10000")
        .create()
        .map_err(|e| e.to_string())
}

/// Sends, waiting while the producer's queue is full.
fn send<'a>(
    producer: &ThreadedProducer<DefaultProducerContext>,
    mut record: BaseRecord<'a, [u8], [u8]>,
) -> Result<(), String> {
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err((e, _)) => return Err(e.to_string()),
        }
    }
}

/// Consume → produce between clusters, record by record, keeping key, headers and timestamp.
fn pipe(from: &str, topic: &str, to: &str, to_topic: &str, count: usize) -> Result<f64, String> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", from)
        .set("group.id", format!("bench-pipe-{}", std::process::id()))
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| e.to_string())?;
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, rdkafka::Offset::Beginning)
        .map_err(|e| e.to_string())?;
    consumer.assign(&tpl).map_err(|e| e.to_string())?;
    let producer = worker_producer(to)?;
    let started = Instant::now();
    let mut seen = 0;
    while seen < count {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                let mut record = BaseRecord::<[u8], [u8]>::to(to_topic).partition(m.partition());
                if let Some(k) = m.key() {
                    record = record.key(k);
                }
                if let Some(v) = m.payload() {
                    record = record.payload(v);
                }
                if let Some(ts) = m.timestamp().to_millis() {
                    record = record.timestamp(ts);
                }
                if let Some(h) = m.headers() {
                    record = record.headers(h.detach());
                }
                send(&producer, record)?;
                seen += 1;
            }
            Some(Err(e)) => eprintln!("bench: consumer: {e}"),
            None if started.elapsed() > Duration::from_secs(300) => {
                return Err(format!("only {seen} of {count} records"))
            }
            None => {}
        }
    }
    producer
        .flush(Duration::from_secs(300))
        .map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_secs_f64())
}

fn produce(bootstrap: &str, topic: &str, file: &str) -> Result<f64, String> {
    let producer = worker_producer(bootstrap)?;
    let reader = BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(file).map_err(|e| e.to_string())?,
    );
    let started = Instant::now();
    for line in reader.split(b'\n') {
        let line = line.map_err(|e| e.to_string())?;
        send(
            &producer,
            BaseRecord::<[u8], [u8]>::to(topic).payload(&line[..]),
        )?;
    }
    producer
        .flush(Duration::from_secs(300))
        .map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_secs_f64())
}

/// The worker's sink consumer settings, a fresh group, values written as lines.
fn consume(bootstrap: &str, topic: &str, file: &str, count: usize) -> Result<f64, String> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("bench-{}", std::process::id()))
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("queued.min.messages", "100000")
        .set("fetch.queue.backoff.ms", "10")
        .create()
        .map_err(|e| e.to_string())?;
    consumer.subscribe(&[topic]).map_err(|e| e.to_string())?;
    let mut out = BufWriter::with_capacity(
        256 * 1024,
        std::fs::File::create(file).map_err(|e| e.to_string())?,
    );
    let started = Instant::now();
    let mut seen = 0;
    while seen < count {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                out.write_all(m.payload().unwrap_or_default())
                    .map_err(|e| e.to_string())?;
                out.write_all(b"\n").map_err(|e| e.to_string())?;
                seen += 1;
            }
            Some(Err(e)) => eprintln!("bench: consumer: {e}"),
            None if started.elapsed() > Duration::from_secs(300) => {
                return Err(format!("only {seen} of {count} records"))
            }
            None => {}
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_secs_f64())
}
