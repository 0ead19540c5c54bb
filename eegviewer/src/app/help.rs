//! The help overlay: a window listing every keyboard shortcut, opened with `?`, F1 or the
//! toolbar's "?" button.

use egui::{Align2, Context, RichText};

use super::shortcuts::SHORTCUTS;

/// Draws the help while `open`; its close button clears `open`.
pub fn show(ctx: &Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .anchor(Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            egui::Grid::new("shortcut-list")
                .num_columns(2)
                .spacing([28.0, 6.0])
                .striped(true)
                .show(ui, |ui| {
                    for (keys, action) in SHORTCUTS {
                        ui.label(RichText::new(*keys).monospace().strong());
                        ui.label(*action);
                        ui.end_row();
                    }
                });
        });
}
