//! One plaintext connection to a Kafka broker, speaking its wire protocol with the
//! `kafka-protocol` crate: size-prefixed frames, one request in flight at a time, API versions
//! negotiated with ApiVersions when the connection opens.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use thiserror::Error;

/// Responses larger than this are refused (a group of thousands of members stays far below).
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// A failed exchange with a broker.
#[derive(Debug, Error)]
pub enum WireError {
    #[error("cannot reach broker {address}: {source}")]
    Connect { address: String, source: io::Error },
    #[error("broker {address}: {source}")]
    Io { address: String, source: io::Error },
    #[error("broker {address} sent a malformed response: {detail}")]
    Malformed { address: String, detail: String },
    #[error(
        "broker {address} supports none of versions {wanted:?} of API {api:?} (it has {has:?})"
    )]
    Unsupported {
        address: String,
        api: ApiKey,
        wanted: RangeInclusive<i16>,
        has: RangeInclusive<i16>,
    },
}

/// A blocking connection to one broker.
pub struct Connection {
    address: String,
    stream: TcpStream,
    client_id: StrBytes,
    correlation: i32,
    /// API key → the broker's supported version range (empty if ApiVersions failed).
    versions: BTreeMap<i16, RangeInclusive<i16>>,
}

impl Connection {
    /// Connects to `address` (`host:port`) and asks which API versions the broker supports.
    pub fn open(
        address: &str,
        client_id: &str,
        timeout: Duration,
    ) -> Result<Connection, WireError> {
        let connect_err = |source| WireError::Connect {
            address: address.to_string(),
            source,
        };
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address resolved");
        let mut stream = None;
        for addr in address.to_socket_addrs().map_err(connect_err)? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let stream = stream.ok_or_else(|| connect_err(last))?;
        let _ = stream.set_nodelay(true);
        let mut conn = Connection {
            address: address.to_string(),
            stream,
            client_id: StrBytes::from_string(client_id.to_string()),
            correlation: 0,
            versions: BTreeMap::new(),
        };
        // v0: every broker answers it (a newer one answers v0 even to versions it lacks).
        let response = conn.call(&ApiVersionsRequest::default(), 0, timeout)?;
        if response.error_code == 0 {
            conn.versions = response
                .api_keys
                .iter()
                .map(|k| (k.api_key, k.min_version..=k.max_version))
                .collect();
        }
        Ok(conn)
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// A handle that can abort a blocking call from another thread (by shutting the socket).
    pub fn aborter(&self) -> Option<TcpStream> {
        self.stream.try_clone().ok()
    }

    /// The highest version of `api` both we (`ours`) and the broker support. A broker that did
    /// not list the API is assumed to support our highest.
    pub fn version(&self, api: ApiKey, ours: RangeInclusive<i16>) -> Result<i16, WireError> {
        let Some(has) = self.versions.get(&(api as i16)) else {
            return Ok(*ours.end());
        };
        let top = (*ours.end()).min(*has.end());
        if top < *ours.start() || top < *has.start() {
            return Err(WireError::Unsupported {
                address: self.address.clone(),
                api,
                wanted: ours,
                has: has.clone(),
            });
        }
        Ok(top)
    }

    /// Sends `request` as `version` and waits up to `timeout` for its response.
    pub fn call<R: Request>(
        &mut self,
        request: &R,
        version: i16,
        timeout: Duration,
    ) -> Result<R::Response, WireError> {
        self.correlation = self.correlation.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation)
            .with_client_id(Some(self.client_id.clone()));
        let mut frame = vec![0u8; 4];
        header
            .encode(&mut frame, R::header_version(version))
            .and_then(|_| request.encode(&mut frame, version))
            .map_err(|e| self.malformed(format!("cannot encode request: {e}")))?;
        let size = i32::try_from(frame.len() - 4)
            .map_err(|_| self.malformed("request too large".to_string()))?;
        frame[..4].copy_from_slice(&size.to_be_bytes());

        let timeout = timeout.max(Duration::from_millis(1));
        let io_err = |source| WireError::Io {
            address: self.address.clone(),
            source,
        };
        self.stream
            .set_write_timeout(Some(timeout))
            .map_err(io_err)?;
        self.stream
            .set_read_timeout(Some(timeout))
            .map_err(io_err)?;
        self.stream.write_all(&frame).map_err(io_err)?;
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).map_err(io_err)?;
        let size = i32::from_be_bytes(size);
        let size = usize::try_from(size)
            .ok()
            .filter(|s| *s <= MAX_RESPONSE)
            .ok_or_else(|| self.malformed(format!("response size {size}")))?;
        let mut body = vec![0u8; size];
        self.stream.read_exact(&mut body).map_err(io_err)?;

        let mut body = Bytes::from(body);
        let header = ResponseHeader::decode(&mut body, R::Response::header_version(version))
            .map_err(|e| self.malformed(format!("response header: {e}")))?;
        if header.correlation_id != self.correlation {
            return Err(self.malformed(format!(
                "correlation id {} for request {}",
                header.correlation_id, self.correlation
            )));
        }
        R::Response::decode(&mut body, version)
            .map_err(|e| self.malformed(format!("{:?} v{version}: {e}", api_name::<R>())))
    }

    fn malformed(&self, detail: String) -> WireError {
        WireError::Malformed {
            address: self.address.clone(),
            detail,
        }
    }
}

fn api_name<R: Request>() -> Option<ApiKey> {
    ApiKey::try_from(R::KEY).ok()
}
