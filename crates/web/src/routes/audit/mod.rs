//! Reading the audit log: the discipline role reads award entries of its programmes; the
//! audit administrator reads the administrators' and security entries. Both can verify the
//! whole chain in the page.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use qaward_core::audit::{Entry, category};
use qaward_core::authz::{Action, Role};
use qaward_store::audit::{Filter, Search};
use std::collections::HashMap;

/// The verification result shown in the page.
pub struct Verification {
    /// Intact?
    pub ok: bool,
    /// Text.
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_log.html")]
struct AuditPage {
    c: PageCtx,
    heading: String,
    entries: Vec<Entry>,
    action: String,
    verification: Option<Verification>,
    total: i64,
    more: Option<i64>,
    /// The discipline viewer's filters (none on the administrators' page).
    filters: Option<Filters>,
}

async fn verification(
    st: &AppState,
    c: &Ctx,
    q: &HashMap<String, String>,
) -> Result<Option<Verification>, AppError> {
    if !q.contains_key("verify") {
        return Ok(None);
    }
    let page = c.page();
    let chain = st.store.verify_audit().await?;
    if let Ok(v) = &chain
        && let Some((zh, en)) = anchor_fault(st, v).await?
    {
        return Ok(Some(Verification {
            ok: false,
            text: if page.zh() { zh } else { en },
        }));
    }
    Ok(Some(match chain {
        Ok(v) => Verification {
            ok: true,
            text: if page.zh() {
                format!(
                    "哈希链完整：共{}条记录逐条校验通过，链头哈希 {}。校验时间：{}。",
                    v.entries,
                    &v.head_hash[..16],
                    qaward_core::clock::format_micros(c.now.as_microsecond())
                )
            } else {
                format!(
                    "The chain is intact: {} entries verified; head hash {}. Verified at {}.",
                    v.entries,
                    &v.head_hash[..16],
                    qaward_core::clock::format_micros(c.now.as_microsecond())
                )
            },
        },
        Err(b) => Verification {
            ok: false,
            text: if page.zh() {
                format!("哈希链校验失败：第{}条记录——{}。", b.seq, b.zh)
            } else {
                format!("The chain is broken at entry {}: {}.", b.seq, b.en)
            },
        },
    }))
}

/// Where the log stands against the last line of the anchor file, when one is set: a fault
/// (Chinese, English) when the anchored entry is no longer there or has another hash.
async fn anchor_fault(
    st: &AppState,
    v: &qaward_store::audit::Verified,
) -> qaward_store::Result<Option<(String, String)>> {
    let Some(a) = st
        .config
        .anchor_file
        .as_deref()
        .and_then(qaward_store::audit::last_anchor)
    else {
        return Ok(None);
    };
    let entries = i64::try_from(v.entries).unwrap_or(i64::MAX);
    let fault = match st.store.audit_hash_at(a.seq).await? {
        _ if a.seq > entries => Some(qaward_core::anchor::AnchorFault::Truncated {
            anchored: a.seq,
            now: entries,
        }),
        Some(h) if h != a.hash => Some(qaward_core::anchor::AnchorFault::Rewritten { seq: a.seq }),
        _ => None,
    };
    Ok(fault.map(|f| {
        (
            format!("哈希链校验失败：{}。", f.zh()),
            format!("The chain does not match its anchor: {}.", f.en()),
        )
    }))
}

/// The last anchor of the chain, as a line of the discipline's exports.
fn anchor_line(st: &AppState) -> Option<String> {
    let a = qaward_store::audit::last_anchor(st.config.anchor_file.as_deref()?)?;
    Some(format!(
        "最近锚定：第{}条，哈希 {}，锚定时间 {}（锚定文件签名由 qaward audit verify --anchor 校验）",
        a.seq, a.hash, a.at
    ))
}

fn paging(q: &HashMap<String, String>) -> (Option<i64>, String) {
    (
        q.get("before").and_then(|b| b.parse().ok()),
        q.get("action").cloned().unwrap_or_default(),
    )
}

/// The viewer's filters as typed (shown again in the form, kept in paging and export links).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// First day (YYYY-MM-DD, Asia/Shanghai).
    pub from: String,
    /// Last day (YYYY-MM-DD, Asia/Shanghai), inclusive.
    pub to: String,
    /// Actor's name contains.
    pub actor: String,
    /// Article number.
    pub article: String,
    /// Entity kind: application, session, expert, complaint…
    pub entity: String,
    /// Entity id.
    pub entity_id: String,
    /// Summary contains.
    pub q: String,
    /// Programme.
    pub programme: i64,
    /// Problems with what was typed.
    pub problems: Vec<String>,
}

impl Filters {
    /// The query string of these filters (without paging).
    pub fn query(&self, action: &str) -> String {
        let e = |v: &str| urlencoding::encode(v).into_owned();
        format!(
            "programme={}&action={}&from={}&to={}&actor={}&article={}&entity={}&entity_id={}&q={}",
            self.programme,
            e(action),
            e(&self.from),
            e(&self.to),
            e(&self.actor),
            e(&self.article),
            e(&self.entity),
            e(&self.entity_id),
            e(&self.q)
        )
    }
    /// The entity kinds offered.
    pub fn entities(&self) -> &'static [(&'static str, &'static str)] {
        &ENTITIES
    }
    /// The filters as one line, for the export's heading.
    pub fn describe(&self, action: &str) -> String {
        let mut v = vec![format!("项目={}", self.programme)];
        for (k, x) in [
            ("操作", action),
            ("起始日期", self.from.as_str()),
            ("截止日期", self.to.as_str()),
            ("操作人", self.actor.as_str()),
            ("条款", self.article.as_str()),
            ("对象类型", self.entity.as_str()),
            ("对象编号", self.entity_id.as_str()),
            ("内容包含", self.q.as_str()),
        ] {
            if !x.is_empty() {
                v.push(format!("{k}={x}"));
            }
        }
        v.join("；")
    }
}

/// The entity kinds the viewer filters on: (code, label).
pub const ENTITIES: [(&str, &str); 7] = [
    ("application", "申报材料"),
    ("session", "届次"),
    ("expert", "评审专家"),
    ("complaint", "投诉"),
    ("conduct_rating", "双向评价"),
    ("team", "评审组"),
    ("programme", "评选项目"),
];

fn day_start(d: &str) -> Option<i64> {
    let d: jiff::civil::Date = d.parse().ok()?;
    Some(qaward_core::clock::at_shanghai(d, 0, 0).as_microsecond())
}

/// Read the filters of the discipline viewer and build the store search.
fn search_of(
    q: &HashMap<String, String>,
    pid: i64,
    limit: i64,
) -> (Search, Filters, String, Option<i64>) {
    let g = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let (before, action) = paging(q);
    let mut f = Filters {
        from: g("from"),
        to: g("to"),
        actor: g("actor"),
        article: g("article"),
        entity: g("entity"),
        entity_id: g("entity_id"),
        q: g("q"),
        programme: pid,
        problems: Vec::new(),
    };
    let from_us = if f.from.is_empty() {
        None
    } else {
        let v = day_start(&f.from);
        if v.is_none() {
            f.problems
                .push("“起始日期”：请按“2026-05-01”的格式填写。".into());
        }
        v
    };
    let until_us = if f.to.is_empty() {
        None
    } else {
        let v =
            f.to.parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| d.tomorrow().ok())
                .map(|d| qaward_core::clock::at_shanghai(d, 0, 0).as_microsecond());
        if v.is_none() {
            f.problems
                .push("“截止日期”：请按“2026-05-01”的格式填写。".into());
        }
        v
    };
    let article = if f.article.is_empty() {
        None
    } else {
        let v = f
            .article
            .trim_start_matches('第')
            .trim_end_matches('条')
            .parse::<i64>()
            .ok();
        if v.is_none() {
            f.problems.push("“条款”：请填写条款序号，例如 26。".into());
        }
        v
    };
    let non_empty = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    let s = Search {
        base: Filter {
            categories: vec![category::AWARD],
            programme_id: Some(pid),
            action_prefix: non_empty(&action),
            before_seq: before,
            limit,
        },
        from_us,
        until_us,
        actor: non_empty(&f.actor),
        article,
        subject_type: non_empty(&f.entity),
        subject_id: non_empty(&f.entity_id),
        text: non_empty(&f.q),
    };
    (s, f, action, before)
}

/// The inspector's programme asked for, authorized.
fn discipline_programme(c: &Ctx, q: &HashMap<String, String>) -> Result<i64, AppError> {
    let programmes = c
        .actor()
        .map(|a| a.programmes_as(Role::Discipline))
        .unwrap_or_default();
    let Some(first) = programmes.first().copied() else {
        // Nobody without a discipline grant gets further than this.
        c.authorize(Action::ReadAuditLog { programme_id: -1 })?;
        return Err(c.not_found());
    };
    let pid = q
        .get("programme")
        .and_then(|p| p.parse().ok())
        .unwrap_or(first);
    c.authorize(Action::ReadAuditLog { programme_id: pid })?;
    Ok(pid)
}

/// `/discipline/audit`: award entries of the inspector's programmes, filtered in the query.
pub async fn discipline_log(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let pid = discipline_programme(&c, &q)?;
    let (s, filters, action, _) = search_of(&q, pid, 200);
    let entries = if filters.problems.is_empty() {
        st.store.audit_search(&s).await?
    } else {
        Vec::new()
    };
    let more = if entries.len() == 200 {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    let page = c.page();
    Ok(AuditPage {
        heading: page.t("评选审计日志"),
        verification: verification(&st, &c, &q).await?,
        total: st.store.audit_len().await?,
        c: page,
        entries,
        action,
        more,
        filters: Some(filters),
    })
}

/// An export asked with filters that do not read: the log page again (400) with the filters
/// as typed and each problem named, instead of a file.
async fn bad_filters(
    st: &AppState,
    c: &Ctx,
    q: &HashMap<String, String>,
) -> Result<Option<axum::response::Response>, AppError> {
    let pid = discipline_programme(c, q)?;
    let (_, filters, ..) = search_of(q, pid, 1);
    if filters.problems.is_empty() {
        return Ok(None);
    }
    let page = discipline_log(State(st.clone()), c.clone(), Query(q.clone()))
        .await?
        .into_response();
    let (mut parts, body) = page.into_parts();
    parts.status = axum::http::StatusCode::BAD_REQUEST;
    Ok(Some(axum::response::Response::from_parts(parts, body)))
}

/// The filtered entries of a discipline export (up to 10,000, newest first), with the two lines
/// that head the file: the filter, and the export time with the chain head.
async fn discipline_export(
    st: &AppState,
    c: &Ctx,
    q: &HashMap<String, String>,
) -> Result<(Vec<String>, Vec<Vec<String>>), AppError> {
    let pid = discipline_programme(c, q)?;
    let (s, filters, action, _) = search_of(q, pid, 10_000);
    if !filters.problems.is_empty() {
        return Err(AppError::BadInput(
            axum::http::StatusCode::BAD_REQUEST,
            filters.problems.join(" "),
            Box::new(c.page()),
        ));
    }
    let entries = st.store.audit_search(&s).await?;
    let (head_seq, head_hash) = st.store.audit_head().await?;
    let meta = vec![
        format!("筛选条件：{}", filters.describe(&action)),
        format!(
            "导出时间：{}；链头：第{head_seq}条，哈希 {head_hash}；共{}条",
            qaward_core::clock::format_micros(c.now.as_microsecond()),
            entries.len()
        ),
    ];
    let meta: Vec<String> = meta.into_iter().chain(anchor_line(st)).collect();
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                qaward_core::clock::format_micros(e.at),
                e.actor_name.clone(),
                e.role.clone(),
                e.action.clone(),
                e.subject_type.clone(),
                e.subject_id.clone(),
                e.summary.clone(),
                e.article.map(|a| a.to_string()).unwrap_or_default(),
                e.hash.clone(),
            ]
        })
        .collect();
    Ok((meta, rows))
}

/// Column headings of the discipline export.
const EXPORT_HEADERS: [&str; 10] = [
    "序号",
    "时间",
    "操作人",
    "角色",
    "操作",
    "对象类型",
    "对象编号",
    "内容",
    "条款",
    "哈希",
];

/// `/discipline/audit.csv`: the filtered entries (up to 10,000, newest first), headed by the
/// filter and the chain head's hash. Text a spreadsheet would take for a formula is quoted
/// with a leading apostrophe.
pub async fn discipline_csv(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<axum::response::Response, AppError> {
    if let Some(page) = bad_filters(&st, &c, &q).await? {
        return Ok(page);
    }
    let (meta, rows) = discipline_export(&st, &c, &q).await?;
    let cell = |v: &str| {
        let v = if v.starts_with(['=', '+', '-', '@']) {
            format!("'{v}")
        } else {
            v.to_owned()
        };
        format!("\"{}\"", v.replace('"', "\"\""))
    };
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = cells.map(cell).collect::<Vec<_>>().join(",");
        l.push_str("\r\n");
        l
    };
    let mut out = String::from("\u{feff}");
    for m in &meta {
        out.push_str(&line(&mut std::iter::once(m.as_str())));
    }
    out.push_str(&line(&mut EXPORT_HEADERS.iter().copied()));
    for r in &rows {
        out.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    Ok(crate::view::download(
        out.into_bytes(),
        "text/csv; charset=utf-8",
        "audit-log.csv",
    ))
}

/// `/discipline/audit.xlsx`: the same entries as a workbook; the filter and the chain head
/// follow the last row.
pub async fn discipline_xlsx(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<axum::response::Response, AppError> {
    if let Some(page) = bad_filters(&st, &c, &q).await? {
        return Ok(page);
    }
    let (meta, mut rows) = discipline_export(&st, &c, &q).await?;
    rows.push(Vec::new());
    rows.extend(meta.into_iter().map(|m| vec![m]));
    let body = qaward_docs::xlsx::table_xlsx("审计日志", &EXPORT_HEADERS, &rows)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::view::download(
        body,
        crate::view::XLSX,
        "audit-log.xlsx",
    ))
}

/// `/admin/audit`: the administrators' and security entries, for the audit administrator.
pub async fn admin_log(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ReviewAdminAudit)?;
    let (before, action) = paging(&q);
    let f = Filter {
        categories: vec![category::ADMIN, category::SECURITY],
        programme_id: None,
        action_prefix: Some(action.clone()).filter(|a| !a.is_empty()),
        before_seq: before,
        limit: 200,
    };
    let entries = st.store.audit_entries(&f).await?;
    let more = if entries.len() == 200 {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    let page = c.page();
    Ok(AuditPage {
        heading: page.t("管理员操作审计"),
        verification: verification(&st, &c, &q).await?,
        total: st.store.audit_len().await?,
        c: page,
        entries,
        action,
        more,
        filters: None,
    })
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/discipline/audit", discipline_log)
        .get("/admin/audit", admin_log)
        .get("/discipline/audit.csv", discipline_csv)
        .get("/discipline/audit.xlsx", discipline_xlsx)
}
