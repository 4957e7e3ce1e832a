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
use qaward_store::audit::Filter;
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
    Ok(Some(
        match st.store.verify_audit().await.map_err(|e| c.store_err(e))? {
            Ok(v) => Verification {
                ok: true,
                text: if page.zh() {
                    format!(
                        "哈希链完整：共{}条记录逐条校验通过，链头哈希 {}。",
                        v.entries,
                        &v.head_hash[..16]
                    )
                } else {
                    format!(
                        "The chain is intact: {} entries verified; head hash {}.",
                        v.entries,
                        &v.head_hash[..16]
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
        },
    ))
}

fn paging(q: &HashMap<String, String>) -> (Option<i64>, String) {
    (
        q.get("before").and_then(|b| b.parse().ok()),
        q.get("action").cloned().unwrap_or_default(),
    )
}

/// `/discipline/audit`: award entries of the inspector's programmes.
pub async fn discipline_log(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
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
    let (before, action) = paging(&q);
    let f = Filter {
        categories: vec![category::AWARD],
        programme_id: Some(pid),
        action_prefix: Some(action.clone()).filter(|a| !a.is_empty()),
        before_seq: before,
        limit: 200,
    };
    let entries = st
        .store
        .audit_entries(&f)
        .await
        .map_err(|e| c.store_err(e))?;
    let more = if entries.len() == 200 {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    let page = c.page();
    Ok(AuditPage {
        heading: page.t("评选审计日志"),
        verification: verification(&st, &c, &q).await?,
        total: st.store.audit_len().await.map_err(|e| c.store_err(e))?,
        c: page,
        entries,
        action,
        more,
    })
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
    let entries = st
        .store
        .audit_entries(&f)
        .await
        .map_err(|e| c.store_err(e))?;
    let more = if entries.len() == 200 {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    let page = c.page();
    Ok(AuditPage {
        heading: page.t("管理员操作审计"),
        verification: verification(&st, &c, &q).await?,
        total: st.store.audit_len().await.map_err(|e| c.store_err(e))?,
        c: page,
        entries,
        action,
        more,
    })
}
