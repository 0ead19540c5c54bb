//! Finding and loading liblsl, and the table of the C functions this binding calls.
//!
//! The signatures follow liblsl's C headers (`lsl/common.h`, `streaminfo.h`, `xml.h`,
//! `outlet.h`, `inlet.h`, `resolver.h`); the opaque handle types are plain pointers.

use std::ffi::{CStr, OsString, c_char, c_ulong, c_void};
use std::path::PathBuf;
use std::sync::Arc;

use libloading::Library;

use crate::error::LslError;

/// An `lsl_streaminfo`, `lsl_outlet`, `lsl_inlet` or `lsl_xml_ptr` handle.
pub(crate) type Handle = *mut c_void;

/// The environment variable naming liblsl's full path.
pub const LSL_LIB_VAR: &str = "LSL_LIB";

/// File names tried, in order, when [`LSL_LIB_VAR`] is not set.
pub const LIBRARY_NAMES: &[&str] = &[
    "liblsl.so.2",
    "liblsl.so",
    "liblsl.so.1",
    "lsl.dll",
    "liblsl.dylib",
];

/// How to get liblsl, appended to every load failure.
pub const INSTALL_HELP: &str = "\
install liblsl (Lab Streaming Layer), then point LSL_LIB at it if it is not on the library path:
  pip install pylsl  (ships it: LSL_LIB=.../site-packages/pylsl/lib/liblsl.so)
  or a release package from https://github.com/sccn/liblsl/releases
  or conda install -c conda-forge liblsl";

/// The loaded library and the functions this binding uses. Handles keep an `Arc` of it, so the
/// library stays loaded while any of them lives.
pub(crate) struct Api {
    pub library_version: unsafe extern "C" fn() -> i32,
    pub last_error: unsafe extern "C" fn() -> *const c_char,
    pub local_clock: unsafe extern "C" fn() -> f64,
    pub create_streaminfo: unsafe extern "C" fn(
        name: *const c_char,
        kind: *const c_char,
        channel_count: i32,
        nominal_srate: f64,
        channel_format: i32,
        source_id: *const c_char,
    ) -> Handle,
    pub destroy_streaminfo: unsafe extern "C" fn(info: Handle),
    pub get_name: unsafe extern "C" fn(info: Handle) -> *const c_char,
    pub get_type: unsafe extern "C" fn(info: Handle) -> *const c_char,
    pub get_source_id: unsafe extern "C" fn(info: Handle) -> *const c_char,
    pub get_hostname: unsafe extern "C" fn(info: Handle) -> *const c_char,
    pub get_channel_count: unsafe extern "C" fn(info: Handle) -> i32,
    pub get_nominal_srate: unsafe extern "C" fn(info: Handle) -> f64,
    pub get_channel_format: unsafe extern "C" fn(info: Handle) -> i32,
    pub get_desc: unsafe extern "C" fn(info: Handle) -> Handle,
    pub append_child: unsafe extern "C" fn(element: Handle, name: *const c_char) -> Handle,
    pub append_child_value:
        unsafe extern "C" fn(element: Handle, name: *const c_char, value: *const c_char) -> Handle,
    pub child: unsafe extern "C" fn(element: Handle, name: *const c_char) -> Handle,
    pub child_value_n: unsafe extern "C" fn(element: Handle, name: *const c_char) -> *const c_char,
    pub create_outlet:
        unsafe extern "C" fn(info: Handle, chunk_size: i32, max_buffered: i32) -> Handle,
    pub destroy_outlet: unsafe extern "C" fn(outlet: Handle),
    pub push_sample_ftp: unsafe extern "C" fn(
        outlet: Handle,
        data: *const f32,
        timestamp: f64,
        pushthrough: i32,
    ) -> i32,
    pub push_sample_strtp: unsafe extern "C" fn(
        outlet: Handle,
        data: *const *const c_char,
        timestamp: f64,
        pushthrough: i32,
    ) -> i32,
    pub wait_for_consumers: unsafe extern "C" fn(outlet: Handle, timeout: f64) -> i32,
    pub have_consumers: unsafe extern "C" fn(outlet: Handle) -> i32,
    pub resolve_all:
        unsafe extern "C" fn(buffer: *mut Handle, buffer_elements: u32, wait_time: f64) -> i32,
    pub resolve_byprop: unsafe extern "C" fn(
        buffer: *mut Handle,
        buffer_elements: u32,
        prop: *const c_char,
        value: *const c_char,
        minimum: i32,
        timeout: f64,
    ) -> i32,
    pub create_inlet: unsafe extern "C" fn(
        info: Handle,
        max_buflen: i32,
        max_chunklen: i32,
        recover: i32,
    ) -> Handle,
    pub destroy_inlet: unsafe extern "C" fn(inlet: Handle),
    pub get_fullinfo: unsafe extern "C" fn(inlet: Handle, timeout: f64, ec: *mut i32) -> Handle,
    pub open_stream: unsafe extern "C" fn(inlet: Handle, timeout: f64, ec: *mut i32),
    pub time_correction: unsafe extern "C" fn(inlet: Handle, timeout: f64, ec: *mut i32) -> f64,
    pub pull_chunk_f: unsafe extern "C" fn(
        inlet: Handle,
        data: *mut f32,
        timestamps: *mut f64,
        data_elements: c_ulong,
        timestamp_elements: c_ulong,
        timeout: f64,
        ec: *mut i32,
    ) -> c_ulong,
    /// Last, so that it is dropped after nothing can call the functions above.
    _library: Library,
}

impl Api {
    /// Loads liblsl from `LSL_LIB` (a full path) or else the usual library names.
    pub fn load() -> Result<Arc<Api>, LslError> {
        Self::load_from(std::env::var_os(LSL_LIB_VAR))
    }

    /// Loads liblsl from `explicit` if given, else from the usual names.
    pub fn load_from(explicit: Option<OsString>) -> Result<Arc<Api>, LslError> {
        let (library, tried) = match explicit {
            Some(path) => {
                let path = PathBuf::from(path);
                // SAFETY: loading runs liblsl's initialisers, which only set up its own state.
                let loaded = unsafe { Library::new(&path) };
                let library = loaded.map_err(|e| {
                    LslError::new(format!(
                        "cannot load liblsl from {LSL_LIB_VAR}={}: {e}",
                        path.display()
                    ))
                    .help(INSTALL_HELP)
                })?;
                (library, path.display().to_string())
            }
            None => {
                let found = LIBRARY_NAMES.iter().find_map(|name| {
                    // SAFETY: as above.
                    unsafe { Library::new(name) }.ok().map(|lib| (lib, *name))
                });
                let (library, name) = found.ok_or_else(|| {
                    LslError::new(format!(
                        "liblsl not found (tried {LSL_LIB_VAR} and {})",
                        LIBRARY_NAMES.join(", ")
                    ))
                    .help(INSTALL_HELP)
                })?;
                (library, name.to_string())
            }
        };
        Self::bind(library).map_err(|e| {
            LslError::new(format!(
                "{tried} is not a usable liblsl: {e} (liblsl 1.14 or newer is needed)"
            ))
            .help(INSTALL_HELP)
        })
    }

    fn bind(library: Library) -> Result<Arc<Api>, libloading::Error> {
        /// Looks up one function; the field's type gives the signature.
        macro_rules! function {
            ($name:literal) => {
                // SAFETY: the field this initialises has the signature of this function in
                // liblsl's C header, and `library` outlives the pointer (it is kept in `Api`).
                *unsafe { library.get(concat!($name, "\0").as_bytes())? }
            };
        }
        Ok(Arc::new(Api {
            library_version: function!("lsl_library_version"),
            last_error: function!("lsl_last_error"),
            local_clock: function!("lsl_local_clock"),
            create_streaminfo: function!("lsl_create_streaminfo"),
            destroy_streaminfo: function!("lsl_destroy_streaminfo"),
            get_name: function!("lsl_get_name"),
            get_type: function!("lsl_get_type"),
            get_source_id: function!("lsl_get_source_id"),
            get_hostname: function!("lsl_get_hostname"),
            get_channel_count: function!("lsl_get_channel_count"),
            get_nominal_srate: function!("lsl_get_nominal_srate"),
            get_channel_format: function!("lsl_get_channel_format"),
            get_desc: function!("lsl_get_desc"),
            append_child: function!("lsl_append_child"),
            append_child_value: function!("lsl_append_child_value"),
            child: function!("lsl_child"),
            child_value_n: function!("lsl_child_value_n"),
            create_outlet: function!("lsl_create_outlet"),
            destroy_outlet: function!("lsl_destroy_outlet"),
            push_sample_ftp: function!("lsl_push_sample_ftp"),
            push_sample_strtp: function!("lsl_push_sample_strtp"),
            wait_for_consumers: function!("lsl_wait_for_consumers"),
            have_consumers: function!("lsl_have_consumers"),
            resolve_all: function!("lsl_resolve_all"),
            resolve_byprop: function!("lsl_resolve_byprop"),
            create_inlet: function!("lsl_create_inlet"),
            destroy_inlet: function!("lsl_destroy_inlet"),
            get_fullinfo: function!("lsl_get_fullinfo"),
            open_stream: function!("lsl_open_stream"),
            time_correction: function!("lsl_time_correction"),
            pull_chunk_f: function!("lsl_pull_chunk_f"),
            _library: library,
        }))
    }

    /// liblsl's explanation of its last failure, or "" when it has none.
    pub fn last_error(&self) -> String {
        // SAFETY: takes no arguments; returns a library-owned string or null.
        let text = unsafe { (self.last_error)() };
        // SAFETY: a non-null result is a NUL-terminated string valid until the next LSL call.
        unsafe { string(text) }
    }

    /// An error for a failed `what`, with liblsl's last error if it has one.
    pub fn error(&self, what: impl Into<String>) -> LslError {
        let what = what.into();
        match self.last_error() {
            detail if detail.is_empty() => LslError::new(what),
            detail => LslError::new(format!("{what}: {detail}")),
        }
    }
}

/// A copy of a C string owned by liblsl; "" for null.
///
/// # Safety
/// `text` is null or points to a NUL-terminated string that stays valid during the call.
pub(crate) unsafe fn string(text: *const c_char) -> String {
    if text.is_null() {
        return String::new();
    }
    // SAFETY: non-null and NUL-terminated, per this function's contract.
    unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned()
}

/// The meaning of a negative liblsl error code (`lsl_error_code_t`).
pub(crate) fn error_code(code: i32) -> &'static str {
    match code {
        -1 => "timed out",
        -2 => "the stream was lost",
        -3 => "invalid argument",
        -4 => "internal error",
        _ => "unknown error",
    }
}

/// `Ok` for liblsl's `lsl_no_error`; otherwise an error saying that `what` failed and why.
pub(crate) fn check(code: i32, what: &str) -> Result<(), LslError> {
    match code {
        0 => Ok(()),
        code => Err(LslError::new(format!(
            "{what} failed: {}",
            error_code(code)
        ))),
    }
}
