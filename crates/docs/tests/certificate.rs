//! The certificate and the commendation decision typeset with their Chinese text and QR code.

mod common;

use common::{pdftotext, squash};
use qaward_docs::{PdfEngine, Template, qr_svg};
use serde_json::json;

fn text_of(pdf: &[u8]) -> String {
    // Letter-spaced titles and mixed scripts come out with spaces between the glyphs.
    squash(&pdftotext(pdf).expect("pdftotext installed"))
}

#[test]
fn certificate_and_commendation_render() {
    let engine = PdfEngine::new().unwrap();
    let url = "http://127.0.0.1:8080/verify/QYZLJ-2024-001";
    let pdf = engine
        .render(
            Template::Certificate,
            &json!({
                "serial": "QYZLJ-2024-001",
                "holder": "清远市示例制造有限公司",
                "award_name": "清远市政府质量奖",
                "year": 2024,
                "document_number": "清府函〔2024〕12号",
                "issuer": "清远市人民政府",
                "issued_on": "2024年12月20日",
                "verify_url": url,
                "revoked": false,
                "demo": true,
                "qr_svg": qr_svg(url),
            }),
        )
        .unwrap();
    let t = text_of(&pdf);
    for s in [
        "荣誉证书",
        "清远市示例制造有限公司",
        "QYZLJ-2024-001",
        "清府函〔2024〕12号",
        url,
    ] {
        assert!(t.contains(s), "certificate lacks {s}: {t}");
    }
    let pdf = engine
        .render(
            Template::Commendation,
            &json!({
                "issuer": "清远市人民政府",
                "document_number": "清府〔2024〕30号",
                "issued_on": "2024年12月20日",
                "title": "关于表彰2024年度清远市政府质量奖获奖企业的决定",
                "paragraphs": ["为深入实施质量强市战略。"],
                "winners": [{"position": 1, "name": "清远市示例制造有限公司", "county": "清城区"}],
                "demo": false,
            }),
        )
        .unwrap();
    let t = text_of(&pdf);
    assert!(t.contains("清府〔2024〕30号"), "{t}");
    assert!(t.contains("清远市示例制造有限公司"), "{t}");
}
