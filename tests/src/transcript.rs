//! A stable, line-oriented text rendering of a decoder run, for golden fixtures.
//!
//! A transcript has one line per [`Event`], in the order the decoder reported them, then one
//! `stats` line. Every line starts with a keyword naming what it is, followed by `key=value`
//! fields in a fixed order. Numbers are decimal except bytes that are bit fields (switches, aux),
//! which are two hex digits. Lines carry no position counter, so an inserted or removed event
//! shows up in a diff as that one line.
//!
//! ```text
//! sync-acquired protocol=P2 skipped=9
//! packet P2 index=0 counter=1 samples=[ 517  498  511  506  513  509] switches=0F
//! packet P3 index=5 counter=5 samples=[ 517  498  511  506  513  509] switches=0F aux=00
//! lost count=3 first_index=41
//! sync-lost at_byte=1207
//! switch index=310 from=0F to=0B
//! counter-stalled counter=0 index=1
//! device-id "mEEGv1.0"
//! restart index=200 from=239 to=0 evidence=reset-signal
//! trailing count=5
//! stats bytes_in=6800 packets=400 packet_bytes=6800 lost=0 resyncs=0 skipped_bytes=0 refused_packets=0 repeated_counters=0 restarts=0
//! ```
//!
//! | line | event | fields |
//! |---|---|---|
//! | `packet` | [`Event::Packet`] | protocol, `index` (sample index, counting lost packets), `counter` as sent, the six channel slots (4 columns each), `switches`; then `aux` for P3, `channels=N` when the packet carried fewer than six, `arrival=` (seconds) when times were given |
//! | `lost` | [`Event::PacketsLost`] | `count` of missing packets, `first_index` (sample index of the first missing one) |
//! | `sync-lost` | [`Event::SyncLost`] | `at_byte`: stream offset of the first byte that could not be framed |
//! | `sync-acquired` | [`Event::SyncAcquired`] | `protocol`, `skipped`: bytes discarded before it |
//! | `switch` | [`Event::SwitchChanged`] | `index` of the first packet with the new value, `from`, `to` |
//! | `counter-stalled` | [`Event::CounterStalled`] | the repeated `counter`, `index` of the first repeat |
//! | `device-id` | [`Event::DeviceId`] | the id, quoted with Rust escapes (`\0`, `\u{..}`) |
//! | `trailing` | [`Event::TrailingBytes`] | `count` of bytes left at end of input |
//! | `restart` | [`Event::Restart`] | `index` of the first packet after it, the counter jump `from` and `to`, the `evidence` (`reset-signal` or `elapsed-time`) |
//! | `unknown-event` | a variant added after this module was written | its `Debug` form |
//! | `stats` | (last line) | every [`Stats`] counter, named as the field |
//!
//! An `unknown-event` line in a golden file means this module needs a line for the new variant.

use std::fmt::{self, Write as _};

use libeeg::{DecoderConfig, Event, Stats};

/// Decodes `bytes` pushed in chunks of `chunk` bytes (0 counts as 1), ends the input with
/// `finish()`, and renders the events and final counters.
pub fn transcript(config: &DecoderConfig, bytes: &[u8], chunk: usize) -> String {
    let (events, stats) = crate::decode(config, bytes, chunk);
    render(&events, &stats)
}

/// The transcript of a run whose events and final counters are already at hand.
pub fn render(events: &[Event], stats: &Stats) -> String {
    let mut out = String::new();
    for event in events {
        out.push_str(&event_line(event));
        out.push('\n');
    }
    out.push_str(&stats_line(stats));
    out.push('\n');
    out
}

/// One event's line, without the newline.
pub fn event_line(event: &Event) -> String {
    let mut line = String::new();
    write_event(&mut line, event).expect("writing to a String cannot fail");
    line
}

fn write_event(line: &mut String, event: &Event) -> fmt::Result {
    match event {
        Event::Packet(p) => {
            write!(
                line,
                "packet {} index={} counter={} samples=[",
                p.protocol, p.sample_index, p.counter
            )?;
            for (i, v) in p.samples.iter().enumerate() {
                let sep = if i == 0 { "" } else { " " };
                write!(line, "{sep}{v:4}")?;
            }
            write!(line, "] switches={:02X}", p.switches)?;
            if let Some(aux) = p.aux {
                write!(line, " aux={aux:02X}")?;
            }
            if usize::from(p.channel_count) != libeeg::CHANNELS {
                write!(line, " channels={}", p.channel_count)?;
            }
            if let Some(t) = p.arrival {
                write!(line, " arrival={:.6}", t.as_secs_f64())?;
            }
            Ok(())
        }
        Event::PacketsLost {
            count,
            first_sample_index,
        } => {
            write!(line, "lost count={count} first_index={first_sample_index}")
        }
        Event::SyncLost { at_byte } => write!(line, "sync-lost at_byte={at_byte}"),
        Event::SyncAcquired {
            protocol,
            skipped_bytes,
        } => {
            write!(
                line,
                "sync-acquired protocol={protocol} skipped={skipped_bytes}"
            )
        }
        Event::SwitchChanged {
            sample_index,
            previous,
            current,
        } => {
            write!(
                line,
                "switch index={sample_index} from={previous:02X} to={current:02X}"
            )
        }
        Event::CounterStalled {
            counter,
            sample_index,
        } => {
            write!(
                line,
                "counter-stalled counter={counter} index={sample_index}"
            )
        }
        Event::DeviceId(id) => write!(line, "device-id {id:?}"),
        Event::TrailingBytes { count } => write!(line, "trailing count={count}"),
        Event::Restart {
            sample_index,
            previous_counter,
            counter,
            evidence,
        } => write!(
            line,
            "restart index={sample_index} from={previous_counter} to={counter} evidence={}",
            evidence.name()
        ),
        // `Event` is non-exhaustive: a variant added later still gets a line, and the golden
        // diff points at it.
        other => write!(line, "unknown-event {other:?}"),
    }
}

/// The final counters' line, without the newline.
pub fn stats_line(s: &Stats) -> String {
    format!(
        "stats bytes_in={} packets={} packet_bytes={} lost={} resyncs={} skipped_bytes={} refused_packets={} repeated_counters={} restarts={}",
        s.bytes_in,
        s.packets,
        s.packet_bytes,
        s.lost,
        s.resyncs,
        s.skipped_bytes,
        s.refused_packets,
        s.repeated_counters,
        s.restarts
    )
}
