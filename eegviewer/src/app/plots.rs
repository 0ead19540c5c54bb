//! The channel plots: one `egui_plot` per shown channel, stacked, their time axes linked.
//!
//! Each frame every shown channel's visible span is decimated to min/max per pixel column
//! ([`Decimated`]), converted to display units into a buffer kept between frames, and drawn
//! from borrowed points, one line per segment so no line crosses a gap. The time axis is laid
//! out by a [`TimeLayout`]: scrolling, or a sweep whose two pieces (the sweep being written and
//! the rest of the previous one) are decimated and drawn apart, so no line crosses the wrap
//! point either. Gaps are shaded, marks (resyncs, device back, restarts, switch presses) are thin
//! dotted lines (a resync at a gap's edge only gets its label), and the top plot names both
//! ([`labels`]). A click places a measurement cursor, Shift+click the second one
//! ([`cursor`](super::cursor)).

use std::ops::{Range, RangeInclusive};

use egui::{Align2, Color32, Id, Role, Ui, Vec2, WidgetInfo, pos2};
use egui_plot::{
    GridMark, HoverPosition, Line, LineStyle, Plot, PlotPoint, PlotPoints, PlotTransform, Span,
    VLine,
};
use libeeg::CHANNELS;

use super::labels::{self, GAP_TEXT, Row, cluster, gap_summary, mark_summary, mark_summary_color};
use super::marks::{Mark, MarkKind};
use super::session::{Gap, Session};
use super::time_layout::TimeLayout;
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
/// A mark's line: light and dotted, so it reads as a note and not as a trace.
const MARK_LINE: Color32 = Color32::from_rgba_premultiplied(100, 100, 100, 110);
/// The sweep's erase bar and write position.
const ERASE_FILL: Color32 = Color32::from_rgba_premultiplied(0, 0, 0, 110);
const WRITE_LINE: Color32 = Color32::from_rgba_premultiplied(200, 200, 200, 200);
/// The measurement cursors A and B.
pub const CURSOR_COLORS: [Color32; 2] = [Color32::WHITE, Color32::from_rgb(0xff, 0xab, 0x40)];
/// A gap is shaded at least this wide, in points, so a single lost packet shows.
const MIN_GAP_WIDTH: f64 = 2.0;
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
    layout: Option<TimeLayout>,
}

/// What one frame draws on every plot besides the traces, in axis coordinates.
struct Overlay<'a> {
    layout: TimeLayout,
    /// Shaded stretches.
    gap_spans: Vec<(f64, f64)>,
    /// Gaps and marks in view with their axis positions, for the top plot's labels.
    gaps: Vec<(f64, &'a Gap)>,
    marks: Vec<(f64, &'a Mark)>,
    /// Where marks get a line of their own.
    mark_lines: Vec<f64>,
    /// Cursor A and B positions.
    cursors: [Option<f64>; 2],
}

impl Plots {
    /// The time axis as drawn last frame.
    pub fn layout(&self) -> Option<TimeLayout> {
        self.layout
    }

    /// Points of channel `ch`'s trace drawn last frame.
    pub fn points(&self, ch: usize) -> usize {
        self.traces[ch].points.len()
    }

    /// Draws the shown channels of `session` into the rest of `ui`, as `view` says, and
    /// updates `view` from what the user did (drag, zoom, cursor clicks).
    pub fn show(&mut self, ui: &mut Ui, session: &Session, view: &mut View) {
        let shown: Vec<usize> = (0..CHANNELS)
            .filter(|&ch| view.channels[ch].visible)
            .collect();
        if shown.is_empty() {
            ui.centered_and_justified(|ui| ui.label("No channel shown: tick one in the toolbar."));
            return;
        }
        let layout = view.layout(session.newest_time());
        self.layout = Some(layout);
        // While not following, a margin is drawn on both sides so a drag shows data at once.
        let drawn = match layout {
            TimeLayout::Scroll { range } if !view.follow => {
                let margin = (range.1 - range.0) / 2.0;
                TimeLayout::Scroll {
                    range: (range.0 - margin, range.1 + margin),
                }
            }
            other => other,
        };
        let (x0, x1) = layout.x_range();
        let width_pts = (ui.available_width() - Y_AXIS_WIDTH).max(1.0);
        let px_per_s = f64::from(width_pts * ui.pixels_per_point()) / (x1 - x0).max(1e-6);
        let high_passed = session.filters().high_pass;
        for &ch in &shown {
            self.update_trace(ch, session, view, &drawn, px_per_s, high_passed);
            let cv = &mut view.channels[ch];
            if cv.autoscale
                && let Some((lo, hi)) = self.traces[ch].extent
            {
                cv.y_range = autoscale(cv.y_range, lo, hi);
            }
        }
        let overlay = overlay(
            session,
            view,
            &drawn,
            MIN_GAP_WIDTH * (x1 - x0) / f64::from(width_pts),
        );
        let spacing = ui.spacing().item_spacing.y;
        let height =
            ((ui.available_height() - X_AXIS_HEIGHT) / shown.len() as f32 - spacing).max(40.0);
        let set_x = (view.follow && view.paused_at.is_none()) || view.jump || layout.is_sweep();
        let mut interacted = false;
        let mut shown_range = layout.x_range();
        let mut clicked: Option<(f64, bool)> = None;
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
                .x_axis_formatter(if layout.is_sweep() {
                    sweep_label
                } else {
                    time_label
                })
                .x_axis_label(x_axis_label(&layout, view.paused_at.is_some()))
                .allow_drag([true, !cv.autoscale])
                .allow_zoom([true, !cv.autoscale])
                .allow_scroll([true, false])
                .allow_boxed_zoom(false)
                .allow_double_click_reset(false)
                .set_margin_fraction(Vec2::ZERO)
                .label_formatter(move |hover| {
                    let (HoverPosition::NearDataPoint { position, .. }
                    | HoverPosition::Elsewhere { position }) = hover;
                    // No label over a sweep's erase bar, where no time is drawn.
                    let time = time_label_fine(layout.time_at(position.x)?);
                    Some(format!("{time}\n{:.1} {unit}", position.y))
                });
            let trace = &self.traces[ch];
            let color = COLORS[ch];
            let name = view.names[ch].clone();
            let quality = session.quality(ch).label();
            let overlay = &overlay;
            let response = plot.show(ui, |plot_ui| {
                if set_x {
                    plot_ui.set_plot_bounds_x(x0..=x1);
                }
                if cv.autoscale {
                    // A little room so the edge ticks' labels are not cut in half.
                    let pad = (cv.y_range.1 - cv.y_range.0) * 0.06;
                    plot_ui.set_plot_bounds_y(cv.y_range.0 - pad..=cv.y_range.1 + pad);
                }
                for &(a, b) in &overlay.gap_spans {
                    plot_ui.span(Span::new("", a..=b).fill(GAP_FILL));
                }
                if let (Some((a, b)), Some(write)) =
                    (overlay.layout.erase(), overlay.layout.write_x())
                {
                    plot_ui.span(Span::new("", a..=b).fill(ERASE_FILL));
                    plot_ui.vline(
                        VLine::new("", write)
                            .color(WRITE_LINE)
                            .width(1.0)
                            .allow_hover(false),
                    );
                }
                for x in &overlay.mark_lines {
                    let line = VLine::new("", *x)
                        .color(MARK_LINE)
                        .width(1.0)
                        .style(LineStyle::Dotted { spacing: 4.0 })
                        .allow_hover(false);
                    plot_ui.vline(line);
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
                for (x, color) in overlay.cursors.iter().zip(CURSOR_COLORS) {
                    if let Some(x) = *x {
                        plot_ui.vline(VLine::new("", x).color(color).width(1.5).allow_hover(false));
                    }
                }
            });
            let r = &response.response;
            r.widget_info(|| WidgetInfo::labeled(Role::Canvas, true, format!("{name} plot")));
            let header_right = labels::header(
                ui,
                *response.transform.frame(),
                &format!("{name}  ·  {quality}"),
                color,
            );
            if n == 0 {
                top_labels(ui, &response.transform, overlay, header_right);
            }
            if r.clicked()
                && let Some(pos) = r.interact_pointer_pos()
            {
                let x = response.transform.value_from_position(pos).x;
                clicked = Some((x, ui.input(|i| i.modifiers.shift)));
            }
            let (scrolled, zoomed) =
                ui.input(|i| (i.smooth_scroll_delta != Vec2::ZERO, i.zoom_delta() != 1.0));
            interacted |= r.dragged() || (r.hovered() && (scrolled || zoomed));
            let b = response.transform.bounds();
            shown_range = (b.min()[0], b.max()[0]);
            if !cv.autoscale {
                view.channels[ch].y_range = (b.min()[1], b.max()[1]);
            }
        }
        if let Some((x, second)) = clicked
            && let Some(t) = layout.time_at(x)
        {
            view.cursors.place(session, t, second);
        }
        view.jump = false;
        match layout {
            // Dragged or scrolled off the sweep: the same seconds, scrolling (see View::layout).
            TimeLayout::Sweep { .. } if interacted => {
                let (s0, s1) = layout.stream_range();
                view.jump_to((s0 + shown_range.0 - x0, s1 + shown_range.1 - x1));
            }
            TimeLayout::Sweep { .. } => view.range = layout.stream_range(),
            TimeLayout::Scroll { .. } => {
                if interacted {
                    view.follow = false;
                    view.sweep_frozen = false;
                }
                view.range = shown_range;
            }
        }
    }

    /// Decimates channel `ch`'s samples in each piece of `drawn` to `px_per_s` columns per
    /// second, and places them on the axis.
    fn update_trace(
        &mut self,
        ch: usize,
        session: &Session,
        view: &View,
        drawn: &TimeLayout,
        px_per_s: f64,
        high_passed: bool,
    ) {
        let (x0, x1) = self.layout.unwrap_or(*drawn).x_range();
        let trace = &mut self.traces[ch];
        trace.points.clear();
        trace.lines.clear();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for piece in drawn.pieces() {
            let columns = Columns {
                t0: piece.t0,
                t1: piece.t1,
                count: ((piece.t1 - piece.t0) * px_per_s).ceil().max(0.0) as usize,
            };
            let span = session.history().span(piece.t0, piece.t1);
            trace
                .decimated
                .decimate(&span.runs(Session::filtered_column(ch)), columns);
            for polyline in trace.decimated.polylines() {
                let start = trace.points.len();
                for &[t, v] in polyline {
                    let x = t - piece.offset;
                    let y = view.to_display(v, high_passed);
                    if x >= x0 && x <= x1 {
                        lo = lo.min(y);
                        hi = hi.max(y);
                    }
                    trace.points.push(PlotPoint::new(x, y));
                }
                trace.lines.push(start..trace.points.len());
            }
        }
        trace.extent = (lo <= hi).then_some((lo, hi));
    }
}

/// The gaps, marks and cursors of `session` and `view` placed on the axis of `drawn`; a gap
/// is shaded at least `min_gap` wide.
fn overlay<'a>(session: &'a Session, view: &View, drawn: &TimeLayout, min_gap: f64) -> Overlay<'a> {
    let (t0, t1) = drawn.stream_range();
    let mut gap_spans = Vec::new();
    let mut gaps = Vec::new();
    for gap in session.gaps().filter(|g| g.end >= t0 && g.start <= t1) {
        let spans = drawn.x_spans(gap.start, gap.end);
        for &(a, b) in &spans {
            let (mid, half) = ((a + b) / 2.0, ((b - a) / 2.0).max(min_gap / 2.0));
            gap_spans.push((mid - half, mid + half));
        }
        // One label per gap, on its widest piece.
        if let Some(&(a, b)) = spans
            .iter()
            .max_by(|p, q| (p.1 - p.0).total_cmp(&(q.1 - q.0)))
        {
            gaps.push(((a + b) / 2.0, gap));
        }
    }
    gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut marks: Vec<(f64, &Mark)> = session
        .marks()
        .filter(|m| m.t >= t0 && m.t <= t1)
        .filter_map(|m| drawn.x_of(m.t).map(|x| (x, m)))
        .collect();
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    // A resync at the end of a gap (the decoder skipped bytes and lost packets) is already
    // marked by the gap's shading; its label names it, and a line would only add clutter.
    let mut gap_ends: Vec<f64> = gaps.iter().map(|(_, g)| g.end).collect();
    gap_ends.sort_by(f64::total_cmp);
    let at_gap_end = |t: f64| gap_ends.binary_search_by(|end| end.total_cmp(&t)).is_ok();
    let mark_lines = marks
        .iter()
        .filter(|(_, m)| !(matches!(m.kind, MarkKind::Resync { .. }) && at_gap_end(m.t)))
        .map(|&(x, _)| x)
        .collect();
    let cursors = [view.cursors.a, view.cursors.b].map(|c| c.and_then(|t| drawn.x_of(t)));
    Overlay {
        layout: *drawn,
        gap_spans,
        gaps,
        marks,
        mark_lines,
        cursors,
    }
}

/// The top plot's label rows (gaps, then marks) and the cursors' letters; none over the
/// channel header (ending at `header_right`) in the top-left corner.
fn top_labels(ui: &Ui, transform: &PlotTransform, overlay: &Overlay<'_>, header_right: f32) {
    let plot = *transform.frame();
    let row_height = labels::row_height(ui);
    let to_screen = |x: f64| transform.position_from_point_x(x);
    // Items drawn in the margin kept for dragging are no part of the labels.
    let visible = |x: &f32| (plot.left()..=plot.right()).contains(x);
    let width = |text: &str| labels::label_width(ui, text);
    let gap_items: Vec<(f32, &Gap)> = overlay
        .gaps
        .iter()
        .map(|&(x, g)| (to_screen(x), g))
        .filter(|(x, _)| visible(x))
        .collect();
    let gap_clusters = cluster(&gap_items, gap_summary, width);
    let gap_line = |i: usize| {
        format!(
            "{}  {}",
            clock(gap_items[i].1.start),
            gap_items[i].1.label()
        )
    };
    Row {
        plot,
        top: plot.top() + 1.0,
        left: header_right + 4.0,
        id: Id::unique("gap-labels"),
        color: &|_| GAP_TEXT,
        line: &gap_line,
    }
    .draw(ui, &gap_clusters);
    let mark_items: Vec<(f32, &Mark)> = overlay
        .marks
        .iter()
        .map(|&(x, m)| (to_screen(x), m))
        .filter(|(x, _)| visible(x))
        .collect();
    let mark_clusters = cluster(&mark_items, mark_summary, width);
    let mark_line =
        |i: usize| format!("{}  {}", clock(mark_items[i].1.t), mark_items[i].1.detail());
    let mark_colour = |items: Range<usize>| mark_summary_color(&mark_items[items]);
    Row {
        plot,
        top: plot.top() + 1.0 + row_height,
        left: plot.left(),
        id: Id::unique("mark-labels"),
        color: &mark_colour,
        line: &mark_line,
    }
    .draw(ui, &mark_clusters);
    let painter = ui.painter_at(plot);
    for ((x, color), letter) in overlay.cursors.iter().zip(CURSOR_COLORS).zip(["A", "B"]) {
        if let Some(x) = *x {
            let at = pos2(to_screen(x) + 3.0, plot.bottom() - 2.0);
            painter.text(at, Align2::LEFT_BOTTOM, letter, labels::font(ui), color);
        }
    }
}

/// The time axis' title.
fn x_axis_label(layout: &TimeLayout, paused: bool) -> String {
    match layout.sweep_start() {
        None => "time since start (m:ss)".to_owned(),
        Some(start) => {
            let state = if paused { "frozen" } else { "sweeping" };
            format!(
                "seconds into the sweep ({state}; this sweep began at {})",
                clock(start)
            )
        }
    }
}

/// A time-axis label: seconds since the first sample as `m:ss`, with tenths when the grid
/// is finer than a second.
fn time_label(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
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

/// A sweep-axis label: seconds into the sweep, tenths when the grid is finer than a second.
fn sweep_label(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    if mark.value < 0.0 {
        String::new()
    } else if mark.step_size < 0.999 {
        format!("{:.1}", mark.value)
    } else {
        format!("{:.0}", mark.value)
    }
}

/// A time for the cursor readout and the hover label: `m:ss.sss`.
pub fn time_label_fine(t: f64) -> String {
    let (m, s) = ((t / 60.0).floor(), t.rem_euclid(60.0));
    format!("{m}:{s:06.3}")
}

/// A time for event lists and tooltips: `m:ss.s`.
pub fn clock(t: f64) -> String {
    format!("{}:{:04.1}", (t / 60.0).floor(), t.rem_euclid(60.0))
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
        assert_eq!(sweep_label(mark(4.0, 2.0), &(0.0..=1.0)), "4");
        assert_eq!(sweep_label(mark(2.5, 0.5), &(0.0..=1.0)), "2.5");
        assert_eq!(clock(75.25), "1:15.2");
    }
}
