//! The events list: every gap and mark (resync, device back, restart, switch press) still in the
//! history, newest first; a click brings it into view.

use egui::{Color32, RichText, Ui};

use super::labels::{GAP_TEXT, mark_color};
use super::marks::Mark;
use super::plots::clock;
use super::session::{Gap, Session};
use super::view::View;

/// Entries listed at most.
const MAX_LISTED: usize = 200;

/// One line of the list: a gap or a mark.
enum Entry<'a> {
    Gap(&'a Gap),
    Mark(&'a Mark),
}

impl Entry<'_> {
    /// When it began.
    fn start(&self) -> f64 {
        match self {
            Entry::Gap(gap) => gap.start,
            Entry::Mark(mark) => mark.t,
        }
    }

    /// Where the view goes when it is clicked: a gap's middle, a mark's time.
    fn centre(&self) -> f64 {
        match self {
            Entry::Gap(gap) => (gap.start + gap.end) / 2.0,
            Entry::Mark(mark) => mark.t,
        }
    }

    /// The text listed, its colour, and the tooltip.
    fn text(&self) -> (String, Color32, String) {
        match self {
            Entry::Gap(gap) => (
                gap.label(),
                GAP_TEXT,
                format!("no data for {:.3} s", gap.end - gap.start),
            ),
            Entry::Mark(mark) => (mark.label(), mark_color(&mark.kind), mark.detail()),
        }
    }
}

/// Draws the list; clicking an entry stops following and centres the view on the event.
pub fn show(ui: &mut Ui, session: &Session, view: &mut View) {
    ui.heading("Events");
    let mut entries: Vec<Entry<'_>> = session
        .gaps()
        .map(Entry::Gap)
        .chain(session.marks().map(Entry::Mark))
        .collect();
    if entries.is_empty() {
        ui.label(RichText::new("No lost data or events so far").weak());
        return;
    }
    // Newest first; both lists are in time order, so this is a merge in effect.
    entries.sort_by(|a, b| b.start().total_cmp(&a.start()));
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for entry in entries.iter().take(MAX_LISTED) {
                let (text, color, detail) = entry.text();
                let line = RichText::new(format!("{}  {text}", clock(entry.start()))).color(color);
                let hint = format!("{detail}; click to show it in the plots");
                if ui.link(line).on_hover_text(hint).clicked() {
                    let centre = entry.centre();
                    view.jump_to((centre - view.window_s / 2.0, centre + view.window_s / 2.0));
                }
            }
            if entries.len() > MAX_LISTED {
                ui.weak(format!("and {} older", entries.len() - MAX_LISTED));
            }
        });
}
