//! Labels along the top of the top plot, one row for the gaps ("5 lost", "device gone") and
//! one for the marks ("resync", "switch 2"). Labels that would overlap are merged into one
//! ("12 lost in 5 gaps", "resync ×3"), so the row stays readable however dense the events;
//! hovering a label lists what it stands for.

use std::ops::Range;

use egui::{Color32, FontId, Id, Rect, Role, Sense, TextStyle, Ui, WidgetInfo, pos2, vec2};

use super::marks::{Mark, MarkKind};
use super::session::{Gap, GapKind};

/// Space kept between two labels, points.
const SPACING: f32 = 6.0;
/// Lines listed in a label's tooltip at most.
const TOOLTIP_LINES: usize = 12;
/// Colour of a gap's label (and its entry in the events list).
pub const GAP_TEXT: Color32 = Color32::from_rgb(0xff, 0x8a, 0x80);
/// Behind a label, so it reads over the traces and the grid.
const CHIP: Color32 = Color32::from_rgba_premultiplied(0, 0, 0, 190);

/// Neighbouring items shown as one label.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Centre of the label, screen x.
    pub x: f32,
    /// Width of the label, points.
    pub width: f32,
    /// The text shown.
    pub text: String,
    /// The items it stands for, as indices into the placed items.
    pub items: Range<usize>,
}

/// Places labels for `items` (screen x, sorted) so none overlaps another: each item gets a
/// label from `summary` of its cluster, and neighbours whose labels would touch are merged,
/// the merged label centred on the cluster's span. `width` measures a text in points.
pub fn cluster<T>(
    items: &[(f32, T)],
    summary: impl Fn(&[(f32, T)]) -> String,
    width: impl Fn(&str) -> f32,
) -> Vec<Cluster> {
    let make = |range: Range<usize>| {
        let members = &items[range.clone()];
        let x = (members[0].0 + members[members.len() - 1].0) / 2.0;
        let text = summary(members);
        Cluster {
            x,
            width: width(&text),
            text,
            items: range,
        }
    };
    let mut placed: Vec<Cluster> = Vec::new();
    for i in 0..items.len() {
        placed.push(make(i..i + 1));
        // Merging moves and widens a label, so it may now touch the one before.
        while let [.., before, last] = placed.as_slice() {
            if last.x - before.x >= (before.width + last.width) / 2.0 + SPACING {
                break;
            }
            let merged = make(before.items.start..last.items.end);
            placed.pop();
            *placed.last_mut().expect("two labels") = merged;
        }
    }
    placed
}

/// The label of neighbouring gaps: "device gone" if the device went away among them, else
/// what was lost.
pub fn gap_summary(gaps: &[(f32, &Gap)]) -> String {
    if gaps.iter().any(|(_, g)| g.kind == GapKind::DeviceGone) {
        return "device gone".to_owned();
    }
    let lost: u64 = gaps
        .iter()
        .map(|(_, g)| if let GapKind::Lost(n) = g.kind { n } else { 0 })
        .sum();
    match gaps {
        [(_, gap)] => gap.label(),
        _ if lost == 0 => format!("{} gaps", gaps.len()),
        _ => format!("{lost} lost in {} gaps", gaps.len()),
    }
}

/// The label of neighbouring marks: the mark's own, "resync ×3" for several of a kind,
/// "restart +2" if the device restarted among them (the Olimex shield's reset signal also
/// changes the switch byte, so a restart always comes with "switch" marks), else "5 events".
pub fn mark_summary(marks: &[(f32, &Mark)]) -> String {
    let first = marks[0].1.label();
    if marks.len() == 1 {
        first
    } else if marks.iter().all(|(_, m)| m.label() == first) {
        format!("{first} ×{}", marks.len())
    } else if the_restart(marks).is_some() {
        format!("restart +{}", marks.len() - 1)
    } else {
        format!("{} events", marks.len())
    }
}

/// The colour of a [`mark_summary`] label: its marks' colour if they are of one kind, the
/// restart's if it names one, else white.
pub fn mark_summary_color(marks: &[(f32, &Mark)]) -> Color32 {
    let first = &marks[0].1.kind;
    let one_kind = marks
        .iter()
        .all(|(_, m)| std::mem::discriminant(&m.kind) == std::mem::discriminant(first));
    match the_restart(marks) {
        _ if one_kind => mark_color(first),
        Some(restart) => mark_color(&restart.kind),
        None => Color32::WHITE,
    }
}

/// The one restart among `marks`, if there is exactly one.
fn the_restart<'a>(marks: &[(f32, &'a Mark)]) -> Option<&'a Mark> {
    let mut restarts = marks
        .iter()
        .map(|(_, m)| *m)
        .filter(|m| matches!(m.kind, MarkKind::Restart { .. }));
    match (restarts.next(), restarts.next()) {
        (Some(restart), None) => Some(restart),
        _ => None,
    }
}

/// The colour a mark's label is written in.
pub fn mark_color(kind: &MarkKind) -> Color32 {
    match kind {
        MarkKind::Resync { .. } => Color32::from_rgb(0xff, 0xc8, 0x6b),
        MarkKind::DeviceBack { .. } => Color32::from_rgb(0x9c, 0xe6, 0xa8),
        MarkKind::Restart { .. } => Color32::from_rgb(0xd0, 0xb0, 0xff),
        MarkKind::SwitchPressed { .. } => Color32::from_rgb(0x9f, 0xdc, 0xf5),
    }
}

/// One row of labels in `plot` (a screen rectangle), its top at `top`.
pub struct Row<'a> {
    /// The plot's rectangle: labels are clipped to it.
    pub plot: Rect,
    /// Top of the row, screen y.
    pub top: f32,
    /// No label starts left of this (the channel header's corner).
    pub left: f32,
    /// Salt of the labels' ids.
    pub id: Id,
    /// Colour of a label, given its cluster's items.
    pub color: &'a dyn Fn(Range<usize>) -> Color32,
    /// Tooltip lines of one item.
    pub line: &'a dyn Fn(usize) -> String,
}

impl Row<'_> {
    /// Draws `clusters` on a dark chip each; every label is a widget with the label's text,
    /// so it can be hovered (listing its items) and read by a screen reader.
    pub fn draw(&self, ui: &Ui, clusters: &[Cluster]) {
        let font = font(ui);
        let painter = ui.painter_at(self.plot);
        for cluster in clusters {
            let color = (self.color)(cluster.items.clone());
            let galley = painter.layout_no_wrap(cluster.text.clone(), font.clone(), color);
            let size = galley.size() + vec2(6.0, 2.0);
            let rect = Rect::from_min_size(pos2(cluster.x - size.x / 2.0, self.top), size);
            if rect.left() < self.left || rect.right() > self.plot.right() {
                continue;
            }
            chip(&painter, rect, galley, color);
            let id = self.id.with(cluster.items.start);
            let response = ui.interact(rect, id, Sense::hover());
            let text = cluster.text.clone();
            response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &text));
            let count = cluster.items.len();
            let lines: Vec<String> = cluster
                .items
                .clone()
                .take(TOOLTIP_LINES)
                .map(|i| (self.line)(i))
                .collect();
            response.on_hover_ui(|ui| {
                for line in &lines {
                    ui.label(line);
                }
                if count > TOOLTIP_LINES {
                    ui.weak(format!("and {} more", count - TOOLTIP_LINES));
                }
            });
        }
    }
}

/// Draws `galley` on a dark chip filling `rect`.
fn chip(painter: &egui::Painter, rect: Rect, galley: std::sync::Arc<egui::Galley>, color: Color32) {
    painter.rect_filled(rect, 3.0, CHIP);
    painter.galley(rect.min + vec2(3.0, 1.0), galley, color);
}

/// A plot's header in its top-left corner (channel name and signal quality), drawn in screen
/// space so it stays put while the axis moves. Returns its right edge.
pub fn header(ui: &Ui, plot: Rect, text: &str, color: Color32) -> f32 {
    let painter = ui.painter_at(plot);
    let galley = painter.layout_no_wrap(text.to_owned(), font(ui), color);
    let rect = Rect::from_min_size(
        plot.left_top() + vec2(2.0, 1.0),
        galley.size() + vec2(6.0, 2.0),
    );
    chip(&painter, rect, galley, color);
    rect.right()
}

/// The labels' font, also for measuring them.
pub fn font(ui: &Ui) -> FontId {
    TextStyle::Small.resolve(ui.style())
}

/// Width of a label's chip for `text`, points.
pub fn label_width(ui: &Ui, text: &str) -> f32 {
    ui.painter()
        .layout_no_wrap(text.to_owned(), font(ui), Color32::WHITE)
        .size()
        .x
        + 6.0
}

/// Height of a row of labels, points.
pub fn row_height(ui: &Ui) -> f32 {
    ui.ctx().fonts_mut(|f| f.row_height(&font(ui))) + 4.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width(text: &str) -> f32 {
        text.chars().count() as f32 * 7.0
    }

    #[test]
    fn close_gaps_share_a_label() {
        let gap = |t: f64, n| Gap {
            start: t,
            end: t + 0.01,
            kind: GapKind::Lost(n),
        };
        let gaps = [gap(1.0, 2), gap(1.1, 3), gap(5.0, 1)];
        let items: Vec<(f32, &Gap)> = vec![(100.0, &gaps[0]), (110.0, &gaps[1]), (500.0, &gaps[2])];
        let labels = cluster(&items, gap_summary, width);
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].text, "5 lost in 2 gaps");
        assert_eq!(labels[0].x, 105.0);
        assert_eq!(labels[1].text, "1 lost");
    }

    #[test]
    fn merging_continues_while_the_merged_label_touches_its_neighbour() {
        let marks: Vec<Mark> = (0..3)
            .map(|i| Mark {
                t: f64::from(i),
                kind: MarkKind::Resync { skipped_bytes: 1 },
            })
            .collect();
        // "resync" is 42 px wide: the first two labels clear each other (49 px apart), the
        // last two do not, and their merged "resync ×2" (63 px, at 53) then touches the first.
        let items: Vec<(f32, &Mark)> = vec![(0.0, &marks[0]), (49.0, &marks[1]), (57.0, &marks[2])];
        let labels = cluster(&items, mark_summary, width);
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].text, "resync ×3");
        let mixed = [
            marks[0].clone(),
            Mark {
                t: 0.1,
                kind: MarkKind::SwitchPressed { switch: 2 },
            },
        ];
        let items: Vec<(f32, &Mark)> = vec![(0.0, &mixed[0]), (5.0, &mixed[1])];
        assert_eq!(cluster(&items, mark_summary, width)[0].text, "2 events");
        // A restart is named among the switch changes its reset signal brings.
        let restart = Mark {
            t: 0.0,
            kind: MarkKind::Restart {
                previous_counter: 57,
                counter: 0,
                evidence: "reset-signal".into(),
            },
        };
        let items: Vec<(f32, &Mark)> = vec![(0.0, &mixed[1]), (0.0, &restart), (5.0, &mixed[0])];
        assert_eq!(cluster(&items, mark_summary, width)[0].text, "restart +2");
        assert_eq!(
            mark_summary_color(&items),
            mark_color(&restart.kind),
            "in the restart's colour"
        );
        assert_eq!(mark_summary_color(&items[..1]), mark_color(&mixed[1].kind));
        assert_eq!(mark_summary_color(&[items[0], items[2]]), Color32::WHITE);
    }

    #[test]
    fn labels_far_apart_stay_apart() {
        let marks = [
            Mark {
                t: 0.0,
                kind: MarkKind::SwitchPressed { switch: 1 },
            },
            Mark {
                t: 9.0,
                kind: MarkKind::DeviceBack {
                    device: "/dev/ttyUSB0".into(),
                },
            },
        ];
        let items: Vec<(f32, &Mark)> = vec![(0.0, &marks[0]), (300.0, &marks[1])];
        let labels = cluster(&items, mark_summary, width);
        assert_eq!(
            labels.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["switch 1", "device back"]
        );
    }
}
