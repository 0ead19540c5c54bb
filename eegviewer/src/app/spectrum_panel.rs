//! The spectrum panel: each shown channel's power spectral density in dB against frequency,
//! all in one plot with the channels' colours and a legend; the relative power of the five
//! classic EEG bands as grouped bars; and a line per channel naming its peak frequency and
//! strongest band.
//!
//! Shown or hidden with the toolbar's "Spectrum" toggle or the [`TOGGLE_KEY`] (F, for
//! frequency). The numbers come from [`Spectra`]: the newest unbroken 2 s up to the view's
//! right edge, of the traces as displayed (filtered), recomputed at most 8 times a second.

use std::time::Duration;

use egui::{Align2, Color32, Context, Key, Modifiers, RichText, Ui};
use egui_plot::{
    Bar, BarChart, Corner, GridInput, GridMark, HoverPosition, Legend, Line, Plot, PlotPoint,
    PlotPoints, Span, Text,
};
use libeeg::CHANNELS;
use libeeg::spectrum::DC_CUTOFF_HZ;

use super::plots::COLORS;
use super::session::Session;
use super::spectra::{Coverage, Spectra};
use super::view::{Units, View};
use crate::signal::spectrum::EegBand;

/// The key that shows or hides the spectrum panel: F, for frequency.
pub const TOGGLE_KEY: Key = Key::F;
/// Width of the panel at start-up, points.
pub const DEFAULT_WIDTH: f32 = 470.0;
/// Narrowest width of the panel, points: the summary's four columns still fit.
pub const MIN_WIDTH: f32 = 400.0;
/// Top of the narrower frequency range, hertz: gamma's upper edge (45 Hz) and both mains
/// frequencies with room around them.
pub const BANDS_AND_MAINS_HZ: f64 = 70.0;
/// Lowest density shown below the highest, dB: the 10-bit ADC's own range is about 60 dB,
/// and the filters' stop bands would otherwise squash the EEG into a sliver.
const DB_SHOWN: f64 = 80.0;
/// Room above the highest point of the density curves for the band names, dB.
const DB_HEADROOM: f64 = 6.0;
/// Room the density plot's vertical range may leave unused at either end before it is
/// fitted again, dB.
const DB_SLACK: f64 = 15.0;
/// Shading of the EEG bands behind the density curves, alternating so neighbours part.
const BAND_SHADE: Color32 = Color32::from_rgba_premultiplied(40, 40, 48, 40);
const BAND_SHADE_ALT: Color32 = Color32::from_rgba_premultiplied(24, 24, 30, 24);
/// Colour of the band names over the shading.
const BAND_TEXT: Color32 = Color32::from_gray(200);
/// Width of both plots' vertical axes, so their plot areas line up.
const Y_AXIS_WIDTH: f32 = 48.0;
/// Share of the plots' height given to the density plot; the rest goes to the band bars.
const DENSITY_SHARE: f32 = 0.58;
/// How to zoom the density plot, for the range buttons' tooltips.
const ZOOM_HINT: &str = "Scroll or drag the plot to zoom, double-click to reset.";

/// The spectrum panel's state: the spectra and the density curves, kept between frames.
#[derive(Debug)]
pub struct SpectrumPanel {
    spectra: Spectra,
    /// Per channel, (frequency, dB) from the first bin above DC, in display units.
    curves: [Vec<PlotPoint>; CHANNELS],
    /// The density plot's vertical range, dB.
    db_range: (f64, f64),
    /// The frequencies the density plot showed last, hertz: the vertical range fits them.
    visible_hz: (f64, f64),
    range: FrequencyRange,
    /// The frequency range was chosen: the density plot takes it on the next frame.
    reset_x: bool,
}

/// The frequencies the density plot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrequencyRange {
    /// 0 to [`BANDS_AND_MAINS_HZ`]: the EEG bands and the mains hum.
    BandsAndMains,
    /// 0 to half the sample rate.
    All,
}

impl FrequencyRange {
    /// The highest frequency shown, hertz, for a spectrum up to `nyquist`.
    fn top_hz(self, nyquist: f64) -> f64 {
        match self {
            FrequencyRange::BandsAndMains => BANDS_AND_MAINS_HZ.min(nyquist),
            FrequencyRange::All => nyquist,
        }
    }
}

impl Default for SpectrumPanel {
    fn default() -> Self {
        Self {
            spectra: Spectra::default(),
            curves: Default::default(),
            db_range: (-40.0, 40.0),
            visible_hz: (0.0, f64::INFINITY),
            range: FrequencyRange::All,
            reset_x: false,
        }
    }
}

impl SpectrumPanel {
    /// The spectra shown (for tests and readouts).
    pub fn spectra(&self) -> &Spectra {
        &self.spectra
    }

    /// Draws the panel on the right of `ui` if `view` has it open, with the spectra brought
    /// up to date.
    pub fn show(&mut self, ui: &mut Ui, session: &Session, view: &View) {
        if !view.show_spectrum {
            return;
        }
        egui::Panel::right("spectrum")
            .default_size(DEFAULT_WIDTH)
            .min_size(MIN_WIDTH)
            .resizable(true)
            .show(ui, |ui| self.contents(ui, session, view));
    }

    fn contents(&mut self, ui: &mut Ui, session: &Session, view: &View) {
        // A side panel keeps the width its contents used: fill it, or it shrinks to the
        // caption while collecting data and stays narrow.
        ui.set_min_width(ui.available_width());
        let now = ui.input(|i| i.time);
        if let Some(wait_s) = self.spectra.update(session, view, now) {
            ui.ctx()
                .request_repaint_after(Duration::from_secs_f64(wait_s));
        }
        ui.heading("Power spectrum");
        let shown: Vec<usize> = (0..CHANNELS)
            .filter(|&ch| view.channels[ch].visible)
            .collect();
        let coverage = self.spectra.coverage();
        caption(ui, &self.spectra, session, coverage);
        if shown.is_empty() {
            ui.label("No channel shown: tick one in the toolbar.");
            return;
        }
        if let Coverage::Collecting {
            have_s,
            need_s,
            after_gap,
        } = coverage
        {
            let (text, why) = if after_gap {
                (
                    format!(
                        "Waiting for {need_s:.1} s without a gap: {have_s:.1} s since the last"
                    ),
                    "Packets are being lost (see Events). A spectrum across a gap would \
                     smear the jump over every frequency, so it takes unbroken signal only.",
                )
            } else {
                (
                    format!("Collecting data: {have_s:.1} of {need_s:.1} s"),
                    "A spectrum needs this much signal without a gap.",
                )
            };
            ui.add_space(12.0);
            ui.label(RichText::new(text).strong());
            ui.label(RichText::new(why).weak());
            return;
        }
        self.range_choice(ui);
        self.update_curves(view);
        // The summary is laid out first, at the bottom, so the plots get exactly what is left.
        egui::Panel::bottom("spectrum-summary")
            .frame(egui::Frame::NONE)
            .resizable(false)
            .show_separator_line(false)
            .show(ui, |ui| {
                ui.add_space(6.0);
                self.summary(ui, view, &shown);
            });
        let plots_height = (ui.available_height() - ui.spacing().item_spacing.y).max(160.0);
        self.density_plot(ui, view, &shown, plots_height * DENSITY_SHARE);
        self.band_plot(ui, view, &shown, plots_height * (1.0 - DENSITY_SHARE));
    }

    /// The frequency range choice: the EEG bands and mains, or everything up to half the rate.
    fn range_choice(&mut self, ui: &mut Ui) {
        let nyquist = self.spectra.rate_hz() / 2.0;
        let before = self.range;
        ui.horizontal(|ui| {
            ui.label("Frequencies");
            let bands = format!("0–{BANDS_AND_MAINS_HZ:.0} Hz");
            let all = format!("0–{nyquist:.0} Hz");
            ui.selectable_value(&mut self.range, FrequencyRange::BandsAndMains, bands)
                .on_hover_text(format!(
                    "The EEG bands and the 50 or 60 Hz mains.\n{ZOOM_HINT}"
                ));
            ui.selectable_value(&mut self.range, FrequencyRange::All, all)
                .on_hover_text(format!(
                    "Everything up to half the sample rate.\n{ZOOM_HINT}"
                ));
        });
        self.reset_x |= self.range != before;
    }

    /// Fills the density curves of the computed channels, in the view's units, and moves the
    /// vertical range only when the curves leave it or shrink well inside (no flicker).
    fn update_curves(&mut self, view: &View) {
        // Display values are codes times uv_per_lsb: densities scale by its square.
        let offset_db = match view.units {
            Units::Microvolts => 20.0 * view.uv_per_lsb.log10(),
            Units::Raw => 0.0,
        };
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (ch, curve) in self.curves.iter_mut().enumerate() {
            curve.clear();
            let Some(spectrum) = self.spectra.spectrum(ch) else {
                continue;
            };
            // Bin 0 is the mean, removed before the transform: nothing to show.
            for (k, &db) in spectrum.density_db().iter().enumerate().skip(1) {
                let (hz, y) = (spectrum.frequency(k), f64::from(db) + offset_db);
                if (self.visible_hz.0..=self.visible_hz.1).contains(&hz) {
                    lo = lo.min(y);
                    hi = hi.max(y);
                }
                curve.push(PlotPoint::new(hz, y));
            }
        }
        if lo <= hi {
            self.db_range = db_range(self.db_range, lo, hi);
        }
    }

    fn density_plot(&mut self, ui: &mut Ui, view: &View, shown: &[usize], height: f32) {
        let top_hz = self.range.top_hz(self.spectra.rate_hz() / 2.0);
        let reset_x = std::mem::take(&mut self.reset_x);
        let curves = &self.curves;
        let visible_hz = &mut self.visible_hz;
        let unit = density_unit(view);
        let (lo, hi) = self.db_range;
        let response = Plot::new("spectrum-density")
            .height(height)
            .legend(Legend::default().position(Corner::RightTop))
            .default_x_bounds(0.0, top_hz)
            .y_axis_min_width(Y_AXIS_WIDTH)
            .x_axis_label("frequency (Hz)")
            .x_grid_spacer(frequency_marks)
            .y_axis_label(format!("PSD (dB re 1 {unit})"))
            .allow_drag([true, false])
            .allow_zoom([true, false])
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .label_formatter(|hover| {
                let (HoverPosition::NearDataPoint { position, .. }
                | HoverPosition::Elsewhere { position }) = hover;
                Some(format!("{:.1} Hz\n{:.1} dB", position.x, position.y))
            })
            .show(ui, |plot_ui| {
                if reset_x {
                    plot_ui.set_plot_bounds_x(0.0..=top_hz);
                }
                plot_ui.set_plot_bounds_y(lo..=hi);
                let top = hi;
                for (i, band) in EegBand::ALL.into_iter().enumerate() {
                    let edges = band.band();
                    let shade = if i % 2 == 0 {
                        BAND_SHADE
                    } else {
                        BAND_SHADE_ALT
                    };
                    plot_ui.span(Span::new("", edges.lo_hz..=edges.hi_hz).fill(shade));
                    let at = PlotPoint::new((edges.lo_hz + edges.hi_hz) / 2.0, top);
                    let name = RichText::new(band.symbol()).color(BAND_TEXT).size(14.0);
                    plot_ui.text(
                        Text::new("", at, name)
                            .anchor(Align2::CENTER_TOP)
                            .allow_hover(false),
                    );
                }
                for &ch in shown {
                    let points = PlotPoints::Borrowed(&curves[ch]);
                    plot_ui.line(
                        Line::new(view.names[ch].as_str(), points)
                            .id(("psd", ch))
                            .color(COLORS[ch])
                            .width(1.5),
                    );
                }
            });
        let bounds = response.transform.bounds();
        *visible_hz = (bounds.min()[0], bounds.max()[0]);
    }

    fn band_plot(&self, ui: &mut Ui, view: &View, shown: &[usize], height: f32) {
        // One group per band, one bar per shown channel inside it. egui_plot takes the bars
        // as owned vectors: 30 small ones a frame, nothing next to the text egui lays out.
        let width = 0.8 / shown.len() as f64;
        let charts: Vec<BarChart> = shown
            .iter()
            .enumerate()
            .filter_map(|(n, &ch)| {
                let bands = self.spectra.bands(ch)?;
                let offset = (n as f64 - (shown.len() - 1) as f64 / 2.0) * width;
                let bars = EegBand::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, band)| {
                        Bar::new(i as f64 + offset, 100.0 * bands.relative(band))
                            .width(width * 0.9)
                            .fill(COLORS[ch])
                            .name(&view.names[ch])
                    })
                    .collect();
                let chart = BarChart::new(view.names[ch].as_str(), bars)
                    .id(("bands", ch))
                    .color(COLORS[ch])
                    .element_formatter(Box::new(|bar, _| {
                        let band = EegBand::ALL[bar.argument.round().clamp(0.0, 4.0) as usize];
                        let edges = band.band();
                        format!(
                            "{}\n{band} ({}–{} Hz): {:.1} %",
                            bar.name, edges.lo_hz, edges.hi_hz, bar.value
                        )
                    }));
                Some(chart)
            })
            .collect();
        Plot::new("spectrum-bands")
            .height(height)
            .y_axis_min_width(Y_AXIS_WIDTH)
            .y_axis_label("relative power (%)")
            .x_grid_spacer(band_marks)
            .y_grid_spacer(percent_marks)
            .x_axis_formatter(|mark, _| {
                EegBand::ALL
                    .get(mark.value.round() as usize)
                    .map_or_else(String::new, |b| b.name().to_owned())
            })
            .show_grid([false, true])
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .show_x(false)
            .show(ui, |plot_ui| {
                plot_ui.set_plot_bounds_x(-0.5..=4.5);
                plot_ui.set_plot_bounds_y(0.0..=105.0);
                for chart in charts {
                    plot_ui.bar_chart(chart);
                }
            });
    }

    /// One line per channel: its name, peak frequency, strongest band and RMS amplitude.
    fn summary(&self, ui: &mut Ui, view: &View, shown: &[usize]) {
        let grid = egui::Grid::new("spectrum-summary")
            .num_columns(4)
            .spacing([14.0, 2.0]);
        grid.show(ui, |ui| {
            for &ch in shown {
                let (Some(spectrum), Some(bands)) =
                    (self.spectra.spectrum(ch), self.spectra.bands(ch))
                else {
                    continue;
                };
                ui.label(RichText::new(&view.names[ch]).color(COLORS[ch]).strong());
                match spectrum.peak() {
                    Some((hz, _)) => ui.label(format!("peak {hz:.1} Hz")),
                    None => ui.label("no peak"),
                };
                let strongest = bands.strongest();
                let share = 100.0 * bands.relative(strongest);
                let edges = strongest.band();
                ui.label(format!("{strongest} strongest ({share:.0} %)"))
                    .on_hover_text(format!("{}–{} Hz", edges.lo_hz, edges.hi_hz));
                // Total power above DC is the variance there: its root is the RMS amplitude.
                let rms = match view.units {
                    Units::Microvolts => bands.total.sqrt() * view.uv_per_lsb,
                    Units::Raw => bands.total.sqrt(),
                };
                ui.label(format!("{rms:.1} {} rms", view.units.suffix()))
                    .on_hover_text(format!(
                        "Root of the power above {DC_CUTOFF_HZ} Hz: the amplitude of the signal \
                         without its offset and drift"
                    ));
                ui.end_row();
            }
        });
    }
}

/// Opens or closes the panel on [`TOGGLE_KEY`], unless a text field has the keyboard (a
/// letter typed there is no shortcut).
pub fn toggle_on_key(ctx: &Context, view: &mut View) {
    if !ctx.text_edit_focused() && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, TOGGLE_KEY)) {
        view.show_spectrum = !view.show_spectrum;
    }
}

/// The caption under the heading: which stretch of which signal, and the resolution.
fn caption(ui: &mut Ui, spectra: &Spectra, session: &Session, coverage: Coverage) {
    let filters = session.filters();
    let mut applied = Vec::new();
    if filters.high_pass {
        applied.push("high-pass 0.5 Hz".to_owned());
    }
    if let Some(mains) = filters.notch {
        applied.push(format!("notch {mains}"));
    }
    if filters.low_pass {
        applied.push("low-pass 40 Hz".to_owned());
    }
    let signal = if applied.is_empty() {
        "unfiltered".to_owned()
    } else {
        applied.join(", ")
    };
    let stretch = match coverage {
        Coverage::Ready { end, .. } => format!(
            "{:.1} s up to {}",
            spectra.len() as f64 / spectra.rate_hz(),
            clock(end)
        ),
        Coverage::Collecting { need_s, .. } => format!("{need_s:.1} s"),
    };
    ui.label(
        RichText::new(format!(
            "{stretch} · {} samples · {:.2} Hz bins · Hann window\nSignal as displayed: {signal}",
            spectra.len(),
            spectra.bin_hz()
        ))
        .weak(),
    );
}

/// The density's unit in the view's units: µV²/Hz or code²/Hz.
fn density_unit(view: &View) -> String {
    format!("{}²/Hz", view.units.suffix())
}

/// Grid marks at the band groups' centres, 0 to 4.
fn band_marks(_input: GridInput) -> Vec<GridMark> {
    (0..EegBand::ALL.len())
        .map(|i| GridMark {
            value: i as f64,
            step_size: 1.0,
        })
        .collect()
}

/// The density plot's vertical range for curves from `lo` to `hi` dB: whole 10 dB, room
/// above the highest point for the band names, no more than [`DB_SHOWN`] below it. `current`
/// is kept while the curves stay inside it with less than [`DB_SLACK`] to spare at either
/// end, so the axis does not jump with every new spectrum.
fn db_range(current: (f64, f64), lo: f64, hi: f64) -> (f64, f64) {
    let lo = lo.max(hi - DB_SHOWN);
    let fits = current.0 <= lo && hi + DB_HEADROOM <= current.1;
    let snug = lo - current.0 <= DB_SLACK && current.1 - hi <= DB_HEADROOM + DB_SLACK;
    if fits && snug {
        return current;
    }
    (
        ((lo - 2.0) / 10.0).floor() * 10.0,
        ((hi + DB_HEADROOM) / 10.0).ceil() * 10.0,
    )
}

/// Frequency grid marks: labelled ones a round 1, 2 or 5 times a power of ten hertz apart
/// and wide enough for egui_plot to label them (it leaves out labels closer than 60
/// points), with thinner lines between.
fn frequency_marks(input: GridInput) -> Vec<GridMark> {
    // `base_step_size` is the width of GRID_MIN_SPACING points in hertz.
    const GRID_MIN_SPACING: f64 = 8.0;
    const LABEL_SPACING: f64 = 80.0;
    let (lo, hi) = input.bounds;
    if !(input.base_step_size > 0.0 && lo < hi) {
        return Vec::new();
    }
    let wanted = input.base_step_size * LABEL_SPACING / GRID_MIN_SPACING;
    let magnitude = 10f64.powf(wanted.log10().floor());
    let (label, minor) = [(1.0, 0.2), (2.0, 1.0), (5.0, 1.0), (10.0, 2.0)]
        .into_iter()
        .map(|(l, m)| (l * magnitude, m * magnitude))
        .find(|&(l, _)| l >= wanted)
        .unwrap_or((10.0 * magnitude, 2.0 * magnitude));
    let first = (lo / minor).ceil() as i64;
    let last = (hi / minor).floor() as i64;
    let per_label = (label / minor).round() as i64;
    (first..=last)
        .map(|i| GridMark {
            value: i as f64 * minor,
            step_size: if i % per_label == 0 { label } else { minor },
        })
        .collect()
}

/// Grid marks every 25 %, from 0 to 100.
fn percent_marks(_input: GridInput) -> Vec<GridMark> {
    (0..=4)
        .map(|i| GridMark {
            value: f64::from(i) * 25.0,
            step_size: 25.0,
        })
        .collect()
}

/// `m:ss.s` since the first sample.
fn clock(t: f64) -> String {
    format!("{}:{:04.1}", (t / 60.0).floor(), t.rem_euclid(60.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marks egui_plot labels for `bounds` hertz over `points` (those whose step is at
    /// least 60 points wide), and all marks.
    fn marks(bounds: (f64, f64), points: f64) -> (Vec<f64>, Vec<f64>) {
        let points_per_hz = points / (bounds.1 - bounds.0);
        let all = frequency_marks(GridInput {
            bounds,
            base_step_size: 8.0 / points_per_hz,
        });
        let labelled = all
            .iter()
            .filter(|m| m.step_size * points_per_hz > 60.0)
            .map(|m| m.value)
            .collect();
        (labelled, all.iter().map(|m| m.value).collect())
    }

    #[test]
    fn frequency_labels_are_round_and_far_enough_apart() {
        // 70 Hz over 400 points: 20 Hz apart (10 Hz would be 57 points, too close to label).
        let (labelled, all) = marks((0.0, 70.0), 400.0);
        assert_eq!(labelled, [0.0, 20.0, 40.0, 60.0]);
        assert!(
            all.contains(&10.0),
            "thin lines between the labels: {all:?}"
        );
        assert_eq!(marks((0.0, 128.0), 400.0).0, [0.0, 50.0, 100.0]);
        assert_eq!(marks((8.0, 12.0), 400.0).0, [8.0, 9.0, 10.0, 11.0, 12.0]);
    }

    #[test]
    fn the_db_range_fits_in_tens_and_keeps_still() {
        let range = db_range((-40.0, 40.0), -33.0, 27.0);
        assert_eq!(range, (-40.0, 40.0), "fits snugly: kept");
        let range = db_range(range, -62.0, 12.0);
        assert_eq!(range, (-70.0, 20.0), "left below: refitted");
        assert_eq!(db_range(range, -58.0, 8.0), range, "small changes keep it");
        // A deep stop band is cut off DB_SHOWN below the top.
        assert_eq!(db_range((-40.0, 40.0), -150.0, 10.0), (-80.0, 20.0));
        assert_eq!(
            db_range(range, -150.0, 10.0),
            range,
            "-70 is still within 80 dB of the top"
        );
    }
}
