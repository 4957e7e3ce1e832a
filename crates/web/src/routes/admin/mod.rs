//! The three administrators (三员): accounts (system administrator) and security settings
//! (security administrator). Neither page shows award data.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qaward_core::audit::{Entry, category};
use qaward_core::authz::{Action, Grant, Role};
use qaward_core::signin::Scope;
use qaward_store::accounts::{NewUser, SecuritySettings};
use qaward_store::audit::Filter;

/// A user row.
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Roles with scope, as text.
    pub roles: String,
    /// 正常 / 锁定 / 停用.
    pub state: String,
    /// Enabled.
    pub active: bool,
}

/// A choice in a select.
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
struct UsersPage {
    c: PageCtx,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    programmes: Vec<Choice>,
    counties: Vec<Choice>,
    departments: Vec<Choice>,
    f: FormData,
    errors: FormErrors,
    list: UserList,
}

/// Accounts shown per page of the account list.
const USERS_PER_PAGE: usize = 50;

/// The search and page of the account list.
#[derive(Debug, Clone, Default)]
pub struct UserList {
    /// What was searched (sign-in name, name or role), as typed.
    pub q: String,
    /// The page shown, from 1.
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
    /// Accounts matching the search.
    pub matching: usize,
    /// Accounts in all.
    pub total: usize,
}

impl UserList {
    /// From the query string: `q` and `page` (a page out of range shows the nearest one).
    fn from_query(q: &std::collections::HashMap<String, String>) -> Self {
        UserList {
            q: q.get("q").map(|s| s.trim().to_owned()).unwrap_or_default(),
            page: q
                .get("page")
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1)
                .max(1),
            ..UserList::default()
        }
    }

    /// The address of page `n` of the same search.
    pub fn href(&self, n: usize) -> String {
        let q = url_escape(&self.q);
        if q.is_empty() {
            format!("/admin/users?page={n}")
        } else {
            format!("/admin/users?q={q}&page={n}")
        }
    }
}

/// `s` percent-encoded for a query string.
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn users_view(
    st: &AppState,
    c: &Ctx,
    mut list: UserList,
    f: FormData,
    errors: FormErrors,
) -> Result<UsersPage, AppError> {
    c.authorize(Action::ManageAccounts)?;
    let page = c.page();
    let programmes = st.store.programmes().await?;
    let mut counties = Vec::new();
    let mut departments = Vec::new();
    for p in &programmes {
        for u in st.store.counties(p.id).await? {
            counties.push(Choice {
                value: u.id.to_string(),
                label: format!("{} · {}", p.name, u.name),
            });
        }
        for u in st.store.departments(p.id).await? {
            departments.push(Choice {
                value: u.id.to_string(),
                label: format!("{} · {}", p.name, u.name),
            });
        }
    }
    let pname = |id: Option<i64>| {
        id.and_then(|i| programmes.iter().find(|p| p.id == i))
            .map(|p| p.name.clone())
    };
    let locks = st.store.sign_in_locks(c.now).await?;
    let all: Vec<UserRow> = st
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| {
            let roles = u
                .grants
                .iter()
                .map(|g| {
                    let r = crate::view::role_name(page.lang, g.role);
                    match pname(g.programme_id) {
                        Some(p) => format!("{r}（{p}）"),
                        None => r,
                    }
                })
                .collect::<Vec<_>>()
                .join("；");
            let state = if !u.active {
                page.t("停用")
            } else if let Some(l) = locks
                .iter()
                .find(|l| l.scope == Scope::Name && l.name == u.username)
            {
                format!("{} {}", page.t("锁定至"), page.time(l.until))
            } else if locks
                .iter()
                .any(|l| l.scope == Scope::Pair && l.name == u.username)
            {
                page.t("部分来源暂停登录")
            } else {
                page.t("正常")
            };
            UserRow {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                roles,
                state,
                active: u.active,
            }
        })
        .collect();
    // The search matches the sign-in name, the name or a role, ignoring case.
    list.total = all.len();
    let needle = list.q.to_lowercase();
    let matching: Vec<UserRow> = all
        .into_iter()
        .filter(|u| {
            needle.is_empty()
                || u.username.to_lowercase().contains(&needle)
                || u.display_name.to_lowercase().contains(&needle)
                || u.roles.to_lowercase().contains(&needle)
        })
        .collect();
    list.matching = matching.len();
    list.pages = matching.len().div_ceil(USERS_PER_PAGE).max(1);
    list.page = list.page.clamp(1, list.pages);
    let users: Vec<UserRow> = matching
        .into_iter()
        .skip((list.page - 1) * USERS_PER_PAGE)
        .take(USERS_PER_PAGE)
        .collect();
    let roles = Role::ALL
        .iter()
        .filter(|r| **r != Role::Applicant)
        .map(|r| Choice {
            value: r.code().into(),
            label: crate::view::role_name(page.lang, *r),
        })
        .collect();
    let programmes = programmes
        .iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.name.clone(),
        })
        .collect();
    Ok(UsersPage {
        c: page,
        users,
        roles,
        programmes,
        counties,
        departments,
        f,
        errors,
        list,
    })
}

/// `GET /admin/users`.
pub async fn users_page(
    State(st): State<AppState>,
    c: Ctx,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    users_view(
        &st,
        &c,
        UserList::from_query(&q),
        FormData::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /admin/users`: create an account with one role.
pub async fn create_user(
    State(st): State<AppState>,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageAccounts)?;
    let mut errors = FormErrors::default();
    let page = c.page();
    let role = Role::parse(&f.get("role")).filter(|r| *r != Role::Applicant);
    if role.is_none() {
        errors.push("role", page.t("请选择角色。"));
    }
    let id = |k: &str| f.get(k).parse::<i64>().ok();
    let mut grant = Grant {
        role: role.unwrap_or(Role::Reviewer),
        programme_id: id("programme_id"),
        county_id: None,
        department_id: None,
        organisation_id: None,
    };
    if let Some(r) = role {
        if r.is_admin() {
            grant.programme_id = None;
        }
        if r == Role::CountyOffice {
            grant.county_id = id("county_id");
            if let Some(cid) = grant.county_id {
                grant.programme_id = st.store.county(cid).await.ok().map(|(p, _)| p);
            }
        }
        if r == Role::Department {
            grant.department_id = id("department_id");
            if let Some(did) = grant.department_id {
                grant.programme_id = st.store.department(did).await.ok().map(|(p, _)| p);
            }
        }
    }
    if !errors.any() {
        let u = NewUser {
            username: f.get("username"),
            display_name: f.get("display_name"),
            email: Some(f.get("email")).filter(|e| !e.is_empty()),
            password: f.raw("password"),
            grants: vec![grant],
        };
        match st
            .store
            .create_user(&c.who(Role::SysAdmin.code()), u, c.now)
            .await
        {
            Ok(_) => {
                return Ok(
                    crate::done::to("/admin/users", crate::done::Done::AccountSaved)
                        .into_response(),
                );
            }
            Err(e) => errors = form_error(&c, e)?,
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        users_view(&st, &c, UserList::default(), f, errors).await?,
    )
        .into_response())
}

/// `POST /admin/users/{uid}/state`: enable and unlock, or disable.
pub async fn set_user_state(
    State(st): State<AppState>,
    c: Ctx,
    Path(uid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageAccounts)?;
    let active = f.get("active") == "1";
    if c.actor().is_some_and(|a| a.user_id == uid) && !active {
        return Err(AppError::Refused(
            Box::new(qaward_core::refusal::Refusal::new(
                "self_disable",
                None,
                ("", ""),
                "不能停用自己的账号。",
                "You cannot disable your own account.",
            )),
            Box::new(c.page()),
        ));
    }
    st.store
        .set_user_state(&c.who(Role::SysAdmin.code()), uid, active, c.now)
        .await?;
    Ok(crate::done::to("/admin/users", crate::done::Done::AccountSaved).into_response())
}

/// A setting row.
pub struct SettingRow {
    /// Key.
    pub key: &'static str,
    /// Name.
    pub name: String,
    /// Value shown.
    pub value: String,
    /// Range.
    pub range: String,
}

/// A sign-in pause in force, as the security administrator's page lists it.
pub struct LockRow {
    /// What it pauses.
    pub what: String,
    /// Name as typed.
    pub name: String,
    /// Client address.
    pub address: String,
    /// Failures counted.
    pub failures: i64,
    /// Until, as shown.
    pub until: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_security.html")]
struct SecurityPage {
    c: PageCtx,
    settings: Vec<SettingRow>,
    locks: Vec<LockRow>,
    events: Vec<Entry>,
    errors: FormErrors,
}

async fn security_view(
    st: &AppState,
    c: &Ctx,
    typed: Option<&FormData>,
    errors: FormErrors,
) -> Result<SecurityPage, AppError> {
    c.authorize(Action::ManageSecurity)?;
    let page = c.page();
    let s: SecuritySettings = st.store.security_settings().await?;
    let settings = SecuritySettings::KEYS
        .iter()
        .map(|(k, name, lo, hi)| SettingRow {
            key: k,
            name: page.t(name),
            value: typed
                .map(|f| f.get(k))
                .unwrap_or_else(|| s.get(k).to_string()),
            range: format!("{lo}–{hi}"),
        })
        .collect();
    let events = st
        .store
        .audit_entries(&Filter {
            categories: vec![category::SECURITY],
            limit: 100,
            ..Filter::default()
        })
        .await?;
    let locks = st
        .store
        .sign_in_locks(c.now)
        .await?
        .into_iter()
        .map(|l| LockRow {
            what: page.t(l.scope.name_zh()),
            name: l.name,
            address: l.address,
            failures: l.failures,
            until: page.time(l.until),
        })
        .collect();
    Ok(SecurityPage {
        c: page,
        settings,
        locks,
        events,
        errors,
    })
}

/// `GET /admin/security`.
pub async fn security_page(
    State(st): State<AppState>,
    c: Ctx,
) -> Result<impl IntoResponse, AppError> {
    security_view(&st, &c, None, FormErrors::default()).await
}

/// `POST /admin/security`.
pub async fn set_security(
    State(st): State<AppState>,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageSecurity)?;
    let mut errors = FormErrors::default();
    let current = st.store.security_settings().await?;
    for (k, name, ..) in SecuritySettings::KEYS {
        let Ok(v) = f.get(k).parse::<i64>() else {
            errors.push(
                k,
                format!("{}：{}", c.page().t(name), c.page().t("请填写整数。")),
            );
            continue;
        };
        if v == current.get(k) {
            continue;
        }
        if let Err(e) = st
            .store
            .set_security_setting(&c.who(Role::SecAdmin.code()), k, v, c.now)
            .await
        {
            errors.0.extend(form_error(&c, e)?.0);
        }
    }
    if errors.any() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            security_view(&st, &c, Some(&f), errors).await?,
        )
            .into_response());
    }
    Ok(crate::done::to("/admin/security", crate::done::Done::SecuritySaved).into_response())
}

/// `POST /admin/security/locks`: the security administrator lifts the sign-in pauses of an
/// account name (every source) or of a client address.
pub async fn lift_lock(
    State(st): State<AppState>,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ManageSecurity)?;
    let (name, address) = (f.get("name"), f.get("address"));
    if name.is_empty() && address.is_empty() {
        let mut errors = FormErrors::default();
        errors.push("name", c.page().t("请填写要解除暂停的用户名或来源地址。"));
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            security_view(&st, &c, None, errors).await?,
        )
            .into_response());
    }
    st.store
        .lift_sign_in_locks(&c.who(Role::SecAdmin.code()), &name, &address, c.now)
        .await?;
    Ok(crate::done::to("/admin/security", crate::done::Done::SecuritySaved).into_response())
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get_post("/admin/users", users_page, create_user)
        .post("/admin/users/{uid}/state", set_user_state)
        .get_post("/admin/security", security_page, set_security)
        .post("/admin/security/locks", lift_lock)
}
