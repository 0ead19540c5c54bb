//! The cursor readout: under the plots while a cursor is placed, the time of each cursor and
//! every shown channel's value there, in display units; with two cursors also Δt, its
//! frequency 1/Δt and each channel's Δvalue.

use egui::{Align, Layout, RichText, Ui};
use libeeg::CHANNELS;

use super::cursor::value_at;
use super::plots::{COLORS, CURSOR_COLORS, time_label_fine};
use super::session::Session;
use super::view::View;

/// What a cursor shows where there is no sample (a gap, or beyond the data).
pub const NO_DATA: &str = "no data";

/// Draws the readout if a cursor is placed; its Clear button removes them.
pub fn show(ui: &mut Ui, session: &Session, view: &mut View) {
    let Some(a) = view.cursors.a else {
        return;
    };
    let b = view.cursors.b;
    let shown: Vec<usize> = (0..CHANNELS)
        .filter(|&ch| view.channels[ch].visible)
        .collect();
    let high_passed = session.filters().high_pass;
    let unit = view.units.suffix();
    let read = |t: f64| -> Vec<Option<f64>> {
        shown
            .iter()
            .map(|&ch| {
                value_at(session, Session::filtered_column(ch), t)
                    .map(|v| view.to_display(f64::from(v), high_passed))
            })
            .collect()
    };
    let values_a = read(a);
    let values_b = b.map(read);
    let mut clear = false;
    ui.horizontal(|ui| {
        egui::Grid::new("cursor-readout")
            .num_columns(2 + shown.len())
            .spacing([18.0, 2.0])
            .show(ui, |ui| {
                ui.label("");
                ui.strong("time (m:ss.sss)");
                for &ch in &shown {
                    let title = format!("{} ({unit})", view.names[ch]);
                    ui.label(RichText::new(title).color(COLORS[ch]).strong());
                }
                ui.end_row();
                cursor_row(ui, "Cursor A", CURSOR_COLORS[0], a, &values_a);
                if let (Some(b), Some(values_b)) = (b, &values_b) {
                    cursor_row(ui, "Cursor B", CURSOR_COLORS[1], b, values_b);
                    ui.strong("B − A");
                    ui.monospace(interval_text(b - a));
                    for (va, vb) in values_a.iter().zip(values_b) {
                        ui.monospace(match (va, vb) {
                            (Some(va), Some(vb)) => format!("Δ {:+.1}", vb - va),
                            _ => NO_DATA.to_owned(),
                        });
                    }
                    ui.end_row();
                }
            });
        ui.with_layout(Layout::right_to_left(Align::Min), |ui| {
            clear = ui
                .button("Clear")
                .on_hover_text("Remove the cursors (Esc)")
                .clicked();
            let hint = if b.is_none() {
                "Shift+click: second cursor"
            } else {
                "click: move A · Shift+click: move B"
            };
            ui.weak(hint);
        });
    });
    if clear {
        view.cursors.clear();
    }
}

/// One cursor's row: its name, time and values.
fn cursor_row(ui: &mut Ui, name: &str, color: egui::Color32, t: f64, values: &[Option<f64>]) {
    ui.label(RichText::new(name).color(color).strong());
    ui.monospace(time_label_fine(t));
    for value in values {
        ui.monospace(value_text(*value));
    }
    ui.end_row();
}

/// A value in display units to one decimal, or [`NO_DATA`].
pub fn value_text(value: Option<f64>) -> String {
    value.map_or(NO_DATA.to_owned(), |v| format!("{v:.1}"))
}

/// The interval between the cursors and its frequency: "Δt 0.500 s · 2.00 Hz".
pub fn interval_text(dt: f64) -> String {
    if dt.abs() < 1e-9 {
        return "Δt 0 s".to_owned();
    }
    format!("Δt {dt:.3} s · {:.2} Hz", 1.0 / dt.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readout_texts() {
        assert_eq!(value_text(Some(50.0)), "50.0");
        assert_eq!(value_text(None), "no data");
        assert_eq!(interval_text(0.5), "Δt 0.500 s · 2.00 Hz");
        assert_eq!(interval_text(-0.25), "Δt -0.250 s · 4.00 Hz");
        assert_eq!(interval_text(0.0), "Δt 0 s");
    }
}
