//! Review teams and assignment (Art. 5, 8): the office forms the year's teams, runs the optimiser
//! and adjusts its proposal, publishes the teams and follows progress.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, download, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::session::Stage;
use qaward_store::assignment::{Run, Team};
use qaward_store::scoring::{Phase, ReviewRow, points_text, total_hundredths};
use qaward_store::session::{AwardSession, SessionDetail};
use std::collections::HashMap;

fn unknown_session() -> Action {
    Action::ViewProgrammeOffice { programme_id: -1 }
}

pub(crate) async fn office_session(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    manage: bool,
) -> Result<SessionDetail, AppError> {
    let d = c.found(st.store.session_detail(sid).await, unknown_session())?;
    let pid = d.session.programme_id;
    c.authorize(if manage {
        Action::ManageProgramme { programme_id: pid }
    } else {
        Action::ViewProgrammeOffice { programme_id: pid }
    })?;
    Ok(d)
}

/// A pair of the optimiser's proposal, for the page.
pub struct ProposedRow {
    /// Application.
    pub application_id: i64,
    /// Name.
    pub name: String,
    /// Industry.
    pub industry: String,
    /// Team name.
    pub team: String,
    /// Members of the team who know the industry.
    pub matches: usize,
    /// Differs from the current assignment.
    pub changed: bool,
}

/// An expert who can be put on a team.
pub struct Candidate {
    /// Expert.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Sections.
    pub industries: String,
    /// Employer.
    pub employer: String,
    /// Can lead.
    pub can_lead: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_review.html")]
struct OfficeReviewPage {
    c: PageCtx,
    session: AwardSession,
    manage: bool,
    can_form: bool,
    teams: Vec<Team>,
    candidates: Vec<Candidate>,
    team_size: u32,
    load_max: u32,
    run: Option<Run>,
    proposed: Vec<ProposedRow>,
    unplaced: Vec<(String, String)>,
    /// Each team of the proposal with the number of applications it would take.
    team_loads: Vec<(String, usize)>,
    /// Proposed applications whose team has no member who knows their industry.
    unmatched: usize,
    rows: Vec<ReviewRow>,
    late: bool,
    flag_points: u32,
    deadline: String,
    errors: FormErrors,
    form: HashMap<String, String>,
    notice: Option<String>,
    recusals: Vec<qaward_store::recusal::Recusal>,
}

fn sections_label(v: &[char]) -> String {
    v.iter()
        .map(|s| {
            format!(
                "{s} {}",
                qaward_core::industry::section_zh(*s).unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("、")
}

async fn office_review_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    f: Option<&FormData>,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<OfficeReviewPage, AppError> {
    let d = office_session(st, c, sid, false).await?;
    let pid = d.session.programme_id;
    let manage = c
        .authorize(Action::ManageProgramme { programme_id: pid })
        .is_ok();
    let day = c.today();
    let se = |e| c.store_err(e);
    let teams = st.store.teams_on(sid, day).await.map_err(se)?;
    let pool = st.store.experts(pid).await?;
    let on_team: Vec<i64> = teams
        .iter()
        .filter(|t| t.dissolved_at.is_none())
        .flat_map(|t| t.members.iter().map(|m| m.expert_id))
        .collect();
    let candidates = pool
        .iter()
        .filter(|e| !on_team.contains(&e.id) && e.qualification(day).is_ok())
        .map(|e| Candidate {
            id: e.id,
            name: e.name.clone(),
            level: e.level.zh().to_owned(),
            industries: sections_label(&e.industries),
            employer: e
                .employer()
                .map(|j| j.employer_name.clone())
                .unwrap_or_default(),
            can_lead: qaward_core::experts::can_lead(&e.facts(), day).is_ok(),
        })
        .collect();
    let rows = st.store.review_rows(sid, Phase::Material, day).await?;
    let run = st.store.latest_run(sid).await?;
    let mut proposed = Vec::new();
    let mut unplaced = Vec::new();
    if let Some(r) = &run {
        for (a, t) in r.pairs() {
            let row = rows.iter().find(|x| x.application_id == a);
            let team = teams.iter().find(|x| x.id == t);
            let section = row.and_then(|r| r.section);
            proposed.push(ProposedRow {
                application_id: a,
                name: row
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| format!("#{a}")),
                industry: row.map(|r| r.industry.clone()).unwrap_or_default(),
                team: team.map(|t| t.name.clone()).unwrap_or_default(),
                matches: match (team, section) {
                    (Some(t), Some(s)) => t
                        .members
                        .iter()
                        .filter(|m| m.industries.contains(&s))
                        .count(),
                    _ => 0,
                },
                changed: row.is_some_and(|r| r.team_id != Some(t)),
            });
        }
        if let Some(u) = r.proposal["unplaced"].as_array() {
            for x in u {
                let a = x["application"].as_i64().unwrap_or(0);
                let name = rows
                    .iter()
                    .find(|r| r.application_id == a)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| format!("#{a}"));
                let why = x[if c.page().zh() { "zh" } else { "en" }]
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                unplaced.push((name, why));
            }
        }
    }
    let end = d
        .windows
        .get(&Stage::MaterialReview)
        .and_then(|w| w.ends_on);
    let page = c.page();
    let form = f
        .map(|f| f.pairs().iter().cloned().collect())
        .unwrap_or_default();
    let team_loads = match &run {
        Some(r) => {
            let pairs = r.pairs();
            teams
                .iter()
                .filter(|t| t.dissolved_at.is_none())
                .map(|t| {
                    (
                        t.name.clone(),
                        pairs.iter().filter(|(_, x)| *x == t.id).count(),
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    let unmatched = proposed.iter().filter(|p| p.matches == 0).count();
    Ok(OfficeReviewPage {
        manage,
        team_loads,
        unmatched,
        can_form: matches!(
            d.session.stage,
            Stage::EligibilityReview | Stage::MaterialReview
        ),
        teams,
        candidates,
        team_size: d.rules.review.team_size.value,
        load_max: d.rules.review.team_load_max.value,
        run,
        proposed,
        unplaced,
        rows,
        late: end.is_some_and(|e| day > e),
        flag_points: d.rules.review.spread_flag_points.value,
        deadline: end.map(|e| page.date(e)).unwrap_or_default(),
        session: d.session,
        errors,
        form,
        notice,
        recusals: st.store.recusals(sid).await?,
        c: page,
    })
}

/// `GET /office/sessions/{sid}/review`: teams, assignment and progress of the material review.
pub async fn office_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let notice = q.get("done").map(|d| {
        let p = c.page();
        match d.as_str() {
            "team" => p.t("评审组已组建，组员已收到通知。"),
            "removed" => p.t("评审组已撤销。"),
            "published" => p.t("评审组组成已在门户网站公布。"),
            "proposed" => p.t("系统已提出分配方案，请核对后采用。"),
            "accepted" => p.t("已采用分配方案。"),
            "assigned" => p.t("分配已调整，调整理由已存档。"),
            _ => String::new(),
        }
    });
    office_review_view(&st, &c, sid, None, FormErrors::default(), notice).await
}

async fn office_result(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    f: &FormData,
    r: qaward_store::Result<()>,
    done: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/sessions/{sid}/review?done={done}#{anchor}"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                office_review_view(st, c, sid, Some(f), errors, None).await?,
            )
                .into_response())
        }
    }
}

/// `POST /office/sessions/{sid}/teams`: form a team.
pub async fn create_team(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let leader: i64 = f.get("leader").parse().unwrap_or(0);
    let r = if leader == 0 {
        Err(qaward_store::Error::invalid(
            "leader",
            "“组长”：请选择一位可任组长的评审员。",
            "Leader: choose a leader-eligible reviewer.",
        ))
    } else {
        let members: Vec<i64> = f
            .all("member")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect();
        st.store
            .create_team(
                &c.who(Role::CityOffice.code()),
                sid,
                &f.get("name"),
                leader,
                &members,
                c.now,
            )
            .await
            .map(|_| ())
    };
    office_result(&st, &c, sid, &f, r, "team", "teams").await
}

/// `POST /office/teams/{tid}/remove`: remove a team with no applications.
pub async fn remove_team(
    State(st): State<AppState>,
    c: Ctx,
    Path(tid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let sid = c.found(st.store.team_session(tid).await, unknown_session())?;
    office_session(&st, &c, sid, true).await?;
    let r = st
        .store
        .remove_team(&c.who(Role::CityOffice.code()), tid, c.now)
        .await;
    office_result(&st, &c, sid, &f, r, "removed", "teams").await
}

/// `POST /office/sessions/{sid}/teams/publish`: publish the composition (Art. 8).
pub async fn publish_teams(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let r = st
        .store
        .publish_teams(&c.who(Role::CityOffice.code()), sid, c.now)
        .await
        .map(|_| ());
    office_result(&st, &c, sid, &f, r, "published", "teams").await
}

/// `POST /office/sessions/{sid}/assignment`: run the optimiser (with a seed to reproduce one).
pub async fn propose(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    office_session(&st, &c, sid, true).await?;
    let seed_text = f.get("seed");
    let r = match seed_text.trim() {
        "" => Ok(None),
        t => t.parse::<u64>().map(Some).map_err(|_| {
            qaward_store::Error::invalid(
                "seed",
                "“随机种子”：应为非负整数；留空则由系统生成并记录。",
                "Seed: a whole number, or leave it empty for a recorded random one.",
            )
        }),
    };
    let r = match r {
        Ok(seed) => st
            .store
            .propose_assignment(&c.who(Role::CityOffice.code()), sid, seed, c.now)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    office_result(&st, &c, sid, &f, r, "proposed", "assignment").await
}

/// `POST /office/assignment-runs/{rid}/accept`: apply a proposal.
pub async fn accept(
    State(st): State<AppState>,
    c: Ctx,
    Path(rid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let run = c.found(st.store.assignment_run(rid).await, unknown_session())?;
    office_session(&st, &c, run.session_id, true).await?;
    let r = st
        .store
        .accept_assignment(&c.who(Role::CityOffice.code()), rid, c.now)
        .await
        .map(|_| ());
    office_result(&st, &c, run.session_id, &f, r, "accepted", "progress").await
}

/// `POST /office/review/applications/{aid}/team`: change one assignment by hand.
pub async fn assign(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let app = c.found(st.store.application(aid).await, unknown_session())?;
    office_session(&st, &c, app.session_id, true).await?;
    let team: i64 = f.get("team").parse().unwrap_or(0);
    let r = if team == 0 {
        Err(qaward_store::Error::invalid(
            "team",
            "“评审组”：请选择评审组。",
            "Team: choose a team.",
        ))
    } else {
        st.store
            .assign_application(
                &c.who(Role::CityOffice.code()),
                aid,
                team,
                &f.get("reason"),
                c.now,
            )
            .await
    };
    office_result(&st, &c, app.session_id, &f, r, "assigned", "progress").await
}

/// `GET /office/sessions/{sid}/review.xlsx`: teams, assignments and every score.
pub async fn export_xlsx(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let d = office_session(&st, &c, sid, false).await?;
    let day = c.today();
    let crit = st.store.criteria(&d.rules.meta.criteria).await?;
    let rows = st.store.review_rows(sid, Phase::Material, day).await?;
    let mut headers = vec![
        "申报单位",
        "县（市、区）",
        "所属行业",
        "评审组",
        "评审组成员",
        "状态",
    ];
    let ids: Vec<String> = crit
        .items()
        .map(|i| format!("{} {}", i.id, i.name))
        .collect();
    headers.extend(ids.iter().map(String::as_str));
    headers.push("总分");
    let mut out = Vec::new();
    for r in &rows {
        let books = st
            .store
            .team_books(r.application_id, Phase::Material, day)
            .await?;
        for (m, b) in &books {
            let mut line = vec![
                r.name.clone(),
                r.county.clone(),
                r.industry.clone(),
                r.team_name.clone(),
                format!(
                    "{}{}",
                    m.name,
                    if m.leader {
                        "（组长）"
                    } else {
                        "（组员）"
                    }
                ),
                if b.submitted_at.is_some() {
                    "已提交".into()
                } else {
                    format!("草稿 {}/{}", b.scored(), crit.items().count())
                },
            ];
            for it in crit.items() {
                line.push(
                    b.items
                        .get(&it.id)
                        .and_then(|s| s.percent)
                        .map(|p| format!("{p}%"))
                        .unwrap_or_default(),
                );
            }
            line.push(points_text(total_hundredths(&crit, &b.items)));
            out.push(line);
        }
        let cons = st
            .store
            .consensus(r.application_id, Phase::Material)
            .await?;
        let mut line = vec![
            r.name.clone(),
            r.county.clone(),
            r.industry.clone(),
            r.team_name.clone(),
            "评审组合议".into(),
            if cons.submitted_at.is_some() {
                "已提交".into()
            } else {
                "未提交".into()
            },
        ];
        for it in crit.items() {
            line.push(
                cons.items
                    .get(&it.id)
                    .and_then(|s| s.percent)
                    .map(|p| format!("{p}%"))
                    .unwrap_or_default(),
            );
        }
        line.push(points_text(total_hundredths(&crit, &cons.items)));
        out.push(line);
    }
    let bytes = qaward_docs::table_xlsx("资料评审评分", &headers, &out)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        crate::view::XLSX,
        &format!("{}资料评审评分.xlsx", d.session.title),
    ))
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/office/sessions/{sid}/review", office_page)
        .post("/office/sessions/{sid}/teams", create_team)
        .post("/office/teams/{tid}/remove", remove_team)
        .post("/office/sessions/{sid}/teams/publish", publish_teams)
        .post("/office/sessions/{sid}/assignment", propose)
        .post("/office/assignment-runs/{run}/accept", accept)
        .post("/office/review/applications/{aid}/team", assign)
        .get("/office/sessions/{sid}/review.xlsx", export_xlsx)
}
