//! The status bar: packets, measured rate, lost, restarts (if any), skipped lines, latency,
//! and the stream's state.

use std::time::{SystemTime, UNIX_EPOCH};

use egui::{Color32, RichText, Ui};

use super::session::Session;

/// Colour of figures that signal trouble.
const WARN: Color32 = Color32::from_rgb(0xff, 0x8a, 0x80);

/// Draws the status bar. `review` leaves out latency, which means nothing for a file;
/// `loading` is the number of batches of a file still to load.
pub fn show(ui: &mut Ui, session: &Session, review: bool, paused: bool, loading: usize) {
    let c = session.counters();
    ui.horizontal(|ui| {
        ui.label(format!("Packets: {}", c.packets));
        ui.separator();
        ui.label(match session.rate_hz() {
            Some(rate) => format!("Rate: {rate:.1} Hz"),
            None => "Rate: measuring".to_owned(),
        });
        ui.separator();
        let lost = format!("Lost: {}", c.lost);
        ui.label(if c.lost > 0 {
            RichText::new(lost).color(WARN)
        } else {
            RichText::new(lost)
        });
        // Most devices never restart: shown once one did.
        if c.restarts > 0 {
            ui.separator();
            ui.label(format!("Restarts: {}", c.restarts))
                .on_hover_text("the device restarted; no data is missing");
        }
        ui.separator();
        let skipped = ui.label(format!("Skipped lines: {}", c.skipped_lines));
        if let Some(first) = &c.first_skipped {
            skipped.on_hover_text(format!("first skipped: {first}"));
        }
        if !review {
            ui.separator();
            ui.label(match (session.newest_timestamp_us(), session.ended()) {
                (Some(newest), None) => format!("Latency: {}", latency_text(now_us() - newest)),
                _ => "Latency: -".to_owned(),
            });
        }
        ui.separator();
        match session.ended() {
            Some(Some(error)) => {
                ui.label(RichText::new(format!("Stream ended: {error}")).color(WARN));
            }
            Some(None) if review && loading == 0 => {
                ui.label("Whole file loaded");
            }
            Some(None) => {
                ui.label(RichText::new("Stream ended").strong());
            }
            None if review && loading > 0 => {
                ui.label(format!("Loading: {loading} batches to go"));
            }
            None if paused => {
                ui.label(RichText::new("Paused (data keeps arriving)").strong());
            }
            None if session.counters().packets == 0 => {
                ui.label("Waiting for data on standard input");
            }
            None => {
                ui.label(RichText::new("Live").color(Color32::from_rgb(0x4c, 0xc9, 0x8f)));
            }
        }
    });
}

/// Wall-clock now, microseconds since the Unix epoch.
fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// A latency for people: milliseconds below 10 s, else seconds.
fn latency_text(us: i64) -> String {
    if us.abs() < 10_000_000 {
        format!("{} ms", us / 1000)
    } else {
        format!("{:.0} s", us as f64 * 1e-6)
    }
}
