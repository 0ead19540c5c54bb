//! The events list: every gap still in the history, newest first; a click brings it into
//! view.

use egui::{RichText, Ui};

use super::session::{Gap, Session};
use super::view::View;

/// Entries listed at most.
const MAX_LISTED: usize = 200;

/// Draws the list; clicking an entry stops following and centres the view on the gap.
pub fn show(ui: &mut Ui, session: &Session, view: &mut View) {
    ui.heading("Events");
    let gaps: Vec<&Gap> = session.gaps().collect();
    if gaps.is_empty() {
        ui.label(RichText::new("No lost data so far").weak());
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for gap in gaps.iter().rev().take(MAX_LISTED) {
                let text = format!("{}  {}", clock(gap.start), gap.label());
                if ui.link(text).on_hover_text("Show in the plots").clicked() {
                    let mid = (gap.start + gap.end) / 2.0;
                    view.jump_to((mid - view.window_s / 2.0, mid + view.window_s / 2.0));
                }
            }
        });
}

/// `m:ss.s` since the first sample.
fn clock(t: f64) -> String {
    format!("{}:{:04.1}", (t / 60.0).floor(), t.rem_euclid(60.0))
}
