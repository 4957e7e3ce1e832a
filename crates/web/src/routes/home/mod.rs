//! Pages bound to one's own scope: the dashboard, a county office's county, a department,
//! an applicant's organisation.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use qaward_core::authz::{Action, Role};
use qaward_core::session::Stage;
use qaward_store::programme::{Organisation, Unit};
use qaward_store::session::AwardSession;

/// A block of the dashboard.
pub struct Card {
    /// Heading.
    pub title: String,
    /// Lines of text.
    pub lines: Vec<String>,
    /// Links: (href, label).
    pub links: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: PageCtx,
    cards: Vec<Card>,
}

/// `/dashboard`: what each of the person's roles has to do.
pub async fn dashboard(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewOwnAccount)?;
    let page = c.page();
    let Some(a) = c.actor() else {
        return Err(c.not_found());
    };
    let all: Vec<AwardSession> = st.store.all_sessions().await.map_err(|e| c.store_err(e))?;
    let mut cards = Vec::new();
    let stage_line = |s: &AwardSession| {
        format!(
            "{} — {}：{}",
            s.title,
            page.t("当前阶段"),
            page.stage(s.stage)
        )
    };
    for p in a.programmes_as(Role::CityOffice) {
        let sessions: Vec<&AwardSession> = all.iter().filter(|s| s.programme_id == p).collect();
        let mut links = vec![(
            format!("/office/programmes/{p}"),
            page.t("项目管理：管理办法版本与届次"),
        )];
        for s in sessions.iter().filter(|s| s.stage != Stage::Closed) {
            links.push((
                format!("/office/sessions/{}", s.id),
                format!("{} {}", page.t("推进届次："), s.title),
            ));
        }
        cards.push(Card {
            title: page.t("市强市办工作"),
            lines: sessions.iter().map(|s| stage_line(s)).collect(),
            links,
        });
    }
    for p in a.programmes_as(Role::Leadership) {
        let lines = all
            .iter()
            .filter(|s| s.programme_id == p)
            .map(stage_line)
            .collect();
        cards.push(Card {
            title: page.t("领导小组"),
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
        let lines = vec![page.t("可查阅本项目全部评选操作的审计日志，并校验日志哈希链是否完整。")];
        cards.push(Card {
            title: page.t("纪检监督"),
            lines,
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
    for g in &a.grants {
        match g.role {
            Role::CountyOffice => {
                if let Some(cid) = g.county_id {
                    let (_, county) = st.store.county(cid).await.map_err(|e| c.store_err(e))?;
                    let n = st
                        .store
                        .organisations_in_county(cid)
                        .await
                        .map_err(|e| c.store_err(e))?
                        .len();
                    let lines = vec![
                        format!("{}：{}", page.t("辖区"), county.name),
                        format!("{}：{n}", page.t("已登记的申报单位")),
                    ];
                    cards.push(Card {
                        title: page.t("县（市、区）质量强县办"),
                        lines,
                        links: vec![
                            (format!("/county/{cid}"), page.t("查看本辖区申报单位")),
                            (
                                format!("/county/{cid}/reports"),
                                page.t("本辖区获奖单位绩效报告"),
                            ),
                        ],
                    });
                }
            }
            Role::Department => {
                if let Some(did) = g.department_id {
                    let (_, d) = st.store.department(did).await.map_err(|e| c.store_err(e))?;
                    let requests = st
                        .store
                        .department_opinion_requests(did, c.now)
                        .await
                        .map_err(|e| c.store_err(e))?;
                    let pending = requests.iter().filter(|r| r.pending() > 0).count();
                    let overdue = requests.iter().filter(|r| r.overdue).count();
                    let mut lines =
                        vec![page.t("市强市办征求本部门意见时，征求意见函将显示在这里。")];
                    if pending > 0 {
                        lines.push(format!("{}：{pending}", page.t("待答复的征求意见函")));
                    }
                    if overdue > 0 {
                        lines.push(format!("{}：{overdue}", page.t("其中已逾期")));
                    }
                    cards.push(Card {
                        title: d.name,
                        lines,
                        links: vec![(format!("/department/{did}"), page.t("本部门征求意见"))],
                    });
                }
            }
            Role::Applicant => {
                if let Some(oid) = g.organisation_id {
                    let o = st
                        .store
                        .organisation(oid)
                        .await
                        .map_err(|e| c.store_err(e))?;
                    let open: Vec<&AwardSession> = all
                        .iter()
                        .filter(|s| {
                            s.programme_id == o.programme_id
                                && matches!(s.stage, Stage::CallPublished | Stage::Applications)
                        })
                        .collect();
                    let mut lines = vec![format!("{}（{}）", o.name, o.credit_code)];
                    let mut links = vec![
                        (format!("/org/{oid}"), page.t("本单位信息")),
                        ("/complaints".into(), page.t("投诉")),
                    ];
                    if open.is_empty() {
                        lines.push(page.t("目前没有正在受理申报的届次。"));
                    }
                    for s in open {
                        lines.push(stage_line(s));
                        links.push((
                            format!("/sessions/{}", s.id),
                            format!("{} {}", page.t("查看申报通知："), s.title),
                        ));
                    }
                    cards.push(Card {
                        title: page.t("申报单位"),
                        lines,
                        links,
                    });
                    // After the award: the annual reports due (Art. 30) and the title (Art. 31).
                    let today = c
                        .now
                        .to_zoned_datetime(qaward_core::clock::shanghai())
                        .date();
                    for w in st
                        .store
                        .winners_of_organisation(oid)
                        .await
                        .map_err(|e| c.store_err(e))?
                    {
                        let slots = st
                            .store
                            .report_slots(&w, today)
                            .await
                            .map_err(|e| c.store_err(e))?;
                        let lines = slots
                            .iter()
                            .map(|s| {
                                if page.zh() {
                                    format!(
                                        "第{}年度绩效报告：报送期限 {} — {}",
                                        s.year_index,
                                        page.date(s.due_on),
                                        s.status.zh()
                                    )
                                } else {
                                    format!(
                                        "Annual report, year {}: due {} — {}",
                                        s.year_index,
                                        page.date(s.due_on),
                                        s.status.code()
                                    )
                                }
                            })
                            .collect();
                        cards.push(Card {
                            title: format!("{}{}", w.award_year, page.t("年度获奖：获奖后事项")),
                            lines,
                            links: vec![(
                                format!("/applications/{}/post-award", w.application_id),
                                page.t("绩效报告与称号使用"),
                            )],
                        });
                    }
                }
            }
            Role::Reviewer => cards.push(Card {
                title: page.t("评审员"),
                lines: vec![page.t("暂无分配给您的评审任务。评审组组成公布后，任务将显示在这里。")],
                links: vec![
                    ("/review/conduct".into(), page.t("评价申报单位")),
                    ("/complaints".into(), page.t("投诉")),
                ],
            }),
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
    Ok(DashboardPage { c: page, cards })
}

#[derive(Template, WebTemplate)]
#[template(path = "department.html")]
struct DepartmentPage {
    c: PageCtx,
    department: Unit,
    requests: Vec<qaward_store::eligibility::opinions::Request>,
}

/// `/department/{did}`: a department's own requests, those awaiting an answer first.
pub async fn department_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(did): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let (pid, department) = c.found(
        st.store.department(did).await,
        Action::ViewDepartment {
            programme_id: -1,
            department_id: did,
        },
    )?;
    c.authorize(Action::ViewDepartment {
        programme_id: pid,
        department_id: did,
    })?;
    let requests = st
        .store
        .department_opinion_requests(did, c.now)
        .await
        .map_err(|e| c.store_err(e))?;
    Ok(DepartmentPage {
        c: c.page(),
        department,
        requests,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    c: PageCtx,
    o: Organisation,
    applications: Vec<(qaward_store::application::Application, String)>,
    open: Vec<AwardSession>,
    /// The organisation's certificates: (application, serial).
    certificates: Vec<(i64, String)>,
}

/// `/org/{oid}`: an applicant's own organisation.
pub async fn organisation_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(oid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    let o = c.found(
        st.store.organisation(oid).await,
        Action::ViewOrganisation {
            programme_id: -1,
            organisation_id: oid,
        },
    )?;
    c.authorize(Action::ViewOrganisation {
        programme_id: o.programme_id,
        organisation_id: oid,
    })?;
    let apps = st
        .store
        .applications_of(oid)
        .await
        .map_err(|e| c.store_err(e))?;
    let sessions = st
        .store
        .sessions(o.programme_id)
        .await
        .map_err(|e| c.store_err(e))?;
    let applications = apps
        .into_iter()
        .map(|a| {
            let title = sessions
                .iter()
                .find(|s| s.id == a.session_id)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            (a, title)
        })
        .collect::<Vec<_>>();
    let open = sessions
        .into_iter()
        .filter(|s| {
            matches!(s.stage, Stage::CallPublished | Stage::Applications)
                && !applications.iter().any(|(a, _)| a.session_id == s.id)
        })
        .collect();
    let mut certificates = Vec::new();
    for (a, _) in &applications {
        match st.store.certificate_of(a.id).await {
            Ok(cert) => certificates.push((a.id, cert.serial)),
            Err(qaward_store::Error::NotFound) => {}
            Err(e) => return Err(c.store_err(e)),
        }
    }
    Ok(OrganisationPage {
        c: c.page(),
        o,
        applications,
        open,
        certificates,
    })
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/dashboard", dashboard)
        .get("/department/{did}", department_page)
        .get("/org/{oid}", organisation_page)
}
