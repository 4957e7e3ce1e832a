//! `qaward bench docs`: documents at size. One large feedback report (the material review
//! report of an application with long findings on every GB/T 19580 item) typeset by the real
//! engine, first render and warm renders; and, with `--job N`, the background job that
//! typesets the reports of a whole seeded session through a `qaward serve` child process.

use super::{Client, Server};
use crate::setup::GBT19580_2012;
use qaward_core::criteria::Criteria;
use qaward_docs::{PdfEngine, Template};
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

/// Findings the report is written from, cycled and combined per item (fictional).
const STRENGTHS: &[&str] = &[
    "高层领导通过年度战略研讨会、月度经营分析会和季度质量例会三级会议体系，系统地确定并展开组织的使命、愿景和价值观，并通过内部刊物、班组园地和新员工入职培训传达至全体员工，抽查的12名一线员工均能准确表述核心价值观。",
    "组织建立了覆盖研发、采购、生产、销售和服务全过程的关键过程识别方法，依据顾客要求、法律法规和战略目标确定了18个关键过程及其要求，并为每个过程设定了可测量的绩效指标和目标值，近三年指标达成率由86%提高到95%。",
    "组织运用平衡计分卡将战略目标分解为部门指标和岗位指标，形成了“公司—事业部—车间—班组”四级指标体系，指标的季度回顾与年度修订机制运行良好，2023年度战略目标的实现程度在同行业处于领先水平。",
    "顾客满意度测量采用第三方调查与自主回访相结合的方法，覆盖主要顾客群和细分市场，调查结果按月进入质量例会分析，针对排名前五的抱怨问题制定了专项改进计划，顾客满意度由82.5分提升至89.3分。",
    "组织建立了以首席技师工作室和技能大师工作室为核心的人才培养体系，近三年累计开展技能培训2.6万人次，高技能人才占比由18%提高到27%，员工合理化建议年均采纳率达到43%，形成了全员参与改进的氛围。",
    "组织在数据和信息管理方面建立了统一的制造执行系统与企业资源计划平台，关键质量数据实现了在线采集和实时监控，异常信息在15分钟内推送至责任人，数据的准确性、及时性和安全性得到了有效保证。",
    "组织将社会责任纳入战略规划，制定了节能减排、安全生产和公益支持三个方面的年度目标，单位产值综合能耗连续三年下降，累计下降幅度达到21%，未发生重大安全、环保和质量事故。",
    "供方管理采用分级评价和动态淘汰机制，对A类关键供方开展联合质量改进，供方来料批次合格率由97.2%提升至99.4%，与两家核心供方共建联合实验室，缩短了新材料导入周期。",
];

const OPPORTUNITIES: &[&str] = &[
    "组织对战略实施过程中的风险识别尚不系统，未见针对原材料价格波动、关键人才流失和技术路线变化等主要风险的评估方法和应对预案，建议建立战略风险清单并纳入季度经营分析。",
    "部分过程绩效指标仅有结果数据而缺少过程监测指标，例如新产品开发过程只统计项目完成率，未测量设计评审一次通过率和开发周期，难以支持过程的及时调整和持续改进。",
    "对标管理的范围主要限于本地区同行，缺少与国内外标杆企业的系统比较，比较数据的来源和可比性说明不足，建议按关键绩效指标建立标杆数据库并明确标杆选择的准则。",
    "改进与创新的成果未形成系统的知识沉淀和分享机制，各事业部的最佳实践在组织内部推广的证据不足，建议建立知识管理平台，并将经验分享纳入部门绩效评价。",
    "顾客抱怨处理的时效虽有统计，但对抱怨根本原因的分析和跨部门纠正措施的有效性验证不够充分，同类问题在两个季度内重复出现的情况仍有发生。",
    "员工满意度调查的结果与人力资源改进措施之间的对应关系不清晰，调查结果未按岗位类别和工龄分层分析，难以识别不同员工群体的关键需求和影响因素。",
];

const VERIFY: &[&str] = &[
    "核实年度战略目标分解表与部门绩效考核记录的一致性，抽查两个部门的季度回顾会议纪要。",
    "现场查看制造执行系统中关键质量数据的采集与异常推送记录，抽取近三个月的样本。",
    "访谈不少于五名一线员工和两名中层管理人员，了解改进建议的提出、评审与落实过程。",
];

fn pick<'a>(pool: &'a [&'a str], seed: usize, n: usize) -> Vec<&'a str> {
    (0..n)
        .map(|k| pool[(seed * 3 + k * 5) % pool.len()])
        .collect()
}

/// The data of one large material review report: every item of GB/T 19580-2012 with
/// `strengths` paragraphs of strengths and `opportunities` paragraphs of opportunities for
/// improvement, in the shape the web's report download hands the engine. Each `variant` is
/// another applicant: other scores, other findings in another order.
pub fn large_report(
    crit: &Criteria,
    strengths: usize,
    opportunities: usize,
    variant: usize,
) -> serde_json::Value {
    let mut total = 0u64;
    let categories: Vec<serde_json::Value> = crit
        .categories
        .iter()
        .enumerate()
        .map(|(ci, cat)| {
            let mut cat_score = 0u64;
            let items: Vec<serde_json::Value> = cat
                .items
                .iter()
                .enumerate()
                .map(|(ii, it)| {
                    let seed = ci * 7 + ii + variant;
                    let percent = 40 + (seed % 5) as u32 * 10;
                    let earned = u64::from(it.points) * u64::from(percent);
                    cat_score += earned;
                    let lead = format!("针对“{} {}”，", it.id, it.name);
                    let strengths_text: Vec<String> = pick(STRENGTHS, seed, strengths)
                        .iter()
                        .enumerate()
                        .map(|(k, s)| format!("{}. {}{s}", k + 1, if k == 0 { &lead } else { "" }))
                        .collect();
                    let opp_text: Vec<String> = pick(OPPORTUNITIES, seed, opportunities)
                        .iter()
                        .enumerate()
                        .map(|(k, s)| format!("{}. {s}", k + 1))
                        .collect();
                    serde_json::json!({
                        "id": it.id, "name": it.name, "points": it.points,
                        "percent": percent,
                        "band": crit.band_for(percent).map(|b| b.band),
                        "score": format!("{:.2}", earned as f64 / 100.0),
                        "strengths": strengths_text.join("\n"),
                        "opportunities": opp_text.join("\n"),
                        "verify_points": pick(VERIFY, seed, 2).join("\n"),
                    })
                })
                .collect();
            total += cat_score;
            serde_json::json!({
                "id": cat.id, "name": cat.name, "points": cat.points,
                "score": format!("{:.2}", cat_score as f64 / 100.0),
                "items": items,
            })
        })
        .collect();
    serde_json::json!({
        "title": "资料评审报告",
        "programme_name": "清远市政府质量奖（规模测试）",
        "session_title": "2026年度清远市政府质量奖",
        "demo": true,
        "issuer": "清远市市场监督管理局",
        "report_no": format!("2026-MR-{:04}", variant + 1),
        "organisation": format!("清远市规模测试第{}精密制造有限公司（虚构）", variant + 1),
        "credit_code": "91441800MA4UXXXX0X",
        "county": "清城区",
        "team": "第一评审组",
        "leader": "张评审（虚构）",
        "members": ["李评审（虚构）", "王评审（虚构）", "赵评审（虚构）", "陈评审（虚构）"],
        "submitted_at": "2026-10-20 16:30",
        "total": format!("{:.2}", total as f64 / 100.0),
        "max_total": crit.meta.total,
        "criteria": crit.meta.name,
        "categories": categories,
        "summary": pick(STRENGTHS, 1, 4).join("\n"),
        "suggestions": pick(OPPORTUNITIES, 2, 4).join("\n"),
        "outcome": "入选现场评审",
        "generated_at": "2026-11-25 10:00",
    })
}

/// Paragraphs per item that make the large report about 30 pages.
pub const STRENGTH_PARAS: usize = 9;
/// Paragraphs of opportunities per item.
pub const OPPORTUNITY_PARAS: usize = 6;

/// One large report, rendered again and again.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRun {
    /// Pages typeset.
    pub pages: usize,
    /// Bytes of the PDF.
    pub bytes: usize,
    /// Bytes of the JSON data handed to the template.
    pub data_bytes: usize,
    /// Building the engine (fonts loaded and indexed), ms.
    pub engine_ms: f64,
    /// The first render on the new engine, ms.
    pub first_ms: f64,
    /// Warm renders (each of another applicant's report, as a job makes them).
    pub renders: usize,
    /// Median of the warm renders, ms.
    pub median_ms: f64,
    /// 95th percentile of the warm renders, ms.
    pub p95_ms: f64,
    /// Fastest warm render, ms.
    pub min_ms: f64,
    /// Median when the very same report is rendered again (typst's caches answer most of
    /// it), ms.
    pub same_median_ms: f64,
    /// The goal, ms.
    pub goal_ms: f64,
    /// Whether the warm median meets the goal.
    pub meets_goal: bool,
    /// Peak resident memory of this process afterwards, MB.
    pub peak_rss_mb: f64,
    /// How the binary was built.
    pub profile: &'static str,
}

/// The build profile of this binary, as far as it can tell.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "optimised (release or perf; see BENCHMARKS.md)"
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Render the large report `renders + 1` times on one engine.
pub fn report(renders: usize) -> anyhow::Result<ReportRun> {
    let crit = Criteria::parse(GBT19580_2012, "gbt19580-2012.toml")?;
    let data = large_report(&crit, STRENGTH_PARAS, OPPORTUNITY_PARAS, 0);
    let t = Instant::now();
    let engine = PdfEngine::new()?;
    let engine_ms = ms(t.elapsed());
    let t = Instant::now();
    let (pdf, pages) = engine.render_counted(Template::ReviewReport, &data)?;
    let first_ms = ms(t.elapsed());
    let mut lat = Vec::with_capacity(renders);
    for k in 0..renders {
        let other = large_report(&crit, STRENGTH_PARAS, OPPORTUNITY_PARAS, k + 1);
        let t = Instant::now();
        let (p, n) = engine.render_counted(Template::ReviewReport, &other)?;
        lat.push(ms(t.elapsed()));
        anyhow::ensure!(
            n + 2 >= pages && p.starts_with(b"%PDF"),
            "a report came out short"
        );
    }
    let mut same = Vec::new();
    for _ in 0..renders.clamp(1, 10) {
        let t = Instant::now();
        engine.render_counted(Template::ReviewReport, &data)?;
        same.push(ms(t.elapsed()));
    }
    same.sort_by(f64::total_cmp);
    lat.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        if lat.is_empty() {
            first_ms
        } else {
            lat[((lat.len() as f64 - 1.0) * q).round() as usize]
        }
    };
    let median_ms = pct(0.5);
    Ok(ReportRun {
        pages,
        bytes: pdf.len(),
        data_bytes: data.to_string().len(),
        engine_ms,
        first_ms,
        renders,
        median_ms,
        p95_ms: pct(0.95),
        min_ms: lat.first().copied().unwrap_or(first_ms),
        same_median_ms: same[same.len() / 2],
        goal_ms: 200.0,
        meets_goal: median_ms <= 200.0,
        peak_rss_mb: super::peak_kb_of(std::process::id()).unwrap_or(0) as f64 / 1024.0,
        profile: profile(),
    })
}

/// Print the report's row.
pub fn print_report(r: &ReportRun) {
    println!("大型反馈报告 / one large feedback report ({})", r.profile);
    println!(
        "{:>6} {:>9} {:>10} {:>10} {:>8} {:>10} {:>9} {:>9} {:>10} {:>6}",
        "pages",
        "PDF KB",
        "engine ms",
        "first ms",
        "renders",
        "median ms",
        "p95 ms",
        "min ms",
        "same ms",
        "goal"
    );
    println!(
        "{:>6} {:>9.0} {:>10.1} {:>10.1} {:>8} {:>10.1} {:>9.1} {:>9.1} {:>10.1} {:>6}",
        r.pages,
        r.bytes as f64 / 1024.0,
        r.engine_ms,
        r.first_ms,
        r.renders,
        r.median_ms,
        r.p95_ms,
        r.min_ms,
        r.same_median_ms,
        if r.meets_goal { "met" } else { "MISSED" }
    );
}

/// The session's report job at size.
#[derive(Debug, Clone, Serialize)]
pub struct JobRun {
    /// Reports the job set out to make.
    pub total: i64,
    /// Reports made.
    pub done: i64,
    /// Reports that failed.
    pub failed: i64,
    /// Final status.
    pub status: String,
    /// From the start request to the job's end, s.
    pub seconds: f64,
    /// Reports per second.
    pub reports_per_s: f64,
    /// The ZIP file, MB.
    pub zip_mb: f64,
    /// PDFs in the ZIP file, each starting with `%PDF`.
    pub zip_pdfs: usize,
    /// Peak resident memory of the server before the job, MB.
    pub server_rss_before_mb: f64,
    /// Peak resident memory of the server after the job, MB.
    pub server_rss_peak_mb: f64,
    /// Progress updates seen while polling (done count changes).
    pub progress_steps: usize,
}

/// Start the report job of the seeded session through a `qaward serve` child process as the
/// office, poll its progress, and check its ZIP file. `expect` is the number of reports the
/// seeded session should yield.
pub async fn job(
    bin: &Path,
    data: &Path,
    url: Option<&str>,
    expect: usize,
) -> anyhow::Result<JobRun> {
    let seeded = super::read_seeded(data)?;
    let server = Server::start(bin, data, url, &["serve"]).await?;
    let office = Client::sign_in(&server.base, &seeded.office).await?;
    let before = server.peak_kb().unwrap_or(0);
    let sid = seeded.review_session;
    let t = Instant::now();
    let (s, to) = office
        .post(&format!("/office/sessions/{sid}/report-jobs"), &[])
        .await?;
    anyhow::ensure!(
        s == 303 && to.starts_with("/office/report-jobs/"),
        "the job did not start: {s} {to}"
    );
    let mut last = -1;
    let mut steps = 0;
    let p = loop {
        let (s, body) = office.get(&format!("{to}/progress")).await?;
        anyhow::ensure!(s == 200, "progress: {s}");
        let p: serde_json::Value = serde_json::from_str(&body)?;
        let done = p["done"].as_i64().unwrap_or(0);
        if done != last {
            steps += 1;
            last = done;
        }
        if p["status"] != "running" {
            break p;
        }
        if t.elapsed() > Duration::from_secs(3600) {
            anyhow::bail!("the job ran for more than an hour");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let seconds = t.elapsed().as_secs_f64();
    let peak = server.peak_kb().unwrap_or(0);
    let total = p["total"].as_i64().unwrap_or(0);
    anyhow::ensure!(
        total == expect as i64,
        "the seeded session yields {total} reports, not {expect} (seed with --applications {expect} --unscored 0)"
    );
    let r = office
        .http
        .get(format!("{}{to}/reports.zip", server.base))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "download: {}", r.status());
    let bytes = r.bytes().await?;
    let zip_mb = bytes.len() as f64 / 1_048_576.0;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec()))?;
    let mut pdfs = 0;
    for i in 0..z.len() {
        use std::io::Read;
        let mut head = [0u8; 4];
        z.by_index(i)?.read_exact(&mut head)?;
        if &head == b"%PDF" {
            pdfs += 1;
        }
    }
    server.kill().await;
    let done = p["done"].as_i64().unwrap_or(0);
    Ok(JobRun {
        total,
        done,
        failed: p["failed"].as_i64().unwrap_or(0),
        status: p["status"].as_str().unwrap_or_default().to_owned(),
        seconds,
        reports_per_s: done as f64 / seconds,
        zip_mb,
        zip_pdfs: pdfs,
        server_rss_before_mb: before as f64 / 1024.0,
        server_rss_peak_mb: peak as f64 / 1024.0,
        progress_steps: steps,
    })
}

/// Print the job's row.
pub fn print_job(j: &JobRun) {
    println!("评审报告批量生成 / the session's report job");
    println!(
        "{:>7} {:>7} {:>7} {:>10} {:>9} {:>10} {:>8} {:>9} {:>12} {:>9}",
        "total",
        "done",
        "failed",
        "status",
        "seconds",
        "reports/s",
        "ZIP MB",
        "PDFs",
        "RSS before",
        "RSS peak"
    );
    println!(
        "{:>7} {:>7} {:>7} {:>10} {:>9.1} {:>10.1} {:>8.1} {:>9} {:>11.0}M {:>8.0}M",
        j.total,
        j.done,
        j.failed,
        j.status,
        j.seconds,
        j.reports_per_s,
        j.zip_mb,
        j.zip_pdfs,
        j.server_rss_before_mb,
        j.server_rss_peak_mb
    );
}
