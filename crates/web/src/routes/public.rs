//! Public pages: the home page, a session's page and call notice, a rule set, 404.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::routes::upload::FileFault;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use qaward_core::authz::Action;
use qaward_core::stage::Stage;
use qaward_store::sessions::{AwardSession, SessionDetail};
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
}

/// `/`: programmes and sessions with their stages.
pub async fn home(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let mut programmes = Vec::new();
    let all = st.store.all_sessions().await.map_err(|e| c.store_err(e))?;
    for p in st.store.programmes().await.map_err(|e| c.store_err(e))? {
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
    Ok(HomePage {
        c: c.page(),
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
        include_str!("../../static/app.css"),
    )
}

/// The script that saves drafts as one types.
pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
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
                article: s.article(),
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
    teams: Arc<Vec<qaward_store::review::Team>>,
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
    pub announcements: Vec<qaward_store::awards::Announcement>,
    /// The winners' advanced practices offered for promotion.
    pub practices: Vec<qaward_store::awards::PublicPractice>,
}

/// The portal's data of a session: nothing internal (no scores, no identity numbers).
async fn portal(st: &AppState, d: &SessionDetail) -> qaward_store::Result<Portal> {
    let sid = d.session.id;
    let commended = super::awards::winners_public(d.session.stage);
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
    let d = view.session_detail(id).await.map_err(|e| c.store_err(e))?;
    let page = c.page();
    let rows = timeline(&page, &d);
    let call_out = d.session.stage >= Stage::CallPublished;
    let accepting = matches!(d.session.stage, Stage::CallPublished | Stage::Applications);
    let criteria = st
        .store
        .criteria(&d.rules.meta.criteria)
        .await
        .map_err(|e| c.store_err(e))?;
    let p = st
        .store
        .programme(d.session.programme_id)
        .await
        .map_err(|e| c.store_err(e))?;
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
    let notice = st.store.notice(id).await.map_err(|e| c.store_err(e))?;
    let portal = view
        .get_or(format!("portal:{id}"), portal(&st, &d))
        .await
        .map_err(|e| c.store_err(e))?;
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
            .await
            .map_err(|e| c.store_err(e))?,
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
                "article": s.article().map(qaward_core::citation::article_zh).unwrap_or_default(),
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
    let d = st
        .store
        .session_detail(id)
        .await
        .map_err(|e| c.store_err(e))?;
    if d.session.stage < Stage::CallPublished {
        return Err(c.not_found());
    }
    let p = st
        .store
        .programme(d.session.programme_id)
        .await
        .map_err(|e| c.store_err(e))?;
    let criteria = st
        .store
        .criteria(&d.rules.meta.criteria)
        .await
        .map_err(|e| c.store_err(e))?;
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
    let rs = st.store.rule_set(id).await.map_err(|e| c.store_err(e))?;
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

/// The public notice of the decided list, as the portal shows it.
#[derive(Template, WebTemplate)]
#[template(path = "notice_public.html")]
struct NoticePublicPage {
    c: PageCtx,
    d: SessionDetail,
    notice: qaward_store::decision::Notice,
    list: Vec<qaward_store::decision::DecidedEntry>,
    days_left: i64,
    open: bool,
}

/// `/sessions/{id}/notice`: the list under public notice, its dates, the days left and how to
/// object (Art. 18, 28).
pub async fn notice_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let d = st
        .store
        .session_detail(id)
        .await
        .map_err(|e| c.store_err(e))?;
    let Some(notice) = st.store.notice(id).await.map_err(|e| c.store_err(e))? else {
        return Err(c.not_found());
    };
    let list = st
        .store
        .decided_list(id)
        .await
        .map_err(|e| c.store_err(e))?;
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let days_left = if today < notice.starts_on {
        (notice.ends_on - notice.starts_on).get_days() as i64 + 1
    } else {
        ((notice.ends_on - today).get_days() as i64 + 1).max(0)
    };
    Ok(NoticePublicPage {
        open: notice.open_on(today),
        days_left,
        c: c.page(),
        d,
        notice,
        list,
    })
}

/// What an objector typed, for the form.
#[derive(Template, WebTemplate)]
#[template(path = "objection_new.html")]
struct ObjectionNewPage {
    c: PageCtx,
    d: SessionDetail,
    notice: qaward_store::decision::Notice,
    list: Vec<qaward_store::decision::DecidedEntry>,
    f: qaward_store::decision::ObjectionInput,
    errors: crate::view::FormErrors,
    refusal: Option<crate::routes::decision::RefusalView>,
    max_mb: u64,
}

/// The notice of a session that receives objections today, or the refusal page.
async fn open_notice(
    st: &AppState,
    c: &Ctx,
    id: i64,
) -> Result<(SessionDetail, qaward_store::decision::Notice), AppError> {
    let d = st
        .store
        .session_detail(id)
        .await
        .map_err(|e| c.store_err(e))?;
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    match st
        .store
        .objection_window(id, today)
        .await
        .map_err(|e| c.store_err(e))?
    {
        Ok(n) => Ok((d, n)),
        Err(r) => Err(AppError::Refused(Box::new(r), Box::new(c.page()))),
    }
}

async fn objection_form(
    st: &AppState,
    c: &Ctx,
    id: i64,
    f: qaward_store::decision::ObjectionInput,
    errors: crate::view::FormErrors,
    refusal: Option<crate::routes::decision::RefusalView>,
) -> Result<ObjectionNewPage, AppError> {
    let (d, notice) = open_notice(st, c, id).await?;
    let list = st
        .store
        .decided_list(id)
        .await
        .map_err(|e| c.store_err(e))?;
    Ok(ObjectionNewPage {
        c: c.page(),
        d,
        notice,
        list,
        f,
        errors,
        refusal,
        max_mb: st.config.max_file / 1_048_576,
    })
}

/// `GET /sessions/{id}/objections/new`: the real-name objection form (Art. 28).
pub async fn objection_new(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let f = qaward_store::decision::ObjectionInput {
        kind: q.get("kind").cloned().unwrap_or_else(|| "person".into()),
        application_id: q.get("application").cloned().unwrap_or_default(),
        ..Default::default()
    };
    objection_form(&st, &c, id, f, crate::view::FormErrors::default(), None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "objection_ack.html")]
struct ObjectionAckPage {
    c: PageCtx,
    d: SessionDetail,
    ack: String,
    code: String,
    due: String,
}

/// The most evidence files one objection carries.
const MAX_OBJECTION_FILES: usize = 5;

/// `POST /sessions/{id}/objections/new` (multipart): register a real-name objection with its
/// evidence, streamed to the file store. Anonymous or incomplete objections are refused with
/// every field named and everything typed kept.
pub async fn objection_create(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    req: axum::extract::Request,
) -> Result<axum::response::Response, AppError> {
    use axum::extract::FromRequest;
    use axum::http::StatusCode;
    c.authorize(Action::ViewPublic)?;
    let list = st
        .store
        .decided_list(id)
        .await
        .map_err(|e| c.store_err(e))?;
    let Ok(mut mp) = axum::extract::Multipart::from_request(req, &st).await else {
        return Err(AppError::BadForm(Box::new(c.page())));
    };
    let page = c.page();
    let mut csrf_ok = false;
    let mut text: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    let mut checked: Option<(Vec<qaward_store::decision::FieldProblem>, bool)> = None;
    let mut file_error: Option<String> = None;
    let input_of = |text: &[(String, String)]| {
        let g = |k: &str| {
            text.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        qaward_store::decision::ObjectionInput {
            kind: g("kind"),
            name: g("name"),
            id_number: g("id_number"),
            credit_code: g("credit_code"),
            address: g("address"),
            contact: g("contact"),
            phone: g("phone"),
            application_id: g("application_id"),
            facts: g("facts"),
        }
    };
    let too_large = |limit: u64| {
        if page.zh() {
            format!(
                "“证明材料”：文件超过{}MB，请压缩或拆分后上传。",
                limit / 1_048_576
            )
        } else {
            format!("A file is over {} MB.", limit / 1_048_576)
        }
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                file_error = Some(too_large(st.config.max_file));
                break;
            }
            Err(_) => return Err(AppError::BadForm(Box::new(c.page()))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csrf" {
            let t = field
                .text()
                .await
                .map_err(|_| AppError::BadForm(Box::new(c.page())))?;
            csrf_ok = !c.csrf.is_empty() && t == c.csrf;
            if !csrf_ok {
                return Err(AppError::BadForm(Box::new(c.page())));
            }
            // Only while the list is under notice (Art. 18, 28).
            open_notice(&st, &c, id).await?;
            continue;
        }
        if !csrf_ok {
            return Err(AppError::BadForm(Box::new(c.page())));
        }
        if name != "file" {
            let v = field.text().await.unwrap_or_default();
            text.push((name, v));
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        if filename.is_empty() {
            continue;
        }
        // The typed fields come first: nothing is written while they do not pass.
        let ch = checked.get_or_insert_with(|| {
            qaward_store::decision::check_objection(&input_of(&text), &list)
        });
        if !ch.0.is_empty() || file_error.is_some() {
            break;
        }
        if files.len() >= MAX_OBJECTION_FILES {
            file_error = Some(format!(
                "{}{MAX_OBJECTION_FILES}",
                page.t("“证明材料”：每件异议最多上传的文件数为")
            ));
            break;
        }
        let bad_type = || {
            page.t("“证明材料”：只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，而非文件名）。")
        };
        match super::upload::store_field(&st, field).await? {
            Ok(w) => files.push((filename, w)),
            Err(fault) => {
                file_error = Some(match fault {
                    FileFault::TooLarge(limit) => too_large(limit),
                    FileFault::Cut => too_large(st.config.max_file),
                    FileFault::Empty => page.t("“证明材料”：文件是空的。"),
                    FileFault::BadType => bad_type(),
                });
                break;
            }
        }
    }
    if !csrf_ok {
        return Err(AppError::BadForm(Box::new(c.page())));
    }
    let input = input_of(&text);
    let (problems, anonymous) = match checked {
        Some(ch) => ch,
        None => qaward_store::decision::check_objection(&input, &list),
    };
    let mut errors = crate::view::FormErrors::default();
    for (field, zh, en) in problems {
        errors.push(field, if page.zh() { zh } else { en });
    }
    if let Some(m) = file_error {
        errors.push("file", m);
    } else if errors.0.is_empty() && files.is_empty() {
        errors.push(
            "file",
            page.t("“证明材料”：请上传必要的证明材料（PDF、JPG或PNG）。"),
        );
    }
    if errors.any() {
        let refusal = if anonymous {
            let r = st
                .store
                .refuse_anonymous_objection(id, c.now)
                .await
                .map_err(|e| c.store_err(e))?;
            Some(crate::routes::decision::refusal_view(&page, &r))
        } else {
            None
        };
        let status = if anonymous {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((
            status,
            objection_form(&st, &c, id, input, errors, refusal).await?,
        )
            .into_response());
    }
    match st.store.file_objection(id, &input, &files, c.now).await {
        Ok((ack, code)) => {
            let d = st
                .store
                .session_detail(id)
                .await
                .map_err(|e| c.store_err(e))?;
            let today = c
                .now
                .to_zoned_datetime(qaward_core::clock::shanghai())
                .date();
            let due = qaward_core::decision::objection_due(&d.rules, today);
            Ok(ObjectionAckPage {
                due: page.date(due),
                c: page,
                d,
                ack,
                code,
            }
            .into_response())
        }
        Err(qaward_store::Error::Invalid { field, zh, en }) => {
            let mut errors = crate::view::FormErrors::default();
            errors.push(field, if page.zh() { zh } else { en });
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                objection_form(&st, &c, id, input, errors, None).await?,
            )
                .into_response())
        }
        Err(e) => Err(c.store_err(e)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "objection_track.html")]
struct TrackPage {
    c: PageCtx,
    ack: String,
    code: String,
    found: Option<qaward_store::decision::Objection>,
    not_found: bool,
}

/// `GET /objections/track`: the form to follow an objection.
pub async fn track_page(
    c: Ctx,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    Ok(TrackPage {
        c: c.page(),
        ack: q.get("ack").cloned().unwrap_or_default(),
        code: String::new(),
        found: None,
        not_found: false,
    })
}

/// `POST /objections/track`: an objection's status and reply, given its acknowledgement number
/// and follow-up code.
pub async fn track(
    State(st): State<AppState>,
    c: Ctx,
    f: crate::ctx::FormData,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let ack = f.get("ack");
    let code = f.get("code");
    let found = st
        .store
        .track_objection(&ack, &code)
        .await
        .map_err(|e| c.store_err(e))?;
    Ok(TrackPage {
        c: c.page(),
        not_found: found.is_none(),
        found,
        ack,
        code: String::new(),
    })
}
