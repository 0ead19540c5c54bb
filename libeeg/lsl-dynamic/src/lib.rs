//! A minimal safe binding to liblsl, the Lab Streaming Layer library, loaded at run time.
//!
//! liblsl is opened with `dlopen` when [`Lsl::load`] is called: from the path in the
//! `LSL_LIB` environment variable, else by its usual names ([`LIBRARY_NAMES`]). Nothing is
//! needed to build or test the workspace; a program that asks for LSL without the library gets
//! an [`LslError`] that says how to install it ([`INSTALL_HELP`]).
//!
//! Only what eegreader (an outlet and a marker outlet) and eegviewer (an inlet) use is bound:
//! stream infos with their XML description ([`StreamInfo`], [`Element`]), [`Outlet`],
//! [`Inlet`], resolving ([`Lsl::resolve_by_name`], [`Lsl::resolve_all`]) and the LSL clock
//! ([`Lsl::local_clock`]). Every handle frees its liblsl object when dropped.
//!
//! This is a crate of its own rather than a module of libeeg: libeeg is sans-IO and, like the
//! rest of the workspace, forbids unsafe code; calling C needs it, so it is kept here.

mod error;
mod info;
mod inlet;
mod library;
mod outlet;

use std::ffi::{CString, OsString};
use std::sync::Arc;

pub use error::LslError;
pub use info::{ChannelFormat, Element, StreamInfo};
pub use inlet::Inlet;
pub use library::{INSTALL_HELP, LIBRARY_NAMES, LSL_LIB_VAR};
pub use outlet::Outlet;

use library::Api;

/// `nominal_srate` of a stream without a regular rate (`LSL_IRREGULAR_RATE`).
pub const IRREGULAR_RATE: f64 = 0.0;

/// The loaded liblsl. Cheap to clone; the library stays loaded while a clone or any handle
/// made from it lives.
#[derive(Clone)]
pub struct Lsl {
    api: Arc<Api>,
}

impl Lsl {
    /// Loads liblsl from `LSL_LIB` (a full path) or else the usual names.
    pub fn load() -> Result<Self, LslError> {
        Api::load().map(|api| Self { api })
    }

    /// Loads liblsl from `path` if given (as `LSL_LIB` would), else from the usual names.
    pub fn load_from(path: Option<OsString>) -> Result<Self, LslError> {
        Api::load_from(path).map(|api| Self { api })
    }

    /// liblsl's version, e.g. 116 for 1.16.
    pub fn library_version(&self) -> i32 {
        // SAFETY: takes no arguments and only reads a constant.
        unsafe { (self.api.library_version)() }
    }

    /// LSL's clock, in seconds: the time base of every LSL timestamp on this machine.
    pub fn local_clock(&self) -> f64 {
        // SAFETY: takes no arguments.
        unsafe { (self.api.local_clock)() }
    }

    /// The streams named `name` seen within `timeout` seconds (returns as soon as one is seen).
    pub fn resolve_by_name(&self, name: &str, timeout: f64) -> Result<Vec<StreamInfo>, LslError> {
        let prop = c"name";
        let value = c_string(name)?;
        self.resolve(|buffer, len| {
            // SAFETY: `buffer` holds `len` handle slots; the strings are NUL-terminated and
            // outlive the call.
            unsafe {
                (self.api.resolve_byprop)(buffer, len, prop.as_ptr(), value.as_ptr(), 1, timeout)
            }
        })
    }

    /// Every stream seen within `wait` seconds.
    pub fn resolve_all(&self, wait: f64) -> Result<Vec<StreamInfo>, LslError> {
        self.resolve(|buffer, len| {
            // SAFETY: `buffer` holds `len` handle slots.
            unsafe { (self.api.resolve_all)(buffer, len, wait) }
        })
    }

    fn resolve(
        &self,
        call: impl FnOnce(*mut library::Handle, u32) -> i32,
    ) -> Result<Vec<StreamInfo>, LslError> {
        const MAX_STREAMS: usize = 64;
        let mut buffer = [std::ptr::null_mut(); MAX_STREAMS];
        let found = call(buffer.as_mut_ptr(), MAX_STREAMS as u32);
        if found < 0 {
            return Err(self.api.error(format!(
                "resolving streams failed ({})",
                library::error_code(found)
            )));
        }
        Ok(buffer[..(found as usize).min(MAX_STREAMS)]
            .iter()
            .filter(|handle| !handle.is_null())
            // The resolver hands over ownership of each info it wrote.
            .map(|&handle| StreamInfo::from_handle(Arc::clone(&self.api), handle))
            .collect())
    }
}

/// `text` as a C string; an interior NUL is refused.
fn c_string(text: &str) -> Result<CString, LslError> {
    CString::new(text).map_err(|_| LslError::new(format!("{text:?} contains a NUL character")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_says_how_to_install_it() {
        let path = std::env::temp_dir().join("no-such-dir-for-lsl/liblsl.so");
        let error = Lsl::load_from(Some(path.clone().into()))
            .err()
            .expect("no library there");
        let message = error.to_string();
        assert!(message.contains("LSL_LIB="), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("pip install pylsl"), "{message}");
        assert!(
            message.contains("github.com/sccn/liblsl/releases"),
            "{message}"
        );
        assert!(
            message.contains("conda install -c conda-forge liblsl"),
            "{message}"
        );
    }
}
