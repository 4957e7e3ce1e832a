use std::sync::{Arc, OnceLock};
use std::time::Instant;

mod common;

use common::{pdftotext, poppler, squash};
use qaward_docs::{DocsError, PdfEngine, Template};
use serde_json::{Value, json};

const HOSTILE: &str = r#"#panic("x") ] [ $ * _"#;

fn sample() -> Value {
    json!({
        "programme_name": "清远市政府质量奖",
        "session_title": "2026年度清远市政府质量奖（第四届）",
        "year": 2026,
        "issuer": "清远市质量强市工作领导小组办公室",
        "published_on": "2026年9月1日",
        "rule_set": {
            "name": "清远市政府质量奖管理办法",
            "document_number": "清府办〔2020〕11号",
            "demo": true,
            "notice": "本文件为系统演示样例，所列单位、日期、金额及联系方式均为虚构，不具有任何效力。"
        },
        "stages": [
            {"name": "申报", "from": "2026年9月1日", "to": "2026年12月31日", "article": "第十二条"},
            {"name": "资格审查", "from": "2027年1月4日", "to": "2027年1月22日", "article": "第十三条"},
            {"name": "材料评审", "from": "2027年2月1日", "to": "2027年3月12日", "article": "第十四条"},
            {"name": "现场评审", "from": "2027年3月15日", "to": "2027年4月30日", "article": "第十五条"},
            {"name": "审议与公示", "from": "2027年5月10日", "to": "2027年5月31日", "article": "第十七条"},
            {"name": "审定与公布", "from": "2027年6月1日", "to": null, "article": "第十八条"}
        ],
        "conditions": [
            {"text": "在本市行政区域内登记注册，生产经营3年以上", "article": "第十条"},
            {"text": "实施卓越绩效管理模式2年以上，管理水平、自主创新能力和经济效益处于本市同行业领先地位", "article": "第十条"},
            {"text": "近3年内未发生重大质量、安全、环境污染、公共卫生等事故，无严重违法违规行为。", "article": "第十条"},
            {"text": "符合国家产业政策和环境保护要求，依法诚信经营", "article": "第十一条"}
        ],
        "max_winners": 3,
        "bonus": "50万元",
        "notice_min_days": 7,
        "contact": "市强市办（市市场监管局） 联系电话：0763-0000000（演示）",
        "criteria": {
            "name": "卓越绩效评价准则",
            "categories": [
                {"id": "4.1", "name": "领导", "points": 110},
                {"id": "4.2", "name": "战略", "points": 90},
                {"id": "4.3", "name": "顾客与市场", "points": 90},
                {"id": "4.4", "name": "资源", "points": 130},
                {"id": "4.5", "name": "过程管理", "points": 100},
                {"id": "4.6", "name": "测量、分析与改进", "points": 80},
                {"id": "4.7", "name": "结果", "points": 400}
            ],
            "total": 1000
        }
    })
}

fn engine() -> Arc<PdfEngine> {
    static ENGINE: OnceLock<Arc<PdfEngine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let start = Instant::now();
            let engine = PdfEngine::new().expect("engine");
            eprintln!(
                "engine with {} font faces built in {:?}",
                engine.font_count(),
                start.elapsed()
            );
            Arc::new(engine)
        })
        .clone()
}

fn assert_notice_text(pdf: &[u8]) {
    let Some(text) = pdftotext(pdf) else {
        eprintln!("pdftotext not installed; text checks skipped");
        return;
    };
    let text = squash(&text);
    for needle in [
        "申报通知",
        "清远市政府质量奖",
        "关于开展2026年度清远市政府质量奖（第四届）申报工作的通知",
        "第十条",
        "第十二条",
        "演示数据，纯属虚构",
        "一、申报条件",
        "五、联系方式",
        "卓越绩效评价准则",
        "1000",
        "0763-0000000",
    ] {
        assert!(
            text.contains(needle),
            "missing {needle:?} in extracted text:\n{text}"
        );
    }
}

#[test]
fn renders_call_notice() {
    let engine = engine();
    let data = sample();
    let start = Instant::now();
    let pdf = engine.render(Template::CallNotice, &data).expect("render");
    let first = start.elapsed();
    let start = Instant::now();
    let again = engine
        .render(Template::CallNotice, &data)
        .expect("render again");
    let second = start.elapsed();
    eprintln!(
        "call notice: {} bytes, first render {first:?}, second render {second:?}, {} font faces",
        pdf.len(),
        engine.font_count()
    );
    assert!(pdf.starts_with(b"%PDF"));
    assert!(again.starts_with(b"%PDF"));
    assert_notice_text(&pdf);
    if let Ok(path) = std::env::var("QAWARD_SAMPLE_PDF") {
        std::fs::write(path, &pdf).expect("write sample");
    }
}

#[test]
fn renders_with_bundled_fonts_only() {
    let engine = PdfEngine::with_system_fonts(false).expect("engine");
    assert_eq!(engine.font_count(), 2, "regular and bold subsets");
    let start = Instant::now();
    let pdf = engine
        .render(Template::CallNotice, &sample())
        .expect("render");
    eprintln!(
        "call notice with bundled fonts only: {} bytes in {:?}",
        pdf.len(),
        start.elapsed()
    );
    assert!(pdf.starts_with(b"%PDF"));
    assert_notice_text(&pdf);
}

#[test]
fn hostile_text_renders_literally() {
    let mut data = sample();
    data["conditions"][0]["text"] = json!(HOSTILE);
    data["contact"] = json!(HOSTILE);
    data["session_title"] = json!(format!("{HOSTILE}\"); #panic(\"y\") //"));
    data["rule_set"]["notice"] = json!("]) #set page(width: 1cm) [");
    let pdf = engine()
        .render(Template::CallNotice, &data)
        .expect("hostile data must render");
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdftotext(&pdf) {
        let text = squash(&text);
        assert!(
            text.contains(&squash(HOSTILE)),
            "hostile text not shown literally:\n{text}"
        );
        assert!(text.contains("#set"), "notice not shown literally:\n{text}");
        assert!(text.contains("五、联系方式"), "document truncated:\n{text}");
    }
}

#[test]
fn sparse_data_still_renders() {
    let data = json!({ "session_title": "测试届次", "rule_set": { "demo": false } });
    let pdf = engine()
        .render(Template::CallNotice, &data)
        .expect("render sparse data");
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdftotext(&pdf) {
        assert!(!squash(&text).contains("演示数据"));
    }
}

#[test]
fn engine_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PdfEngine>();
    let engine = engine();
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let mut data = sample();
                data["year"] = json!(2026 + i);
                engine.render(Template::CallNotice, &data).expect("render")
            })
        })
        .collect();
    for handle in handles {
        assert!(handle.join().expect("thread").starts_with(b"%PDF"));
    }
}

#[test]
fn installed_system_font_takes_precedence() {
    if !std::path::Path::new(qaward_docs::pdf::SYSTEM_FONT_FILES[0]).exists() {
        eprintln!("fonts-noto-cjk not installed; skipped");
        return;
    }
    // 堃 and 镕 are outside GB2312, so only the complete system font has them.
    let mut data = sample();
    data["contact"] = json!("联系人：王堃、李镕");
    let pdf = engine()
        .render(Template::CallNotice, &data)
        .expect("render");
    if let Some(text) = pdftotext(&pdf) {
        assert!(
            squash(&text).contains("王堃、李镕"),
            "characters outside the subset missing"
        );
    }
    let Some(fonts) = poppler("pdffonts", &[], &pdf) else {
        return;
    };
    let regular = fonts
        .lines()
        .filter(|line| line.contains("NotoSansCJKsc-Regular"))
        .count();
    assert_eq!(
        regular, 1,
        "one regular face expected (the system font), got:\n{fonts}"
    );
}

#[test]
fn malformed_data_reports_template_location() {
    let mut data = sample();
    data["conditions"] = json!("not a list");
    match engine().render(Template::CallNotice, &data) {
        Err(DocsError::Compile(messages)) => {
            eprintln!("diagnostics: {messages:?}");
            assert!(
                messages
                    .iter()
                    .any(|m| m.starts_with("templates/call-notice.typ:"))
            );
        }
        Err(other) => panic!("expected a compile error, got {other}"),
        Ok(pdf) => panic!("expected a compile error, got a PDF of {} bytes", pdf.len()),
    }
}
