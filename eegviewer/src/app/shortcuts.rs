//! The keyboard shortcuts beyond Space and End (which [`Viewer`](super::Viewer) handles
//! itself), and the list of every shortcut that the help overlay shows.

use egui::{Context, Key};

use super::requests::Requests;
use super::session::Session;
use super::view::View;

/// Every shortcut, and what the mouse does on a plot: (keys, what they do).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "Pause or resume (live data keeps arriving)"),
    (
        "End",
        "Follow the newest data again (a file: go to its end)",
    ),
    ("M", "Scroll or sweep display"),
    ("+  /  −", "Shorter / longer time window (1 to 60 s)"),
    (
        "←  /  →",
        "Back / forward a quarter window (with Shift: a whole one)",
    ),
    (
        "Click a plot",
        "Cursor A: its time and every shown channel's value",
    ),
    (
        "Shift+click",
        "Cursor B: Δt, 1/Δt and each channel's change from A",
    ),
    ("Esc", "Clear the cursors (or close this help)"),
    ("F12", "Save a screenshot of the window (PNG)"),
    ("F", "Spectrum panel: power spectra and EEG band powers"),
    ("?  or  F1", "Show or hide this help"),
    ("Drag, wheel", "Scroll a plot's time axis"),
    ("Ctrl+wheel", "Zoom the time axis"),
];

/// The keys of one frame.
#[derive(Debug, Default)]
struct Pressed {
    help: bool,
    escape: bool,
    time_mode: bool,
    shorter: bool,
    longer: bool,
    back: bool,
    forward: bool,
    whole_window: bool,
    screenshot: bool,
}

/// Applies the shortcuts pressed this frame to `view` and `requests`. Keys meant for a
/// focused widget (a slider being typed into) are left to it.
pub fn apply(ctx: &Context, view: &mut View, session: &Session, requests: &mut Requests) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let keys = ctx.input(|i| {
        // Ctrl (Cmd) with + and - zooms the whole UI in egui: leave those alone.
        let plain = !i.modifiers.command && !i.modifiers.alt;
        Pressed {
            help: i.key_pressed(Key::Questionmark) || i.key_pressed(Key::F1),
            escape: i.key_pressed(Key::Escape),
            time_mode: plain && i.key_pressed(Key::M),
            shorter: plain && (i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals)),
            longer: plain && i.key_pressed(Key::Minus),
            back: plain && i.key_pressed(Key::ArrowLeft),
            forward: plain && i.key_pressed(Key::ArrowRight),
            whole_window: i.modifiers.shift,
            screenshot: i.key_pressed(Key::F12),
        }
    });
    if keys.help {
        requests.help_open = !requests.help_open;
    }
    if keys.escape {
        if requests.help_open {
            requests.help_open = false;
        } else {
            view.cursors.clear();
        }
    }
    if keys.time_mode {
        view.toggle_time_mode();
    }
    if keys.shorter != keys.longer {
        view.step_window(keys.shorter);
    }
    if keys.back != keys.forward {
        let step = if keys.whole_window {
            view.window_s
        } else {
            view.window_s / 4.0
        };
        let oldest = session.history().oldest_time();
        view.scroll_by(
            if keys.back { -step } else { step },
            oldest,
            session.newest_time(),
        );
    }
    requests.screenshot |= keys.screenshot;
}
