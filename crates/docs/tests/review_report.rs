use std::sync::OnceLock;
use std::time::Instant;

mod common;

use common::{pdftotext, poppler, squash};
use qaward_docs::{PdfEngine, Template};
use serde_json::{Value, json};

/// A scored item or a category: id, name, points.
type Entry = (&'static str, &'static str, u32);

/// The scored items of GB/T 19580-2012 as listed in `rules/gbt19580-2012.toml`:
/// category id, category name, category points, then its items.
const CRITERIA: &[(&str, &str, u32, &[Entry])] = &[
    (
        "4.1",
        "领导",
        110,
        &[
            ("4.1.2", "高层领导的作用", 50),
            ("4.1.3", "组织治理", 30),
            ("4.1.4", "社会责任", 30),
        ],
    ),
    (
        "4.2",
        "战略",
        90,
        &[("4.2.2", "战略制定", 40), ("4.2.3", "战略部署", 50)],
    ),
    (
        "4.3",
        "顾客与市场",
        90,
        &[
            ("4.3.2", "顾客和市场的了解", 40),
            ("4.3.3", "顾客关系与顾客满意", 50),
        ],
    ),
    (
        "4.4",
        "资源",
        130,
        &[
            ("4.4.2", "人力资源", 60),
            ("4.4.3", "财务资源", 15),
            ("4.4.4", "信息和知识资源", 20),
            ("4.4.5", "技术资源", 15),
            ("4.4.6", "基础设施", 10),
            ("4.4.7", "相关方关系", 10),
        ],
    ),
    (
        "4.5",
        "过程管理",
        100,
        &[
            ("4.5.2", "过程的识别与设计", 50),
            ("4.5.3", "过程的实施与改进", 50),
        ],
    ),
    (
        "4.6",
        "测量、分析与改进",
        80,
        &[
            ("4.6.2", "测量、分析和评价", 40),
            ("4.6.3", "改进与创新", 40),
        ],
    ),
    (
        "4.7",
        "结果",
        400,
        &[
            ("4.7.2", "产品和服务结果", 80),
            ("4.7.3", "顾客与市场结果", 80),
            ("4.7.4", "财务结果", 80),
            ("4.7.5", "资源结果", 60),
            ("4.7.6", "过程有效性结果", 50),
            ("4.7.7", "领导方面的结果", 50),
        ],
    ),
];

const STRENGTH: &str = "高层领导每季度主持召开质量分析会，对关键绩效指标逐项分析并落实改进责任。";
const LONG_LINE: &str = "组织建立了覆盖研发、采购、生产、交付和服务全过程的质量管理体系，\
关键过程均有作业指导书和测量指标，近三年产品一次交验合格率由97.2%提升至99.1%，\
顾客投诉处理及时率保持在98%以上；";

/// Band (1–6) of a percentage, following the scoring bands of the criteria.
fn band(percent: u32) -> u32 {
    match percent {
        0..=5 => 1,
        10..=25 => 2,
        30..=45 => 3,
        50..=65 => 4,
        70..=85 => 5,
        _ => 6,
    }
}

/// A complete report: all 23 items, long texts, multi-line opinions.
fn sample() -> Value {
    let mut total_tenths = 0;
    let mut categories = Vec::new();
    for (c, (cat_id, cat_name, cat_points, items)) in CRITERIA.iter().enumerate() {
        let mut cat_tenths = 0;
        let mut rows = Vec::new();
        for (i, (id, name, points)) in items.iter().enumerate() {
            let percent = [60, 55, 45, 70, 50][(c + i) % 5];
            let tenths = points * percent / 10;
            cat_tenths += tenths;
            let strengths = if (c, i) == (0, 0) {
                format!("{STRENGTH}\n{}", LONG_LINE.repeat(4))
            } else {
                format!(
                    "{name}方面：{}\n2. 已形成年度评价与改进机制。",
                    LONG_LINE.repeat(1 + (c + i) % 3)
                )
            };
            // One item without any text, one with opportunities only.
            let (strengths, verify) = match (c, i) {
                (1, 1) => (String::new(), String::new()),
                (2, 0) => (String::new(), String::new()),
                _ => (
                    strengths,
                    format!("现场查阅{name}相关记录，访谈相关部门负责人。"),
                ),
            };
            let opportunities = if (c, i) == (1, 1) {
                Value::Null
            } else {
                json!(format!(
                    "1. {name}的部分指标缺少与标杆组织的对比数据；\n2. 改进成果在各分公司的推广尚不充分。"
                ))
            };
            rows.push(json!({
                "id": id, "name": name, "points": points, "percent": percent,
                "band": band(percent), "score": format!("{}.{}", tenths / 10, tenths % 10),
                "strengths": strengths, "opportunities": opportunities, "verify_points": verify,
            }));
        }
        total_tenths += cat_tenths;
        categories.push(json!({
            "id": cat_id, "name": cat_name, "points": cat_points,
            "score": format!("{}.{}", cat_tenths / 10, cat_tenths % 10), "items": rows,
        }));
    }
    json!({
        "title": "资料评审报告",
        "programme_name": "清远市政府质量奖",
        "session_title": "2026年度清远市政府质量奖",
        "demo": true,
        "issuer": "清远市质量强市工作领导小组办公室",
        "report_no": "QY-2026-MR-0007",
        "organisation": "清远市北江精密制造有限公司",
        "credit_code": "91441800MA4UXXXX1K",
        "county": "清城区",
        "team": "第一评审组",
        "leader": "张三",
        "members": ["李四", "王五", "赵六", "陈七"],
        "submitted_at": "2026年11月25日 10:00",
        "total": format!("{}.{}", total_tenths / 10, total_tenths % 10),
        "max_total": 1000,
        "criteria": "GB/T 19580-2012",
        "categories": categories,
        "summary": "该组织推行卓越绩效管理模式多年，领导重视，战略清晰。\n过程管理较为系统，结果指标总体呈改进趋势。",
        "suggestions": "一是加强与标杆组织的对比分析；\n二是完善知识管理平台建设；\n三是提升创新成果转化率。",
        "outcome": "入选现场评审",
        "onsite_justification": null,
        "generated_at": "2026年11月25日 10:05",
    })
}

fn engine() -> &'static PdfEngine {
    static ENGINE: OnceLock<PdfEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PdfEngine::new().expect("engine"))
}

fn page_count(pdf: &[u8]) -> Option<usize> {
    let info = poppler("pdfinfo", &[], pdf)?;
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|pages| pages.trim().parse().ok())
}

/// The right margin of an A4 page (595.3 pt wide, 2.5 cm or 70.9 pt margins)
/// plus half an em at 11 pt: full-width punctuation at the end of a line hangs
/// into the margin by design, and pdftotext reports the whole em box.
const RIGHT_EDGE: f64 = 595.3 - 70.9 + 6.0;

/// The right edge of the rightmost word on any page, in points.
fn max_word_right_edge(pdf: &[u8]) -> Option<f64> {
    let html = poppler("pdftotext", &["-bbox", "-enc", "UTF-8"], pdf)?;
    let mut max: f64 = 0.0;
    for part in html.split("xMax=\"").skip(1) {
        let value = part.split('"').next()?.parse::<f64>().ok()?;
        max = max.max(value);
    }
    Some(max)
}

#[test]
fn renders_full_review_report() {
    let data = sample();
    let engine = engine();
    let start = Instant::now();
    let pdf = engine
        .render(Template::ReviewReport, &data)
        .expect("render");
    eprintln!(
        "review report with 23 items: {} bytes rendered in {:?}",
        pdf.len(),
        start.elapsed()
    );
    assert!(pdf.starts_with(b"%PDF"));
    if let Ok(path) = std::env::var("QAWARD_SAMPLE_REVIEW_PDF") {
        std::fs::write(path, &pdf).expect("write sample");
    }

    let Some(raw) = pdftotext(&pdf) else {
        eprintln!("pdftotext not installed; text checks skipped");
        return;
    };
    let text = squash(&raw);
    let total = data["total"].as_str().expect("total");
    for needle in [
        "演示数据，纯属虚构",
        "清远市政府质量奖资料评审报告",
        "QY-2026-MR-0007",
        "清远市北江精密制造有限公司",
        "91441800MA4UXXXX1K",
        "李四、王五、赵六、陈七",
        total,
        "高层领导的作用",
        "领导方面的结果",
        STRENGTH,
        "60%",
        "第4档",
        "一、基本情况",
        "二、评分汇总",
        "三、分项评审意见",
        "四、综合意见",
        "五、改进建议",
        "六、评审结论",
        "入选现场评审",
        "第五条、第十五条",
        "GB/T19580",
        "GB/Z19579",
        "2026年11月25日10:05",
    ] {
        assert!(text.contains(&squash(needle)), "missing {needle:?}:\n{raw}");
    }
    // Each line of a multi-line text is a paragraph of its own.
    assert!(
        raw.contains("领导重视，战略清晰。\n"),
        "line break of the summary lost:\n{raw}"
    );
    // Labels of empty texts are left out: two items have neither strengths
    // nor verify points, one of them no opportunities either.
    assert_eq!(text.matches("现场评审核实要点").count(), 21);
    assert_eq!(text.matches("主要优势").count(), 21);
    assert_eq!(text.matches("改进机会").count(), 22);

    if let Some(pages) = page_count(&pdf) {
        eprintln!("review report: {pages} pages");
        assert!(pages >= 4, "expected several pages, got {pages}");
    }
    if let Some(right) = max_word_right_edge(&pdf) {
        assert!(right <= RIGHT_EDGE, "text overflows at x = {right}");
    }
}

#[test]
fn empty_data_still_renders() {
    for data in [json!({}), json!({ "categories": null, "members": "张三" })] {
        let pdf = engine()
            .render(Template::ReviewReport, &data)
            .expect("render empty data");
        assert!(pdf.starts_with(b"%PDF"));
        if let Some(text) = pdftotext(&pdf) {
            let text = squash(&text);
            assert!(text.contains("评审报告"), "{text}");
            assert!(!text.contains("演示数据"));
            assert!(!text.contains("分项评审意见"));
            assert!(!text.contains("评审结论"));
            assert!(text.contains("四、改进建议"), "{text}");
        }
    }
}

#[test]
fn sparse_items_and_odd_values_render() {
    let data = json!({
        "title": "现场评审报告",
        "total": 612.5,
        "max_total": null,
        "members": [],
        "categories": [
            { "id": "4.1", "items": [ {}, { "name": "组织治理", "percent": null, "band": "", "strengths": "\n\n" } ] },
            { "name": "结果", "items": "none" },
            "not a category"
        ],
        "onsite_justification": "总分虽低于入选线，但结果类目表现突出。\n经评审组合议，建议纳入现场评审。",
    });
    let pdf = engine()
        .render(Template::ReviewReport, &data)
        .expect("render sparse data");
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdftotext(&pdf) {
        let text = squash(&text);
        for needle in [
            "现场评审报告",
            "612.5",
            "组织治理",
            "六、评审结论",
            "建议纳入现场评审",
        ] {
            assert!(text.contains(needle), "missing {needle:?}:\n{text}");
        }
        assert!(!text.contains("主要优势"));
    }
}

#[test]
fn long_words_do_not_overflow() {
    let word = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".repeat(4);
    let mut data = sample();
    data["organisation"] = json!(word);
    data["categories"][0]["items"][0]["name"] = json!(word);
    data["categories"][0]["items"][0]["strengths"] =
        json!(format!("https://example.invalid/{word}"));
    data["summary"] = json!(word);
    let pdf = engine()
        .render(Template::ReviewReport, &data)
        .expect("render");
    if let Some(right) = max_word_right_edge(&pdf) {
        assert!(right <= RIGHT_EDGE, "text overflows at x = {right}");
    }
    if let Some(text) = pdftotext(&pdf) {
        let text = squash(&text);
        assert!(text.contains(&word), "long word not extractable intact");
    }
}

#[test]
fn hostile_text_renders_literally() {
    let hostile = r#"#panic("x") ] [ $ * _ ]) #set page(width: 1cm) ["#;
    let mut data = sample();
    data["organisation"] = json!(hostile);
    data["categories"][0]["items"][0]["strengths"] = json!(hostile);
    data["summary"] = json!(hostile);
    data["title"] = json!(hostile);
    let pdf = engine()
        .render(Template::ReviewReport, &data)
        .expect("hostile data must render");
    if let Some(text) = pdftotext(&pdf) {
        let text = squash(&text);
        assert!(text.contains(&squash(hostile)), "{text}");
        assert!(text.contains("五、改进建议"), "document truncated:\n{text}");
    }
}
