//! Outlets: publishing samples with their own timestamps.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use crate::library::{Api, Handle, check};
use crate::{LslError, StreamInfo};

/// An owned `lsl_outlet`: the stream is visible on the network while this lives.
pub struct Outlet {
    api: Arc<Api>,
    handle: Handle,
    channels: usize,
}

// SAFETY: liblsl's outlets may be used from any thread (its C API is thread-safe); the handle
// is only reached through `&mut self` or `&self` methods that liblsl synchronises itself.
unsafe impl Send for Outlet {}

impl Outlet {
    /// Publishes the stream `info` describes, buffering up to `max_buffered_s` seconds for slow
    /// consumers. Each push is sent at once (no chunking).
    pub fn new(info: &StreamInfo, max_buffered_s: i32) -> Result<Self, LslError> {
        // SAFETY: `info.handle` is a live streaminfo; liblsl copies it.
        let handle = unsafe { (info.api.create_outlet)(info.handle, 0, max_buffered_s) };
        if handle.is_null() {
            return Err(info
                .api
                .error(format!("creating the LSL outlet '{}' failed", info.name())));
        }
        Ok(Self {
            api: Arc::clone(&info.api),
            handle,
            channels: info.channel_count(),
        })
    }

    /// Pushes one sample of a numeric stream with its capture time on the LSL clock.
    pub fn push_f32(&mut self, sample: &[f32], timestamp: f64) -> Result<(), LslError> {
        if sample.len() != self.channels {
            return Err(LslError::new(format!(
                "a sample of {} values for a stream of {} channels",
                sample.len(),
                self.channels
            )));
        }
        // SAFETY: `sample` holds exactly the stream's channel count of floats.
        let code =
            unsafe { (self.api.push_sample_ftp)(self.handle, sample.as_ptr(), timestamp, 1) };
        check(code, "pushing a sample")
    }

    /// Pushes one string sample of a one-channel string stream (a marker); a NUL in `text`
    /// becomes a space.
    pub fn push_str(&mut self, text: &str, timestamp: f64) -> Result<(), LslError> {
        if self.channels != 1 {
            return Err(LslError::new("string pushes are for one-channel streams"));
        }
        let text = CString::new(text.replace('\0', " ")).expect("NULs were replaced");
        let values: [*const c_char; 1] = [text.as_ptr()];
        // SAFETY: one string pointer for the one channel; the string outlives the call and
        // liblsl copies it.
        let code =
            unsafe { (self.api.push_sample_strtp)(self.handle, values.as_ptr(), timestamp, 1) };
        check(code, "pushing a marker")
    }

    /// Whether a consumer is connected.
    pub fn have_consumers(&self) -> bool {
        // SAFETY: `handle` is a live outlet.
        unsafe { (self.api.have_consumers)(self.handle) != 0 }
    }

    /// Waits up to `timeout` seconds for a consumer to connect; whether one did.
    pub fn wait_for_consumers(&self, timeout: f64) -> bool {
        // SAFETY: `handle` is a live outlet.
        unsafe { (self.api.wait_for_consumers)(self.handle, timeout) != 0 }
    }
}

impl Drop for Outlet {
    fn drop(&mut self) {
        // SAFETY: `handle` is owned by this value and not used after this.
        unsafe { (self.api.destroy_outlet)(self.handle) }
    }
}
