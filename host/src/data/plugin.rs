//! A converter from a plugin library.

use std::borrow::Cow;

use abi_stable::std_types::{RSlice, RStr};
use plugin_abi::data::{Schema, Value};
use plugin_abi::ffi::{props_to_ffi, ConverterBox};
use plugin_abi::Props;

use super::converter::{ConversionError, Converter};
use crate::plugins::PluginInfo;

/// A configured plugin converter.
pub struct PluginConverter(ConverterBox);

impl PluginConverter {
    pub fn new(plugin: &PluginInfo, props: &Props, is_key: bool) -> Result<Self, ConversionError> {
        let mut instance = plugin.new_converter().map_err(ConversionError)?;
        instance
            .configure(props_to_ffi(props), is_key)
            .into_result()
            .map_err(|e| ConversionError(e.message.into_string()))?;
        Ok(PluginConverter(instance))
    }
}

impl Converter for PluginConverter {
    fn from_connect<'a>(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &'a Value,
    ) -> Result<Option<Cow<'a, [u8]>>, ConversionError> {
        self.0
            .from_connect(RStr::from(topic), schema.into(), value)
            .into_result()
            .map(|bytes| bytes.into_option().map(|b| Cow::Owned(b.into_vec())))
            .map_err(|e| ConversionError(e.message.into_string()))
    }

    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<(Option<Schema>, Value), ConversionError> {
        self.0
            .to_connect(RStr::from(topic), bytes.map(RSlice::from_slice).into())
            .into_result()
            .map(|pair| (pair.0.into_option(), pair.1))
            .map_err(|e| ConversionError(e.message.into_string()))
    }
}
