//! The viewer's parts that need no window: reading eegreader's output (and recordings) on its
//! own thread, and the signal processing behind the plots. The egui window is issue #4's next
//! step; `main.rs` says so until then.
#![forbid(unsafe_code)]

pub mod ingest;
pub mod signal;
