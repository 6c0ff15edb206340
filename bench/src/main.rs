//! Raw-client baselines measured by `cargo xtask bench` beside the worker, on the same
//! broker and data:
//!
//! - `bench produce BOOTSTRAP TOPIC FILE`: sends each line of FILE as a record, with the
//!   worker's source producer settings; prints the seconds until every record is acked;
//! - `bench consume BOOTSTRAP TOPIC FILE COUNT`: reads COUNT records and writes each value
//!   as a line of FILE, as FileStreamSink does; prints the seconds it took.

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
        ["consume", bootstrap, topic, file, count] => count
            .parse()
            .map_err(|e| format!("bad count: {e}"))
            .and_then(|n| consume(bootstrap, topic, file, n)),
        _ => Err(
            "usage: bench produce BOOTSTRAP TOPIC FILE | consume BOOTSTRAP TOPIC FILE COUNT".into(),
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

/// The worker's source producer settings (see host/src/kafka/client_config.rs).
fn produce(bootstrap: &str, topic: &str, file: &str) -> Result<f64, String> {
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", "0")
        .set("linger.ms", "5")
        .set("batch.num.messages", "10000")
        .create()
        .map_err(|e| e.to_string())?;
    let reader = BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(file).map_err(|e| e.to_string())?,
    );
    let started = Instant::now();
    for line in reader.split(b'\n') {
        let line = line.map_err(|e| e.to_string())?;
        let mut record = BaseRecord::<(), [u8]>::to(topic).payload(&line[..]);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err((e, _)) => return Err(e.to_string()),
            }
        }
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
