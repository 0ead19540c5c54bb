//! The toolbar: pause and follow, scroll or sweep, time window, units, display filters,
//! channels and their scales, screenshot and help.

use egui::Ui;

use super::plots::COLORS;
use super::requests::Requests;
use super::session::Session;
use super::time_layout::TimeMode;
use super::view::{Units, View, WINDOW_RANGE_S};
use crate::signal::filter::FilterSettings;
use crate::signal::mains::Mains;

/// Draws the toolbar's two rows and applies what was changed. `review` hides the live-only
/// controls' wording ("Pause" makes no sense for a file, "Follow" jumps to the end).
pub fn show(
    ui: &mut Ui,
    session: &mut Session,
    view: &mut View,
    review: bool,
    show_events: &mut bool,
    requests: &mut Requests,
) {
    ui.horizontal_wrapped(|ui| {
        if !review {
            let paused = view.paused_at.is_some();
            let label = if paused { "Resume" } else { "Pause" };
            if ui
                .button(label)
                .on_hover_text("Freeze the view; data keeps arriving (Space)")
                .clicked()
            {
                view.toggle_pause(session.newest_time());
            }
        }
        let follow_label = if review { "Go to end" } else { "Follow live" };
        let live = view.follow && view.paused_at.is_none();
        if ui
            .add_enabled(!live, egui::Button::new(follow_label))
            .on_hover_text("Back to the newest data (End)")
            .clicked()
        {
            view.follow_live();
        }
        ui.separator();
        time_mode(ui, view);
        ui.separator();
        let label = ui.label("Window");
        let window = ui
            .add(
                egui::Slider::new(&mut view.window_s, WINDOW_RANGE_S)
                    .logarithmic(true)
                    .suffix(" s")
                    .max_decimals(1),
            )
            .labelled_by(label.id);
        if window.changed() && !view.follow {
            // A new width applies from the current view's left edge.
            let left = view.range.0;
            view.jump_to((left, left + view.window_s));
        }
        ui.separator();
        let label = ui.label("Units");
        egui::ComboBox::from_id_salt("units")
            .selected_text(match view.units {
                Units::Microvolts => format!("µV ({} µV/step)", view.uv_per_lsb),
                Units::Raw => "raw ADC codes".to_owned(),
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.units, Units::Microvolts, "Microvolts");
                ui.selectable_value(&mut view.units, Units::Raw, "Raw ADC codes");
            })
            .response
            .labelled_by(label.id);
        ui.separator();
        filters(ui, session);
        ui.separator();
        ui.toggle_value(show_events, "Events");
        ui.toggle_value(&mut view.show_spectrum, "Spectrum")
            .on_hover_text("Power spectrum and band powers (F)");
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Channels");
        for ((channel, name), color) in view.channels.iter_mut().zip(&view.names).zip(COLORS) {
            ui.checkbox(
                &mut channel.visible,
                egui::RichText::new(name.as_str()).color(color),
            );
        }
        if ui
            .button("EEG-SMT")
            .on_hover_text("Show channels 1-2, the EEG-SMT's real ones")
            .clicked()
        {
            view.eeg_smt_preset();
        }
        if ui.button("All").clicked() {
            view.show_all();
        }
        ui.separator();
        ui.menu_button("Scales", |ui| {
            ui.label("Autoscale; off: drag or Ctrl+scroll a plot vertically");
            for (channel, name) in view.channels.iter_mut().zip(&view.names) {
                ui.checkbox(&mut channel.autoscale, format!("Autoscale {name}"));
            }
        });
        ui.separator();
        let hint = "Save the window as eegviewer-YYYYMMDD-HHMMSS.png (UTC time) in the screenshot directory (F12)";
        if ui.button("Screenshot").on_hover_text(hint).clicked() {
            requests.screenshot = true;
        }
        ui.toggle_value(&mut requests.help_open, "?")
            .on_hover_text("Keyboard shortcuts (? or F1)");
    });
}

/// "Scroll | Sweep": whether the traces move left, or stand still and are rewritten left to
/// right as on a clinical monitor.
fn time_mode(ui: &mut Ui, view: &mut View) {
    let hint = "Scroll: the traces move left. Sweep: written left to right over the previous \
                sweep, as on a clinical monitor (M)";
    ui.selectable_value(&mut view.time_mode, TimeMode::Scroll, "Scroll")
        .on_hover_text(hint);
    ui.selectable_value(&mut view.time_mode, TimeMode::Sweep, "Sweep")
        .on_hover_text(hint);
}

/// The filter toggles; a change re-filters the history.
fn filters(ui: &mut Ui, session: &mut Session) {
    let mut settings: FilterSettings = session.filters();
    ui.checkbox(&mut settings.high_pass, "High-pass 0.5 Hz")
        .on_hover_text("Removes the offset and slow drift");
    let label = ui.label("Notch");
    egui::ComboBox::from_id_salt("notch")
        .width(64.0)
        .selected_text(match settings.notch {
            None => "off".to_owned(),
            Some(m) => m.to_string(),
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut settings.notch, None, "off");
            ui.selectable_value(&mut settings.notch, Some(Mains::Hz50), "50 Hz");
            ui.selectable_value(&mut settings.notch, Some(Mains::Hz60), "60 Hz");
        })
        .response
        .labelled_by(label.id);
    ui.checkbox(&mut settings.low_pass, "Low-pass 40 Hz");
    session.set_filters(settings);
}
