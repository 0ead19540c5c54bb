//! The viewer: reading eegreader's output (and recordings) on its own thread, the signal
//! processing behind the plots, and the egui window that shows them.
#![forbid(unsafe_code)]

pub mod app;
pub mod ingest;
pub mod signal;
