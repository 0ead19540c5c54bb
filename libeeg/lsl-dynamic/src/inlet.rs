//! Inlets: receiving a resolved stream's samples in chunks.

use std::ffi::c_ulong;
use std::sync::Arc;

use crate::library::{Api, Handle, check};
use crate::{LslError, StreamInfo};

/// An owned `lsl_inlet`, subscribed to one stream.
pub struct Inlet {
    api: Arc<Api>,
    handle: Handle,
    channels: usize,
}

// SAFETY: liblsl's inlets may be moved to and used from another thread; this binding uses each
// inlet from one thread at a time (`&mut self` for pulls).
unsafe impl Send for Inlet {}

impl Inlet {
    /// An inlet for the resolved stream `info`, buffering up to `max_buffered_s` seconds, and
    /// reconnecting by itself when a stream with a source id comes back.
    pub fn new(info: &StreamInfo, max_buffered_s: i32) -> Result<Self, LslError> {
        // SAFETY: `info.handle` is a live streaminfo; liblsl copies it.
        let handle = unsafe { (info.api.create_inlet)(info.handle, max_buffered_s, 0, 1) };
        if handle.is_null() {
            return Err(info
                .api
                .error(format!("creating an inlet for '{}' failed", info.name())));
        }
        Ok(Self {
            api: Arc::clone(&info.api),
            handle,
            channels: info.channel_count(),
        })
    }

    /// Channels per sample.
    pub fn channel_count(&self) -> usize {
        self.channels
    }

    /// Subscribes now, waiting up to `timeout` seconds: samples pushed from then on are kept.
    pub fn open(&mut self, timeout: f64) -> Result<(), LslError> {
        let mut ec = 0;
        // SAFETY: `handle` is a live inlet; `ec` is a valid place for the error code.
        unsafe { (self.api.open_stream)(self.handle, timeout, &mut ec) };
        check(ec, "opening the stream")
    }

    /// The stream's complete info, with its description.
    pub fn full_info(&mut self, timeout: f64) -> Result<StreamInfo, LslError> {
        let mut ec = 0;
        // SAFETY: as in `open`; the returned info is ours to destroy.
        let handle = unsafe { (self.api.get_fullinfo)(self.handle, timeout, &mut ec) };
        check(ec, "reading the stream info")?;
        if handle.is_null() {
            return Err(self.api.error("reading the stream info failed"));
        }
        Ok(StreamInfo::from_handle(Arc::clone(&self.api), handle))
    }

    /// Seconds to add to the stream's timestamps to put them on this machine's LSL clock.
    pub fn time_correction(&mut self, timeout: f64) -> Result<f64, LslError> {
        let mut ec = 0;
        // SAFETY: as in `open`.
        let correction = unsafe { (self.api.time_correction)(self.handle, timeout, &mut ec) };
        check(ec, "estimating the clock offset")?;
        Ok(correction)
    }

    /// Pulls the samples that arrive within `timeout` seconds (at most what the buffers hold):
    /// `data` gets them interleaved, `timestamps` their times on the sender's LSL clock.
    /// Returns how many samples were written.
    pub fn pull_chunk(
        &mut self,
        data: &mut [f32],
        timestamps: &mut [f64],
        timeout: f64,
    ) -> Result<usize, LslError> {
        let samples = timestamps.len().min(data.len() / self.channels.max(1));
        let mut ec = 0;
        // SAFETY: `data` holds `samples * channels` floats and `timestamps` `samples` doubles,
        // the sizes passed; `ec` is a valid place for the error code.
        let written = unsafe {
            (self.api.pull_chunk_f)(
                self.handle,
                data.as_mut_ptr(),
                timestamps.as_mut_ptr(),
                (samples * self.channels) as c_ulong,
                samples as c_ulong,
                timeout,
                &mut ec,
            )
        };
        check(ec, "receiving samples")?;
        Ok(written as usize / self.channels.max(1))
    }
}

impl Drop for Inlet {
    fn drop(&mut self) {
        // SAFETY: `handle` is owned by this value and not used after this.
        unsafe { (self.api.destroy_inlet)(self.handle) }
    }
}
