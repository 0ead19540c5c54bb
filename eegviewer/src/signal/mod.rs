//! The viewer's signal path, free of any GUI: what happens to samples between the ingest
//! thread and the plot.
//!
//! - [`ring::History`]: the bounded history, one value column per channel sharing the
//!   sample times, with gaps as explicit segment breaks; queries return [`span::Span`]s.
//! - [`decimate::Decimated`]: min/max (and first/last) per pixel column, never across a gap,
//!   so no spike disappears and no line bridges lost data.
//! - [`filter::FilterBank`], built from [`biquad`] sections: causal display filters per
//!   channel (high-pass 0.5 Hz, mains notch, low-pass 40 Hz), each toggleable, restarted at
//!   gaps.
//! - [`spectrum::Spectrum`]: FFT of the newest samples by libeeg's spectral conventions, dB
//!   density and the classic band powers.
//! - [`quality::ChannelQuality`]: railed share, flat line and mains hum per channel.
//!
//! A sample's way through:
//! 1. [`History::starts_segment`](ring::History::starts_segment) says whether it begins a new
//!    segment (after [`mark_gap`](ring::History::mark_gap) for a reported loss, or a silent
//!    hole); if so the filters and quality monitors get `gap()`.
//! 2. Its raw codes go to [`ChannelQuality::push`](quality::ChannelQuality::push).
//! 3. [`FilterBank::process_frame`](filter::FilterBank::process_frame) filters it and
//!    [`History::push`](ring::History::push) stores it (raw and filtered columns side by side
//!    if toggling a filter should re-filter the past with
//!    [`History::map_channel`](ring::History::map_channel)).
//!
//! Each frame the UI decimates [`History::span`](ring::History::span) of the visible range
//! into each plot's pixel columns, and runs [`Spectrum::compute`](spectrum::Spectrum::compute)
//! on the newest unbroken samples ([`Span::newest_segment`](span::Span::newest_segment)).

pub mod biquad;
pub mod decimate;
pub mod filter;
pub mod mains;
pub mod quality;
pub mod ring;
pub mod span;
pub mod spectrum;
