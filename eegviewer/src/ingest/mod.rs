//! Ingest: eegreader's output (standard input, text or JSON lines) or a file given for review
//! (CSV recording, saved stream, raw capture) turned into [`Batch`](item::Batch)es of samples and markers for
//! the UI. Nothing here draws; everything here is tested without a display.
//!
//! - [`item`]: what ingest produces ([`Sample`](item::Sample), [`Marker`](item::Marker),
//!   [`Batch`](item::Batch));
//! - [`line`](mod@line): one line of either format, with detection ([`LineParser`](line::LineParser));
//!   the formats in [`text`] and [`json`] (over the minimal reader in [`flat_json`]), their
//!   numbers in [`field`];
//! - [`batch`], [`stream`]: lines to batches, sans-IO;
//! - [`reader`]: the ingest thread feeding the UI through a bounded channel
//!   ([`reader::spawn_stdin_ingest`], [`reader::spawn_ingest`]);
//! - [`lsl`]: a Lab Streaming Layer stream instead of standard input
//!   ([`lsl::LslInput::open`], [`lsl::spawn_lsl_ingest`]);
//! - [`files`]: a file opened for review ([`files::open_review`]), with [`csv_recording`] and
//!   [`raw_capture`].
//!
//! Use from the UI:
//!
//! ```ignore
//! let (sender, receiver) = ingest::reader::channel();
//! let ctx = cc.egui_ctx.clone();
//! ingest::reader::spawn_stdin_ingest(sender, move || ctx.request_repaint())?;
//! // each frame: drain `receiver.try_recv()` within a time budget; never join the thread.
//! ```

pub mod batch;
pub mod csv_recording;
pub mod field;
pub mod files;
pub mod flat_json;
pub mod item;
pub mod json;
pub mod line;
pub mod lsl;
pub mod raw_capture;
pub mod reader;
pub mod stream;
pub mod text;

#[cfg(test)]
mod throughput;
