//! `/dashboard`, each person's home: their to-do list first (what waits on them, how many,
//! by when, one link to each record), then one card per role with the sessions it works in.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use jiff::civil::Date;
use qaward_core::authz::{Action, Role};
use qaward_core::labels::{self, Family};
use qaward_store::todo::{Task, TaskKind};

/// A block of the home page about one role.
pub struct Card {
    /// Heading.
    pub title: String,
    /// Lines of text.
    pub lines: Vec<String>,
    /// Links: (href, label).
    pub links: Vec<(String, String)>,
}

/// A link to one record of a task.
pub struct TodoItem {
    /// Where.
    pub href: String,
    /// The record's name.
    pub name: String,
    /// Its own due date, in words.
    pub due: String,
}

/// One line of the to-do list.
pub struct Todo {
    /// How many.
    pub count: usize,
    /// What, in words ("份资料评分未提交").
    pub what: String,
    /// Where the whole task is done.
    pub href: String,
    /// The session it belongs to.
    pub session: String,
    /// "截止 2026年11月18日（还有 3 天）", or empty.
    pub due: String,
    /// Past its deadline.
    pub overdue: bool,
    /// The records.
    pub items: Vec<TodoItem>,
    /// For "开始申报": the form that starts the application (organisation, session).
    pub start: Option<(i64, i64)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: PageCtx,
    todos: Vec<Todo>,
    cards: Vec<Card>,
    today: String,
}

/// What a task is called (with its count in front), in the reader's language.
fn what(kind: TaskKind, zh: bool) -> &'static str {
    use TaskKind::*;
    let (z, e) = match kind {
        EligibilityToDecide => (
            "份申报已由县级报送，待资格审查",
            "application(s) forwarded by the counties, awaiting the eligibility decision",
        ),
        OpinionsOverdue => ("份征求意见函逾期未答复", "opinion request(s) overdue"),
        OpinionsPending => (
            "份征求意见函待部门答复",
            "opinion request(s) awaiting answers",
        ),
        ApplicationsUnassigned => (
            "份申报尚未分配评审组",
            "application(s) not yet assigned to a team",
        ),
        MaterialConsensusOpen => (
            "份申报的资料评审合议未提交",
            "application(s) without a submitted material-review consensus",
        ),
        RecusalsOpen => ("项回避待指定替补评审员", "recusal(s) awaiting a substitute"),
        EvaluationsOpen => (
            "家现场评审单位的综合评价未提交",
            "on-site applicant(s) without a submitted comprehensive evaluation",
        ),
        ObjectionsOpen => ("件异议待办结", "objection(s) not yet closed"),
        ReportsOverdue => ("份获奖单位绩效报告逾期未报", "annual report(s) overdue"),
        CountyToDecide => (
            "份申报待县级核实推荐",
            "application(s) awaiting the county's verification and recommendation",
        ),
        CountyToForward => (
            "份已推荐的申报待报送市强市办",
            "recommended application(s) not yet forwarded to the city office",
        ),
        DepartmentToAnswer => ("份征求意见函待答复", "opinion request(s) to answer"),
        StartApplication => (
            "个届次正在受理申报：开始申报",
            "session(s) taking applications: start your application",
        ),
        DraftToSubmit => (
            "份申报材料填写中，尚未提交",
            "draft application(s) not yet submitted",
        ),
        ReturnedToCorrect => (
            "份申报被退回修改，请按县级意见修改后重新提交",
            "application(s) returned for correction: correct and submit again",
        ),
        OnsitePlanReceived => (
            "份现场评审计划已送达，请做好接待准备",
            "on-site plan(s) received",
        ),
        ReportsDue => ("份年度绩效报告待报送", "annual report(s) to file"),
        DeclarationToSign => (
            "份公正保密承诺书待签署",
            "impartiality and confidentiality declaration(s) to sign",
        ),
        MaterialScoresToSubmit => (
            "份资料评分未提交",
            "material-review scorebook(s) not submitted",
        ),
        MaterialConsensusToForm => (
            "份资料评审合议待形成（组员均已提交）",
            "material-review consensus(es) to form (every member has submitted)",
        ),
        OnsitePlanToSend => ("份现场评审计划待发送", "on-site plan(s) to send"),
        VisitToRecord => ("份现场评审记录待提交", "visit record(s) to submit"),
        OnsiteScoresToSubmit => ("份现场评分未提交", "on-site scorebook(s) not submitted"),
        OnsiteConsensusToForm => ("份现场评审合议待形成", "on-site consensus(es) to form"),
        EvaluationToWrite => ("份综合评价待撰写", "comprehensive evaluation(s) to write"),
        ComplaintsOpen => ("件投诉待办理", "complaint(s) to handle"),
    };
    if zh { z } else { e }
}

/// Where the whole task is done, and where each record of it is.
fn hrefs(t: &Task, scope: i64) -> (String, Box<dyn Fn(i64) -> String>) {
    use TaskKind::*;
    let sid = t.session_id;
    match t.kind {
        EligibilityToDecide => (
            format!("/office/sessions/{sid}/applications"),
            Box::new(|id| format!("/office/applications/{id}")),
        ),
        OpinionsOverdue | OpinionsPending => {
            let all = format!("/office/sessions/{sid}/opinions");
            (all.clone(), Box::new(move |_| all.clone()))
        }
        ApplicationsUnassigned | MaterialConsensusOpen => {
            let all = format!("/office/sessions/{sid}/review");
            (all.clone(), Box::new(move |_| all.clone()))
        }
        RecusalsOpen => (
            format!("/office/sessions/{sid}/review"),
            Box::new(|id| format!("/office/recusals/{id}")),
        ),
        EvaluationsOpen => {
            let all = format!("/office/sessions/{sid}/final");
            (all.clone(), Box::new(move |_| all.clone()))
        }
        ObjectionsOpen => (
            format!("/office/sessions/{sid}/objections"),
            Box::new(|id| format!("/office/objections/{id}")),
        ),
        ReportsOverdue => {
            let all = format!("/office/sessions/{sid}/reports");
            (all.clone(), Box::new(move |_| all.clone()))
        }
        CountyToDecide => (
            format!("/county/{scope}"),
            Box::new(|id| format!("/county/applications/{id}")),
        ),
        CountyToForward => {
            let all = format!("/county/{scope}");
            (all.clone(), Box::new(move |_| all.clone()))
        }
        DepartmentToAnswer => (
            format!("/department/{scope}"),
            Box::new(|id| format!("/department/requests/{id}")),
        ),
        StartApplication => (
            format!("/sessions/{sid}"),
            Box::new(|id| format!("/sessions/{id}")),
        ),
        DraftToSubmit | ReturnedToCorrect => {
            let first = t.items.first().map(|i| i.id).unwrap_or_default();
            (
                format!("/applications/{first}"),
                Box::new(|id| format!("/applications/{id}")),
            )
        }
        OnsitePlanReceived => {
            let first = t.items.first().map(|i| i.id).unwrap_or_default();
            (
                format!("/applications/{first}/onsite"),
                Box::new(|id| format!("/applications/{id}/onsite")),
            )
        }
        ReportsDue => {
            let first = t.items.first().map(|i| i.id).unwrap_or_default();
            (
                format!("/applications/{first}/post-award"),
                Box::new(|id| format!("/applications/{id}/post-award")),
            )
        }
        DeclarationToSign => (
            format!("/review/sessions/{sid}/declaration"),
            Box::new(|id| format!("/review/sessions/{id}/declaration")),
        ),
        MaterialScoresToSubmit => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/score")),
        ),
        MaterialConsensusToForm => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/consensus")),
        ),
        OnsitePlanToSend => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/onsite/plan")),
        ),
        VisitToRecord => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/onsite/visit")),
        ),
        OnsiteScoresToSubmit => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/onsite/score")),
        ),
        OnsiteConsensusToForm => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/onsite/consensus")),
        ),
        EvaluationToWrite => (
            "/review".into(),
            Box::new(|id| format!("/review/applications/{id}/evaluation")),
        ),
        ComplaintsOpen => (
            format!("/discipline/conduct?programme={scope}"),
            Box::new(|id| format!("/discipline/complaints/{id}")),
        ),
    }
}

/// "截止 2026年11月18日（还有 3 天）" / "(overdue by 2 days)".
pub fn due_words(page: &PageCtx, due: Option<Date>, today: Date) -> String {
    let Some(d) = due else {
        return String::new();
    };
    let days = today.until(d).map(|s| s.get_days()).unwrap_or(0);
    let date = page.date(d);
    match (page.zh(), days) {
        (true, n) if n < 0 => format!("截止 {date}（已逾期 {} 天）", -n),
        (true, 0) => format!("截止 {date}（今天到期）"),
        (true, n) => format!("截止 {date}（还有 {n} 天）"),
        (false, n) if n < 0 => format!("due {date} (overdue by {} days)", -n),
        (false, 0) => format!("due {date} (today)"),
        (false, n) => format!("due {date} ({n} days left)"),
    }
}

fn todos_of(
    page: &PageCtx,
    tasks: Vec<Task>,
    scope: i64,
    today: Date,
    org: Option<i64>,
) -> Vec<Todo> {
    tasks
        .into_iter()
        .map(|t| {
            let (href, item_href) = hrefs(&t, scope);
            let items = t
                .items
                .iter()
                .map(|i| TodoItem {
                    href: item_href(i.id),
                    name: if t.kind == TaskKind::ReportsDue {
                        if page.zh() {
                            format!("第{}年度绩效报告", i.name)
                        } else {
                            format!("Annual report, year {}", i.name)
                        }
                    } else {
                        i.name.clone()
                    },
                    due: if t.items.len() > 1 || t.due.is_none() {
                        due_words(page, i.due, today)
                    } else {
                        String::new()
                    },
                })
                .collect();
            Todo {
                count: t.count(),
                what: what(t.kind, page.zh()).to_owned(),
                session: t.session_title.clone(),
                due: due_words(page, t.due, today),
                overdue: t.overdue(today)
                    || t.kind == TaskKind::OpinionsOverdue
                    || t.kind == TaskKind::ReportsOverdue,
                start: (t.kind == TaskKind::StartApplication)
                    .then_some(org)
                    .flatten()
                    .map(|o| (o, t.session_id)),
                href,
                items,
            }
        })
        .collect()
}

/// `/dashboard`: the person's to-do list, then what each of their roles works on.
pub async fn dashboard(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewOwnAccount)?;
    let page = c.page();
    let Some(a) = c.actor() else {
        return Err(c.not_found());
    };
    let err = |e| c.store_err(e);
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let mut todos = Vec::new();
    let mut cards = Vec::new();
    let status_counts = |by: &[(String, i64)]| -> String {
        if by.is_empty() {
            return page.t("尚无申报");
        }
        let total: i64 = by.iter().map(|(_, n)| n).sum();
        let parts: Vec<String> = by
            .iter()
            .map(|(s, n)| format!("{} {n}", labels::text(Family::Status, s, page.zh())))
            .collect();
        if page.zh() {
            format!("申报 {total} 份：{}", parts.join("、"))
        } else {
            format!("{total} applications: {}", parts.join(", "))
        }
    };
    let stage_line = |title: &str, stage: &str, ends: Option<Date>| -> String {
        let name = labels::text(Family::Stage, stage, page.zh());
        let until = ends
            .map(|d| {
                if page.zh() {
                    format!("（计划至 {}）", page.date(d))
                } else {
                    format!(" (planned until {})", page.date(d))
                }
            })
            .unwrap_or_default();
        format!("{title} — {}：{name}{until}", page.t("当前阶段"))
    };
    for p in a.programmes_as(Role::CityOffice) {
        let prog = st.store.programme(p).await.map_err(err)?;
        todos.extend(todos_of(
            &page,
            st.store.office_tasks(p, today).await.map_err(err)?,
            p,
            today,
            None,
        ));
        let sessions = st.store.open_sessions_with_counts(p).await.map_err(err)?;
        let mut lines = Vec::new();
        let mut links = vec![(
            format!("/office/programmes/{p}"),
            page.t("项目管理：管理办法版本与届次"),
        )];
        for s in &sessions {
            lines.push(stage_line(&s.title, &s.stage, s.stage_ends));
            lines.push(status_counts(&s.by_status));
            links.push((
                format!("/office/sessions/{}", s.id),
                format!("{}{}", page.t("届次工作："), s.title),
            ));
        }
        if sessions.is_empty() {
            lines.push(page.t("本项目目前没有进行中的届次。"));
        }
        cards.push(Card {
            title: format!(
                "{} · {}",
                page.t("市强市办"),
                if page.zh() { prog.name } else { prog.name_en }
            ),
            lines,
            links,
        });
    }
    for p in a.programmes_as(Role::Leadership) {
        let prog = st.store.programme(p).await.map_err(err)?;
        let sessions = st.store.open_sessions_with_counts(p).await.map_err(err)?;
        let lines = sessions
            .iter()
            .map(|s| stage_line(&s.title, &s.stage, s.stage_ends))
            .collect();
        cards.push(Card {
            title: format!(
                "{} · {}",
                page.t("领导小组"),
                if page.zh() { prog.name } else { prog.name_en }
            ),
            lines,
            links: vec![
                (
                    format!("/office/programmes/{p}"),
                    page.t("查看评选项目、管理办法与届次进度"),
                ),
                (
                    format!("/discipline/conduct?programme={p}"),
                    page.t("双向评价结果"),
                ),
            ],
        });
    }
    for p in a.programmes_as(Role::Discipline) {
        todos.extend(todos_of(
            &page,
            st.store.discipline_tasks(p).await.map_err(err)?,
            p,
            today,
            None,
        ));
        cards.push(Card {
            title: page.t("纪检监督"),
            lines: vec![page.t("可查阅本项目全部评选操作的审计日志，并校验日志哈希链是否完整。")],
            links: vec![
                ("/discipline/audit".into(), page.t("查阅审计日志")),
                (
                    format!("/discipline/conduct?programme={p}"),
                    page.t("双向评价、投诉与评审人员处理记录"),
                ),
                (format!("/office/programmes/{p}"), page.t("查看评选进度")),
            ],
        });
    }
    let mut reviewer_done = false;
    for g in &a.grants {
        match g.role {
            Role::CountyOffice => {
                let Some(cid) = g.county_id else { continue };
                let (_, county) = st.store.county(cid).await.map_err(err)?;
                todos.extend(todos_of(
                    &page,
                    st.store.county_tasks(cid).await.map_err(err)?,
                    cid,
                    today,
                    None,
                ));
                let n = st
                    .store
                    .organisations_in_county(cid)
                    .await
                    .map_err(err)?
                    .len();
                cards.push(Card {
                    title: if page.zh() {
                        qaward_core::labels::county_office_name(&county.name)
                    } else {
                        format!("{} · {}", county.name, page.t("质量强县办"))
                    },
                    lines: vec![format!("{}：{n}", page.t("已登记的申报单位"))],
                    links: vec![
                        (format!("/county/{cid}"), page.t("查看本辖区申报单位")),
                        (
                            format!("/county/{cid}/reports"),
                            page.t("本辖区获奖单位绩效报告"),
                        ),
                    ],
                });
            }
            Role::Department => {
                let Some(did) = g.department_id else { continue };
                let (_, d) = st.store.department(did).await.map_err(err)?;
                todos.extend(todos_of(
                    &page,
                    st.store.department_tasks(did).await.map_err(err)?,
                    did,
                    today,
                    None,
                ));
                cards.push(Card {
                    title: d.name,
                    lines: vec![page.t("市强市办征求本部门意见时，征求意见函将显示在这里。")],
                    links: vec![(format!("/department/{did}"), page.t("本部门征求意见"))],
                });
            }
            Role::Applicant => {
                let Some(oid) = g.organisation_id else {
                    continue;
                };
                let o = st.store.organisation(oid).await.map_err(err)?;
                todos.extend(todos_of(
                    &page,
                    st.store.applicant_tasks(oid, today).await.map_err(err)?,
                    oid,
                    today,
                    Some(oid),
                ));
                let mut lines = vec![format!("{}（{}）", o.name, o.credit_code)];
                let mut links = vec![(format!("/org/{oid}"), page.t("本单位信息"))];
                let sessions = st.store.sessions(o.programme_id).await.map_err(err)?;
                for app in st.store.applications_of(oid).await.map_err(err)? {
                    let Some(s) = sessions.iter().find(|s| s.id == app.session_id) else {
                        continue;
                    };
                    let onsite = st.store.on_onsite_list(app.id).await.map_err(err)?;
                    lines.push(format!(
                        "{}：{}",
                        s.title,
                        progress_words(&page, app.status.code(), s.stage, onsite)
                    ));
                    links.push((
                        format!("/applications/{}", app.id),
                        format!("{}{}", page.t("查看申报："), s.title),
                    ));
                }
                for w in st.store.winners_of_organisation(oid).await.map_err(err)? {
                    links.push((
                        format!("/applications/{}/post-award", w.application_id),
                        format!("{}{}", w.award_year, page.t("年度获奖：绩效报告与称号使用")),
                    ));
                }
                links.push(("/complaints".into(), page.t("投诉")));
                cards.push(Card {
                    title: page.t("申报单位"),
                    lines,
                    links,
                });
            }
            Role::Reviewer if !reviewer_done => {
                reviewer_done = true;
                let tasks = st.store.reviewer_tasks(a.user_id).await.map_err(err)?;
                let none = tasks.is_empty();
                todos.extend(todos_of(&page, tasks, 0, today, None));
                cards.push(Card {
                    title: page.t("评审员"),
                    lines: if none {
                        vec![page.t("目前没有待您完成的评审任务。")]
                    } else {
                        vec![page.t("评审任务按评审组列在评审工作台。")]
                    },
                    links: vec![
                        ("/review".into(), page.t("评审工作台")),
                        ("/review/conduct".into(), page.t("评价申报单位")),
                        ("/complaints".into(), page.t("投诉")),
                    ],
                });
            }
            Role::SysAdmin => cards.push(Card {
                title: page.t("系统管理员"),
                lines: vec![page.t("管理账号与角色；不能查看或修改评选业务数据。")],
                links: vec![("/admin/users".into(), page.t("账号管理"))],
            }),
            Role::SecAdmin => cards.push(Card {
                title: page.t("安全管理员"),
                lines: vec![
                    page.t("设置登录锁定与会话超时，查看安全事件；不能查看或修改评选业务数据。"),
                ],
                links: vec![("/admin/security".into(), page.t("安全设置"))],
            }),
            Role::AuditAdmin => cards.push(Card {
                title: page.t("安全审计员"),
                lines: vec![
                    page.t("审查系统管理员和安全管理员的操作记录；不能查看或修改评选业务数据。"),
                ],
                links: vec![("/admin/audit".into(), page.t("管理员操作审计"))],
            }),
            _ => {}
        }
    }
    // Overdue first, then by deadline.
    todos.sort_by_key(|t| (!t.overdue, t.due.is_empty()));
    Ok(DashboardPage {
        today: page.date(today),
        c: page,
        todos,
        cards,
    })
}

/// Where an application stands, in the words of the measures: its own status until it is
/// found eligible, then the stage of its session (on the on-site list or not).
pub fn progress_words(
    page: &PageCtx,
    status: &str,
    stage: qaward_core::session::Stage,
    onsite: bool,
) -> String {
    use qaward_core::session::Stage;
    let st = labels::text(Family::Status, status, page.zh());
    if status != "eligible" {
        return st;
    }
    let zh = page.zh();
    let s = match stage {
        Stage::EligibilityReview => return st,
        Stage::MaterialReview => ("资料评审中", "In material review"),
        Stage::OnsiteSelection => (
            "资料评审已结束，待确定现场评审名单",
            "Material review done; the on-site list is being decided",
        ),
        Stage::OnsiteReview if onsite => (
            "已列入现场评审名单，现场评审中",
            "On the on-site list: on-site review",
        ),
        Stage::ComprehensiveEvaluation if onsite => (
            "现场评审已结束，综合评价中",
            "On-site review done: comprehensive evaluation",
        ),
        _ if !onsite && stage > Stage::OnsiteSelection => (
            "未列入现场评审名单（已收到资料评审反馈）",
            "Not on the on-site list (material review feedback sent)",
        ),
        _ => return format!("{st} · {}", labels::text(Family::Stage, stage.code(), zh)),
    };
    if zh { s.0 } else { s.1 }.to_owned()
}
