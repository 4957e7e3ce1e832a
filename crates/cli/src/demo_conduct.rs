//! Demonstration conduct feedback from the 2024 on-site reviews (Art. 26) and a complaint
//! about a reviewer being handled by discipline (Art. 24). All fictional, labelled 演示.

use crate::demo::at;
use crate::demo_2024::Session2024;
use jiff::civil::date;
use qaward_store::conduct::{ComplaintForm, Direction, RatingForm, StepForm};
use qaward_store::{Store, Who};

/// What the conduct demo made: (rating ids, the complaint's id).
#[derive(Debug, Clone, Default)]
pub struct ConductDemo {
    /// Submitted ratings.
    pub ratings: Vec<i64>,
    /// The complaint in progress.
    pub complaint: i64,
}

fn who(
    users: &[qaward_store::accounts::User],
    username: &str,
    role: &str,
) -> qaward_store::Result<Who> {
    let u = users
        .iter()
        .find(|u| u.username == username)
        .ok_or(qaward_store::Error::NotFound)?;
    Ok(Who::user(u.id, &u.display_name, role))
}

/// Each visited 2024 applicant rates the reviewers who visited it and each of them rates the
/// applicant (one low rating with a comment); s24-applicant3 complains about a reviewer and
/// discipline has assigned it.
pub async fn build(
    store: &Store,
    files: &qaward_store::attachments::Files,
    s: &Session2024,
) -> qaward_store::Result<ConductDemo> {
    let users = store.users().await?;
    let mut out = ConductDemo::default();
    let inspector = who(&users, "discipline", "discipline")?;
    for (i, aid) in s.onsite.iter().enumerate() {
        let Some(v) = store.visited(*aid).await? else {
            continue;
        };
        let applicant = format!(
            "s24-applicant{}",
            s.applications
                .iter()
                .position(|(_, a)| a == aid)
                .map(|p| p + 1)
                .unwrap_or(i + 1)
        );
        let app_who = who(&users, &applicant, "applicant")?;
        for (j, x) in v.visitors.iter().enumerate() {
            // One low rating: the third applicant finds one reviewer late and careless with
            // documents.
            let low = i == 2 && j == 1;
            let f = RatingForm {
                punctuality: if low { "1" } else { "4" }.into(),
                confidentiality: if low { "2" } else { "4" }.into(),
                integrity: "4".into(),
                gifts_accepted: "no".into(),
                professionalism: if low {
                    "2"
                } else if j == 0 {
                    "4"
                } else {
                    "3"
                }
                .into(),
                comments: if low {
                    "（演示）现场评审首日迟到约一小时，将企业内部资料带离会议室未及时归还。".into()
                } else {
                    String::new()
                },
                ..RatingForm::default()
            };
            out.ratings.push(
                store
                    .save_conduct_rating(
                        &app_who,
                        *aid,
                        x.expert_id,
                        Direction::OfReviewer,
                        &f,
                        true,
                        at(date(2024, 10, 9)),
                    )
                    .await?,
            );
            let Some(login) = users
                .iter()
                .find(|u| Some(u.id) == x.user_id)
                .map(|u| u.username.clone())
            else {
                continue;
            };
            let f = RatingForm {
                cooperation: "4".into(),
                honesty: if i == 1 { "3" } else { "4" }.into(),
                comments: if i == 1 && j == 0 {
                    "（演示）部分质量数据需现场补充原始记录后才得以核实。".into()
                } else {
                    String::new()
                },
                ..RatingForm::default()
            };
            out.ratings.push(
                store
                    .save_conduct_rating(
                        &who(&users, &login, "reviewer")?,
                        *aid,
                        x.expert_id,
                        Direction::OfApplicant,
                        &f,
                        true,
                        at(date(2024, 10, 10)),
                    )
                    .await?,
            );
        }
        if i == 2 {
            let targets = store
                .complaint_targets(app_who.user_id.unwrap_or(-1))
                .await?;
            let Some(x) = v.visitors.get(1) else {
                continue;
            };
            let form = ComplaintForm {
                subject_kind: "reviewer".into(),
                expert_id: x.expert_id.to_string(),
                occurred_on: "2024-09-10".into(),
                facts: "（演示）现场评审首日评审人员迟到约一小时，并将我单位标注“内部资料”的工艺文件带离会议室，次日才归还，担心资料外泄。".into(),
                ..ComplaintForm::default()
            };
            out.complaint = store
                .file_complaint(
                    &app_who,
                    v.programme_id,
                    &form,
                    &targets,
                    &[(
                        "现场评审当日情况说明（演示）.pdf".to_owned(),
                        crate::demo_post_award::written(
                            files,
                            &crate::demo::demo_pdf("现场评审当日情况说明（演示）"),
                        )
                        .await?,
                    )],
                    at(date(2024, 10, 11)),
                )
                .await?;
            store
                .complaint_step(
                    &inspector,
                    out.complaint,
                    &StepForm {
                        step: "assign".into(),
                        note: "（演示）纪检组 王某某".into(),
                        ..StepForm::default()
                    },
                    at(date(2024, 10, 14)),
                )
                .await?;
        }
    }
    Ok(out)
}
