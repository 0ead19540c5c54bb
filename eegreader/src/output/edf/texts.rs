//! What the annotations say. Spans without real data start with `BAD_ACQ_SKIP`, MNE-Python's
//! name for acquisition skips: MNE leaves `BAD`-annotated spans out of epochs and spectra.

/// Longest annotation text, in bytes, so that any event fits in one annotation block.
const MAX_TEXT: usize = 200;

/// Lost packets, filled with mid-scale samples.
pub fn lost(count: u64) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("BAD_ACQ_SKIP lost {count} packet{plural}")
}

/// Mid-scale samples after the last one, filling the last data record.
pub const PADDING: &str = "BAD_ACQ_SKIP no data: padding after the last sample";

/// The stream was framed again.
pub fn resync(skipped_bytes: u64) -> String {
    format!("resync after {skipped_bytes} skipped bytes")
}

/// The device went away.
pub fn device_gone(reason: &str) -> String {
    clean(&format!("device gone: {reason}"))
}

/// The device is back.
pub fn device_back(device: &str) -> String {
    clean(&format!("device back: {device}"))
}

/// The device restarted (or its counter jumped where no packet can be missing): no loss, so an
/// instant at the first packet after it, saying what showed it.
pub fn restart(evidence: libeeg::RestartEvidence, previous_counter: u8, counter: u8) -> String {
    // The outputs' names with spaces, as EEG tools show annotations to people.
    let evidence = evidence.name().replace('-', " ");
    format!("device restart ({evidence}): counter {previous_counter} -> {counter}")
}

/// One text per switch that changed. Bits 3..0 are inputs PD5..PD2, so switch `n` is bit
/// `n - 1` on pin PD`n + 1`; a pressed switch reads 0.
pub fn switches(previous: u8, current: u8) -> Vec<String> {
    (0..4)
        .filter(|bit| (previous ^ current) & (1 << bit) != 0)
        .map(|bit| {
            let state = if current & (1 << bit) == 0 {
                "pressed"
            } else {
                "released"
            };
            format!("switch {} (PD{}) {state}", bit + 1, bit + 2)
        })
        .collect()
}

/// `text` without the bytes that separate TALs (control characters become spaces), cut to
/// [`MAX_TEXT`] bytes at a character boundary.
fn clean(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > MAX_TEXT {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(lost(1), "BAD_ACQ_SKIP lost 1 packet");
        assert_eq!(lost(3), "BAD_ACQ_SKIP lost 3 packets");
        assert_eq!(switches(0x0F, 0x0B), ["switch 3 (PD4) pressed".to_owned()]);
        assert_eq!(
            switches(0x0A, 0x0F),
            ["switch 1 (PD2) released", "switch 3 (PD4) released"]
        );
        assert_eq!(
            device_gone("read\u{14}failed\n"),
            "device gone: read failed "
        );
        assert_eq!(device_back(&"é".repeat(200)).len(), 199);
        assert_eq!(
            restart(libeeg::RestartEvidence::ResetSignal, 57, 0),
            "device restart (reset signal): counter 57 -> 0"
        );
        assert_eq!(
            restart(libeeg::RestartEvidence::ElapsedTime, 12, 200),
            "device restart (elapsed time): counter 12 -> 200"
        );
    }
}
