//! Stream infos: a stream's name, type, channels and rate, and its XML description.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::library::{Api, Handle, string};
use crate::{Lsl, LslError, c_string};

/// The value type of every channel of a stream (`lsl_channel_format_t`). Only the formats this
/// workspace sends are listed; [`StreamInfo::channel_format`] reports any other as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelFormat {
    /// 32-bit floats (physical units, e.g. microvolts).
    Float32,
    /// Variable-length strings (markers).
    String,
    /// Any other format, by its liblsl code (doubles, integers); numeric unless 0 (undefined).
    Other(i32),
}

impl ChannelFormat {
    fn code(self) -> i32 {
        match self {
            ChannelFormat::Float32 => 1,
            ChannelFormat::String => 3,
            ChannelFormat::Other(code) => code,
        }
    }

    fn from_code(code: i32) -> Self {
        match code {
            1 => ChannelFormat::Float32,
            3 => ChannelFormat::String,
            other => ChannelFormat::Other(other),
        }
    }

    /// Whether samples can be read as numbers (liblsl converts them to floats).
    pub fn is_numeric(self) -> bool {
        !matches!(self, ChannelFormat::String | ChannelFormat::Other(0))
    }
}

/// An owned `lsl_streaminfo`.
pub struct StreamInfo {
    pub(crate) api: Arc<Api>,
    pub(crate) handle: Handle,
}

impl StreamInfo {
    /// A new stream's info: `kind` is its content type ("EEG", "Markers"), `nominal_rate_hz`
    /// [`IRREGULAR_RATE`](crate::IRREGULAR_RATE) for event streams, `source_id` what lets
    /// consumers recognise the same source after a restart.
    pub fn new(
        lsl: &Lsl,
        name: &str,
        kind: &str,
        channel_count: usize,
        nominal_rate_hz: f64,
        format: ChannelFormat,
        source_id: &str,
    ) -> Result<Self, LslError> {
        let (name, kind, source_id) = (c_string(name)?, c_string(kind)?, c_string(source_id)?);
        let channels = i32::try_from(channel_count)
            .map_err(|_| LslError::new(format!("{channel_count} channels are too many")))?;
        // SAFETY: the strings are NUL-terminated and outlive the call; liblsl copies them.
        let handle = unsafe {
            (lsl.api.create_streaminfo)(
                name.as_ptr(),
                kind.as_ptr(),
                channels,
                nominal_rate_hz,
                format.code(),
                source_id.as_ptr(),
            )
        };
        if handle.is_null() {
            return Err(lsl.api.error("creating the stream info failed"));
        }
        Ok(Self::from_handle(Arc::clone(&lsl.api), handle))
    }

    /// Takes ownership of `handle`, a non-null `lsl_streaminfo` from `api`.
    pub(crate) fn from_handle(api: Arc<Api>, handle: Handle) -> Self {
        Self { api, handle }
    }

    /// The stream's name.
    pub fn name(&self) -> String {
        // SAFETY: `handle` is a live streaminfo; the string is copied before the next call.
        unsafe { string((self.api.get_name)(self.handle)) }
    }

    /// The content type ("EEG", "Markers", ...).
    pub fn kind(&self) -> String {
        // SAFETY: as in `name`.
        unsafe { string((self.api.get_type)(self.handle)) }
    }

    /// The source id ("" when the source gave none).
    pub fn source_id(&self) -> String {
        // SAFETY: as in `name`.
        unsafe { string((self.api.get_source_id)(self.handle)) }
    }

    /// The machine the stream comes from (known once resolved).
    pub fn hostname(&self) -> String {
        // SAFETY: as in `name`.
        unsafe { string((self.api.get_hostname)(self.handle)) }
    }

    /// Channels per sample.
    pub fn channel_count(&self) -> usize {
        // SAFETY: `handle` is a live streaminfo.
        let count = unsafe { (self.api.get_channel_count)(self.handle) };
        usize::try_from(count).unwrap_or(0)
    }

    /// The advertised sample rate in Hz; [`IRREGULAR_RATE`](crate::IRREGULAR_RATE) for none.
    pub fn nominal_rate_hz(&self) -> f64 {
        // SAFETY: `handle` is a live streaminfo.
        unsafe { (self.api.get_nominal_srate)(self.handle) }
    }

    /// The channels' value type.
    pub fn channel_format(&self) -> ChannelFormat {
        // SAFETY: `handle` is a live streaminfo.
        ChannelFormat::from_code(unsafe { (self.api.get_channel_format)(self.handle) })
    }

    /// The `<desc>` element, for channel labels, units and device facts. A resolved info's
    /// is empty: an inlet's [`full_info`](crate::Inlet::full_info) carries it.
    pub fn desc(&mut self) -> Element<'_> {
        // SAFETY: `handle` is a live streaminfo; the element lives as long as it does.
        let handle = unsafe { (self.api.get_desc)(self.handle) };
        Element {
            api: &self.api,
            handle,
            _info: PhantomData,
        }
    }
}

impl Drop for StreamInfo {
    fn drop(&mut self) {
        // SAFETY: `handle` is owned by this value and not used after this.
        unsafe { (self.api.destroy_streaminfo)(self.handle) }
    }
}

/// An element of a stream info's XML description, borrowed from the info.
pub struct Element<'a> {
    api: &'a Api,
    handle: Handle,
    _info: PhantomData<&'a mut StreamInfo>,
}

impl<'a> Element<'a> {
    /// Appends an empty child element `name` and returns it.
    pub fn append_child(&mut self, name: &str) -> Result<Element<'a>, LslError> {
        let name = c_string(name)?;
        // SAFETY: `handle` is an element of a live info; liblsl copies the name.
        let handle = unsafe { (self.api.append_child)(self.handle, name.as_ptr()) };
        Ok(Element {
            api: self.api,
            handle,
            _info: PhantomData,
        })
    }

    /// Appends `<name>value</name>`.
    pub fn append_child_value(&mut self, name: &str, value: &str) -> Result<(), LslError> {
        let (name, value) = (c_string(name)?, c_string(value)?);
        // SAFETY: as in `append_child`; liblsl copies both strings.
        unsafe { (self.api.append_child_value)(self.handle, name.as_ptr(), value.as_ptr()) };
        Ok(())
    }

    /// The first child element `name`, if there is one.
    pub fn child(&self, name: &str) -> Option<Element<'a>> {
        let name = c_string(name).ok()?;
        // SAFETY: `handle` is an element of a live info.
        let handle = unsafe { (self.api.child)(self.handle, name.as_ptr()) };
        // An absent child comes back as liblsl's empty (null) element.
        (!handle.is_null()).then_some(Element {
            api: self.api,
            handle,
            _info: PhantomData,
        })
    }

    /// The text of the first child element `name` ("" when absent).
    pub fn child_value(&self, name: &str) -> String {
        let Ok(name) = c_string(name) else {
            return String::new();
        };
        // SAFETY: `handle` is an element of a live info; the text is copied at once.
        unsafe { string((self.api.child_value_n)(self.handle, name.as_ptr())) }
    }
}
