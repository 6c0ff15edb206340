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
