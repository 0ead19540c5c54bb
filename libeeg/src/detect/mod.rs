//! Detectors that turn a channel's samples into events: threshold crossings, band power, signal quality.
