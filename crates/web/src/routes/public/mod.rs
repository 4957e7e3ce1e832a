//! Public pages: the home page, a session's portal page and call notice, a rule set, 404.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use qaward_core::authz::Action;
use qaward_core::session::Stage;
use qaward_store::session::{AwardSession, SessionDetail};
use std::sync::Arc;

/// A programme with its sessions, for the home page.
pub struct ProgrammeSessions {
    /// Programme name.
    pub name: String,
    /// Organising office.
    pub office: String,
    /// Sessions.
    pub sessions: Vec<AwardSession>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    c: PageCtx,
    programmes: Vec<ProgrammeSessions>,
    /// The demonstration's day and how far its clock is from the real day, when a demo.
    demo_day: Option<(String, i64)>,
}

/// `/`: programmes and sessions with their stages.
pub async fn home(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let mut programmes = Vec::new();
    let all = st.store.all_sessions().await?;
    for p in st.store.programmes().await? {
        let sessions = all
            .iter()
            .filter(|s| s.programme_id == p.id)
            .cloned()
            .collect();
        programmes.push(ProgrammeSessions {
            name: p.name,
            office: p.office_name,
            sessions,
        });
    }
    let page = c.page();
    Ok(HomePage {
        demo_day: st.config.demo_day.map(|(d, shift)| (page.date(d), -shift)),
        c: page,
        programmes,
    })
}

/// `/healthz`.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The stylesheet.
pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/app.css"),
    )
}

/// The script that saves drafts as one types.
pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/app.js"),
    )
}

/// One row of a stage timeline.
pub struct TimelineRow {
    /// Stage.
    pub stage: Stage,
    /// Planned window, formatted.
    pub window: String,
    /// Day entered, formatted.
    pub entered: String,
    /// done, current or future.
    pub state: &'static str,
    /// Governing article.
    pub article: Option<u32>,
}

/// The timeline of a session, for its pages.
pub fn timeline(c: &PageCtx, d: &SessionDetail) -> Vec<TimelineRow> {
    let cur = d.session.stage.index();
    Stage::ALL
        .iter()
        .map(|s| {
            let w = d.windows.get(s).copied().unwrap_or_default();
            let window = match (w.starts_on, w.ends_on) {
                (Some(a), Some(b)) => format!("{} – {}", c.date(a), c.date(b)),
                (None, Some(b)) => format!("{} {}", c.t("截至"), c.date(b)),
                (Some(a), None) => format!("{} {}", c.date(a), c.t("起")),
                (None, None) => String::new(),
            };
            TimelineRow {
                stage: *s,
                window,
                entered: d.entered(*s).map(|e| c.date(e)).unwrap_or_default(),
                state: match s.index().cmp(&cur) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "future",
                },
                article: s.article(&d.rules),
            }
        })
        .collect()
}

/// A criteria category with its items: (id, name, points, [(id, name, points)]).
type CategoryRow = (String, String, u32, Vec<(String, String, u32)>);

#[derive(Template, WebTemplate)]
#[template(path = "session_public.html")]
struct SessionPublicPage {
    c: PageCtx,
    d: Arc<SessionDetail>,
    rows: Vec<TimelineRow>,
    call_out: bool,
    accepting: bool,
    conditions: Vec<(String, String)>,
    categories: Vec<CategoryRow>,
    total: u32,
    criteria_name: String,
    teams: Arc<Vec<qaward_store::assignment::Team>>,
    notice: Option<qaward_store::decision::Notice>,
    portal: Arc<Portal>,
}

/// The transparency portal's part of a session page (Art. 20, 27, 29).
pub struct Portal {
    /// The winners, once commended: (name, county, certificate serial, revoked).
    pub winners: Vec<(String, String, Option<String>, bool)>,
    /// Whether the winners are shown yet.
    pub commended: bool,
    /// The published announcements, newest first.
    pub announcements: Vec<qaward_store::award::Announcement>,
    /// The winners' advanced practices offered for promotion.
    pub practices: Vec<qaward_store::award::PublicPractice>,
}

/// The portal's data of a session: nothing internal (no scores, no identity numbers).
async fn portal(st: &AppState, d: &SessionDetail) -> qaward_store::Result<Portal> {
    let sid = d.session.id;
    let commended = crate::routes::award::winners_public(d.session.stage);
    let mut winners = Vec::new();
    if commended {
        let certs = st.store.certificates(sid).await?;
        for w in st.store.winners(sid).await? {
            let cert = certs.iter().find(|c| c.winner_id == w.id);
            let serial = cert.map(|c| c.serial.clone());
            let revoked = cert.is_some_and(|c| c.revoked_at.is_some());
            winners.push((w.organisation_name, w.county_name, serial, revoked));
        }
    }
    Ok(Portal {
        winners,
        commended,
        announcements: st.store.announcements(sid, true).await?,
        practices: if commended {
            st.store.portal_practices(sid).await?
        } else {
            Vec::new()
        },
    })
}

/// `/sessions/{id}`: a session as the public sees it.
pub async fn session_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    // Read through the cache: the public's page, busiest while the list is on notice.
    let view = st.store.view_at(c.version);
    let d = view.session_detail(id).await?;
    let page = c.page();
    let rows = timeline(&page, &d);
    let call_out = d.session.stage >= Stage::CallPublished;
    let accepting = matches!(d.session.stage, Stage::CallPublished | Stage::Applications);
    let criteria = st.store.criteria(&d.rules.meta.criteria).await?;
    let p = st.store.programme(d.session.programme_id).await?;
    let data = call_data(&d.rules, &criteria, &d, &p.office_name);
    let conditions = data["conditions"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| {
                    (
                        x["text"].as_str().unwrap_or_default().to_owned(),
                        x["article"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let categories = criteria
        .categories
        .iter()
        .map(|k| {
            (
                k.id.clone(),
                if page.zh() {
                    k.name.clone()
                } else {
                    k.name_en.clone()
                },
                k.points,
                k.items
                    .iter()
                    .map(|i| {
                        (
                            i.id.clone(),
                            if page.zh() {
                                i.name.clone()
                            } else {
                                i.name_en.clone()
                            },
                            i.points,
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let notice = st.store.notice(id).await?;
    let portal = view.get_or(format!("portal:{id}"), portal(&st, &d)).await?;
    Ok(SessionPublicPage {
        notice,
        c: page,
        portal,
        d,
        rows,
        call_out,
        accepting,
        conditions,
        categories,
        total: criteria.meta.total,
        criteria_name: criteria.meta.name.clone(),
        teams: view
            .get_or(
                format!("published_teams:{id}"),
                st.store.published_teams(id),
            )
            .await?,
    })
}

/// The data of the call notice PDF.
pub fn call_data(
    st_rules: &qaward_core::rules::RuleSet,
    criteria: &qaward_core::criteria::Criteria,
    d: &SessionDetail,
    office: &str,
) -> serde_json::Value {
    let zh = |x: &jiff::civil::Date| qaward_core::clock::date_zh(*x);
    let stages: Vec<serde_json::Value> = Stage::ALL
        .iter()
        .filter(|s| s.has_window())
        .filter_map(|s| {
            let w = d.windows.get(s)?;
            Some(serde_json::json!({
                "name": s.name_zh(),
                "from": w.starts_on.as_ref().map(zh).unwrap_or_default(),
                "to": w.ends_on.as_ref().map(zh).unwrap_or_default(),
                "article": s.article(&d.rules).map(qaward_core::citation::article_zh).unwrap_or_default(),
            }))
        })
        .collect();
    let r = st_rules;
    let e = &r.eligibility;
    let conditions = vec![
        serde_json::json!({"text": format!("在本市行政区域内登记注册，具有法人资格，生产经营{}年以上", e.min_operating_years.value), "article": "第十条"}),
        serde_json::json!({"text": format!("近{}年国家级、省级、市级质量监督抽查中没有不合格记录", e.clean_record_years.value), "article": "第十条"}),
        serde_json::json!({"text": format!("近{}年未发生亏损（政策性亏损除外），无重大质量、安全、环境污染、公共卫生、食品安全等事故，无重大质量投诉，无严重失信行为", e.no_loss_years.value), "article": "第十条"}),
        serde_json::json!({"text": format!("建立卓越绩效模式管理推进机构，推广及应用卓越绩效管理模式{}个月以上", e.min_excellence_practice_months.value), "article": "第十条"}),
        serde_json::json!({"text": format!("获奖后{}年内不得重新申报；因弄虚作假或重大事故被撤销奖励的，{}年内不得申报", e.rewin_bar_years.value, r.revocation.ban_years.value), "article": "第十一条、第三十二条、第三十三条"}),
    ];
    let published = d
        .entered(Stage::CallPublished)
        .map(|x| zh(&x))
        .unwrap_or_default();
    serde_json::json!({
        "programme_name": r.meta.award_name,
        "session_title": d.session.title,
        "year": d.session.year,
        "issuer": office,
        "published_on": published,
        "rule_set": {"name": r.meta.name, "document_number": r.meta.document_number, "demo": r.meta.demo, "notice": r.meta.notice},
        "stages": stages,
        "conditions": conditions,
        "max_winners": r.session.max_winners.value,
        "bonus": format!("{}万元", r.award.bonus_cny.value / 10_000),
        "notice_min_days": r.decision.notice_min_days.value,
        "contact": format!("{office}（演示联系方式，纯属虚构）"),
        "criteria": {
            "name": criteria.meta.name,
            "total": criteria.meta.total,
            "categories": criteria.categories.iter().map(|k| serde_json::json!({"id": k.id, "name": k.name, "points": k.points})).collect::<Vec<_>>(),
        },
    })
}

/// `/sessions/{id}/call.pdf`: the call notice, once published (Art. 12).
pub async fn call_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let d = st.store.session_detail(id).await?;
    if d.session.stage < Stage::CallPublished {
        return Err(c.not_found());
    }
    let p = st.store.programme(d.session.programme_id).await?;
    let criteria = st.store.criteria(&d.rules.meta.criteria).await?;
    let data = call_data(&d.rules, &criteria, &d, &p.office_name);
    let bytes = st
        .render_pdf(qaward_docs::Template::CallNotice, data)
        .await?;
    let name = format!("attachment; filename=\"call-{}.pdf\"", d.session.year);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    ))
}

/// One rule as listed on the rule-set page.
pub struct RuleRow {
    /// Dotted path.
    pub path: String,
    /// Value as text.
    pub value: String,
    /// Article, if any.
    pub article: Option<u32>,
    /// Basis, when not an article.
    pub basis: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rule_set.html")]
struct RuleSetPage {
    c: PageCtx,
    rs: qaward_store::rulesets::StoredRuleSet,
    rows: Vec<RuleRow>,
    loaded: String,
}

/// The rules of a rule set, flattened for display.
pub fn rule_rows(json: &serde_json::Value) -> Vec<RuleRow> {
    let mut rows = Vec::new();
    if let Some(obj) = json.as_object() {
        for (section, v) in obj {
            if section == "meta" {
                continue;
            }
            if let Some(rules) = v.as_object() {
                for (k, r) in rules {
                    let value = match r.get("value") {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(x) => x.to_string(),
                        None => String::new(),
                    };
                    rows.push(RuleRow {
                        path: format!("{section}.{k}"),
                        value,
                        article: r
                            .get("article")
                            .and_then(serde_json::Value::as_u64)
                            .and_then(|a| u32::try_from(a).ok()),
                        basis: r
                            .get("basis")
                            .and_then(|b| b.as_str())
                            .unwrap_or_default()
                            .to_owned(),
                    });
                }
            }
        }
    }
    rows
}

/// `/rules/{id}`: a rule-set version, every rule with its article (public, Art. 7, 12).
pub async fn rule_set_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let rs = st.store.rule_set(id).await?;
    let rows = rule_rows(&rs.rules.to_json());
    let page = c.page();
    let loaded = page.time(rs.loaded_at);
    Ok(RuleSetPage {
        c: page,
        rs,
        rows,
        loaded,
    })
}

/// Anything else: 404.
pub async fn not_found(c: Ctx) -> AppError {
    c.not_found()
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/", home)
        .get("/healthz", healthz)
        .get("/metrics", crate::ops::metrics)
        .get("/static/app.css", css)
        .get("/sessions/{id}", session_page)
        .get("/sessions/{id}/call.pdf", call_pdf)
        .get("/rules/{id}", rule_set_page)
        .get("/static/app.js", js)
}
