//! A recusal in the review demo (演示数据，纯属虚构): during the on-site stage a member of the
//! team of the last applicant on the on-site list finds a conflict and recuses (Art. 25); the
//! office has yet to name the substitute, which the recusal page offers from the assignment
//! rules.

use crate::demo::at;
use crate::demo_review::ReviewDemo;
use jiff::civil::date;
use qaward_store::{Store, Who};

/// Record the recusal; does nothing while the review demo is still in material review.
pub async fn build(store: &Store, review: &ReviewDemo) -> qaward_store::Result<()> {
    let Some(&aid) = review.onsite.last() else {
        return Ok(());
    };
    let today = date(2026, 11, 20);
    let Some(team) = store.team_of(aid, today).await? else {
        return Ok(());
    };
    let members = store.team_experts(team.id).await?;
    let Some(e) = members
        .iter()
        .find(|e| e.user_id.is_some() && e.name != team.leader())
    else {
        return Ok(());
    };
    store
        .declare_conflict(
            &Who::user(e.user_id.unwrap_or(0), &e.name, "reviewer"),
            e.id,
            aid,
            "现场评审前核对日程时发现，本人配偶现任该单位质量部门负责人（演示）。",
            at(today),
        )
        .await
}
