//! Colours, font sizes and text styles shared by every chart.
//!
//! Colours are the Okabe–Ito palette, chosen to stay distinguishable for the common forms of
//! colour-vision deficiency; where a chart needs more categories than the palette has, greys
//! and repetition take over (and every colour is also named in a legend).

use crate::font::FAMILY;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, TextStyle};

/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe–Ito bluish green.
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito reddish purple.
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Text and axes.
pub const INK: RGBColor = RGBColor(0x20, 0x20, 0x20);
/// Secondary text (subtitles, notes).
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Time in service (where-the-time-goes chart).
pub const SERVICE_GREY: RGBColor = RGBColor(0x59, 0x59, 0x59);
/// Time in delays (where-the-time-goes chart).
pub const DELAY_GREY: RGBColor = RGBColor(0xB4, 0xB4, 0xB4);
/// Unaccounted time (where-the-time-goes chart).
pub const OTHER_GREY: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

/// One colour per variant, in comparison order.
pub const VARIANT_COLOURS: [RGBColor; 8] = [
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    VERMILLION,
    SKY_BLUE,
    REDDISH_PURPLE,
    YELLOW,
    RGBColor(0x00, 0x00, 0x00),
];

/// One colour per station's queue (where-the-time-goes chart).
pub const STATION_COLOURS: [RGBColor; 7] = [
    ORANGE,
    SKY_BLUE,
    BLUISH_GREEN,
    YELLOW,
    BLUE,
    VERMILLION,
    REDDISH_PURPLE,
];

/// Colour of variant number `i`.
pub fn variant_colour(i: usize) -> RGBColor {
    VARIANT_COLOURS[i % VARIANT_COLOURS.len()]
}

/// Chart title size (plotters font size: the line height in pixels).
pub const TITLE: f64 = 30.0;
/// Subtitle size.
pub const SUBTITLE: f64 = 19.0;
/// Axis description size.
pub const AXIS: f64 = 20.0;
/// Tick label size.
pub const TICK: f64 = 18.0;
/// Legend text size.
pub const LEGEND: f64 = 18.0;
/// Footnote size.
pub const NOTE: f64 = 16.0;
/// Value labels drawn on bars and markers.
pub const VALUE: f64 = 16.0;

/// A text style in the embedded font.
pub fn text(size: f64, colour: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal),
        color: colour.to_backend_color(),
        pos: Pos::new(HPos::Left, VPos::Top),
    }
}

/// A text style anchored at `h`/`v`.
pub fn anchored(size: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    text(size, colour).pos(Pos::new(h, v))
}

/// A text style rotated to read bottom-up.
pub fn vertical(size: f64, colour: RGBColor) -> TextStyle<'static> {
    text(size, colour)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center))
}

/// Black or white, whichever reads better on `fill`.
pub fn ink_on(fill: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = fill;
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luminance > 140.0 {
        RGBColor(0, 0, 0)
    } else {
        RGBColor(0xFF, 0xFF, 0xFF)
    }
}
