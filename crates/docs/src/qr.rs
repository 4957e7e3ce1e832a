//! QR codes as SVG, for certificates and their verification pages.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The QR code of `text` as a standalone SVG document (medium error correction, black on
/// white, with its quiet zone). The same text always gives the same SVG.
pub fn qr_svg(text: &str) -> String {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        // Only text longer than a QR code holds fails; a URL never is.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_svg_and_different_text_different_svg() {
        let a = qr_svg("http://example.invalid/verify/QYZLJ-2024-001");
        assert!(a.starts_with("<?xml") || a.starts_with("<svg"), "{a:.40}");
        assert_eq!(a, qr_svg("http://example.invalid/verify/QYZLJ-2024-001"));
        assert_ne!(a, qr_svg("http://example.invalid/verify/QYZLJ-2024-002"));
    }
}
