//! Detectors that turn a channel's samples into events: threshold crossings, band power, signal quality.
//!
//! Every detector is sans-IO: it is fed one channel's samples with their timestamps (seconds)
//! through `push`, returns at most one event per sample, and reads no clock. Call `gap` when
//! samples were lost (nothing is computed across a gap; windows start again) and `reset` to
//! start over. Values are in whatever unit the caller picks (raw code minus 512, or microvolts);
//! levels and powers are in that unit (powers in that unit squared). [`QualityMonitor`] is the
//! exception: it takes raw codes, because railing is a property of the ADC.

mod band_power;
mod periodogram;
mod quality;
mod threshold;
mod window;

// Also here, beside the band-power detector that takes it.
pub use crate::spectrum::Band;
pub use band_power::{
    BandPowerConfig, BandPowerDetector, BandPowerEvent, PowerChange, band_power, relative_power,
};
pub use quality::{Issues, QualityConfig, QualityEvent, QualityMonitor, QualityReport};
pub use threshold::{Crossing, ThresholdConfig, ThresholdDetector, ThresholdEvent, ThresholdState};
