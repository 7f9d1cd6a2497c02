//! Layout shared by every chart: the frame (title, subtitle, legend, footnotes), legend
//! swatches, markers and word wrapping. All sizes are measured with the embedded font
//! (`crate::font`), so layouts are the same on every target and in every output format.

use crate::ChartError;
use crate::backend::Measured;
use crate::font::text_width;
use crate::style::{self, INK, MUTED};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A drawing area on a measured backend (in pixels).
pub(crate) type Area<DB> = DrawingArea<Measured<DB>, Shift>;

/// Outer margin of every chart, in pixels.
pub(crate) const MARGIN: i32 = 24;
/// Width of a legend swatch.
const SWATCH_W: i32 = 30;
/// Gap between a swatch and its label.
const SWATCH_GAP: i32 = 8;
/// Gap between legend entries.
const ENTRY_GAP: i32 = 30;
/// Height of a legend row.
const LEGEND_ROW: i32 = (style::LEGEND as i32) + 12;
/// Height of a footnote line.
const NOTE_ROW: i32 = (style::NOTE as i32) + 5;

/// Marker shapes for points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// Filled circle.
    Circle,
    /// Filled upward triangle.
    Triangle,
}

/// What a legend entry shows next to its label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A filled box (bars).
    Fill(RGBColor),
    /// A translucent box (bands).
    Band(RGBColor, f64),
    /// A solid line.
    Line(RGBColor, u32),
    /// A dashed line.
    Dashed(RGBColor),
    /// A point marker.
    Point(Marker, RGBColor),
    /// A vertical whisker with caps (confidence interval).
    Whisker(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    /// Symbol.
    pub swatch: Swatch,
    /// Text.
    pub label: String,
}

impl LegendEntry {
    /// A new entry.
    pub fn new(swatch: Swatch, label: impl Into<String>) -> LegendEntry {
        LegendEntry {
            swatch,
            label: label.into(),
        }
    }

    fn width(&self) -> i32 {
        SWATCH_W + SWATCH_GAP + text_width(&self.label, style::LEGEND)
    }
}

/// Title, subtitle, legend and footnotes around a chart's plot area.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Title (first line, large).
    pub title: String,
    /// Subtitle: what is plotted, units and sample size.
    pub subtitle: String,
    /// Legend entries, laid out in centred rows below the plot.
    pub legend: Vec<LegendEntry>,
    /// Footnotes below the legend.
    pub notes: Vec<String>,
}

impl Frame {
    fn subtitle_lines(&self, width: i32) -> Vec<String> {
        wrap(&self.subtitle, style::SUBTITLE, width - 2 * MARGIN)
    }

    fn note_lines(&self, width: i32) -> Vec<String> {
        self.notes
            .iter()
            .flat_map(|n| wrap(n, style::NOTE, width - 2 * MARGIN))
            .collect()
    }

    fn legend_rows(&self, width: i32) -> Vec<Vec<&LegendEntry>> {
        let avail = width - 2 * MARGIN;
        let mut rows: Vec<Vec<&LegendEntry>> = Vec::new();
        let mut used = 0;
        for e in &self.legend {
            let w = e.width();
            match rows.last_mut() {
                Some(row) if used + ENTRY_GAP + w <= avail => {
                    row.push(e);
                    used += ENTRY_GAP + w;
                }
                _ => {
                    rows.push(vec![e]);
                    used = w;
                }
            }
        }
        rows
    }

    /// Height of the title block for a chart `width` pixels wide.
    pub fn header_height(&self, width: i32) -> i32 {
        let subtitle = self.subtitle_lines(width).len() as i32;
        MARGIN + style::TITLE as i32 + 8 + subtitle * (style::SUBTITLE as i32 + 5) + 12
    }

    /// Height of the legend and footnote block for a chart `width` pixels wide.
    pub fn footer_height(&self, width: i32) -> i32 {
        let legend = self.legend_rows(width).len() as i32 * LEGEND_ROW;
        let notes = self.note_lines(width).len() as i32 * NOTE_ROW;
        8 + legend + if notes > 0 { 8 + notes } else { 0 } + MARGIN - 8
    }

    /// Paints the background, draws the frame and returns the area left for the plot.
    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<Area<DB>, ChartError> {
        root.fill(&WHITE)?;
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let mut y = MARGIN;
        root.draw(&Text::new(
            self.title.clone(),
            (MARGIN, y),
            style::anchored(style::TITLE, INK, HPos::Left, VPos::Top),
        ))?;
        y += style::TITLE as i32 + 8;
        for line in self.subtitle_lines(w) {
            root.draw(&Text::new(
                line,
                (MARGIN, y),
                style::anchored(style::SUBTITLE, MUTED, HPos::Left, VPos::Top),
            ))?;
            y += style::SUBTITLE as i32 + 5;
        }
        let header = self.header_height(w);
        let footer = self.footer_height(w);
        // Legend rows, centred.
        let mut y = h - footer + 8;
        for row in self.legend_rows(w) {
            let row_w: i32 =
                row.iter().map(|e| e.width()).sum::<i32>() + ENTRY_GAP * (row.len() as i32 - 1);
            let mut x = (w - row_w) / 2;
            let cy = y + LEGEND_ROW / 2;
            for e in row {
                draw_swatch(root, e.swatch, (x, cy))?;
                root.draw(&Text::new(
                    e.label.clone(),
                    (x + SWATCH_W + SWATCH_GAP, cy),
                    style::anchored(style::LEGEND, INK, HPos::Left, VPos::Center),
                ))?;
                x += e.width() + ENTRY_GAP;
            }
            y += LEGEND_ROW;
        }
        let notes = self.note_lines(w);
        if !notes.is_empty() {
            y += 8;
            for line in notes {
                root.draw(&Text::new(
                    line,
                    (MARGIN, y),
                    style::anchored(style::NOTE, MUTED, HPos::Left, VPos::Top),
                ))?;
                y += NOTE_ROW;
            }
        }
        Ok(root
            .clone()
            .shrink((0, header), (w, (h - header - footer).max(1))))
    }
}

/// Draws a legend swatch whose left edge is at `x`, vertically centred on `cy`.
fn draw_swatch<DB: DrawingBackend>(
    root: &Area<DB>,
    swatch: Swatch,
    (x, cy): (i32, i32),
) -> Result<(), ChartError> {
    let (x0, x1) = (x, x + SWATCH_W);
    match swatch {
        Swatch::Fill(c) => {
            root.draw(&Rectangle::new([(x0, cy - 8), (x1, cy + 8)], c.filled()))?;
        }
        Swatch::Band(c, alpha) => {
            root.draw(&Rectangle::new(
                [(x0, cy - 8), (x1, cy + 8)],
                c.mix(alpha).filled(),
            ))?;
        }
        Swatch::Line(c, width) => {
            root.draw(&PathElement::new(
                vec![(x0, cy), (x1, cy)],
                c.stroke_width(width),
            ))?;
        }
        Swatch::Dashed(c) => {
            for k in 0..3 {
                let s = x0 + k * 11;
                root.draw(&PathElement::new(
                    vec![(s, cy), ((s + 7).min(x1), cy)],
                    c.stroke_width(2),
                ))?;
            }
        }
        Swatch::Point(m, c) => marker(root, m, c, (x0 + SWATCH_W / 2, cy), 7)?,
        Swatch::Whisker(c) => whisker_v(root, c, x0 + SWATCH_W / 2, cy - 9, cy + 9, 5)?,
    }
    Ok(())
}

/// Draws a marker centred on `p` (pixels) with "radius" `r`.
pub(crate) fn marker<DB: DrawingBackend>(
    root: &Area<DB>,
    m: Marker,
    c: RGBColor,
    (x, y): (i32, i32),
    r: i32,
) -> Result<(), ChartError> {
    let outline = WHITE.stroke_width(1);
    match m {
        Marker::Circle => {
            root.draw(&Circle::new((x, y), r, c.filled()))?;
            root.draw(&Circle::new((x, y), r, outline))?;
        }
        Marker::Triangle => {
            let pts = vec![
                (x, y - r - 1),
                (x - r - 1, y + r - 1),
                (x + r + 1, y + r - 1),
            ];
            root.draw(&Polygon::new(pts.clone(), c.filled()))?;
            let mut closed = pts;
            closed.push(closed[0]);
            root.draw(&PathElement::new(closed, outline))?;
        }
    }
    Ok(())
}

/// A vertical whisker from `y0` to `y1` at `x` with caps `cap` pixels wide each side.
pub(crate) fn whisker_v<DB: DrawingBackend>(
    root: &Area<DB>,
    c: RGBColor,
    x: i32,
    y0: i32,
    y1: i32,
    cap: i32,
) -> Result<(), ChartError> {
    let s = c.stroke_width(2);
    root.draw(&PathElement::new(vec![(x, y0), (x, y1)], s))?;
    root.draw(&PathElement::new(vec![(x - cap, y0), (x + cap, y0)], s))?;
    root.draw(&PathElement::new(vec![(x - cap, y1), (x + cap, y1)], s))?;
    Ok(())
}

/// Greedy word wrap of `text` at font `size` into lines at most `width` pixels wide (a word
/// longer than a line stays whole).
pub(crate) fn wrap(text: &str, size: f64, width: i32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size) > width {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Like [`wrap`], but a word wider than a line is broken between characters, so that every
/// line fits `width` (used where a name must be shown whole, e.g. station names on an axis).
pub(crate) fn wrap_breaking(text: &str, size: f64, width: i32) -> Vec<String> {
    let mut lines = Vec::new();
    for line in wrap(text, size, width) {
        if text_width(&line, size) <= width {
            lines.push(line);
            continue;
        }
        // Only a single over-long word gets here (wrap keeps words whole).
        let mut piece = String::new();
        for c in line.chars() {
            piece.push(c);
            if text_width(&piece, size) > width && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            lines.push(piece);
        }
    }
    lines
}

/// Shortens `text` with an ellipsis until it fits `width` pixels at `size`.
pub(crate) fn ellipsize(text: &str, size: f64, width: i32) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if text_width(&s, size) <= width {
            return s;
        }
    }
    "…".to_string()
}

/// Minutes as "312 min (5 h 12 min)" (hours only from an hour up).
pub(crate) fn minutes_label(m: f64) -> String {
    let total = m.round() as i64;
    if total >= 60 {
        format!("{total} min ({} h {:02} min)", total / 60, total % 60)
    } else {
        format!("{total} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width_and_keeps_words() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 18.0, 120);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(text_width(l, 18.0) <= 120 || !l.contains(' '), "{l}");
        }
        assert_eq!(
            lines.join(" "),
            "the quick brown fox jumps over the lazy dog"
        );
    }

    #[test]
    fn breaking_wrap_fits_every_line_and_keeps_every_character() {
        let word = "Radiology-and-nuclear-medicine-reporting-and-collection-desk";
        let lines = wrap_breaking(word, 18.0, 150);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 18.0) <= 150, "{l}");
        }
        assert_eq!(lines.concat(), word);
        assert_eq!(wrap_breaking("two words", 18.0, 500), ["two words"]);
    }

    #[test]
    fn ellipsis_shortens() {
        let s = ellipsize("a very long station name indeed", 18.0, 80);
        assert!(s.ends_with('…') && text_width(&s, 18.0) <= 80, "{s}");
        assert_eq!(ellipsize("short", 18.0, 200), "short");
    }

    #[test]
    fn minutes_read_as_hours() {
        assert_eq!(minutes_label(312.4), "312 min (5 h 12 min)");
        assert_eq!(minutes_label(42.0), "42 min");
    }
}
