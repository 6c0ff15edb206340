//! The embedded broker: librdkafka's in-process mock cluster, patched so that it keeps
//! every record (see `vendor/rdkafka-sys/PATCHED.md`).

use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;

/// A one-broker Kafka cluster living in this process; its topics die with it.
pub struct EmbeddedBroker {
    cluster: MockCluster<'static, DefaultProducerContext>,
}

impl EmbeddedBroker {
    pub fn start() -> anyhow::Result<EmbeddedBroker> {
        let cluster = MockCluster::new(1)
            .map_err(|e| anyhow::anyhow!("cannot start the embedded broker: {e}"))?;
        Ok(EmbeddedBroker { cluster })
    }

    /// The address clients connect to (`127.0.0.1:<port>`).
    pub fn bootstrap_servers(&self) -> String {
        self.cluster.bootstrap_servers()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
    use rdkafka::ClientConfig;

    use super::*;

    /// Unpatched, the mock keeps ~5 MiB (and 100,000 message sets) per partition and
    /// silently drops the oldest records: 30 MB must survive whole.
    #[test]
    fn the_embedded_broker_keeps_every_record() {
        let broker = EmbeddedBroker::start().unwrap();
        let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
            .set("bootstrap.servers", broker.bootstrap_servers())
            .set("linger.ms", "0")
            .set("batch.num.messages", "1")
            .set("queue.buffering.max.messages", "1000000")
            .create()
            .unwrap();
        let payload = [b'x'; 100];
        let count = 300_000;
        for _ in 0..count {
            let mut record = BaseRecord::<(), [u8]>::to("retention").payload(&payload[..]);
            while let Err((_, back)) = producer.send(record) {
                record = back;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        producer.flush(Duration::from_secs(60)).unwrap();
        let (low, high) = producer
            .client()
            .fetch_watermarks("retention", 0, Duration::from_secs(10))
            .unwrap();
        assert_eq!((low, high), (0, count), "records were dropped");
    }

    #[test]
    fn auto_created_topics_have_one_partition_like_kafkas_default() {
        let broker = EmbeddedBroker::start().unwrap();
        let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
            .set("bootstrap.servers", broker.bootstrap_servers())
            .create()
            .unwrap();
        producer
            .send(BaseRecord::<(), [u8]>::to("auto").payload(&b"x"[..]))
            .map_err(|(e, _)| e)
            .unwrap();
        producer.flush(Duration::from_secs(10)).unwrap();
        let metadata = producer
            .client()
            .fetch_metadata(Some("auto"), Duration::from_secs(10))
            .unwrap();
        assert_eq!(metadata.topics()[0].partitions().len(), 1);
    }
}
