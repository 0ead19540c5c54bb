//! EDF+ annotation texts of session events. Spans without real data start with
//! `BAD_ACQ_SKIP`, MNE-Python's name for acquisition skips: MNE leaves `BAD`-annotated spans out
//! of epochs and spectra.
//!
//! These are texts for people reading a recording in an EEG tool, not for machines: where an
//! annotation goes and how long it lasts is the EDF+ writer's business.

use super::SessionEvent;
use crate::RestartEvidence;

/// Longest annotation text, in bytes, so that any event fits in one annotation block.
const MAX_TEXT: usize = 200;

/// The annotations `event` makes, in order: none for events that describe the byte stream
/// rather than the recording (sync lost, protocol, device id, stalled counter, trailing bytes)
/// or the session's end; one per switch that changed.
pub fn annotations(event: &SessionEvent) -> Vec<String> {
    match event {
        SessionEvent::Lost { count, .. } => vec![lost(*count)],
        SessionEvent::Resync { skipped_bytes } => vec![resync(*skipped_bytes)],
        SessionEvent::DeviceGone { reason, .. } => vec![device_gone(reason)],
        SessionEvent::DeviceBack { device, .. } => vec![device_back(device)],
        SessionEvent::Restart {
            previous_counter,
            counter,
            evidence,
            ..
        } => vec![restart(*evidence, *previous_counter, *counter)],
        SessionEvent::Switches {
            previous, current, ..
        } => switches(*previous, *current),
        SessionEvent::SyncLost { .. }
        | SessionEvent::Protocol { .. }
        | SessionEvent::DeviceId { .. }
        | SessionEvent::CounterStalled { .. }
        | SessionEvent::TrailingBytes { .. }
        | SessionEvent::End { .. } => Vec::new(),
    }
}

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
pub fn restart(evidence: RestartEvidence, previous_counter: u8, counter: u8) -> String {
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
    use crate::wire::event::tests::every_event;

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
            restart(RestartEvidence::ResetSignal, 57, 0),
            "device restart (reset signal): counter 57 -> 0"
        );
        assert_eq!(
            restart(RestartEvidence::ElapsedTime, 12, 200),
            "device restart (elapsed time): counter 12 -> 200"
        );
    }

    #[test]
    fn every_event_has_its_annotations() {
        let texts: Vec<Vec<String>> = every_event().iter().map(annotations).collect();
        let expected: Vec<Vec<&str>> = vec![
            vec![],
            vec![],
            vec!["BAD_ACQ_SKIP lost 3 packets"],
            vec!["BAD_ACQ_SKIP lost 1 packet"],
            vec![],
            vec!["resync after 37 skipped bytes"],
            vec!["device gone: read failed: gone [2J"],
            vec!["device back: /dev/ttyUSB0"],
            vec!["switch 3 (PD4) pressed"],
            vec!["device restart (reset signal): counter 57 -> 0"],
            vec!["device restart (elapsed time): counter 12 -> 200"],
            vec![],
            vec![],
            vec![],
        ];
        assert_eq!(texts, expected);
    }
}
