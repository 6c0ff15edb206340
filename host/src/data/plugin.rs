//! A converter or header converter from a plugin library.

use std::borrow::Cow;

use abi_stable::std_types::{RSlice, RStr};
use plugin_abi::data::{Schema, Value};
use plugin_abi::errors::ErrorKind;
use plugin_abi::ffi::{props_to_ffi, ConverterBox, HeaderConverterBox, PluginError};
use plugin_abi::Props;

use super::converter::{ConversionError, Converter};
use super::header::HeaderConverter;
use crate::config::{Failure, RetryPolicy};
use crate::plugins::PluginInfo;

/// A configured plugin converter; retriable failures are tried again per the connector's
/// `errors.retry.*` settings.
pub struct PluginConverter {
    instance: ConverterBox,
    retry: RetryPolicy,
}

fn plugin_failed(e: PluginError) -> ConversionError {
    ConversionError(e.message.into_string())
}

fn failure(e: PluginError) -> Failure {
    Failure {
        retriable: e.kind == ErrorKind::Retriable,
        message: e.message.into_string(),
    }
}

impl PluginConverter {
    pub fn new(
        plugin: &PluginInfo,
        props: &Props,
        is_key: bool,
        retry: RetryPolicy,
    ) -> Result<Self, ConversionError> {
        let mut instance = plugin.new_converter().map_err(ConversionError)?;
        instance
            .configure(props_to_ffi(props), is_key)
            .into_result()
            .map_err(plugin_failed)?;
        Ok(PluginConverter { instance, retry })
    }
}

impl Converter for PluginConverter {
    fn from_connect<'a>(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError> {
        self.retry
            .run(|| {
                self.instance
                    .from_connect(RStr::from(topic), schema.into(), value)
                    .into_result()
                    .map_err(failure)
            })
            .map(|bytes| bytes.into_option().map(|b| Cow::Owned(b.into_vec())))
            .map_err(ConversionError)
    }

    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        self.retry
            .run(|| {
                self.instance
                    .to_connect(RStr::from(topic), bytes.map(RSlice::from_slice).into())
                    .into_result()
                    .map_err(failure)
            })
            .map(|pair| (pair.0.into_option(), pair.1))
            .map_err(ConversionError)
    }
}

/// A configured plugin header converter.
pub struct PluginHeaderConverter(HeaderConverterBox);

impl PluginHeaderConverter {
    pub fn new(plugin: &PluginInfo, props: &Props) -> Result<Self, ConversionError> {
        let mut instance = plugin.new_header_converter().map_err(ConversionError)?;
        instance
            .configure(props_to_ffi(props))
            .into_result()
            .map_err(plugin_failed)?;
        Ok(PluginHeaderConverter(instance))
    }
}

impl HeaderConverter for PluginHeaderConverter {
    fn from_connect_header(
        &self,
        topic: &str,
        header: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConversionError> {
        self.0
            .from_connect_header(RStr::from(topic), RStr::from(header), schema.into(), value)
            .into_result()
            .map(|bytes| bytes.into_option().map(|b| b.into_vec()))
            .map_err(plugin_failed)
    }

    fn to_connect_header(
        &self,
        topic: &str,
        header: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        self.0
            .to_connect_header(
                RStr::from(topic),
                RStr::from(header),
                bytes.map(RSlice::from_slice).into(),
            )
            .into_result()
            .map(|pair| (pair.0.into_option(), pair.1))
            .map_err(plugin_failed)
    }
}
