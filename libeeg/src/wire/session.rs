//! What a recording's header says about its session.

/// Facts about a session that file headers record (the CSV recording's first `#` lines; EDF+
/// and LSL stream descriptions use them too).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    /// The program that recorded it, with its version (`eegreader 0.1.0`).
    pub software: String,
    /// Where the bytes come from (device path, capture file, `simulator`).
    pub source: String,
    /// Device profile name ([`DeviceProfile::name`](crate::units::DeviceProfile::name)).
    pub profile: String,
    /// Microvolts per ADC step.
    pub microvolts_per_lsb: f64,
    /// Configured (nominal) sample rate.
    pub nominal_rate_hz: f64,
    /// Session start, microseconds since the Unix epoch.
    pub start_us: i64,
    /// Channel labels (six), without commas.
    pub labels: Vec<String>,
}
