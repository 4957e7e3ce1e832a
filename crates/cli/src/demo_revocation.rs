//! Demonstration data of the revocation of awards (Art. 32, 33): one case under way against
//! a 2024 winner, found after a complaint to have inflated a figure of its application, and
//! submitted to the municipal government, whose answer is not yet recorded. Every name,
//! number and event is fictional (演示).

use crate::demo::at;
use jiff::civil::date;
use qaward_store::revocation::NewCase;
use qaward_store::{Store, Who};

/// The organisation the demonstration case concerns.
pub const CASE_ORGANISATION: &str = "英德市演示陶瓷股份有限公司";

/// Open the demonstration case in programme `pid` against the 2024 winner of session `s24`
/// and submit it for approval; returns the case.
pub async fn build(
    store: &Store,
    files: &qaward_store::attachments::Files,
    office: &Who,
    pid: i64,
    s24: i64,
) -> qaward_store::Result<i64> {
    let winner = store
        .winners(s24)
        .await?
        .into_iter()
        .find(|w| w.organisation_name == CASE_ORGANISATION)
        .ok_or(qaward_store::Error::NotFound)?;
    let id = store
        .open_revocation(
            office,
            pid,
            &NewCase {
                winner_id: winner.id.to_string(),
                ground: "false_materials".into(),
                facts: "接群众实名投诉后核查：该单位申报材料“经济效益”部分填报的2023年利润总额为3860万元，经调取经审计的财务报表，实际为1860万元，虚增2000万元（演示数据，纯属虚构）。".into(),
                evidence: "1. 实名投诉信（2026年10月12日收）\n2. 英德市市场监督管理局核查报告（2026年10月18日）\n3. 该单位2023年度审计报告复印件（演示）".into(),
                ..NewCase::default()
            },
            &[(
                "英德市市场监督管理局核查报告（演示）.pdf".to_owned(),
                crate::demo_post_award::written(
                    files,
                    &crate::demo::demo_pdf("英德市市场监督管理局核查报告（演示）"),
                )
                .await?,
            )],
            at(date(2026, 10, 20)),
        )
        .await?;
    store
        .submit_revocation(
            office,
            id,
            "2026-11-10",
            "清质强办〔2026〕21号",
            at(date(2026, 11, 10)),
        )
        .await?;
    Ok(id)
}
