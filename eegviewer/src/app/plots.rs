//! The channel plots: one `egui_plot` per shown channel, stacked, their time axes linked.
//!
//! Each frame every shown channel's visible span is decimated to min/max per pixel column
//! ([`Decimated`]), converted to display units into a buffer kept between frames, and drawn
//! from borrowed points, one line per segment so no line crosses a gap. Gaps are shaded, and
//! the top plot names them ("5 lost").

use std::ops::Range;

use egui::{Align2, Color32, Id, RichText, Ui, Vec2};
use egui_plot::{GridMark, HoverPosition, Line, Plot, PlotPoint, PlotPoints, Span, Text};
use libeeg::CHANNELS;

use super::session::{Gap, GapKind, Session};
use super::view::{View, autoscale};
use crate::signal::decimate::{Columns, Decimated};

/// Trace colours, distinct on the dark background and for common colour blindness.
pub const COLORS: [Color32; CHANNELS] = [
    Color32::from_rgb(0x56, 0xb4, 0xe9),
    Color32::from_rgb(0xe6, 0x9f, 0x00),
    Color32::from_rgb(0x4c, 0xc9, 0x8f),
    Color32::from_rgb(0xf0, 0x7c, 0xb0),
    Color32::from_rgb(0xb7, 0x95, 0xe8),
    Color32::from_rgb(0xf0, 0xe4, 0x42),
];
/// Fill of a gap's shading.
const GAP_FILL: Color32 = Color32::from_rgba_premultiplied(70, 20, 20, 70);
/// Colour of a gap's label.
const GAP_TEXT: Color32 = Color32::from_rgb(0xff, 0x8a, 0x80);
/// A gap is shaded at least this wide, in points, so a single lost packet shows.
const MIN_GAP_WIDTH: f64 = 2.0;
/// Gap labels closer than this many minimal gap widths (2 points each) are merged.
const LABEL_SPACING_GAPS: f64 = 30.0;
/// No gap label over the channel header in the top-left corner (in minimal gap widths).
const HEADER_GAPS: f64 = 45.0;
/// Width of every plot's vertical axis, so the time axes line up.
const Y_AXIS_WIDTH: f32 = 64.0;
/// Height of the time axis under the bottom plot.
const X_AXIS_HEIGHT: f32 = 40.0;

/// One channel's decimated trace, in display units, kept between frames.
#[derive(Debug, Default)]
struct Trace {
    decimated: Decimated,
    points: Vec<PlotPoint>,
    lines: Vec<Range<usize>>,
    /// Lowest and highest value of the visible points.
    extent: Option<(f64, f64)>,
}

/// The plots' per-frame buffers.
#[derive(Debug, Default)]
pub struct Plots {
    traces: [Trace; CHANNELS],
}

impl Plots {
    /// Draws the shown channels of `session` into the rest of `ui`, as `view` says, and
    /// updates `view` from what the user did (drag, zoom).
    pub fn show(&mut self, ui: &mut Ui, session: &Session, view: &mut View) {
        let shown: Vec<usize> = (0..CHANNELS)
            .filter(|&ch| view.channels[ch].visible)
            .collect();
        if shown.is_empty() {
            ui.centered_and_justified(|ui| ui.label("No channel shown: tick one in the toolbar."));
            return;
        }
        let range = view.time_range(session.newest_time());
        let width_px = ((ui.available_width() - Y_AXIS_WIDTH) * ui.pixels_per_point()).max(1.0);
        let high_passed = session.filters().high_pass;
        for &ch in &shown {
            self.update_trace(ch, session, view, range, width_px as usize, high_passed);
            let cv = &mut view.channels[ch];
            if cv.autoscale
                && let Some((lo, hi)) = self.traces[ch].extent
            {
                cv.y_range = autoscale(cv.y_range, lo, hi);
            }
        }
        let spacing = ui.spacing().item_spacing.y;
        let height =
            ((ui.available_height() - X_AXIS_HEIGHT) / shown.len() as f32 - spacing).max(40.0);
        let gap_min_width =
            MIN_GAP_WIDTH * (range.1 - range.0) / f64::from(width_px / ui.pixels_per_point());
        let gaps: Vec<&Gap> = session
            .gaps()
            .filter(|g| g.end >= range.0 && g.start <= range.1)
            .collect();
        let mut interacted = false;
        let mut shown_range = range;
        for (n, &ch) in shown.iter().enumerate() {
            let last = n + 1 == shown.len();
            let cv = view.channels[ch];
            let unit = view.units.suffix();
            let plot = Plot::new(("eeg-channel", ch))
                .height(height + if last { X_AXIS_HEIGHT } else { 0.0 })
                .link_axis(Id::unique("eeg-time"), [true, false])
                .link_cursor(Id::unique("eeg-time"), [true, false])
                .show_axes([last, true])
                .y_axis_min_width(Y_AXIS_WIDTH)
                .y_axis_label(format!("{} ({unit})", view.names[ch]))
                .x_axis_formatter(time_label)
                .x_axis_label("time since start (m:ss)")
                .allow_drag([true, !cv.autoscale])
                .allow_zoom([true, !cv.autoscale])
                .allow_scroll([true, false])
                .allow_boxed_zoom(false)
                .allow_double_click_reset(false)
                .set_margin_fraction(Vec2::ZERO)
                .label_formatter(move |hover| {
                    let (HoverPosition::NearDataPoint { position, .. }
                    | HoverPosition::Elsewhere { position }) = hover;
                    Some(format!(
                        "{}\n{:.1} {unit}",
                        time_label_fine(position.x),
                        position.y
                    ))
                });
            let trace = &self.traces[ch];
            let color = COLORS[ch];
            let name = view.names[ch].clone();
            let quality = session.quality(ch).label();
            let set_x = (view.follow && view.paused_at.is_none()) || view.jump;
            let gaps = &gaps;
            let response = plot.show(ui, |plot_ui| {
                if set_x {
                    plot_ui.set_plot_bounds_x(range.0..=range.1);
                }
                if cv.autoscale {
                    // A little room so the edge ticks' labels are not cut in half.
                    let pad = (cv.y_range.1 - cv.y_range.0) * 0.06;
                    plot_ui.set_plot_bounds_y(cv.y_range.0 - pad..=cv.y_range.1 + pad);
                }
                let bounds = plot_ui.plot_bounds();
                for gap in gaps {
                    let mid = (gap.start + gap.end) / 2.0;
                    let half = ((gap.end - gap.start) / 2.0).max(gap_min_width / 2.0);
                    plot_ui.span(Span::new("", mid - half..=mid + half).fill(GAP_FILL));
                }
                if n == 0 {
                    for (mid, text) in gap_labels(
                        gaps,
                        gap_min_width * LABEL_SPACING_GAPS,
                        bounds.min()[0] + gap_min_width * HEADER_GAPS,
                    ) {
                        let label = RichText::new(text).color(GAP_TEXT).strong();
                        let at = PlotPoint::new(mid, bounds.max()[1]);
                        plot_ui.text(
                            Text::new("", at, label)
                                .anchor(Align2::CENTER_TOP)
                                .allow_hover(false),
                        );
                    }
                }
                for (i, r) in trace.lines.iter().enumerate() {
                    let points = PlotPoints::Borrowed(&trace.points[r.clone()]);
                    plot_ui.line(
                        Line::new(name.as_str(), points)
                            .id((ch, i))
                            .color(color)
                            .width(1.2),
                    );
                }
                let corner = PlotPoint::new(bounds.min()[0], bounds.max()[1]);
                let header = format!("{name}  ·  {quality}");
                let header = RichText::new(header)
                    .color(color)
                    .strong()
                    .background_color(Color32::from_black_alpha(160));
                plot_ui.text(
                    Text::new("", corner, header)
                        .anchor(Align2::LEFT_TOP)
                        .allow_hover(false),
                );
            });
            let r = &response.response;
            let (scrolled, zoomed) =
                ui.input(|i| (i.smooth_scroll_delta != Vec2::ZERO, i.zoom_delta() != 1.0));
            interacted |= r.dragged() || (r.hovered() && (scrolled || zoomed));
            let b = response.transform.bounds();
            shown_range = (b.min()[0], b.max()[0]);
            if !cv.autoscale {
                view.channels[ch].y_range = (b.min()[1], b.max()[1]);
            }
        }
        if interacted {
            view.follow = false;
        }
        view.jump = false;
        view.range = shown_range;
    }

    /// Decimates channel `ch`'s samples in `range` (and a margin on both sides while not
    /// following, so a drag shows data at once) to `width_px` columns across `range`.
    fn update_trace(
        &mut self,
        ch: usize,
        session: &Session,
        view: &View,
        range: (f64, f64),
        width_px: usize,
        high_passed: bool,
    ) {
        let width = (range.1 - range.0).max(1e-6);
        let margin = if view.follow { 0.0 } else { width / 2.0 };
        let (t0, t1) = (range.0 - margin, range.1 + margin);
        let columns = Columns {
            t0,
            t1,
            count: (width_px as f64 * (t1 - t0) / width).ceil() as usize,
        };
        let trace = &mut self.traces[ch];
        let span = session.history().span(t0, t1);
        trace
            .decimated
            .decimate(&span.runs(Session::filtered_column(ch)), columns);
        trace.points.clear();
        trace.lines.clear();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for polyline in trace.decimated.polylines() {
            let start = trace.points.len();
            for &[t, v] in polyline {
                let y = view.to_display(v, high_passed);
                if t >= range.0 && t <= range.1 {
                    lo = lo.min(y);
                    hi = hi.max(y);
                }
                trace.points.push(PlotPoint::new(t, y));
            }
            trace.lines.push(start..trace.points.len());
        }
        trace.extent = (lo <= hi).then_some((lo, hi));
    }
}

/// A time-axis label: seconds since the first sample as `m:ss`, with tenths when the grid
/// is finer than a second.
fn time_label(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    if mark.value < 0.0 {
        return String::new();
    }
    let (m, s) = ((mark.value / 60.0).floor(), mark.value % 60.0);
    if mark.step_size < 0.999 {
        format!("{m}:{s:04.1}")
    } else {
        format!("{m}:{:02}", s.round() as u32)
    }
}

/// A time for the cursor readout: `m:ss.sss`.
fn time_label_fine(t: f64) -> String {
    let (m, s) = ((t / 60.0).floor(), t.rem_euclid(60.0));
    format!("{m}:{s:06.3}")
}

/// Labels for `gaps` (in time order): gaps closer than `spacing` share one label ("12 lost
/// in 5 gaps"), placed at their middle; none left of `left`. Returns (time, text) pairs.
fn gap_labels(gaps: &[&Gap], spacing: f64, left: f64) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let mut cluster: Option<(f64, f64, u64, usize, bool)> = None; // start, end, lost, gaps, outage
    let mut flush = |c: (f64, f64, u64, usize, bool)| {
        let (start, end, lost, count, outage) = c;
        let mid = (start + end) / 2.0;
        if mid < left {
            return;
        }
        let text = match (count, outage) {
            (_, true) => "device gone".to_owned(),
            (1, _) if lost == 0 => "gap".to_owned(),
            (1, _) => format!("{lost} lost"),
            _ => format!("{lost} lost in {count} gaps"),
        };
        out.push((mid, text));
    };
    for gap in gaps {
        let mid = (gap.start + gap.end) / 2.0;
        let lost = if let GapKind::Lost(n) = gap.kind {
            n
        } else {
            0
        };
        let outage = gap.kind == GapKind::DeviceGone;
        cluster = Some(match cluster {
            Some((start, end, l, c, o)) if mid - end < spacing => {
                (start, mid, l + lost, c + 1, o || outage)
            }
            Some(done) => {
                flush(done);
                (mid, mid, lost, 1, outage)
            }
            None => (mid, mid, lost, 1, outage),
        });
    }
    if let Some(done) = cluster {
        flush(done);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_labels_read_as_minutes_and_seconds() {
        let mark = |value, step_size| GridMark { value, step_size };
        assert_eq!(time_label(mark(65.0, 5.0), &(0.0..=1.0)), "1:05");
        assert_eq!(time_label(mark(2.5, 0.5), &(0.0..=1.0)), "0:02.5");
        assert_eq!(time_label(mark(-1.0, 1.0), &(0.0..=1.0)), "");
        assert_eq!(time_label_fine(61.25), "1:01.250");
    }

    #[test]
    fn close_gaps_share_a_label() {
        let gap = |t: f64, n| Gap {
            start: t,
            end: t + 0.01,
            kind: GapKind::Lost(n),
        };
        let gaps = [gap(1.0, 2), gap(1.1, 3), gap(5.0, 1)];
        let refs: Vec<&Gap> = gaps.iter().collect();
        let labels = gap_labels(&refs, 0.5, 0.0);
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].1, "5 lost in 2 gaps");
        assert_eq!(labels[1].1, "1 lost");
    }
}
