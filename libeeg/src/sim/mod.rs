//! Deterministic EEG-like signal simulator and byte-level fault injector.
