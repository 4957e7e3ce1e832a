//! The demo after the 2024 award (fictional, labelled 演示): the winners' first annual reports
//! (one filed on time with its PDF, one overdue), the reminders before the second year's due
//! date, a misuse case with an order to correct, a public forgery report, and both winners'
//! senior managers in the expert pool (Art. 29–31).

use crate::demo::{at, demo_pdf};
use jiff::civil::date;
use qaward_core::clock::at_shanghai;
use qaward_store::experts::ExpertForm;
use qaward_store::post_award::{CaseInput, CaseStep, ForgeryInput, ReportInput};
use qaward_store::{Store, Who};

/// Write demo bytes to the file store as an upload would.
pub(crate) async fn written(
    files: &qaward_store::attachments::Files,
    bytes: &[u8],
) -> qaward_store::Result<qaward_store::attachments::Written> {
    let io = |e: std::io::Error| qaward_store::Error::Other(e.to_string());
    let mut sink = files.sink(u64::MAX).await.map_err(io)?;
    let _ = sink.push(bytes).await.map_err(io)?;
    sink.finish()
        .await
        .map_err(io)?
        .map_err(|e| qaward_store::Error::Other(format!("{e:?}")))
}

/// Build the demo's work after the award of the 2024 session `s24`.
pub async fn build(
    store: &Store,
    files: &qaward_store::attachments::Files,
    office: &Who,
    s24: i64,
) -> qaward_store::Result<()> {
    let winners = store.winners(s24).await?;
    let users = store.users().await?;
    let user = |name: &str| users.iter().find(|u| u.username == name).map(|u| u.id);

    // The senior managers of both winners join the pool (Art. 29).
    for (i, w) in winners.iter().enumerate() {
        let named = store.named_managers(w.application_id).await?;
        let Some((name, position)) = named.into_iter().next() else {
            continue;
        };
        let form = ExpertForm {
            name,
            id_number: format!("44180019750{}0100{}2", i + 1, i + 1),
            gender: "男".into(),
            phone: format!("0763-33{}0001", i + 1),
            title: "高级工程师".into(),
            education: "硕士研究生".into(),
            level: "评审员".into(),
            industries: "C".into(),
            note: "演示数据，纯属虚构。".into(),
            winner_manager: true,
            ..ExpertForm::default()
        };
        store
            .add_winner_manager(
                office,
                w.application_id,
                &position,
                &form,
                at(date(2025, 1, 10)),
            )
            .await?;
    }

    // The reminders before the first year's due date (2025-12-05).
    store
        .send_report_reminders(at_shanghai(date(2025, 11, 5), 9, 0))
        .await?;

    // s24-applicant1 files its first report on time, with its PDF.
    if let Some(w) = winners.first() {
        let who = Who::user(
            user("s24-applicant1").unwrap_or_default(),
            "s24-applicant1",
            "applicant",
        );
        let pdf = written(files, &demo_pdf("Annual performance report 2025 demo")).await?;
        store
            .save_annual_report(
                &who,
                w.id,
                1,
                &ReportInput {
                    covered_year: "2025".into(),
                    performance: "全年产品一次交验合格率99.6%，顾客投诉同比下降18%，获评省级智能制造示范车间（演示数据，纯属虚构）。".into(),
                    indicators: "主营业务收入同比增长12%；研发投入占比5.8%；关键工序能力指数Cpk由1.33提升至1.52（演示数据）。".into(),
                    improvement: "针对评审反馈的“测量系统分析覆盖不足”，完成全部关键检测设备的MSA，并将结果纳入月度质量例会（演示）。".into(),
                    sharing: "举办两期卓越绩效经验交流会，接待本市企业参观学习12批次（《管理办法》第二十九条，演示）。".into(),
                    incidents: "无。".into(),
                },
                &[("2025年度绩效报告（演示）.pdf".to_owned(), pdf)],
                true,
                at_shanghai(date(2025, 11, 28), 15, 30),
            )
            .await?;
    }

    // s24-applicant2 does not file: overdue the day after 2025-12-05.
    store
        .send_report_reminders(at_shanghai(date(2025, 12, 6), 9, 0))
        .await?;

    // A misuse case against the second winner: the title printed on packaging.
    if let Some(w) = winners.get(1) {
        let programme_id = w.programme_id;
        let case = store
            .open_title_case(
                office,
                programme_id,
                &CaseInput {
                    application_id: w.application_id.to_string(),
                    kind: "packaging".into(),
                    facts: "市场巡查发现该单位出厂的瓷砖外包装箱印有“清远市政府质量奖”字样及标识（演示数据，纯属虚构）。".into(),
                    where_seen: "英德市某建材市场（演示）".into(),
                    found_on: "2026-10-10".into(),
                },
                &[],
                at_shanghai(date(2026, 10, 12), 10, 0),
            )
            .await?;
        store
            .title_case_step(
                office,
                case,
                &CaseStep {
                    step: "order".into(),
                    order_on: "2026-10-15".into(),
                    order_deadline: "2026-11-30".into(),
                    order_text: "依据《管理办法》第三十一条，责令于2026年11月30日前停止在产品包装上标注市政府质量奖称号及标识，收回已印制的包装并书面报告改正情况（演示）。".into(),
                    ..CaseStep::default()
                },
                at_shanghai(date(2026, 10, 15), 10, 0),
            )
            .await?;
    }

    // A report of a suspected forgery from the public, on a serial that was never issued.
    store
        .report_forgery(
            &ForgeryInput {
                name: "陈演示".into(),
                phone: "13800000000".into(),
                facts: "某公司展厅悬挂“清远市政府质量奖”奖牌，编号在核验页面查不到（演示数据，纯属虚构）。".into(),
                where_seen: "清城区某产业园展厅（演示）".into(),
                serial_seen: "QYZLJ-2024-009".into(),
            },
            &[],
            at_shanghai(date(2026, 11, 2), 16, 0),
        )
        .await?;
    // The reminders before the second year's due date (2026-12-05).
    store
        .send_report_reminders(at_shanghai(date(2026, 11, 5), 9, 0))
        .await?;
    Ok(())
}
