//! The EDF+ header: 256 bytes about the recording, then 256 bytes per signal (six channels and
//! the "EDF Annotations" signal), every field ASCII, left-aligned and space-padded.

use libeeg::{CHANNELS, MAX_CODE, MID_SCALE};

use crate::output::number::push_decimal;
use crate::output::utc;

/// Signals in the file: the six channels and the annotations.
pub const SIGNALS: usize = CHANNELS + 1;

/// Header bytes.
pub const LEN: u64 = 256 * (1 + SIGNALS as u64);

/// Offset of the number of data records (rewritten as records are written).
pub const RECORDS_AT: u64 = 236;

/// Offset of the duration of a data record (rewritten at the end from the estimated rate).
pub const DURATION_AT: u64 = 244;

/// Width of the number-of-records and duration fields.
pub const NUMBER_WIDTH: usize = 8;

/// What the header says besides the record count and duration.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Session start, microseconds since the Unix epoch (EDF stores it to the second).
    pub start_us: i64,
    /// Device profile name, for the equipment subfield.
    pub profile: String,
    /// The six channel labels (at most 16 ASCII characters each).
    pub labels: Vec<String>,
    /// Physical minimum and maximum in microvolts, as written (codes 0 and 1023).
    pub physical_range: (String, String),
    /// Samples per data record of each channel.
    pub samples_per_record: usize,
    /// Samples (2 bytes each) per data record of the annotation signal.
    pub annotation_samples: usize,
}

/// The physical range of codes 0..=1023 at `microvolts_per_lsb`, as 8-character decimals, or
/// `None` when the scale is too large to write.
pub fn physical_range(microvolts_per_lsb: f64) -> Option<(String, String)> {
    let low = -f64::from(MID_SCALE) * microvolts_per_lsb;
    let high = f64::from(MAX_CODE - MID_SCALE) * microvolts_per_lsb;
    Some((number(low)?, number(high)?))
}

/// `value` as a decimal of at most 8 characters, with as many decimals as fit (at most six),
/// or `None` if even its integer part does not fit.
pub fn number(value: f64) -> Option<String> {
    let mut text = Vec::new();
    if !push_decimal(&mut text, value) {
        return None;
    }
    let text = String::from_utf8(text).expect("ASCII digits");
    if text.len() <= NUMBER_WIDTH {
        return Some(text);
    }
    let integer_len = text.find('.').unwrap_or(text.len());
    // Room for the point and at least one decimal, or none at all.
    let decimals = NUMBER_WIDTH.checked_sub(integer_len + 1).filter(|&d| d > 0);
    let rounded = match decimals {
        Some(decimals) => format!("{value:.decimals$}"),
        None => format!("{value:.0}"),
    };
    let rounded = if rounded.contains('.') {
        rounded
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        rounded
    };
    (rounded.len() <= NUMBER_WIDTH).then_some(rounded)
}

/// The whole header for `records` data records of `duration` seconds (already formatted).
pub fn bytes(fields: &Fields, records: u64, duration: &str) -> Vec<u8> {
    let (year, month, day, hour, minute, second) = utc::civil(fields.start_us);
    let mut out = Vec::with_capacity(LEN as usize);
    put(&mut out, "0", 8);
    // EDF+ patient subfields: code, sex, birthdate, name; unknown ones are X.
    put(&mut out, "X X X X", 80);
    let month_name = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ][(month - 1) as usize];
    // EDF+ recording subfields: start date, admin code, technician, equipment (no spaces).
    let recording = format!(
        "Startdate {day:02}-{month_name}-{year:04} X X OpenEEG_{}",
        fields.profile.replace(' ', "_")
    );
    put(&mut out, &recording, 80);
    put(
        &mut out,
        &format!("{day:02}.{month:02}.{:02}", year.rem_euclid(100)),
        8,
    );
    put(&mut out, &format!("{hour:02}.{minute:02}.{second:02}"), 8);
    put(&mut out, &LEN.to_string(), 8);
    // Always continuous: gaps are filled and annotated (see the module documentation).
    put(&mut out, "EDF+C", 44);
    put(&mut out, &records.to_string(), NUMBER_WIDTH);
    put(&mut out, duration, NUMBER_WIDTH);
    put(&mut out, &SIGNALS.to_string(), 4);

    let labels: Vec<&str> = fields.labels.iter().map(String::as_str).collect();
    let (low, high) = (
        fields.physical_range.0.as_str(),
        fields.physical_range.1.as_str(),
    );
    let samples = fields.samples_per_record.to_string();
    let max_code = MAX_CODE.to_string();
    let annotation_samples = fields.annotation_samples.to_string();
    signal_field(&mut out, 16, &labels, "EDF Annotations");
    // Transducer type: not known.
    signal_field(&mut out, 80, &[""; CHANNELS], "");
    signal_field(&mut out, 8, &["uV"; CHANNELS], "");
    signal_field(&mut out, 8, &[low; CHANNELS], "-1");
    signal_field(&mut out, 8, &[high; CHANNELS], "1");
    signal_field(&mut out, 8, &["0"; CHANNELS], "-32768");
    signal_field(&mut out, 8, &[max_code.as_str(); CHANNELS], "32767");
    // Prefiltering: not known.
    signal_field(&mut out, 80, &[""; CHANNELS], "");
    signal_field(
        &mut out,
        8,
        &[samples.as_str(); CHANNELS],
        &annotation_samples,
    );
    // Reserved.
    signal_field(&mut out, 32, &[""; CHANNELS], "");
    debug_assert_eq!(out.len() as u64, LEN);
    out
}

/// One field of every signal: each channel's text, then the annotation signal's.
fn signal_field(out: &mut Vec<u8>, width: usize, channels: &[&str], annotation: &str) {
    for text in channels {
        put(out, text, width);
    }
    put(out, annotation, width);
}

/// A field: `text` left-aligned in `width` bytes, padded with spaces (cut if longer: callers
/// check lengths first).
pub fn put(out: &mut Vec<u8>, text: &str, width: usize) {
    let bytes = &text.as_bytes()[..text.len().min(width)];
    out.extend_from_slice(bytes);
    out.extend(std::iter::repeat_n(b' ', width - bytes.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            start_us: 1_700_000_000_123_456,
            profile: "eeg-smt".to_owned(),
            labels: ["Fp1", "Fp2", "ch3", "ch4", "ch5", "1234567890123456"]
                .map(str::to_owned)
                .to_vec(),
            physical_range: physical_range(0.52).unwrap(),
            samples_per_record: 256,
            annotation_samples: 512,
        }
    }

    #[test]
    fn the_header_is_byte_exact() {
        let header = bytes(&fields(), 12, "1");
        assert_eq!(header.len(), 2048);
        let text = String::from_utf8(header).unwrap();
        let fixed = format!(
            "{:8}{:80}{:80}{}{}{:8}{:44}{:8}{:8}{:4}",
            "0",
            "X X X X",
            "Startdate 14-NOV-2023 X X OpenEEG_eeg-smt",
            "14.11.23",
            "22.13.20",
            "2048",
            "EDF+C",
            "12",
            "1",
            "7"
        );
        assert_eq!(text[..256], fixed);
        let signals = &text[256..];
        let field = |at: usize, width: usize| -> Vec<&str> {
            (0..SIGNALS)
                .map(|s| &signals[at + s * width..at + (s + 1) * width])
                .collect()
        };
        assert_eq!(
            field(0, 16),
            [
                "Fp1             ",
                "Fp2             ",
                "ch3             ",
                "ch4             ",
                "ch5             ",
                "1234567890123456",
                "EDF Annotations "
            ]
        );
        let at = 7 * (16 + 80);
        assert_eq!(
            field(at, 8),
            ["uV      "; 6]
                .iter()
                .copied()
                .chain(["        "])
                .collect::<Vec<_>>()
        );
        assert_eq!(field(at + 7 * 8, 8)[0], "-266.24 ");
        assert_eq!(field(at + 14 * 8, 8)[0], "265.72  ");
        assert_eq!(field(at + 14 * 8, 8)[6], "1       ");
        assert_eq!(field(at + 21 * 8, 8)[0], "0       ");
        assert_eq!(field(at + 28 * 8, 8)[0], "1023    ");
        assert_eq!(field(at + 28 * 8, 8)[6], "32767   ");
        let spr_at = at + 35 * 8 + 7 * 80;
        assert_eq!(field(spr_at, 8)[0], "256     ");
        assert_eq!(field(spr_at, 8)[6], "512     ");
        assert_eq!(&text[RECORDS_AT as usize..][..8], "12      ");
        assert_eq!(&text[DURATION_AT as usize..][..8], "1       ");
    }

    #[test]
    fn numbers_fit_eight_characters() {
        assert_eq!(number(-256.0).as_deref(), Some("-256"));
        assert_eq!(number(255.5).as_deref(), Some("255.5"));
        assert_eq!(number(0.995_555_6).as_deref(), Some("0.995556"));
        assert_eq!(number(-249.678_901).as_deref(), Some("-249.679"));
        assert_eq!(number(1_234.567_89).as_deref(), Some("1234.568"));
        assert_eq!(number(12_345_678.9).as_deref(), Some("12345679"));
        assert_eq!(number(-123_456_789.0), None);
        assert_eq!(physical_range(0.5), Some(("-256".into(), "255.5".into())));
    }
}
