//! The embedded font (DejaVu Sans, see `fonts/DejaVuSans-LICENSE.txt`) and text measurement.
//!
//! Every piece of layout in this crate — plotters' axis labels and captions, our own legends
//! and category labels — is measured here with `ab_glyph` on the embedded font, on every
//! target. Nothing asks the operating system or a browser's DOM how wide a text is, so the
//! same code runs natively, on a web page's main thread and in a Web Worker, and lays text out
//! identically everywhere. PNG text is rasterised from the same font (registered with plotters
//! under [`FAMILY`]); SVG text names the same family first in its `font-family` list.

use ab_glyph::{Font, FontRef, ScaleFont};
use std::sync::OnceLock;

/// DejaVu Sans 2.37, unmodified (Bitstream Vera licence with DejaVu changes in the public
/// domain; see `fonts/DejaVuSans-LICENSE.txt`).
pub static FONT_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The font family written into SVG (`font-family`) and registered with plotters for PNG.
/// DejaVu Sans first; Verdana has similar widths; any sans-serif font as the last resort.
pub const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// The embedded font, parsed once (`None` if the bytes are not a font, which a test rules out).
pub(crate) fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// Width and height in pixels of `text` at plotters font size `size`, measured the way
/// plotters' own `ab_glyph` text renderer measures it (advances plus kerning, height
/// `size / 1.24`), so that anchors computed by plotters and by us agree.
pub(crate) fn measure(text: &str, size: f64) -> Option<(u32, u32)> {
    let font = font()?.as_scaled(size as f32);
    let mut width = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        width += font.h_advance(id);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        prev = Some(id);
    }
    Some((width.max(0.0).ceil() as u32, (size / 1.24).ceil() as u32))
}

/// Width in pixels of `text` at `size` (0 if the font is unusable).
pub(crate) fn text_width(text: &str, size: f64) -> i32 {
    measure(text, size).map_or(0, |(w, _)| w as i32)
}

/// Registers the embedded font with plotters' `ab_glyph` renderer (once per process).
#[cfg(all(feature = "png", not(target_arch = "wasm32")))]
pub(crate) fn register_for_bitmaps() -> Result<(), crate::ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT_BYTES)
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(crate::ChartError::Font)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses_and_measures() {
        assert!(font().is_some());
        let (w1, h) = measure("Where the time goes", 20.0).unwrap();
        let (w2, _) = measure("Where the time goes, per patient", 20.0).unwrap();
        assert!(w1 > 100 && w2 > w1, "{w1} {w2}");
        assert_eq!(h, 17);
        assert_eq!(text_width("", 20.0), 0);
    }
}
